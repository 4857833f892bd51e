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


class StatCards(ReactiveHTML):
    """The five cards as real toggle buttons (one component: cheaper per session than
    five). Each button's name is its title and numbers; the pressed one is the filter."""

    cards = param.List(default=[], doc="""
        One dict per card: key, title, value, detail and active (drawn in this order).""")

    chosen = param.String(default="", doc="""
        Key of the card last clicked; reset to "" once handled.""")

    _template = '<div id="bar" class="jd-cards" role="group" aria-label="Statistics"></div>'

    _scripts = {
        "render": "self.draw()",
        "cards": "self.draw()",
        "draw": """
const root = bar.getRootNode();
const active = root.activeElement;
const focused = active && active.dataset ? active.dataset.key : null;
bar.replaceChildren();
for (const card of data.cards) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'jd-card';
  b.dataset.tone = card.key;
  b.dataset.key = card.key;
  b.setAttribute('aria-pressed', String(card.active));
  for (const [cls, text] of [['jd-card-title', card.title], ['jd-card-value', card.value],
                             ['jd-card-detail', card.detail]]) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    b.appendChild(span);
  }
  b.addEventListener('click', () => { data.chosen = card.key; });
  bar.appendChild(b);
  if (card.key === focused) { b.focus(); }
}
""",
    }

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [CARD_CSS])
        super().__init__(**params)


class StatsBar(pn.viewable.Viewer):
    """The five statistics cards over a listing; clicking one filters its query."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing whose statistics are shown and whose query the cards filter.""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._cards = StatCards(sizing_mode="stretch_width", margin=0)
        self._cards.param.watch(self._chosen, "chosen")
        self.listing.param.watch(self._update, "stats")
        self.listing.query.param.watch(self._update, "statuses")
        self._update()

    def choose(self, key: str) -> None:
        """Filter the table by the card's status (Total shows every status)."""
        self.listing.query.statuses = [] if key == "total" else [key]

    def cards(self) -> list[dict[str, Any]]:
        """What the cards show now (key, title, value, detail, active)."""
        texts = card_texts(self.listing.stats)
        statuses = self.listing.query.statuses
        return [{"key": key, "title": title, "value": texts[key][0], "detail": texts[key][1],
                 "active": statuses == [] if key == "total" else statuses == [key]}
                for key, title in CARDS]

    def _chosen(self, event: param.parameterized.Event) -> None:
        if event.new:
            self.choose(event.new)
            self._cards.chosen = ""

    def _update(self, *_: Any) -> None:
        self._cards.cards = self.cards()

    def __panel__(self) -> StatCards:
        return self._cards
