"""Filter presets: saving says so in a toast; a name the service refuses (empty, too long)
says why and saves nothing; saving under a taken name asks before replacing it; deleting
asks first, then says so; names are escaped. State level over a real history, then the
whole flow on the served /jobs page in Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.ui.page.presets import NO_PRESET, PresetBar
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared.notify import Toaster

HOSTILE = "<img src=x onerror=alert(1)>"


def build_history(service) -> dict:
    """Ten jobs; ids divisible by 3 failed."""
    config = add_config(service, "Hero banners")
    for i in range(1, 11):
        add_job(
            service,
            status="failed" if i % 3 == 0 else "completed",
            label=f"Lake {i}",
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
            error_message="timeout" if i % 3 == 0 else None,
        )
    return {}


@pytest.fixture
def bar(service):
    build_history(service)
    return PresetBar(listing=JobListing(service), toaster=Toaster())


def saved(bar: PresetBar) -> dict[str, dict]:
    return {p["name"]: p["query"] for p in bar.listing.service.presets()}


def test_saving_toasts_and_shows_the_new_preset(bar):
    bar.listing.query.statuses = ["failed"]
    bar._name.value_input = "  Failed today "
    bar._save.clicks += 1
    assert (bar.toaster.kind, bar.toaster.message) == ("success", "Saved preset “Failed today”")
    assert saved(bar)["Failed today"]["statuses"] == ["failed"]
    assert bar._name.value_input == "" and not bar.dialog.open
    assert bar._choice.options == [NO_PRESET, "Failed today"]


def test_filters_changed_by_hand_leave_the_preset_and_choosing_it_again_applies_it(bar):
    query = bar.listing.query
    query.statuses = ["failed"]
    bar.save("Failures")
    query.statuses = []
    bar._choice.value = "Failures"
    assert query.statuses == ["failed"]
    query.statuses = ["completed"]  # by hand: no longer that preset
    assert bar._choice.value == NO_PRESET
    bar._choice.value = "Failures"
    assert query.statuses == ["failed"] and bar._choice.value == "Failures"


@pytest.mark.parametrize(
    "name, why",
    [
        ("", "name: cannot be empty"),
        ("   ", "name: cannot be empty"),
        ("x" * 300, "name: 300 characters, at most 100 allowed"),
        ("tab\there", "name: control characters"),
    ],
)
def test_a_refused_name_says_why_and_saves_nothing(bar, name, why):
    bar._name.value_input = name
    bar._save.clicks += 1
    assert bar.toaster.kind == "error"
    assert bar.toaster.message.startswith(f"Preset not saved: {why}")
    assert saved(bar) == {} and bar._name.value_input == name  # kept, to be corrected
    assert not bar.dialog.open


def test_the_name_box_does_not_cut_a_long_name_short(bar):
    # A browser cuts text at maxlength without a word; the service's refusal says why.
    assert bar._name.max_length >= 300


def test_saving_under_a_taken_name_asks_before_replacing(bar):
    bar.save("Mine")
    bar.listing.query.statuses = ["failed"]
    bar.toaster.message = ""
    bar.save(" Mine")
    assert bar.dialog.open and bar.pending == ("replace", "Mine")
    assert bar.dialog.title == "Replace preset"
    assert bar._asking().confirm.label == "Replace"
    assert saved(bar)["Mine"]["statuses"] == [] and bar.toaster.message == ""

    bar._asking().cancel.clicks += 1  # Cancel: nothing changes
    assert not bar.dialog.open and bar.pending is None
    assert saved(bar)["Mine"]["statuses"] == []

    bar.save("Mine")
    bar._asking().confirm.clicks += 1
    assert not bar.dialog.open and bar.pending is None
    assert saved(bar)["Mine"]["statuses"] == ["failed"] and len(saved(bar)) == 1
    assert (bar.toaster.kind, bar.toaster.message) == ("success", "Replaced preset “Mine”")


def test_closing_the_dialog_forgets_the_question(bar):
    bar.save("Mine")
    bar.save("Mine")
    bar.dialog.open = False  # Escape, or the backdrop
    assert bar.pending is None
    bar.confirm()
    assert bar.toaster.message == "Saved preset “Mine”"  # nothing further


def test_deleting_asks_first_then_toasts(bar):
    bar.save("Mine")
    assert bar._delete.disabled
    bar._choice.value = "Mine"
    bar._delete.clicks += 1
    assert bar.dialog.open and bar.pending == ("delete", "Mine")
    assert bar.dialog.title == "Delete preset"
    assert bar._asking().confirm.label == "Delete" and bar._asking().confirm.color == "danger"
    assert "Mine" in saved(bar)

    bar._asking().confirm.clicks += 1
    assert saved(bar) == {} and not bar.dialog.open
    assert (bar.toaster.kind, bar.toaster.message) == ("success", "Deleted preset “Mine”")
    assert bar._choice.options == [NO_PRESET] and bar._delete.disabled


def test_deleting_one_already_gone_says_so(bar):
    bar.save("Mine")
    bar.delete("Mine")
    bar.listing.service.delete_preset("Mine")  # another tab, meanwhile
    bar.confirm()
    assert bar.toaster.kind == "error"
    assert bar.toaster.message == "Preset not deleted: No filter preset named 'Mine'."
    assert bar._choice.options == [NO_PRESET]


def test_names_are_escaped_in_the_question(bar):
    bar.save(HOSTILE)
    assert bar._choice.options == [NO_PRESET, HOSTILE]
    bar.delete(HOSTILE)
    question = bar._asking().question.object
    assert HOSTILE not in question and "&lt;img src=x onerror=alert(1)&gt;" in question


# -- served -----------------------------------------------------------------------------------


def toast(page: Page, text: str):
    return page.locator(".notyf__toast").filter(has_text=text)


@pytest.mark.browser
def test_save_replace_and_delete_a_preset_on_the_served_page(page: Page, served):
    page.goto(f"{served.url}/jobs?status=failed")
    page.get_by_role("button", name="Presets").click()  # the menu on the filter bar
    name_box = page.get_by_role("textbox", name="Preset name")
    save = page.get_by_role("button", name="Save preset")
    expect(page.get_by_role("combobox", name="Preset")).to_be_visible(timeout=20_000)

    save.click()  # empty: refused
    expect(toast(page, "Preset not saved: name: cannot be empty")).to_be_visible()
    name_box.fill("x" * 300)  # too long: refused
    save.click()
    expect(toast(page, "at most 100 allowed")).to_be_visible()
    assert served.service.presets() == []

    name_box.fill(HOSTILE)
    save.click()
    expect(toast(page, f"Saved preset “{HOSTILE}”")).to_be_visible()
    assert [p["name"] for p in served.service.presets()] == [HOSTILE]

    page.get_by_role("button", name="Clear filters").click()  # a press outside closes the menu
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(name_box).to_be_hidden()
    page.get_by_role("button", name="Presets").click()
    name_box.fill(HOSTILE)
    name_box.press("Enter")  # Enter saves too
    dialog = page.get_by_role("dialog", name="Replace preset")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Replace preset “{HOSTILE}”?")
    dialog.get_by_role("button", name="Replace").click()
    expect(dialog).to_be_hidden()
    expect(toast(page, f"Replaced preset “{HOSTILE}”")).to_be_visible()
    assert served.service.presets()[0]["query"]["statuses"] == []

    expect(page.get_by_role("button", name="Delete preset")).to_be_disabled()
    page.get_by_role("combobox", name="Preset").select_option(HOSTILE)
    page.get_by_role("button", name="Delete preset").click()
    dialog = page.get_by_role("dialog", name="Delete preset")
    expect(dialog.get_by_role("heading")).to_have_text(f"Delete preset “{HOSTILE}”?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert len(served.service.presets()) == 1
    page.get_by_role("button", name="Delete preset").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(toast(page, f"Deleted preset “{HOSTILE}”")).to_be_visible()
    assert served.service.presets() == []
    expect(page.get_by_role("button", name="Delete preset")).to_be_disabled()
