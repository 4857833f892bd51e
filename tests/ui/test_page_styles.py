"""Which stylesheets the served Job Management page's components carry, in Chromium: drawn into
the template's body, each gets the design's stylesheet for components (Panel's
bootstrap.css) from the template, not Bootstrap whole (bootstrap.min.css, 1,278 rules parsed
and matched again in every shadow root that links it).

Dialog contents are left out: built into a ``<dialog>`` after the first render
(``JobManager._prepare_dialogs``), they do not pass the template's design hook and still
link Bootstrap whole."""

from __future__ import annotations

import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# The stylesheet links of every shadow root on the page outside a <dialog>, one list per root.
SHADOW_LINKS = """() => {
  const roots = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'DIALOG') { continue; }
      if (el.shadowRoot && el.closest('dialog') === null) {
        roots.push([...el.shadowRoot.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href));
        walk(el.shadowRoot);
      }
    }
  };
  walk(document);
  return roots;
}"""


def build_history(service) -> dict:
    """Two completed jobs."""
    config = add_config(service, "Hero banners")
    return {"ids": [add_job(service, label=f"Pier {i}", config_id=config) for i in (1, 2)]}


def test_the_first_render_links_the_designs_component_css_not_bootstrap_whole(page: Page, served):
    page.goto(f"{served.url}/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    roots = page.evaluate(SHADOW_LINKS)
    assert len(roots) > 30
    whole = [links for links in roots if any("bootstrap.min.css" in h for h in links)]
    assert whole == []
    styled = [links for links in roots if any("/theme/bootstrap.css" in h for h in links)]
    assert len(styled) > len(roots) * 0.9
