"""Hands a file written on the server to the browser as a download (served pages only;
in a notebook the export call returns the path and this stays idle).

Not ``pn.widgets.FileDownload``: that downloads when the person clicks its own button,
while an export here starts from the row menu, the batch toolbar or the Single Job View and
ends after work on a thread, and Panel has no public way to start its download from Python.
It would carry the file the same way (base64 in a model property)."""

from __future__ import annotations

import base64
from pathlib import Path

import param

from jobdash.ui import assets
from jobdash.ui.shared.hidden import Hidden


class Downloader(Hidden):
    """Invisible: each :meth:`send` makes the browser save the file under its name."""

    filename = param.String(default="", doc="""Name the browser saves the file under.""")

    payload = param.String(default="", doc="""The file's bytes, base64-encoded.""")

    sent = param.Integer(default=0, doc="""Counts the files sent (each one downloads once).""")

    _template = assets.template("download")

    _scripts = assets.scripts("download")

    def send(self, path: Path) -> None:
        """Offer the file at ``path`` for download."""
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        self.param.update(filename=Path(path).name, payload=data, sent=self.sent + 1)
