"""The image gallery of the Single Job View: lazy thumbnails with a QC badge, a click opens
the large view (in place of the thumbnails; Escape or "Back to images" returns to the card
opened, without closing the dialog around), a checkbox selects an image for export.

Thumbnails are URLs of the served image folder (``<img loading="lazy">``); in a notebook a
small job's thumbnails are embedded (base64), a large one's show placeholders. A file that
is gone shows a placeholder, not an error."""

from __future__ import annotations

import base64
import html
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui.job.state import image_metadata
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import date_text, value_text

IMAGE_URL_PREFIX = "/images/"   # the served app's static folder (jobdash.ui.app)
EMBED_LIMIT = 60                # a notebook embeds thumbnails only up to this many images

QC_LABELS: dict[str, str] = {
    "pending": "Pending", "approved": "Approved", "needs_review": "Needs review",
    "qc_failed": "QC failed", "processing_failed": "Processing failed",
}
# Badge background and text colour (AA) of each QC status.
QC_TONES: dict[str, tuple[str, str]] = {
    "pending": ("#F3F4F6", "#374151"), "approved": ("#D1FAE5", "#065F46"),
    "needs_review": ("#FEF3C7", "#92400E"), "qc_failed": ("#FEE2E2", "#991B1B"),
    "processing_failed": ("#EDE9FE", "#5B21B6"),
}

QC_BADGE_CSS = "".join(f".jd-qc-{s} {{ background: {bg}; color: {fg}; }}\n"
                       for s, (bg, fg) in QC_TONES.items()) + """
.jd-qc { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
"""

GALLERY_CSS = theme.FOCUS_CSS + QC_BADGE_CSS + """
:host { font-family: var(--jd-font); color: var(--jd-text); }
.jd-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
  gap: 12px; max-height: 470px; overflow: auto; padding: 4px; }
.jd-card { border: 1px solid var(--jd-border); border-radius: var(--jd-radius-card);
  padding: 6px; display: flex; flex-direction: column; gap: 4px; background: var(--jd-surface);
  min-width: 0; overflow: hidden; }
.jd-thumb { all: unset; cursor: pointer; width: 120px; height: 120px; display: flex;
  align-items: center; justify-content: center; background: var(--jd-background);
  border-radius: var(--jd-radius-input); overflow: hidden; align-self: center; }
.jd-thumb:focus-visible { outline: 3px solid var(--jd-primary); outline-offset: 2px; }
.jd-thumb img { width: 120px; height: 120px; object-fit: cover; }
.jd-missing { font-size: 12px; color: var(--jd-text-muted); text-align: center; padding: 8px; }
/* Badge and checkbox share one row on every card: slim badges fit the narrowest card of
   the dialog; on a narrower one the badge ends in an ellipsis (its title has the text). */
.jd-card-foot { display: flex; align-items: center; justify-content: space-between; gap: 4px;
  font-size: 12px; }
.jd-card-foot .jd-qc { padding: 1px 5px; min-width: 0; overflow: hidden;
  text-overflow: ellipsis; }
.jd-card-foot input { flex: none; margin: 0; }
.jd-empty { color: var(--jd-text-muted); padding: 16px; }
[hidden] { display: none !important; }
.jd-view:focus { outline: none; }
button.jd-back { font: 500 14px var(--jd-font); color: var(--jd-text); cursor: pointer;
  background: var(--jd-surface); border: 1px solid var(--jd-border-strong); width: 140px;
  border-radius: var(--jd-radius-input); padding: 6px 12px; margin: 5px; }
button.jd-back:hover { background: var(--jd-row-hover); border-color: var(--jd-neutral); }
"""


def file_exists(root: Path, relative: Any) -> bool:
    """Whether an image path (relative to the image root) names an existing file."""
    return isinstance(relative, str) and bool(relative) and (root / relative).is_file()


def image_url(relative: str) -> str:
    """The served URL of a file under the image root."""
    return IMAGE_URL_PREFIX + quote(relative.replace("\\", "/"))


