"""Statistics bar: five cards (Total, Completed, Failed, Running, Pending) that filter the
table by status when clicked; Total clears the status filter."""

from __future__ import annotations

from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

from ..service import Statistics
from . import theme
from .format import percent_text
from .state import JobListing

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
.jd-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 16px; }
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


class StatCard(ReactiveHTML):
    """One clickable statistics card: a real button whose name is its title and numbers."""

    title = param.String(default="", doc="""Card title, e.g. "Failed".""")

    value = param.String(default="—", doc="""The big number, formatted.""")

    detail = param.String(default="", doc="""The line under the number (rate, trend).""")

    tone = param.String(default="total", doc="""Which accent colour the card wears.""")

    active = param.Boolean(default=False, doc="""Whether the table is filtered by this card.""")

    clicks = param.Integer(default=0, doc="""How many times the card was clicked.""")

    _template = """
<button id="card" type="button" class="jd-card" onclick="${_click}"><span id="title" class="jd-card-title">${title}</span><span id="value"
  class="jd-card-value">${value}</span><span id="detail" class="jd-card-detail">${detail}</span></button>
"""

    _child_config = {"title": "literal", "value": "literal", "detail": "literal"}

    # Attributes are set from scripts: templated attributes would be read back as DOM
    # properties, which data-* and aria-* attributes are not.
    _scripts = {
        "render": "self.tone(); self.active()",
        "tone": "card.dataset.tone = data.tone",
        "active": "card.setAttribute('aria-pressed', String(data.active))",
    }

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [CARD_CSS])
        super().__init__(**params)

    def _click(self, event: Any) -> None:
        self.clicks += 1


class StatsBar(pn.viewable.Viewer):
    """The five statistics cards over a listing; clicking one filters its query."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing whose statistics are shown and whose query the cards filter.""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._cards = {key: StatCard(title=title, tone=key, sizing_mode="stretch_width",
                                     margin=0)
                       for key, title in CARDS}
        for key, card in self._cards.items():
            card.param.watch(lambda _, key=key: self.choose(key), "clicks")
        self._layout = pn.Row(*self._cards.values(), sizing_mode="stretch_width", margin=0,
                              styles={"gap": f"{theme.SPACE['md']}px", "align-items": "stretch"})
        self.listing.param.watch(self._update, "stats")
        self.listing.query.param.watch(self._update, "statuses")
        self._update()

    def choose(self, key: str) -> None:
        """Filter the table by the card's status (Total shows every status)."""
        self.listing.query.statuses = [] if key == "total" else [key]

    def _update(self, *_: Any) -> None:
        texts = card_texts(self.listing.stats)
        statuses = self.listing.query.statuses
        for key, card in self._cards.items():
            value, detail = texts[key]
            active = statuses == [] if key == "total" else statuses == [key]
            card.param.update(value=value, detail=detail, active=active)

    def __panel__(self) -> pn.Row:
        return self._layout
