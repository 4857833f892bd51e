"""Pure text and HTML formatting for the UI. Every value from the store is escaped here.

Labels, error messages and configuration names are user data: they are always passed
through :func:`html.escape` before any markup is added around them, so a label such as
``<img src=x onerror=alert(1)>`` is shown literally.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd

from jobdash.vocab import JOB_STATUS_LABELS, format_job_id


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA."""
    return value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value)))


def duration_text(seconds: float | None) -> str:
    """Human duration: ``45s``, ``12m 5s``, ``2h 15m``, ``3d 4h``; ``—`` when unknown."""
    if _missing(seconds) or seconds < 0:
        return "—"
    total = math.floor(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def value_text(value: Any) -> str:
    """A stored value as text (not escaped); ``—`` when missing or blank."""
    return "—" if _missing(value) or not str(value).strip() else str(value)


def date_text(value: Any) -> str:
    """``2026-11-01 09:05`` (UTC, as stored); ``—`` when missing."""
    if _missing(value):
        return "—"
    return value.strftime("%Y-%m-%d %H:%M")


def count_text(n: int, singular: str, plural: str | None = None) -> str:
    """``1 job``, ``1,234 jobs``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def percent_text(rate: float) -> str:
    """``0.1234`` -> ``12.3%``."""
    return f"{rate * 100:.1f}%"


def highlight(text: str | None, term: str) -> str:
    """``text`` escaped for HTML, with each case-insensitive occurrence of ``term`` wrapped
    in ``<mark>``. Matching runs on the raw text and each piece is escaped on its own, so
    neither the text nor the term can inject markup."""
    text = text or ""
    term = (term or "").strip()
    if not term:
        return html.escape(text)
    out, last = [], 0
    for match in re.finditer(re.escape(term), text, flags=re.IGNORECASE):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def status_badge(status: str, progress: Any = None) -> str:
    """Coloured status pill; running jobs show their progress."""
    label = JOB_STATUS_LABELS.get(status, html.escape(str(status)))
    css = status if status in JOB_STATUS_LABELS else "stopped"
    if status == "running" and not _missing(progress):
        label = f"{label} · {int(progress)}%"
    return f'<span class="jd-badge jd-badge-{css}">{label}</span>'


def label_html(label: str | None, search: str) -> str:
    """The job's label as text with the search term marked; ``Untitled`` when empty."""
    if _missing(label) or not str(label).strip():
        return '<span class="jd-muted">Untitled</span>'
    title = html.escape(str(label), quote=True)
    return f'<span class="jd-label" title="{title}">{highlight(str(label), search)}</span>'


def images_html(total: Any, failed: Any, qc_failed: Any) -> str:
    """Image count with failures hinted (QC versus technical failures in the tooltip)."""
    total = 0 if _missing(total) else int(total)
    failed = 0 if _missing(failed) else int(failed)
    qc_failed = 0 if _missing(qc_failed) else int(qc_failed)
    if not failed:
        return f"<span>{total:,}</span>"
    technical = max(failed - qc_failed, 0)
    title = f"{qc_failed:,} failed QC, {technical:,} failed processing"
    return (
        f'<span>{total:,} <span class="jd-fail" title="{title}">· {failed:,} failed</span></span>'
    )


def job_id_html(job_id: int) -> str:
    """The monospace job id as a button that opens the job."""
    return f'<button type="button" class="jd-jobid">{format_job_id(job_id)}</button>'


def actions_html(job_id: int) -> str:
    """The row's ⋮ button opening its actions menu, named after the job (``Actions for
    JOB-000042``); ``data-job`` is the id the chosen action applies to."""
    name = format_job_id(job_id)
    return (
        f'<button type="button" class="jd-more" aria-haspopup="menu" aria-expanded="false" '
        f'data-job="{job_id}" aria-label="Actions for {name}">⋮</button>'
    )
