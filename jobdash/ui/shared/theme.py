"""The design tokens of :mod:`jobdash.tokens` as the UI uses them.

:data:`CSS_VARIABLES` publishes them as CSS custom properties on each page's root layout
(custom properties inherit into Panel's shadow DOM), and every component stylesheet refers
to them with ``var(--jd-...)``. The token names (``theme.COLORS``, ``theme.FONT``, ...) stay
readable from here.
"""

from __future__ import annotations

# The tokens live in jobdash.tokens (shared with the analysis figures); the UI reads them here.
from jobdash.tokens import (
    COLORS,
    FOCUS_RING,
    FONT,
    MAX_WIDTH,
    MONO,
    RADIUS,
    ROW_HEIGHT,
    SHADOW,
    SPACE,
    STATUS_TONES,
    TYPE,
)
from jobdash.ui import assets


def _variables() -> dict[str, str]:
    out = {f"--jd-{name.replace('_', '-')}": value for name, value in COLORS.items()}
    for status, (bg, fg, dot) in STATUS_TONES.items():
        out.update({f"--jd-{status}-bg": bg, f"--jd-{status}-fg": fg, f"--jd-{status}-dot": dot})
    for name, (size, extra) in TYPE.items():
        out[f"--jd-{name}-size"] = f"{size}px"
        out[f"--jd-{name}-{'weight' if name.startswith('h') else 'line'}"] = str(extra)
    out.update({f"--jd-space-{k}": f"{v}px" for k, v in SPACE.items()})
    out.update({f"--jd-radius-{k}": f"{v}px" for k, v in RADIUS.items()})
    out.update(
        {
            "--jd-font": FONT,
            "--jd-mono": MONO,
            "--jd-row-height": f"{ROW_HEIGHT}px",
            "--jd-max-width": f"{MAX_WIDTH}px",
            "--jd-shadow": SHADOW,
            "--jd-focus": FOCUS_RING,
            # Panel's own design variables, so built-in widgets wear the same colours.
            "--design-primary-color": COLORS["primary_strong"],
            "--design-primary-text-color": "#FFFFFF",
            "--design-background-color": COLORS["background"],
            "--design-background-text-color": COLORS["text"],
            "--design-surface-color": COLORS["surface"],
            "--design-surface-text-color": COLORS["text"],
            "--panel-primary-color": COLORS["primary_strong"],
            "--bs-font-sans-serif": FONT,
            # Bootstrap's own text and border colours (the tab strip, inputs) as tokens.
            "--bs-body-color": COLORS["text"],
            "--bs-emphasis-color": COLORS["text"],
            "--bs-border-color": COLORS["border"],
            "font-family": FONT,
            "color": COLORS["text"],
        }
    )
    return out


CSS_VARIABLES: dict[str, str] = _variables()

# Stylesheets shared by the components (files under jobdash/ui/assets/css/), composed the
# way components use them: each block with the focus ring, HTML blocks with the badges.
FOCUS_CSS = assets.css("focus")
WIDGET_CSS = FOCUS_CSS + assets.css("widget")
SECTION_CSS = assets.css("section")
BADGE_CSS = assets.css("badge")
HTML_CSS = FOCUS_CSS + BADGE_CSS + assets.css("html")
