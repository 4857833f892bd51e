"""panel-material-ui against the parts jobdash builds or patches itself, on small served pages.

    .venv/bin/python -m benchmarks.compare_pmui [--loads 7] [--json out.json]

Four pairs, each a page with one part in the app's template (``page_template``), as the
served app draws it:

* ``tabs``: ``pn.Tabs`` with jobdash's ``AccessibleTabs`` patch against ``pmui.Tabs``;
* ``multichoice``: ``pn.widgets.MultiChoice`` with the ``NamedChoices`` patch against
  ``pmui.MultiChoice``;
* ``pager``: jobdash's ``Pager`` over a 300-job history against ``pmui.Pagination`` (page
  numbers, Previous and Next only: no "Go to page", no "Jobs per page", no total);
* ``dialog``: jobdash's ``Dialog`` (the native ``<dialog>``) against ``pmui.Dialog``,
  each opened by the same Panel button.

Each side is served by its own process (the panel-material-ui side is the only one that
imports it, since the import changes Panel's configuration for the whole process), and
Chromium (Debian's) measures, per page:

* axe-core violations (axe-playwright-python, offline), with the dialog open for ``dialog``;
* keyboard operability: the part is reached with Tab and used with its keys only, and a
  readout on the page shows what the server received (``keys_ok``, with the steps tried);
* first render: navigation start to the first animation frame with the part on screen
  (``bench_page.DEEP_VISIBLE_AT``), median and minimum of ``--loads`` fresh contexts,
  the two sides in turn; a bare page of each server (one Markdown pane) is the reference;
* bytes the browser loads (transfer sizes of the page and every resource, fresh context),
  the largest resource named;
* requests that leave 127.0.0.1 (blocked here, counted: the page must work offline).

``--process-wide`` (run by the comparison in a separate process) prints what importing
panel_material_ui changes for the whole process: Panel's global design and the class of
every page's notification area.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, sync_playwright

from benchmarks.bench_page import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEEP_VISIBLE_AT,
    ROOT,
    free_port,
    wait_listening,
)

CASES = ("tabs", "multichoice", "pager", "dialog")
SIDES = ("jobdash", "pmui")
STATUSES = ["pending", "running", "completed", "failed", "stopped"]
HISTORY_JOBS = 300
# What shows that each side's part is drawn (searched through shadow roots).
READY = {
    ("tabs", "jobdash"): "[role=tab]",
    ("tabs", "pmui"): "[role=tab]",
    ("multichoice", "jobdash"): ".choices__input--cloned",
    ("multichoice", "pmui"): "[role=combobox]",
    ("pager", "jobdash"): "nav[aria-label='Page numbers'] button",
    ("pager", "pmui"): "nav .MuiPagination-ul",
    ("dialog", "jobdash"): ".bk-btn",
    ("dialog", "pmui"): ".bk-btn",
}
SETTLE_S = 0.5
MAX_TABS = 20  # Tab presses tried before a part counts as out of keyboard reach
# The focused element, looking through shadow roots: [tag, role, accessible text].
FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) { el = el.shadowRoot.activeElement; }
  if (!el) { return null; }
  const label = el.getAttribute('aria-label') || el.textContent || '';
  return [el.tagName.toLowerCase(), el.getAttribute('role') || '', label.trim().slice(0, 40)];
}"""


# --- the pages (in the server processes) -------------------------------------------------


def _readout(text: Callable[..., str], *deps: Any) -> Any:
    import panel as pn

    return pn.pane.HTML(pn.bind(lambda *v: f"<p id='readout'>{text(*v)}</p>", *deps))


def _jobdash_page(case: str, service: Any) -> Any:
    import panel as pn

    from jobdash.ui.page.pager import Pager
    from jobdash.ui.page.state import JobListing
    from jobdash.ui.shared.choices import NamedChoices
    from jobdash.ui.shared.dialog import Dialog
    from jobdash.ui.shared.hidden import OWN, patches
    from jobdash.ui.shared.tabs import AccessibleTabs

    if case == "tabs":
        tabs = pn.Tabs(*_tab_contents(), tags=[OWN])
        return [
            tabs,
            *patches(AccessibleTabs),
            _readout(lambda a: f"active={a}", tabs.param.active),
        ]
    if case == "multichoice":
        choice = pn.widgets.MultiChoice(
            label="Status", options=STATUSES, placeholder="All statuses", tags=[OWN], width=260
        )
        shown = _readout(lambda v: f"value={','.join(v)}", choice)
        return [choice, *patches(NamedChoices), shown]
    if case == "pager":
        listing = JobListing(service)
        return [Pager(listing=listing), _readout(lambda p: f"page={p}", listing.query.param.page)]
    dialog = Dialog(*_dialog_contents(), title="Delete jobs")
    opener = pn.widgets.Button(label="Open dialog")
    opener.on_click(lambda _: dialog.show())
    return [opener, dialog, _readout(lambda o: f"open={o}", dialog.param.open)]


