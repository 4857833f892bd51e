"""Checks whether each upstream bug of this folder still reproduces with the installed Panel and
Bokeh: serves each reproduction with ``panel serve``, drives it in Chromium with Playwright and
prints what it found.

    python docs/upstream/reproduce.py [name ...]    # e.g. bokeh-tabs-aria; default: all

Uses Debian's Chromium (``/usr/bin/chromium``); set ``CHROMIUM`` to use another.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import bokeh
import panel as pn
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Counts the changes to the rows of the table with class ``repro`` once its first row is
# there (window.rowChanges).
COUNT_ROW_CHANGES = """
window.rowChanges = 0;
const look = () => {
  const host = document.querySelector('.repro');
  const row = host && host.shadowRoot && host.shadowRoot.querySelector('.tabulator-row');
  if (!row) { requestAnimationFrame(look); return; }
  new MutationObserver((records) => { window.rowChanges += records.length; })
    .observe(row.parentElement, {childList: true, subtree: true});
};
requestAnimationFrame(look);
"""
# The innermost focused element (through shadow roots): its tag and text.
FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) { el = el.shadowRoot.activeElement; }
  return el ? `${el.tagName} ${el.tagName === 'BODY' ? '' : el.textContent.trim()}` : null;
}"""


def double_redraw(page: Page, log: Path) -> tuple[bool, str]:
    page.add_init_script(COUNT_ROW_CHANGES)
    page.goto(page.url)
    page.locator(".repro .tabulator-row").first.wait_for()
    page.wait_for_timeout(2000)
    changes = page.evaluate("() => window.rowChanges")
    return changes > 0, f"{changes} row mutations after the first render (0 expected)"


def checkbox_columns(page: Page, log: Path) -> tuple[bool, str]:
    def titles(cls: str) -> list[str]:
        table = page.locator(f".{cls}")
        table.locator(".tabulator-row").first.wait_for()
        return [t.strip() for t in table.locator(".tabulator-col-title").all_inner_texts()]

    checkbox, plain = titles("checkbox"), titles("plain")
    return "fruit" not in checkbox, f"headers with checkbox: {checkbox}; without: {plain}"


def tabs_aria(page: Page, log: Path) -> tuple[bool, str]:
    page.get_by_text("The first panel").wait_for()
    roles = page.locator(".repro [role=tab], .repro [role=tablist]").count()
    headers = page.locator(".repro .bk-tab")
    headers.first.focus()
    page.keyboard.press("ArrowRight")
    arrow = page.evaluate(FOCUSED)
    headers.nth(1).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    active = page.locator(".repro .bk-tab.bk-active").inner_text()
    return roles == 0 and active == "One", (
        f"{roles} elements with role tab or tablist; ArrowRight on the first header leaves "
        f"focus on {arrow!r}; Enter and Space on the second header leave {active!r} active")


def multichoice_name(page: Page, log: Path) -> tuple[bool, str]:
    page.locator(".repro .choices").wait_for()
    named = page.get_by_role("combobox", name="Fruit", exact=True).count()
    textbox = page.get_by_role("textbox", name="Fruit", exact=True).count()
    tree = page.locator(".repro .choices").aria_snapshot()
    return named == 0 and textbox == 0, (
        f"{named} combobox and {textbox} text box named 'Fruit'; the control: {tree!r}")


def rows_replaced(page: Page, log: Path) -> tuple[bool, str]:
    table = page.locator(".repro")
    table.locator(".tabulator-row").first.wait_for()
    page.wait_for_timeout(1500)
    go = table.locator(".tabulator-row").nth(1).get_by_role("button", name="Go")
    go.focus()
    before = page.evaluate(FOCUSED)
    page.wait_for_timeout(2500)  # two patches
    after = page.evaluate(FOCUSED)
    table.locator(".tabulator-row").nth(2).locator("[tabulator-field=label]").click()
    page.keyboard.type("typed")
    opened = table.locator(".tabulator-editing").count()
    page.wait_for_timeout(2500)
    editing = table.locator(".tabulator-editing").count()
    return after != before or editing < opened, (
        f"focus before the patches: {before!r}, after: {after!r}; editing marks while typing: "
        f"{opened}, after the next patches: {editing}")


def received_models_resent(page: Page, log: Path) -> tuple[bool, str]:
    page.get_by_role("button", name="Add a button").click()
    page.get_by_role("button", name="Added").click()
    page.get_by_text("clicked").wait_for()
    warned = "reference already known" in log.read_text()
    return warned, f"the server log {'has' if warned else 'has no'} 'reference already known'"


# Each check gets the page and the server's log (its standard error).
CHECKS: dict[str, Callable[[Page, Path], tuple[bool, str]]] = {
    "tabulator-double-redraw": double_redraw,
    "tabulator-checkbox-columns": checkbox_columns,
    "bokeh-tabs-aria": tabs_aria,
    "multichoice-accessible-name": multichoice_name,
    "tabulator-rows-replaced-on-patch": rows_replaced,
    "bokehjs-received-models-resent": received_models_resent,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(name: str, log: Path) -> Iterator[str]:
    """``panel serve`` of the reproduction ``name``, its standard error into ``log``; yields
    its URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(HERE / f"{name}.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"panel serve {name}.py did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/{name}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(names: list[str]) -> None:
    print(f"Panel {pn.__version__}, Bokeh {bokeh.__version__}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name in names or list(CHECKS):
            log = Path(tempfile.mkdtemp()) / f"{name}.log"
            with served(name, log) as url:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(url)
                found, detail = CHECKS[name](page, log)
                page.close()
            print(f"{name}: {'REPRODUCES' if found else 'does not reproduce'} ({detail})")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
