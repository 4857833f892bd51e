"""Design tokens of jobdash: colours, fonts, type scale, spacing, in one place.

Plain data (no Panel, no Bokeh), so the UI theme (:mod:`jobdash.ui.shared.theme`, which
publishes them as CSS custom properties) and the figures of :mod:`jobdash.analysis` share
them without importing each other. Text colours are the darker shades of the brand colours
where the brand shade on white falls short of WCAG 2.1 AA (4.5:1 for body text); the brand
shades stay for borders, dots and focus rings.
"""

from __future__ import annotations

FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)
MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace'

COLORS: dict[str, str] = {
    "primary": "#3B82F6",
    "primary_strong": "#1D4ED8",  # buttons and links: 6.7:1 on white
    "primary_soft": "#DBEAFE",
    "success": "#10B981",
    "warning": "#F59E0B",
    "error": "#EF4444",
    "error_strong": "#B91C1C",  # 6.5:1 on white
    "neutral": "#6B7280",  # captions: 4.8:1 on white
    "background": "#F9FAFB",
    "surface": "#FFFFFF",
    "accent": "#8B5CF6",
    "accent_strong": "#6D28D9",  # job-management actions: 7.1:1 on white
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
    "h1": (28, 700),
    "h2": (24, 600),
    "h3": (20, 600),
    "h4": (18, 500),
    "body": (14, 1.6),
    "caption": (12, 1.4),
    "table": (13, 1.4),
}

SPACE: dict[str, int] = {"xs": 4, "sm": 8, "md": 16, "lg": 24, "page": 32, "section": 40}
RADIUS: dict[str, int] = {"card": 8, "input": 6, "table": 4, "pill": 999}
ROW_HEIGHT = 56
MAX_WIDTH = 1200
SHADOW = "0 1px 2px rgba(17, 24, 39, 0.06), 0 1px 3px rgba(17, 24, 39, 0.10)"
FOCUS_RING = f"0 0 0 3px {COLORS['primary']}"