def _pmui_page(case: str, service: Any) -> Any:
    import panel as pn
    import panel_material_ui as pmui

    from jobdash.ui.page.state import JobListing

    if case == "tabs":
        tabs = pmui.Tabs(*_tab_contents())
        return [tabs, _readout(lambda a: f"active={a}", tabs.param.active)]
    if case == "multichoice":
        choice = pmui.MultiChoice(
            label="Status", options=STATUSES, placeholder="All statuses", width=260
        )
        return [choice, _readout(lambda v: f"value={','.join(v)}", choice)]
    if case == "pager":
        listing = JobListing(service)
        query = listing.query
        pages = pmui.Pagination(count=listing.pages, value=query.page - 1)
        pages.param.watch(lambda e: setattr(query, "page", e.new + 1), "value")
        return [pages, _readout(lambda p: f"page={p}", query.param.page)]
    # close_on_click: Escape and a click on the backdrop close it, as they close ours
    dialog = pmui.Dialog(*_dialog_contents(), title="Delete jobs", close_on_click=True)
    opener = pn.widgets.Button(label="Open dialog")
    opener.on_click(lambda _: setattr(dialog, "open", True))
    return [opener, dialog, _readout(lambda o: f"open={o}", dialog.param.open)]


def _tab_contents() -> list[tuple[str, Any]]:
    import panel as pn

    return [(name, pn.pane.Markdown(f"The {name} panel.")) for name in ("Jobs", "Failures", "Log")]


def _dialog_contents() -> list[Any]:
    import panel as pn

    cancel = pn.widgets.Button(label="Cancel")
    return [pn.pane.Markdown("Delete 3 jobs? This cannot be undone."), cancel]


def serve(side: str, db: str, port: int) -> None:
    """A server process: ``/<case>`` for each case of one side, and ``/bare``."""
    import panel as pn

    import jobdash
    from jobdash.server import Access, start_server
    from jobdash.ui.app import page_template

    if side == "pmui":
        import panel_material_ui  # noqa: F401  (its import is part of what is measured)
    build = _pmui_page if side == "pmui" else _jobdash_page
    service = jobdash.open(db, runner=False)

    def page(case: str) -> Callable[[], Any]:
        return lambda: page_template(pn.Column(*build(case, service)))

    routes = {case: page(case) for case in CASES}
    routes["bare"] = lambda: page_template(pn.pane.Markdown("# Bare page"))
    start_server(service, access=Access(port=port), dedicated=True, extra_routes=routes)


def process_wide() -> dict[str, Any]:
    """What importing panel_material_ui changes for every page of the process."""
    import panel as pn
    import param
    from panel.io.state import state

    def now() -> dict[str, str]:
        design = param.Parameterized.__getattribute__(pn.config, "design")
        kind = state._notification_type
        return {
            "global_design": getattr(design, "__name__", str(design)),
            "notification_area": "Panel's (Notyf)" if kind is None else kind.__module__,
        }

    before = now()
    import panel_material_ui  # noqa: F401

    return {"before_import": before, "after_import": now()}


def cache_pair(db: Path, calls: int = 20_000, versions: int = 200) -> dict[str, Any]:
    """``pn.cache`` against ``feed._shared_read`` for the overview every session reads once per
    change-feed version: the cost of a hit, and what each keeps after ``versions`` versions."""
    import panel as pn

    import jobdash
    from jobdash.ui.shared import feed

    service = jobdash.open(db, runner=False)
    try:

        def read(backend: Any, version: int) -> Any:
            return backend.statistics()

        cached = pn.cache(read)
        shared = lambda: feed._shared_read(service, "probe", lambda: read(service, 0))  # noqa: E731
        panel_cache = lambda: cached(service, service.version)  # noqa: E731
        hit_us = {}
        for name, call in (("shared_read", shared), ("pn_cache", panel_cache)):
            call()
            start = time.perf_counter()
            for _ in range(calls):
                call()
            hit_us[name] = round((time.perf_counter() - start) / calls * 1e6, 1)
        for version in range(versions):  # what a long session leaves behind
            cached(service, service.version + 1 + version)
        kept = {
            "shared_read": len(feed._shared[service]),
            "pn_cache": sum(len(c) for c in pn.state._memoize_cache.values()),
        }
        return {"hit_us": hit_us, "entries_after_versions": versions, "entries_kept": kept}
    finally:
        service.close()


