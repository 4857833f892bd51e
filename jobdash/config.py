"""Where data lives: the database path, the image root and the settings file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = Path("data") / "jobs.duckdb"
SETTINGS_FILE = "settings.json"


def default_db_path() -> Path:
    """The database used when none is given: ``$JOBDASH_DB`` or ``data/jobs.duckdb``."""
    return Path(os.environ.get("JOBDASH_DB") or DEFAULT_DB)


@dataclass(frozen=True)
class Settings:
    """Preferences read from ``settings.json`` beside the database (all optional)."""

    image_root: Path
    export_dir: Path
    export_include_images: bool = True
    extra: dict = field(default_factory=dict)

    def image_path(self, stored: str | Path) -> Path:
        """Absolute path of an image path as stored (relative paths are below image_root)."""
        path = Path(stored)
        return path if path.is_absolute() else self.image_root / path

    @classmethod
    def for_database(cls, db_path: Path) -> "Settings":
        """Settings for a database file: defaults, overridden by ``<db dir>/settings.json``."""
        base = db_path.resolve().parent
        raw: dict = {}
        path = base / SETTINGS_FILE
        if path.exists():
            raw = json.loads(path.read_text(encoding="utf-8"))
        export = raw.get("export", {})
        return cls(
            image_root=(base / raw.get("image_root", "images")).resolve(),
            export_dir=(base / export.get("folder", "exports")).resolve(),
            export_include_images=bool(export.get("include_images", True)),
            extra=raw,
        )
