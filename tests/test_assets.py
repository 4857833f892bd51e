"""The UI's browser files: every asset loads, every script module yields Panel scripts, and
the Python under jobdash/ holds no JavaScript or CSS of its own."""

from __future__ import annotations

import ast
import itertools
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
    source = (
        "export function render(model, data, state, view, script, self, box) {\n"
        "  if (data.open) {\n    box.hidden = false;\n  }\n}\n\n"
        "export function open(model, data) {\n  data.x = 1;\n}\n"
    )
    found = dict((m[0], m[2]) for m in assets._EXPORTED.findall(source))
    assert found["render"] == "  if (data.open) {\n    box.hidden = false;\n  }\n"
    assert found["open"] == "  data.x = 1;\n"


def test_a_missing_asset_names_its_path() -> None:
    with pytest.raises(FileNotFoundError, match="no-such"):
        assets.css("no-such")


def test_templates_are_rendered_with_autoescaping(tmp_path: Path) -> None:
    html = assets._env.from_string("<b>{{ label }}</b>").render(label="<script>x</script>")
    assert html == "<b>&lt;script&gt;x&lt;/script&gt;</b>"


_JS = re.compile(
    r"=>|\bfunction\b|\b(const|let|var) \w+ =|addEventListener|document\.|\.prototype\b"
)
_CSS = re.compile(r"[\w\]):>*#-]\s*\{\{?\s*[\w-]+\s*:[^;]+;")
_HTML = re.compile(
    r"<(div|span|p|a|button|table|tr|td|th|section|ul|ol|li|dialog|svg|img|h\d|nav|"
    r"label|input|select|figure|details|summary|kbd|code|pre|template)\b",
    re.I,
)
MAX_LINES = 3


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    for node in ast.walk(tree):  # attribute docstrings: a string right after an assignment
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for first, second in itertools.pairwise(stmts):
                if (
                    isinstance(first, ast.Assign | ast.AnnAssign)
                    and isinstance(second, ast.Expr)
                    and isinstance(second.value, ast.Constant)
                ):
                    ids.add(id(second.value))
    return ids


def _browser_code(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _docstrings(tree)
    skip |= {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in ast.walk(node)
        if part is not node
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Constant | ast.JoinedStr):
            continue
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            continue
        text = ast.get_source_segment(source, node) or ""
        lines = text.count("\n") + 1
        kinds = [k for k, rx in (("JS", _JS), ("CSS", _CSS), ("HTML", _HTML)) if rx.search(text)]
        if lines > MAX_LINES and kinds:
            found.append(f"{path.relative_to(root)}:{node.lineno} {'/'.join(kinds)}, {lines} lines")
    return found


def test_no_module_holds_javascript_css_or_html_of_more_than_a_few_lines() -> None:
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _browser_code(path)]
    assert not found, "move these into jobdash/ui/assets/:\n" + "\n".join(found)


def test_the_check_finds_browser_code_in_a_module(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Doc with <div> and { a: b; } is fine."""\n'
        'CSS = """\n.a {\n  color: red;\n}\n"""\n'
        'JS = """\nconst x = 1;\nif (x) {\n  go();\n}\n"""\n'
        'SQL = """\nSELECT a\nFROM b\nWHERE c\n"""\n'
    )
    hits = [h.split(" ", 1)[1] for h in _browser_code(module, tmp_path)]
    assert hits == ["CSS, 5 lines", "JS, 6 lines"]


def test_every_asset_is_used_and_named_alike() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in ASSETS.glob("html/*.html"))
    files = [p for p in ASSETS.rglob("*") if p.suffix in (".css", ".js", ".html")]
    unused = [p.name for p in files if f'"{p.stem}"' not in code and p.name not in code]
    assert unused == []
    assert [p.name for p in files if not re.fullmatch(r"[a-z]+(-[a-z]+)*", p.stem)] == []