# --- the measurements (in the comparison process) -------------------------------------------


def _offline(page: Page, left: list[str]) -> None:
    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            left.append(url)
            r.abort()

    page.route("**/*", route)


def _first_render(browser: Browser, url: str, selector: str) -> float:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    _offline(page, [])
    try:
        page.goto(url, wait_until="commit")
        shown = page.wait_for_function(DEEP_VISIBLE_AT, arg=selector, polling="raf", timeout=60_000)
        return shown.json_value()
    finally:
        context.close()
        time.sleep(SETTLE_S)


def _readout_text(page: Page) -> str:
    return page.locator("#readout").inner_text()


def _tab_to(page: Page, wanted: Callable[[list[str]], bool]) -> int | None:
    """Press Tab until the focused element satisfies ``wanted``; how many presses, or None."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and wanted(focused):
            return presses
    return None


def _keys_tabs(page: Page) -> dict[str, Any]:
    presses = _tab_to(page, lambda f: f[1] == "tab")
    if presses is None:
        return {"keys_ok": False, "steps": "no tab reached with Tab"}
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    second = _readout_text(page) == "active=1"
    page.keyboard.press("End")
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    last = _readout_text(page) == "active=2"
    return {
        "keys_ok": second and last,
        "tab_presses": presses,
        "arrow_enter_opens": second,
        "end_space_opens": last,
        "roles": {
            "tablist": page.get_by_role("tablist").count(),
            "tab": page.get_by_role("tab").count(),
            "tabpanel": page.get_by_role("tabpanel").count(),
        },
    }


def _keys_multichoice(page: Page) -> dict[str, Any]:
    named = page.get_by_role("combobox", name="Status").count()
    presses = _tab_to(page, lambda f: f[1] == "combobox" or f[0] == "input")
    if presses is None:
        return {"keys_ok": False, "named": named, "steps": "no combobox reached with Tab"}
    page.keyboard.type("fail")  # a filtering combobox (Choices.js)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    filtered = "failed" in _readout_text(page)
    result: dict[str, Any] = {"tab_presses": presses, "named": named, "type_to_filter": filtered}
    if not filtered:  # a list opened by a key and walked with the arrows (ARIA select)
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(300)
        result["arrow_key_opens"] = page.locator("[role=option], [role=menuitem]").count() > 0
        for _ in range(STATUSES.index("failed")):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
        result["arrow_keys_choose"] = "failed" in _readout_text(page)
        page.keyboard.press("Escape")
    chosen = filtered or result.get("arrow_keys_choose", False)
    return {"keys_ok": chosen and named == 1, **result}


def _keys_pager(page: Page) -> dict[str, Any]:
    presses = _tab_to(page, lambda f: "next" in f[2].lower())
    if presses is None:
        return {"keys_ok": False, "steps": "no Next reached with Tab"}
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    moved = _readout_text(page) == "page=2"
    return {"keys_ok": moved, "tab_presses": presses, "enter_on_next": moved}


def _keys_dialog(page: Page) -> dict[str, Any]:
    presses = _tab_to(page, lambda f: f[2] == "Open dialog")
    if presses is None:
        return {"keys_ok": False, "steps": "no opener reached with Tab"}
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Delete jobs")
    dialog.wait_for(state="visible", timeout=5_000)
    page.wait_for_timeout(300)
    focus_inside = page.evaluate(FOCUSED)
    inside = dialog.evaluate(
        "(d, f) => f !== null && (d.contains(document.activeElement) || "
        "d.getRootNode().activeElement !== null && d.contains(d.getRootNode().activeElement))",
        focus_inside,
    )
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)
    closed = _readout_text(page) == "open=False"
    back = page.evaluate(FOCUSED)
    returned = back is not None and back[2] == "Open dialog"
    return {
        "keys_ok": inside and closed and returned,
        "tab_presses": presses,
        "named_dialog": True,
        "focus_moves_inside": inside,
        "escape_closes": closed,
        "focus_returns_to_opener": returned,
    }


KEYS: dict[str, Callable[[Page], dict[str, Any]]] = {
    "tabs": _keys_tabs,
    "multichoice": _keys_multichoice,
    "pager": _keys_pager,
    "dialog": _keys_dialog,
}


def _bytes(page: Page) -> dict[str, Any]:
    """What the page loaded: transfer sizes in all, panel-material-ui's files, the largest."""
    navigation, *resources = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0].transferSize].concat("
        "performance.getEntriesByType('resource').map((r) => [r.name, r.transferSize]))"
    )
    name, size = max(resources, key=lambda r: r[1])
    return {
        "bytes": navigation + sum(size for _, size in resources),
        "pmui_bytes": sum(size for url, size in resources if "panel-material-ui" in url),
        "largest": [name.rsplit("/", 1)[-1].split("?")[0], size],
    }


