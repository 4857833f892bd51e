"""The five statistics cards' texts and look, shared by the Dashboard and the Jobs page."""

from __future__ import annotations

from typing import Any

from jobdash.service import Statistics
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import percent_text

CARDS: tuple[tuple[str, str], ...] = (
    ("total", "Total"), ("completed", "Completed"), ("failed", "Failed"),
    ("running", "Running"), ("pending", "Pending"),
)


def trend_text(trend: dict[str, Any]) -> str:
    """``▲ 12% vs previous 7 days`` (arrow and words, so it does not rely on colour)."""
    change = trend.get("change")
    if change is None:
        return f"{trend.get('last_7d', 0):,} in the last 7 days"
    if change == 0:
        return "Same as previous 7 days"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {abs(change) * 100:.0f}% vs previous 7 days"


def card_texts(stats: Statistics | None) -> dict[str, tuple[str, str]]:
    """``{card: (value, detail)}`` for the five cards."""
    if stats is None:
        return {key: ("—", "") for key, _ in CARDS}
    by = stats.by_status
    return {
        "total": (f"{stats.total:,}", trend_text(stats.trend)),
        "completed": (f"{by['completed']:,}", f"{percent_text(stats.success_rate)} success rate"),
        "failed": (f"{by['failed']:,}", f"{percent_text(stats.failure_rate)} failure rate"),
        "running": (f"{stats.running:,}", "in progress now"),
        "pending": (f"{stats.pending:,}", "waiting in the queue"),
    }


CARD_CSS = theme.FOCUS_CSS + """
:host { display: block; }
.jd-card { all: unset; box-sizing: border-box; display: flex; flex-direction: column; gap: 2px;
  width: 100%; height: 100%; min-height: 104px; padding: 16px 18px; cursor: pointer;
  background: var(--jd-surface); border: 1px solid var(--jd-border);
  border-top: 4px solid var(--jd-tone); border-radius: var(--jd-radius-card);
  box-shadow: var(--jd-shadow); font-family: var(--jd-font); color: var(--jd-text);
  transition: box-shadow 120ms ease, transform 120ms ease; }
.jd-card:hover { box-shadow: 0 4px 12px rgba(17, 24, 39, 0.12); transform: translateY(-1px); }
.jd-card:focus-visible { outline: 3px solid var(--jd-primary); outline-offset: 2px; }
.jd-card[aria-pressed="true"] { background: var(--jd-primary-soft);
  border-color: var(--jd-primary); border-top-color: var(--jd-tone); }
.jd-card.jd-static { cursor: default; }
.jd-card.jd-static:hover { box-shadow: var(--jd-shadow); transform: none; }
.jd-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 16px; }
.jd-card-title { font-size: 13px; font-weight: 600; color: var(--jd-text-muted);
  text-transform: uppercase; letter-spacing: 0.04em; }
.jd-card-value { font-size: var(--jd-h1-size); font-weight: 700; line-height: 1.2; }
.jd-card-detail { font-size: var(--jd-caption-size); color: var(--jd-text-muted); }
""" + "".join(f'.jd-card[data-tone="{key}"] {{ --jd-tone: var(--jd-{tone}); }}\n' for key, tone in (
    ("total", "accent"), ("completed", "success"), ("failed", "error"), ("running", "primary"),
    ("pending", "warning")))


def static_cards_html(stats: Statistics | None) -> str:
    """The five cards as plain (non-interactive) HTML, for pages that only show totals."""
    texts = card_texts(stats)
    cards = "".join(
        f'<div class="jd-card jd-static" data-tone="{key}" role="group" aria-label="{title}">'
        f'<span class="jd-card-title">{title}</span><span class="jd-card-value">{texts[key][0]}'
        f'</span><span class="jd-card-detail">{texts[key][1]}</span></div>'
        for key, title in CARDS)
    return f'<div class="jd-cards">{cards}</div>'
