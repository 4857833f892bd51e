"""The image gallery of the Single Job View: lazy thumbnails with a QC badge, a click opens
the large view (in place of the thumbnails; Escape or "Back to images" returns to the card
opened, without closing the dialog around), a checkbox selects an image for export.

Thumbnails are URLs of the served image folder (``<img loading="lazy">``; a file an import
kept outside it is asked for by its image's id); in a notebook a small job's thumbnails are
embedded (base64), a large one's show placeholders. A file that is gone shows a
placeholder, not an error."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets
from jobdash.ui.job.state import image_metadata
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import date_text, value_text
from jobdash.vocab import QC_STATUS_LABELS

IMAGE_URL_PREFIX = "/images/"  # the served app's image files (jobdash.server.handlers)
EMBED_LIMIT = 60  # a notebook embeds thumbnails only up to this many images

# The badges of each QC status (colours in css/gallery_qc.css), with the thumbnails' and the
# large view's looks.
GALLERY_CSS = theme.FOCUS_CSS + assets.css("gallery-qc") + assets.css("gallery")
LARGE_CSS = assets.css("gallery-qc") + assets.css("gallery-large")


def file_exists(root: Path, stored: Any) -> bool:
    """Whether an image path as stored (relative to the image root, or absolute for a file
    an import kept where it was) names an existing file."""
    return isinstance(stored, str) and bool(stored) and (root / stored).is_file()


def image_url(stored: str, image_id: int, kind: str = "file") -> str:
    """The served URL of an image's ``kind`` of file ("file" or "thumbnail"), stored as
    ``stored``: its path below :data:`IMAGE_URL_PREFIX` when relative to the image root;
    ``/images/by-id/<image id>/<kind>`` when absolute (a file an import kept where it was),
    which the server finds through the image's row."""
    if Path(stored).is_absolute():
        return f"{IMAGE_URL_PREFIX}by-id/{int(image_id)}/{kind}"
    return IMAGE_URL_PREFIX + quote(stored.replace("\\", "/"))


def embedded(path: Path) -> str:
    """A small file as a ``data:`` URL (notebooks only)."""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def source(
    root: Path, stored: Any, served: bool, embed: bool, image_id: int, kind: str = "file"
) -> str:
    """What an ``<img src>`` shows for an image's ``kind`` of file (stored as ``stored``):
    its URL when served, a ``data:`` URL when embedding, "" (a placeholder) when the file
    is missing or not embedded."""
    if not file_exists(root, stored):
        return ""
    if served:
        return image_url(stored, image_id, kind)
    return embedded(root / stored) if embed else ""


def gallery_items(images: pd.DataFrame, root: Path, served: bool) -> list[dict[str, Any]]:
    """One small dict per shown image for the browser: id, thumbnail source, name, QC."""
    embed = not served and len(images) <= EMBED_LIMIT
    items = []
    for image_id, thumb, status, meta in images[
        ["id", "thumbnail_path", "qc_status", "metadata"]
    ].itertuples(index=False):
        title = image_metadata(meta).get("title") or f"Image {image_id}"
        label = QC_STATUS_LABELS.get(status, str(status))
        items.append(
            {
                "id": int(image_id),
                "src": source(root, thumb, served, embed, image_id, "thumbnail"),
                "name": f"{title} ({label})",
                "status": str(status),
                "label": label,
            }
        )
    return items


def large_view_html(image: dict[str, Any], root: Path, served: bool) -> str:
    """The large view of one image: the picture (or a placeholder), prompt, metadata, QC
    verdict and file path, escaped."""
    meta = image_metadata(image.get("metadata"))
    title = str(meta.get("title") or f"Image {image['id']}")
    tags = meta.get("tags")
    tags = ", ".join(str(t) for t in tags) if isinstance(tags, list) else value_text(tags)
    status = str(image.get("qc_status"))
    score = image.get("quality_score")
    width = image.get("width")
    rows = [
        ("QC reason", value_text(image.get("qc_reason"))),
        ("Quality score", "—" if score is None or pd.isna(score) else f"{float(score):.2f}"),
        ("Prompt", value_text(image.get("prompt"))),
        ("Title", title),
        ("Description", value_text(meta.get("description"))),
        ("Tags", str(tags)),
        (
            "Size",
            f"{width}×{image.get('height')} {image.get('format') or ''}"
            if width and not pd.isna(width)
            else "—",
        ),
        ("Created", date_text(image.get("created_at"))),
    ]
    return assets.render(
        "gallery-large",
        title=title,
        status=status,
        verdict=QC_STATUS_LABELS.get(status, status),
        rows=rows,
        file=value_text(image.get("file_path")),
        src=source(root, image.get("file_path"), served, embed=True, image_id=image["id"]),
    )


NO_MATCH = "No images match this filter."


class Gallery(ReactiveHTML):
    """Thumbnails of the shown images; ``opened`` is the image clicked, shown in ``view``
    instead of the thumbnails, ``chosen`` the images ticked for export."""

    items = param.List(
        default=[],
        precedence=-1,
        doc="""
        The shown images: dicts of id, src ("" for a placeholder), name, status and label.
        (Negative precedence: stays in Python; the browser gets them as ``shown``.)""",
    )

    empty_text = param.String(
        default=NO_MATCH,
        precedence=-1,
        doc="""
        What the gallery says when no image is shown. (Negative precedence: stays in Python;
        the browser gets it in ``shown``.)""",
    )

    shown = param.Dict(
        default={"items": [], "empty": ""},
        doc="""
        ``{"items": items, "empty": empty_text}``, what the browser draws. (Panel 1.9 and 1.10
        fail to sync a list of dicts that becomes empty, so the list travels inside a dict.)""",
    )

    opened = param.Integer(
        default=None,
        allow_None=True,
        doc="""
        The image whose large view is asked for, or None.""",
    )

    view = param.ClassSelector(
        class_=pn.pane.HTML,
        doc="""
        The pane showing the opened image (the owner fills it from :func:`large_view_html`).""",
    )

    chosen = param.List(default=[], doc="""The ids of the images selected for export.""")

    # The large view is a focus target (tabindex -1) so that a click inside it keeps focus
    # there and its Escape handler, not the dialog, gets the key.
    _template = assets.template("gallery")

    _scripts = assets.scripts("gallery")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [GALLERY_CSS])
        params.setdefault("sizing_mode", "stretch_width")
        params.setdefault(
            "view",
            pn.pane.HTML("", stylesheets=[theme.HTML_CSS, LARGE_CSS], sizing_mode="stretch_width"),
        )
        super().__init__(**params)

    @param.depends("items", "empty_text", watch=True, on_init=True)
    def _ship(self) -> None:
        self.shown = {"items": self.items, "empty": self.empty_text}