def _bare_bytes(browser: Browser, url: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    _offline(page, [])
    try:
        page.goto(url)
        page.wait_for_function(DEEP_VISIBLE_AT, arg="h1", polling="raf")
        page.wait_for_timeout(1000)
        return _bytes(page)
    finally:
        context.close()


def _axe(page: Page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']})" for v in result.response["violations"]]


def _inspect(browser: Browser, url: str, case: str, side: str) -> dict[str, Any]:
    """Bytes, requests leaving the machine, axe and keyboard on one fresh load."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    left: list[str] = []
    _offline(page, left)
    try:
        page.goto(url)
        page.wait_for_function(DEEP_VISIBLE_AT, arg=READY[case, side], polling="raf")
        page.wait_for_timeout(1000)
        loaded = _bytes(page)
        violations = _axe(page)
        if case == "dialog":
            page.get_by_role("button", name="Open dialog").click()
            page.get_by_role("dialog", name="Delete jobs").wait_for(state="visible")
            violations_open = _axe(page)
            page.keyboard.press("Escape")
            page.wait_for_timeout(400)
        else:
            violations_open = None
        page.mouse.click(1, 1)  # the keyboard run starts from the page, not the address bar
        keys = KEYS[case](page)
        return {
            **loaded,
            "requests_leaving": len(left),
            "axe": violations,
            **({"axe_open": violations_open} if violations_open is not None else {}),
            **keys,
        }
    finally:
        context.close()


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1)}


def compare(loads: int) -> dict[str, Any]:
    """Serve both sides, measure every pair; returns the results."""
    from jobdash.demo import build_demo

    workdir = Path(tempfile.mkdtemp(prefix="jobdash-compare-pmui-"))
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    try:
        for side in SIDES:
            db = workdir / side / "jobs.duckdb"
            db.parent.mkdir()
            build_demo(db, jobs=HISTORY_JOBS, images_on_disk=0)
            port = free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.compare_pmui",
                    "--serve",
                    side,
                    str(db),
                    str(port),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            servers[side] = (process, f"http://127.0.0.1:{port}")
        for process, url in servers.values():
            wait_listening(int(url.rsplit(":", 1)[1]), process)
        results: dict[str, Any] = {"load_average_start": round(os.getloadavg()[0], 2)}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for case in CASES:
                for side in SIDES:  # warm each page once
                    _first_render(browser, f"{servers[side][1]}/{case}", READY[case, side])
            renders: dict[tuple[str, str], list[float]] = {}
            for _ in range(loads):
                for side in SIDES:
                    base = servers[side][1]
                    bare = _first_render(browser, f"{base}/bare", "h1")
                    renders.setdefault(("bare", side), []).append(bare)
                    for case in CASES:
                        ms = _first_render(browser, f"{base}/{case}", READY[case, side])
                        renders.setdefault((case, side), []).append(ms)
            for case in CASES:
                results[case] = {
                    side: {
                        "first_render_ms": _summary(renders[case, side]),
                        **_inspect(browser, f"{servers[side][1]}/{case}", case, side),
                    }
                    for side in SIDES
                }
            results["bare"] = {
                side: {
                    "first_render_ms": _summary(renders["bare", side]),
                    **_bare_bytes(browser, f"{servers[side][1]}/bare"),
                }
                for side in SIDES
            }
            browser.close()
        results["load_average_end"] = round(os.getloadavg()[0], 2)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    wide = subprocess.run(
        [sys.executable, "-m", "benchmarks.compare_pmui", "--process-wide"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    results["process_wide"] = json.loads(wide.stdout)
    results["cache"] = cache_pair(workdir / "jobdash" / "jobs.duckdb")
    shutil.rmtree(workdir, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare_pmui", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--loads", type=int, default=7, help="first renders per page")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--serve", nargs=3, metavar=("SIDE", "DB", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--process-wide", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]))
        return 0
    if args.process_wide:
        print(json.dumps(process_wide()))
        return 0
    results = compare(args.loads)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
