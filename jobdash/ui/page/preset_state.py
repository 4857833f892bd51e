"""Saved filter presets as plain state: their names, and saving, applying and deleting one
through the backend (:class:`jobdash.ui.page.presets.PresetBar` shows them)."""

from __future__ import annotations

from typing import Any

import param

from jobdash.contract import JobBackend
from jobdash.query import JobQuery


class FilterPresets(param.Parameterized):
    """The saved presets of a job history. Refusals (a name that is empty, too long or
    gone) raise the backend's errors and change nothing."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        Where the presets are saved (a :class:`jobdash.contract.JobBackend`).""",
    )

    names = param.List(
        default=[],
        item_type=str,
        doc="""
        The saved presets' names, as last read (see :meth:`refresh`).""",
    )

    def __init__(self, service: JobBackend, **params: Any):
        super().__init__(service=service, **params)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the saved presets' names (another tab may have changed them)."""
        self.names = [p["name"] for p in self.service.presets()]

    def taken(self, name: str) -> bool:
        """Whether a preset is saved under ``name`` (surrounding spaces ignored)."""
        self.refresh()
        return name.strip() in self.names

    def save(self, name: str, query: JobQuery) -> None:
        """Save the filters of ``query`` as preset ``name`` (replacing one of that name)."""
        self.service.save_preset(name, query)
        self.refresh()

    def filters(self, name: str, query: JobQuery) -> dict[str, Any]:
        """The filters preset ``name`` holds (sort and page size are not part of them)."""
        return self.service.apply_preset(name, query).filters()

    def delete(self, name: str) -> None:
        """Delete preset ``name``."""
        try:
            self.service.delete_preset(name)
        finally:
            self.refresh()
