"""The Failures view in the served app (Chromium): one click from the Dashboard's "Failures
by cause" and from the Failed card's "Causes", and axe-core finds no violation of any impact
on it."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from factories import add_config, add_job
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SAVE_FINAL = "Image processing failed at saving the final image: could not write …"


def build_history(service) -> dict:
    """Two causes of failure (one a runner's processing_failed code) and a completed job."""
    config = add_config(service, "Hero banners")
    for n in (28, 5):
        add_job(
            service,
            status="failed",
            label=f"disk {n}",
            config_id=config,
            error_message=f"processing_failed:save_final: could not write /srv/out/{n}/a.png: "
            f"[Errno {n}] No space left on device",
        )
    add_job(service, status="failed", label="slow", config_id=config, error_message="Timed out")
    add_job(service, status="completed", label="fine", config_id=config)
    return {}


def failures_tab(page: Page):
    return page.locator(".bk-tab").filter(has_text=re.compile(r"^Failures$"))


def expect_failures_shown(page: Page) -> None:
    expect(failures_tab(page)).to_have_class(re.compile(r"\bbk-active\b"), timeout=20_000)
    cause = page.get_by_role("cell", name=re.compile(f"^{re.escape(SAVE_FINAL)}"))
    expect(cause).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile(r"^Rerun 2 jobs failing with: "))
    ).to_have_text("Rerun 2 jobs")


def test_one_click_from_the_dashboard(page: Page, served):
    page.goto(served.url + "/dashboard")
    page.get_by_role("link", name="Failures by cause").click()
    expect_failures_shown(page)


def test_one_click_from_the_failed_card(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Causes of failed jobs").click()
    expect_failures_shown(page)


def failures_findings(page: Page) -> list[str]:
    """axe-core's violations of any impact on nodes inside the Failures tab's panel (its
    list and its Rerun dialog). The page around it is test_ui_accessibility's, and so is
    the "region" rule (whether the page puts its content in landmarks, a main around the
    tabs), which no view inside it can meet alone."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}"
        for v in Axe().run(page).response["violations"]
        if v["id"] != "region"
        for node in v["nodes"]
        if 'role="tabpanel"' in str(node["target"])
        or 'aria-label="Failures"' in str(node["target"])
    ]


def test_the_failures_view_is_axe_clean(page: Page, served):
    page.goto(served.url + "/jobs?view=failures")
    expect_failures_shown(page)
    assert failures_findings(page) == []
    page.get_by_role("button", name=re.compile(r"^Rerun 2 jobs failing with: ")).click()
    expect(page.get_by_role("dialog", name="Rerun 2 failed jobs")).to_be_visible()
    assert failures_findings(page) == []
