"""The served page's main landmark: Panel's BootstrapTemplate draws the page's body in a
``<div id="main">``, so a screen reader's "go to main content" finds nothing and axe-core
reports ``landmark-one-main`` and, for every block of the page, ``region``. The served
pages put their content in a :class:`MainLandmark` (a ``<main>`` element of ours), inside
the template; inline in a notebook the JobManager sits in the notebook's own landmarks and
is not wrapped. The upstream report: ``docs/upstream/template-main-landmark.md``."""

from __future__ import annotations

from typing import Any

import param
from panel.reactive import ReactiveHTML
from panel.viewable import Viewable

from jobdash.ui import assets


class MainLandmark(ReactiveHTML):
    """``content`` drawn inside a ``<main>`` element, the one main landmark of a page."""

    content = param.ClassSelector(
        class_=Viewable,
        allow_refs=False,
        doc="""
        The page's content (a Panel component, not a reference to its value).""",
    )

    _template = '<main id="landmark" class="jd-main">${content}</main>'

    def __init__(self, content: Viewable, **params: Any):
        params.setdefault("sizing_mode", "stretch_width")
        params.setdefault("margin", 0)
        params.setdefault("stylesheets", [assets.css("landmark")])
        super().__init__(content=content, **params)
