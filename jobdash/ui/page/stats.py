"""Statistics bar: five cards (Total, Completed, Failed, Running, Pending) that filter the
table by status when clicked; Total clears the status filter."""

from __future__ import annotations

from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared.cards import CARD_CSS, CARDS, card_texts

CAUSES = "causes"  # what StatCards.chosen says when the Failed card's link is clicked
CAUSES_LINK = "Causes"  # the link's text (its name adds what it opens)


class StatCards(ReactiveHTML):
    """The five cards as real toggle buttons (one component: cheaper per session than
    five). Each button's name is its title and numbers; the pressed one is the filter."""

    cards = param.List(
        default=[],
        doc="""
        One dict per card: key, title, value, detail, active and link (drawn in this order;
        a card with a link text gets a link beside its title that sets ``chosen`` to
        "causes").""",
    )

    chosen = param.String(
        default="",
        doc="""
        Key of the card last clicked; reset to "" once handled.""",
    )

    _template = assets.template("stat-cards")

    _scripts = assets.scripts("stat-cards")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [CARD_CSS])
        super().__init__(**params)


class StatsBar(pn.viewable.Viewer):
    """The five statistics cards over a listing; clicking one filters its query."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing whose statistics are shown and whose query the cards filter.""",
    )

    causes = param.Event(
        doc="""
        Fires when the Failed card's "Causes" link is clicked (the page then shows its
        Failures view)."""
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._cards = StatCards(
            sizing_mode="stretch_width", margin=(12, 0, 0, 0), css_classes=["jd-compact"]
        )
        pn.bind(self._chosen, self._cards.param.chosen, watch=True)
        self._update()

    def choose(self, key: str) -> None:
        """Filter the table by the card's status (Total shows every status)."""
        self.listing.query.statuses = [] if key == "total" else [key]

    def cards(self) -> list[dict[str, Any]]:
        """What the cards show now (key, title, value, detail, active)."""
        texts = card_texts(self.listing.stats)
        statuses = self.listing.query.statuses
        return [
            {
                "key": key,
                "title": title,
                "value": texts[key][0],
                "detail": texts[key][1],
                "active": statuses == [] if key == "total" else statuses == [key],
                "link": CAUSES_LINK if key == "failed" else "",
            }
            for key, title in CARDS
        ]

    def _chosen(self, key: str) -> None:
        if key == CAUSES:
            self.param.trigger("causes")
        elif key:
            self.choose(key)
        self._cards.chosen = ""

    @param.depends("listing.stats", "listing.query.statuses", watch=True)
    def _update(self) -> None:
        self._cards.cards = self.cards()

    def __panel__(self) -> StatCards:
        return self._cards
