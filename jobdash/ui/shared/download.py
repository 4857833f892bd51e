"""Hands a file written on the server to the browser as a download (served pages only;
in a notebook the export call returns the path and this stays idle)."""

from __future__ import annotations

import base64
from pathlib import Path

import param

from jobdash.ui.shared.hidden import Hidden

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Downloader(Hidden):
    """Invisible: each :meth:`send` makes the browser save the file under its name."""

    filename = param.String(default="", doc="""Name the browser saves the file under.""")

    payload = param.String(default="", doc="""The file's bytes, base64-encoded.""")

    sent = param.Integer(default=0, doc="""Counts the files sent (each one downloads once).""")

    _template = '<div id="download" hidden></div>'

    _scripts = {
        "sent": """
const bytes = Uint8Array.from(atob(data.payload), (c) => c.charCodeAt(0));
const url = URL.createObjectURL(new Blob([bytes], {type: '%s'}));
const link = document.createElement('a');
link.href = url; link.download = data.filename; link.hidden = true;
document.body.appendChild(link); link.click(); link.remove();
setTimeout(() => URL.revokeObjectURL(url), 60000);
""" % XLSX_TYPE,
    }

    def send(self, path: Path) -> None:
        """Offer the file at ``path`` for download."""
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        self.param.update(filename=Path(path).name, payload=data, sent=self.sent + 1)