def embedded(path: Path) -> str:
    """A small file as a ``data:`` URL (notebooks only)."""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def source(root: Path, relative: Any, served: bool, embed: bool) -> str:
    """What an ``<img src>`` shows for one file: its URL when served, a ``data:`` URL when
    embedding, "" (a placeholder) when the file is missing or not embedded."""
    if not file_exists(root, relative):
        return ""
    if served:
        return image_url(relative)
    return embedded(root / relative) if embed else ""


def gallery_items(images: pd.DataFrame, root: Path, served: bool) -> list[dict[str, Any]]:
    """One small dict per shown image for the browser: id, thumbnail source, name, QC."""
    embed = not served and len(images) <= EMBED_LIMIT
    items = []
    for image_id, thumb, status, meta in images[
            ["id", "thumbnail_path", "qc_status", "metadata"]].itertuples(index=False):
        title = image_metadata(meta).get("title") or f"Image {image_id}"
        label = QC_LABELS.get(status, str(status))
        items.append({"id": int(image_id), "src": source(root, thumb, served, embed),
                      "name": f"{title} ({label})", "status": str(status), "label": label})
    return items


def large_view_html(image: dict[str, Any], root: Path, served: bool) -> str:
    """The large view of one image: the picture (or a placeholder), prompt, metadata, QC
    verdict and file path, escaped."""
    e = html.escape
    meta = image_metadata(image.get("metadata"))
    src = source(root, image.get("file_path"), served, embed=True)
    title = meta.get("title") or f"Image {image['id']}"
    picture = (f'<img src="{e(src)}" alt="{e(str(title))}" class="jd-large">' if src else
               '<div class="jd-large jd-missing" role="img" aria-label="Image file missing">'
               'Image file missing</div>')
    tags = meta.get("tags")
    tags = ", ".join(str(t) for t in tags) if isinstance(tags, list) else value_text(tags)
    status = str(image.get("qc_status"))
    score = image.get("quality_score")
    rows = [
        ("QC", f'<span class="jd-qc jd-qc-{e(status)}">{e(QC_LABELS.get(status, status))}</span>'),
        ("QC reason", e(value_text(image.get("qc_reason")))),
        ("Quality score", "—" if score is None or pd.isna(score) else f"{float(score):.2f}"),
        ("Prompt", e(value_text(image.get("prompt")))),
        ("Title", e(str(title))),
        ("Description", e(value_text(meta.get("description")))),
        ("Tags", e(str(tags))),
        ("Size", e(f"{image.get('width')}×{image.get('height')} {image.get('format') or ''}")
         if image.get("width") and not pd.isna(image.get("width")) else "—"),
        ("Created", date_text(image.get("created_at"))),
        ("File", f'<span class="jd-mono">{e(value_text(image.get("file_path")))}</span>'),
    ]
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<div class="jd-large-view"><h3>{e(str(title))}</h3>{picture}'
            f'<dl class="jd-meta">{items}</dl></div>')


LARGE_CSS = QC_BADGE_CSS + """
.jd-large-view { display: grid; grid-template-columns: 360px 1fr; gap: 8px 20px; }
.jd-large-view h3 { grid-column: 1 / -1; }
.jd-large { width: 360px; max-height: 360px; object-fit: contain; border-radius: 6px;
  background: var(--jd-background); }
div.jd-large { height: 240px; display: flex; align-items: center; justify-content: center;
  color: var(--jd-text-muted); }
.jd-meta { display: grid; grid-template-columns: 110px 1fr; gap: 6px 12px; margin: 0;
  align-content: start; }
.jd-meta dt { color: var(--jd-text-muted); font-weight: 600; }
.jd-meta dd { margin: 0; overflow-wrap: anywhere; }
"""


