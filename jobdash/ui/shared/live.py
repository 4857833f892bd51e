"""Live updates: one periodic callback per rendered page, started on render and stopped by
Panel when the browser session ends; which finished jobs are news to a page; and whether
this session is a served page at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import panel as pn

from jobdash import events
from jobdash.events import Change
from jobdash.ui.shared.feed import finished_jobs


def is_served() -> bool:
    """Whether this session is a served page (images as URLs, Panel's notifications), not a
    notebook."""
    doc = pn.state.curdoc
    return doc is not None and doc.session_context is not None


class Ticker:
    """Calls ``tick`` every ``period_ms`` once started; a period of 0 means stopped."""

    def __init__(self, tick: Callable[[], None], period_ms: int):
        self.tick = tick
        self.period_ms = period_ms
        self._callback: Any = None
        self._wanted = False  # start() was called: the page is on screen

    @property
    def running(self) -> bool:
        """Whether the periodic callback is active."""
        return self._callback is not None

    def start(self) -> None:
        """Start ticking in the current session (no-op when already running or period 0)."""
        self._wanted = True
        if self._callback is None and self.period_ms:
            self._callback = pn.state.add_periodic_callback(self.tick, period=self.period_ms)

    def stop(self) -> None:
        """Stop ticking."""
        self._wanted = False
        self._pause()

    def _pause(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None

    def set_period(self, period_ms: int) -> None:
        """Change the period: 0 pauses; otherwise a started ticker goes on at the new pace."""
        self.period_ms = period_ms
        if not period_ms:
            self._pause()
        elif self._callback is not None:
            self._callback.period = period_ms
        elif self._wanted:
            self.start()


class News:
    """The jobs queued while a page is open (from it, another page, the CLI or a notebook):
    their completions are news the page announces. Jobs already queued or running when it
    opened finish quietly, in the table only: a fresh demo's queued reruns do not toast on
    every page the user opens, nor do the jobs a runner finishes before anyone looks."""

    def __init__(self) -> None:
        self._watched: set[int] = set()

    def finished(self, changes: Iterable[Change]) -> list[tuple[int, str]]:
        """``(job_id, status)`` of the watched jobs that completed or failed in ``changes``
        (the ones queued in ``changes`` are watched from now on)."""
        changes = list(changes)
        self._watched.update(j for c in changes if c.kind == events.CREATED for j in c.job_ids)
        done = [(j, status) for j, status in finished_jobs(changes) if j in self._watched]
        self._watched.difference_update(j for j, _ in done)
        return done
