"""Base of the page's invisible helper elements (document listeners, the downloader)."""

from __future__ import annotations

from typing import Any

from panel.reactive import ReactiveHTML


class Hidden(ReactiveHTML):
    """A ReactiveHTML element that takes no room on the page; subclasses give a hidden
    ``_template`` and their ``_scripts``."""

    def __init__(self, **params: Any):
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)


def once_per_tabulator_view(flag: str, body: str) -> str:
    """JavaScript running ``body`` once per browser page, with ``View`` and ``proto`` bound
    to Panel's Tabulator view and its prototype (``flag``, set on the prototype, says it
    ran); without Panel's Tabulator extension loaded it does nothing."""
    return ("const Model = window.Bokeh && "
            "window.Bokeh.Models['panel.models.tabulator.DataTabulator'];\n"
            "const View = Model ? Model.prototype.default_view : null;\n"
            f"if (View && !View.prototype.{flag}) {{\n"
            f"  const proto = View.prototype;\n  proto.{flag} = true;\n{body}}}\n")


def each_drawn_view(view_class: str, call: str) -> str:
    """JavaScript calling ``call(view)`` for each view of the page already drawn that is an
    instance of ``view_class`` (a JS expression), children included."""
    return ("const visit = (view) => {\n"
            f"  if (view instanceof {view_class}) {{ {call}(view); }}\n"
            "  for (const child of (view.children ? view.children() : [])) { visit(child); }\n"
            "};\n"
            "for (const root of Bokeh.index.roots) { visit(root); }\n")
