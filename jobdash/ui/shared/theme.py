"""Design tokens of the jobdash UI, in one place.

Python constants hold the tokens; :data:`CSS_VARIABLES` publishes them as CSS custom
properties on each page's root layout (custom properties inherit into Panel's shadow DOM),
and every component stylesheet refers to them with ``var(--jd-...)``. Text colours are the
darker shades of the brand colours where the brand shade on white falls short of WCAG 2.1 AA
(4.5:1 for body text); the brand shades stay for borders, dots and focus rings.
"""

from __future__ import annotations

FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
        '"Noto Sans", "Liberation Sans", sans-serif')
MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace'

COLORS: dict[str, str] = {
    "primary": "#3B82F6",
    "primary_strong": "#1D4ED8",   # buttons and links: 6.7:1 on white
    "primary_soft": "#DBEAFE",
    "success": "#10B981",
    "warning": "#F59E0B",
    "error": "#EF4444",
    "error_strong": "#B91C1C",     # 6.5:1 on white
    "neutral": "#6B7280",          # captions: 4.8:1 on white
    "background": "#F9FAFB",
    "surface": "#FFFFFF",
    "accent": "#8B5CF6",
    "accent_strong": "#6D28D9",    # job-management actions: 7.1:1 on white
    "text": "#111827",
    "text_muted": "#4B5563",
    "border": "#E5E7EB",
    "border_strong": "#9CA3AF",
    "row_hover": "#F3F4F6",
    "highlight": "#FDE68A",
}

# Badge background, badge text (AA on that background) and dot colour of each job status.
STATUS_TONES: dict[str, tuple[str, str, str]] = {
    "completed": ("#D1FAE5", "#065F46", COLORS["success"]),
    "failed": ("#FEE2E2", "#991B1B", COLORS["error"]),
    "running": ("#DBEAFE", "#1E40AF", COLORS["primary"]),
    "pending": ("#FEF3C7", "#92400E", COLORS["warning"]),
    "stopped": ("#F3F4F6", "#374151", COLORS["neutral"]),
}

# Type scale: (size px, weight) for headings, (size px, line height) for running text.
TYPE: dict[str, tuple[int, float]] = {
    "h1": (28, 700), "h2": (24, 600), "h3": (20, 600), "h4": (18, 500),
    "body": (14, 1.6), "caption": (12, 1.4), "table": (13, 1.4),
}

SPACE: dict[str, int] = {"xs": 4, "sm": 8, "md": 16, "lg": 24, "page": 32, "section": 40}
RADIUS: dict[str, int] = {"card": 8, "input": 6, "table": 4, "pill": 999}
ROW_HEIGHT = 56
MAX_WIDTH = 1200
SHADOW = "0 1px 2px rgba(17, 24, 39, 0.06), 0 1px 3px rgba(17, 24, 39, 0.10)"
FOCUS_RING = f"0 0 0 3px {COLORS['primary']}"


def _variables() -> dict[str, str]:
    out = {f"--jd-{name.replace('_', '-')}": value for name, value in COLORS.items()}
    for status, (bg, fg, dot) in STATUS_TONES.items():
        out.update({f"--jd-{status}-bg": bg, f"--jd-{status}-fg": fg, f"--jd-{status}-dot": dot})
    for name, (size, extra) in TYPE.items():
        out[f"--jd-{name}-size"] = f"{size}px"
        out[f"--jd-{name}-{'weight' if name.startswith('h') else 'line'}"] = str(extra)
    out.update({f"--jd-space-{k}": f"{v}px" for k, v in SPACE.items()})
    out.update({f"--jd-radius-{k}": f"{v}px" for k, v in RADIUS.items()})
    out.update({
        "--jd-font": FONT, "--jd-mono": MONO, "--jd-row-height": f"{ROW_HEIGHT}px",
        "--jd-max-width": f"{MAX_WIDTH}px", "--jd-shadow": SHADOW, "--jd-focus": FOCUS_RING,
        # Panel's own design variables, so built-in widgets wear the same colours.
        "--design-primary-color": COLORS["primary_strong"],
        "--design-primary-text-color": "#FFFFFF",
        "--design-background-color": COLORS["background"],
        "--design-background-text-color": COLORS["text"],
        "--design-surface-color": COLORS["surface"],
        "--design-surface-text-color": COLORS["text"],
        "--panel-primary-color": COLORS["primary_strong"],
        "--bs-font-sans-serif": FONT,
        "font-family": FONT,
        "color": COLORS["text"],
    })
    return out