class Gallery(ReactiveHTML):
    """Thumbnails of the shown images; ``opened`` is the image clicked, shown in ``view``
    instead of the thumbnails, ``chosen`` the images ticked for export."""

    items = param.List(default=[], precedence=-1, doc="""
        The shown images: dicts of id, src ("" for a placeholder), name, status and label.
        (Negative precedence: stays in Python; the browser gets them as ``shown``.)""")

    shown = param.Dict(default={"items": []}, doc="""
        ``{"items": items}``, what the browser draws. (Panel 1.9 fails to sync a list of
        dicts that becomes empty, so the list travels inside a dict.)""")

    opened = param.Integer(default=None, allow_None=True, doc="""
        The image whose large view is asked for, or None.""")

    view = param.ClassSelector(class_=pn.pane.HTML, doc="""
        The pane showing the opened image (the owner fills it from :func:`large_view_html`).""")

    chosen = param.List(default=[], doc="""The ids of the images selected for export.""")

    # The large view is a focus target (tabindex -1) so that a click inside it keeps focus
    # there and its Escape handler, not the dialog, gets the key.
    _template = """<div id="grid" class="jd-grid" role="list" aria-label="Images"></div>
<div id="large" class="jd-view" tabindex="-1" hidden><button id="back" type="button"
  class="jd-back">Back to images</button><div id="picture">${view}</div></div>"""

    _scripts = {
        "render": """
state.build = () => {
  grid.replaceChildren();
  const items = data.shown.items;
  if (!items.length) {
    const empty = document.createElement('div');
    empty.className = 'jd-empty'; empty.textContent = 'No images match this filter.';
    grid.appendChild(empty); return;
  }
  const missing = () => {
    const box = document.createElement('div');
    box.className = 'jd-missing'; box.textContent = 'Image file missing';
    return box;
  };
  for (const it of items) {
    const card = document.createElement('div');
    card.className = 'jd-card'; card.setAttribute('role', 'listitem');
    const button = document.createElement('button');
    button.type = 'button'; button.className = 'jd-thumb'; button.dataset.id = it.id;
    button.setAttribute('aria-label', 'Open ' + it.name);
    if (it.src) {
      const img = document.createElement('img');
      img.loading = 'lazy'; img.decoding = 'async'; img.alt = ''; img.src = it.src;
      img.width = 120; img.height = 120;
      img.addEventListener('error', () => img.replaceWith(missing()));
      button.appendChild(img);
    } else {
      button.appendChild(missing());
    }
    button.addEventListener('click', () => {
      data.opened = it.id; state.show(); back.focus();
    });
    const foot = document.createElement('div');
    foot.className = 'jd-card-foot';
    const badge = document.createElement('span');
    badge.className = 'jd-qc jd-qc-' + it.status; badge.textContent = it.label;
    badge.title = it.label;
    const tick = document.createElement('input');
    tick.type = 'checkbox'; tick.checked = data.chosen.includes(it.id);
    tick.setAttribute('aria-label', 'Select image ' + it.id);
    tick.addEventListener('change', () => {
      const rest = data.chosen.filter((id) => id !== it.id);
      data.chosen = tick.checked ? rest.concat([it.id]) : rest;
    });
    foot.append(badge, tick);
    card.append(button, foot);
    grid.appendChild(card);
  }
};
state.show = () => {
  const open = data.opened != null;
  grid.hidden = open; large.hidden = !open;
};
// Back to the thumbnails, focus on the card that was opened.
state.back = () => {
  const id = data.opened;
  data.opened = null; state.show();
  const card = grid.querySelector(`[data-id="${id}"]`);
  if (card) { card.focus(); }
};
back.addEventListener('click', () => state.back());
// A cancelled Escape keydown is no close request: the dialog stays open.
large.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault(); event.stopPropagation(); state.back();
  }
});
state.build(); state.show();
""",
        "shown": "state.build();",
        "opened": "state.show();",
    }

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [GALLERY_CSS])
        params.setdefault("sizing_mode", "stretch_width")
        params.setdefault("view", pn.pane.HTML("", stylesheets=[theme.HTML_CSS, LARGE_CSS],
                                               sizing_mode="stretch_width"))
        super().__init__(**params)
        self.shown = {"items": self.items}
        self.param.watch(lambda event: setattr(self, "shown", {"items": event.new}), "items")
