"""Base of the page's invisible helper elements (document listeners, the downloader), and of
the patches: helpers that wrap methods of Panel's and Bokeh's views in the browser.

A patch is contained and guarded:

- **Contained**: it wraps a view class once per browser page, and each wrapper calls straight
  through to the original for a view whose model does not carry the tag :data:`OWN` (given
  with ``tags=[OWN]`` to jobdash's own Tabulator, Tabs and MultiChoice). Any other component
  of the same page or notebook draws as stock.
- **Guarded**: it declares the Panel and Bokeh versions it was written and tested for
  (:attr:`Patch.written_for`, matched by release prefix). With other versions installed,
  :func:`patches` leaves it out (stock behaviour) and logs one warning per process naming
  the patch and the versions.

``docs/upstream/`` holds, for each patch, the upstream bug it works around, a reproduction
and a drafted report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import bokeh
import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets

OWN = "jobdash"

log = logging.getLogger(__name__)
_warned: set[str] = set()


class Hidden(ReactiveHTML):
    """A ReactiveHTML element that takes no room on the page; subclasses give a hidden
    ``_template`` and their ``_scripts``."""

    def __init__(self, **params: Any):
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)


class Patch(Hidden):
    """An invisible helper patching view classes for jobdash's own components only (see the
    module); subclasses set ``_scripts = patch_scripts("<their script file>")``; add it to a
    page with :func:`patches`."""

    own = param.String(
        default=OWN,
        constant=True,
        doc="""
        The tag that marks a model as jobdash's: only views of such models are patched.""",
    )

    written_for: ClassVar[Mapping[str, str]] = {"panel": "1.10", "bokeh": "3.10"}
    """Release prefixes of the libraries the patch was written and tested for."""

    @classmethod
    def supported(cls) -> bool:
        """Whether the installed Panel and Bokeh are those the patch was written for; if not,
        one warning per process and patch says so."""
        installed = installed_versions()
        if all(_matches(installed[lib], prefix) for lib, prefix in cls.written_for.items()):
            return True
        if cls.__name__ not in _warned:
            _warned.add(cls.__name__)
            log.warning(
                "jobdash: patch %s was written for %s but %s is installed; it is left "
                "out and those views behave as stock",
                cls.__name__,
                _describe(cls.written_for),
                _describe(installed),
            )
        return False


def installed_versions() -> dict[str, str]:
    """The installed versions of Panel and Bokeh."""
    return {"panel": pn.__version__, "bokeh": bokeh.__version__}


def _matches(version: str, prefix: str) -> bool:
    wanted = prefix.split(".")
    return version.split(".")[: len(wanted)] == wanted


def _describe(versions: Mapping[str, str]) -> str:
    return ", ".join(f"{lib.capitalize()} {version}" for lib, version in versions.items())


def patch_scripts(name: str) -> dict[str, str]:
    """``_scripts`` of a :class:`Patch`: ``js/<name>.js`` (its ``render`` calls
    ``self.setup()`` first) with the shared ``js/patch.js`` (``setup``)."""
    return {**assets.scripts("patch"), **assets.scripts(name)}


def patches(*classes: type[Patch]) -> list[Patch]:
    """One helper of each patch class that the installed versions support."""
    return [cls() for cls in classes if cls.supported()]
