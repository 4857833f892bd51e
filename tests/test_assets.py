"""The UI's browser files: every asset loads, every script module yields Panel scripts, and
the Python under jobdash/ holds no JavaScript or CSS of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import jobdash
from jobdash.ui import assets

ASSETS = Path(assets.__file__).parent
PACKAGE = Path(jobdash.__file__).parent


@pytest.mark.parametrize("path", sorted(ASSETS.glob("js/*.js")), ids=lambda p: p.name)
def test_each_script_module_exports_the_scripts_panel_runs(path: Path) -> None:
    scripts = assets.scripts(path.stem)
    exported = re.findall(r"^export function (\w+)\(", path.read_text(), re.M)
    assert list(scripts) == exported
    for name, body in scripts.items():
        assert body, f"{path.name}: {name} has an empty body"
        assert not body.startswith("export "), f"{path.name}: {name} ran into the next export"


@pytest.mark.parametrize("path", sorted(ASSETS.glob("css/*.css")), ids=lambda p: p.name)
def test_each_stylesheet_loads_with_balanced_braces(path: Path) -> None:
    text = assets.css(path.stem)
    assert text.count("{") == text.count("}") > 0


def test_a_script_body_is_the_function_body_without_its_braces(tmp_path: Path) -> None:
    source = ("export function render(model, data, state, view, script, self, box) {\n"
              "  if (data.open) {\n    box.hidden = false;\n  }\n}\n\n"
              "export function open(model, data) {\n  data.x = 1;\n}\n")
    found = dict((m[0], m[2]) for m in assets._EXPORTED.findall(source))
    assert found["render"] == "  if (data.open) {\n    box.hidden = false;\n  }\n"
    assert found["open"] == "  data.x = 1;\n"


def test_a_missing_asset_names_its_path() -> None:
    with pytest.raises(FileNotFoundError, match="no-such"):
        assets.css("no-such")


def test_templates_are_rendered_with_autoescaping(tmp_path: Path) -> None:
    html = assets._env.from_string("<b>{{ label }}</b>").render(label="<script>x</script>")
    assert html == "<b>&lt;script&gt;x&lt;/script&gt;</b>"
