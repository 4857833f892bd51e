"""The patches of Panel's and Bokeh's views apply only with the versions they were written for:
outside them the page is built without them (stock behaviour) and one warning per process and
patch says so."""

from __future__ import annotations

import logging

import bokeh
import panel as pn
import pytest

from jobdash.ui.page.manager import JobManager
from jobdash.ui.page.redraws import TableRedraws
from jobdash.ui.page.table import TableFocus
from jobdash.ui.shared import hidden
from jobdash.ui.shared.choices import NamedChoices
from jobdash.ui.shared.hidden import Patch, patches
from jobdash.ui.shared.tabs import AccessibleTabs

PATCHES = (TableRedraws, TableFocus, AccessibleTabs, NamedChoices)


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hidden, "_warned", set())


def test_the_installed_versions_are_those_the_patches_were_written_for():
    helpers = patches(*PATCHES)
    assert [type(h) for h in helpers] == list(PATCHES)
    assert all(isinstance(h, Patch) and h.own == hidden.OWN for h in helpers)


@pytest.mark.parametrize(
    ("library", "version"), [(pn, "1.11.0"), (pn, "1.9.4"), (bokeh, "3.11.0"), (bokeh, "3.9.2")]
)
def test_other_versions_leave_the_patches_out_with_one_warning_each(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, library, version
):
    monkeypatch.setattr(library, "__version__", version)
    with caplog.at_level(logging.WARNING, logger=hidden.__name__):
        assert patches(*PATCHES) == []
        assert patches(*PATCHES) == []
    assert len(caplog.records) == len(PATCHES)
    for record, patch in zip(caplog.records, PATCHES, strict=True):
        message = record.getMessage()
        assert patch.__name__ in message
        assert "Panel 1.10, Bokeh 3.10" in message and version in message


def test_a_patch_release_of_the_written_for_versions_is_supported(monkeypatch):
    monkeypatch.setattr(pn, "__version__", "1.10.17")
    monkeypatch.setattr(bokeh, "__version__", "3.10.0rc1")
    assert TableRedraws.supported()


def test_the_page_holds_its_patches_with_the_written_for_versions(service):
    layout = JobManager(service).__panel__()
    assert sorted(type(p).__name__ for p in layout.select(Patch)) == sorted(
        p.__name__ for p in PATCHES
    )


def test_the_page_is_built_without_its_patches_outside_the_versions(monkeypatch, service):
    monkeypatch.setattr(pn, "__version__", "1.11.0")
    layout = JobManager(service).__panel__()
    assert layout.select(Patch) == []
    assert layout.select(pn.widgets.Tabulator)  # the table itself is there, as stock
