"""The UI's files of other kinds: stylesheets (``css/``), browser scripts (``js/``) and HTML
templates (``html/``), read once per process and handed to Panel.

- ``css(name)``: a stylesheet's text, for a component's ``stylesheets``.
- ``scripts(name)``: the ``_scripts`` of a ReactiveHTML component. ``js/<name>.js`` is an ES
  module that exports one function per script, named after it and taking the arguments
  Panel gives every script (``model, data, state, view, script, self``) followed by the
  template's named nodes it uses. Panel runs each function's body as that script, so the
  file is linted and formatted as JavaScript while Panel's ReactiveHTML runs it as usual.
- ``functions(name)``: the functions ``js/<name>.js`` exports as function expressions, e.g.
  Tabulator formatters given as ``JSCode``.
- ``template(name)``: the text of ``html/<name>.html``, e.g. a ReactiveHTML ``_template``.
- ``render(name, **context)``: ``html/<name>.html`` rendered by Jinja2 with autoescaping,
  for HTML panes (values are escaped unless marked safe).
"""

from __future__ import annotations

import re
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

ROOT = Path(__file__).parent

# An exported function at the top level: its body runs to the first "}" in column 0
# (the formatter keeps top-level closing braces there).
_EXPORTED = re.compile(r"^export function (\w+)\(([^)]*)\) \{\n(.*?)^\}$", re.M | re.S)


@cache
def _text(relative: str) -> str:
    path = ROOT / relative
    if not path.is_file():
        raise FileNotFoundError(f"jobdash UI asset missing: {path}")
    return path.read_text(encoding="utf-8")


def css(name: str) -> str:
    """The text of ``css/<name>.css``."""
    return _text(f"css/{name}.css")


@cache
def scripts(name: str) -> dict[str, str]:
    """``{script name: body}`` of the functions that ``js/<name>.js`` exports."""
    found = {
        fn: textwrap.dedent(body).strip()
        for fn, _, body in _EXPORTED.findall(_text(f"js/{name}.js"))
    }
    if not found:
        raise ValueError(f"js/{name}.js exports no function for Panel to run")
    return found


@cache
def functions(name: str) -> dict[str, str]:
    """``{function name: function expression}`` of the functions that ``js/<name>.js``
    exports, for JavaScript Panel compiles as an expression (Tabulator's ``JSCode``)."""
    return {
        fn: f"function ({args}) {{\n{body}}}"
        for fn, args, body in _EXPORTED.findall(_text(f"js/{name}.js"))
    }


def template(name: str) -> str:
    """The text of ``html/<name>.html``."""
    return _text(f"html/{name}.html")


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ROOT / "html"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


def render(name: str, **context: Any) -> str:
    """``html/<name>.html`` rendered with ``context`` (autoescaped)."""
    return _env.get_template(f"{name}.html").render(**context)
