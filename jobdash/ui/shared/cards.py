"""The five statistics cards' texts and look, shared by the Dashboard and the Jobs page."""

from __future__ import annotations

from typing import Any

from jobdash.records import Statistics
from jobdash.ui import assets
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import percent_text

CARDS: tuple[tuple[str, str], ...] = (
    ("total", "Total"),
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("running", "Running"),
    ("pending", "Pending"),
)


def trend_text(trend: dict[str, Any]) -> str:
    """``▲ 12% vs prior week``: the last 7 days against the 7 before (arrow and words, so it
    does not rely on colour; short enough for the card at 1280 px)."""
    change = trend.get("change")
    if change is None:
        return f"{trend.get('last_7d', 0):,} in the last 7 days"
    if change == 0:
        return "Same as prior week"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {abs(change) * 100:.0f}% vs prior week"


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


CARD_CSS = theme.FOCUS_CSS + assets.css("cards")


def static_cards_html(stats: Statistics | None) -> str:
    """The five cards as plain (non-interactive) HTML, for pages that only show totals."""
    texts = card_texts(stats)
    return assets.render("cards", cards=[(key, title, *texts[key]) for key, title in CARDS])
