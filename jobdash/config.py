"""Where data lives and how it is kept: the database path, the image root, the settings file
and the DuckDB engine's limits."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ValidationError

DEFAULT_DB = Path("data") / "jobs.duckdb"
SETTINGS_FILE = "settings.json"

MEMORY_SHARE = 0.25
"""Share of the machine's memory DuckDB may use by default (DuckDB's own default is 80 %)."""
MEMORY_CAP = 4 * 2**30
"""The default memory limit is at most this many bytes: a million jobs need far less."""
FALLBACK_MEMORY = 2 * 2**30
"""The default memory limit where the machine's memory cannot be read."""
_MEMORY = re.compile(r"\s*\d+(\.\d+)?\s*([kmgt]i?b|%)\s*", re.IGNORECASE)
"""A memory limit as DuckDB reads one: a number and a unit (KB..TB, KiB..TiB) or a share (%)."""


def default_db_path() -> Path:
    """The database used when none is given: ``$JOBDASH_DB`` or ``data/jobs.duckdb``."""
    return Path(os.environ.get("JOBDASH_DB") or DEFAULT_DB)


def default_memory_limit() -> str:
    """:data:`MEMORY_SHARE` of the machine's memory, at most :data:`MEMORY_CAP`, in MiB."""
    total: float
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows) or no such name
        total = FALLBACK_MEMORY / MEMORY_SHARE
    return f"{int(min(total * MEMORY_SHARE, MEMORY_CAP)) // 2**20}MiB"


@dataclass(frozen=True)
class EngineSettings:
    """How much of the machine DuckDB may use: the ``"duckdb"`` section of settings.json,
    e.g. ``{"memory_limit": "2GB", "threads": 2}``."""

    memory_limit: str = field(default_factory=default_memory_limit)
    """DuckDB's ``memory_limit``: a size ("512MB", "2GiB") or a share of memory ("20%")."""
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    """DuckDB's worker threads (default: one per core)."""

    @classmethod
    def from_settings(cls, raw: Any, source: Path) -> EngineSettings:
        """The section ``raw`` as read from ``source``, each value checked; a malformed one
        raises :class:`~jobdash.errors.ValidationError` naming it."""
        if not isinstance(raw, dict):
            raise _bad(source, "duckdb", raw, 'an object like {"memory_limit": "2GB"}')
        unknown = sorted(set(raw) - {"memory_limit", "threads"})
        if unknown:
            raise _bad(
                source,
                f"duckdb.{unknown[0]}",
                raw[unknown[0]],
                "a known setting (memory_limit, threads)",
            )
        values: dict[str, Any] = {}
        if "memory_limit" in raw:
            limit = raw["memory_limit"]
            if not isinstance(limit, str) or not _MEMORY.fullmatch(limit):
                raise _bad(
                    source,
                    "duckdb.memory_limit",
                    limit,
                    'a size like "512MB" or "2GiB", or a share like "20%"',
                )
            values["memory_limit"] = limit.strip()
        if "threads" in raw:
            threads = raw["threads"]
            if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
                raise _bad(source, "duckdb.threads", threads, "a whole number of 1 or more")
            values["threads"] = threads
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    """Preferences read from ``settings.json`` beside the database (all optional)."""

    image_root: Path
    export_dir: Path
    export_include_images: bool = True
    engine: EngineSettings = field(default_factory=EngineSettings)
    extra: dict = field(default_factory=dict)

    def image_path(self, stored: str | Path) -> Path:
        """Absolute path of an image path as stored (relative paths are below image_root)."""
        path = Path(stored)
        return path if path.is_absolute() else self.image_root / path

    @classmethod
    def for_database(cls, db_path: Path) -> Settings:
        """Settings for a database file: defaults, overridden by ``<db dir>/settings.json``.
        A file that is not a JSON object, or a malformed DuckDB setting, raises
        :class:`~jobdash.errors.ValidationError`."""
        base = db_path.resolve().parent
        raw: dict = {}
        path = base / SETTINGS_FILE
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ValidationError(
                    f"{path} is not valid JSON ({exc}): fix or remove it.", SETTINGS_FILE
                ) from None
            if not isinstance(raw, dict):
                raise _bad(path, SETTINGS_FILE, raw, "a JSON object")
        export = raw.get("export", {})
        return cls(
            image_root=(base / raw.get("image_root", "images")).resolve(),
            export_dir=(base / export.get("folder", "exports")).resolve(),
            export_include_images=bool(export.get("include_images", True)),
            engine=(
                EngineSettings.from_settings(raw["duckdb"], path)
                if "duckdb" in raw
                else EngineSettings()
            ),
            extra=raw,
        )


def _bad(source: Path, name: str, value: Any, expected: str) -> ValidationError:
    return ValidationError(
        f"{source}: {name} is {json.dumps(value, default=str)}; expected "
        f"{expected}. Fix it in the file or remove it for the default.",
        name,
    )