CSS_VARIABLES: dict[str, str] = _variables()

# Visible focus for everything focusable inside a component's shadow root.
FOCUS_CSS = """
:focus-visible { outline: 3px solid var(--jd-primary); outline-offset: 2px; }
"""

# Built-in Panel widgets (Bootstrap design): inputs with the input radius, buttons readable.
WIDGET_CSS = FOCUS_CSS + """
:host { --bs-border-radius: var(--jd-radius-input); --bs-body-font-family: var(--jd-font); }
.bk-input, select.bk-input, .choices__inner { border-radius: var(--jd-radius-input);
  border-color: var(--jd-border-strong); font-family: var(--jd-font); }
:host .bk-btn { font-family: var(--jd-font); font-weight: 500; font-size: 14px;
  border-radius: var(--jd-radius-input); border: 1px solid; }
:host .bk-btn.bk-btn-default { color: var(--jd-text); background-color: var(--jd-surface);
  border-color: var(--jd-border-strong); }
:host .bk-btn.bk-btn-default:hover { background-color: var(--jd-row-hover);
  border-color: var(--jd-neutral); }
:host .bk-btn.bk-btn-primary { color: #FFFFFF; background-color: var(--jd-primary-strong);
  border-color: var(--jd-primary-strong); }
:host .bk-btn.bk-btn-primary:hover { background-color: #1E40AF; }
:host .bk-btn.bk-btn-danger { color: #FFFFFF; background-color: var(--jd-error-strong);
  border-color: var(--jd-error-strong); }
:host .bk-btn.bk-btn-danger:hover { background-color: #991B1B; }
:host .bk-btn.bk-btn-default:disabled, :host .bk-btn.bk-btn-primary:disabled,
:host .bk-btn.bk-btn-danger:disabled, :host .bk-btn.bk-disabled { opacity: 1; cursor: not-allowed;
  color: var(--jd-text-muted); background-color: var(--jd-background);
  border-color: var(--jd-border); }
:host .bk-btn:focus-visible, :host .bk-input:focus-visible, :host select:focus-visible,
:host input:focus-visible { outline: 3px solid var(--jd-primary); outline-offset: 2px; }
label, .bk-input-group > label { font-size: var(--jd-caption-size); font-weight: 600;
  color: var(--jd-text-muted); }
"""

# Page sections (filters, table, dashboard panels): white cards with a small shadow.
SECTION_CSS = """
:host { background: var(--jd-surface); border-radius: var(--jd-radius-card);
  box-shadow: var(--jd-shadow); border: 1px solid var(--jd-border); padding: 16px 20px; }
"""

# Status badges and search highlights, wherever job rows are shown.
BADGE_CSS = """
.jd-badge { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px;
  border-radius: var(--jd-radius-pill); font-size: 12px; font-weight: 600; white-space: nowrap; }
.jd-badge::before { content: ""; width: 8px; height: 8px; border-radius: 50%;
  background: currentColor; opacity: 0.8; }
mark { background: var(--jd-highlight); color: inherit; padding: 0 1px; border-radius: 2px; }
""" + "".join(f".jd-badge-{s} {{ background: var(--jd-{s}-bg); color: var(--jd-{s}-fg); }}\n"
              for s in STATUS_TONES)

# Plain HTML blocks written by the components (header, summaries, lists).
HTML_CSS = FOCUS_CSS + BADGE_CSS + """
:host { font-family: var(--jd-font); font-size: var(--jd-body-size);
  line-height: var(--jd-body-line); color: var(--jd-text); }
a { color: var(--jd-primary-strong); text-decoration: underline; text-underline-offset: 2px; }
h1 { font-size: var(--jd-h1-size); font-weight: var(--jd-h1-weight); margin: 0; line-height: 1.25; }
h2 { font-size: var(--jd-h2-size); font-weight: var(--jd-h2-weight); margin: 0; line-height: 1.3; }
h3 { font-size: var(--jd-h3-size); font-weight: var(--jd-h3-weight); margin: 0 0 8px 0; }
h4 { font-size: var(--jd-h4-size); font-weight: var(--jd-h4-weight); margin: 0 0 8px 0; }
.jd-caption { font-size: var(--jd-caption-size); color: var(--jd-neutral); }
.jd-mono { font-family: var(--jd-mono); }
.jd-progress { height: 8px; background: var(--jd-border); border-radius: var(--jd-radius-pill);
  overflow: hidden; }
.jd-progress > span { display: block; height: 100%; background: var(--jd-primary); }
"""
