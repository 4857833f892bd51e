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
        _known(source, "duckdb.", raw, ("memory_limit", "threads"))
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


SETTINGS_KEYS = ("image_root", "export", "duckdb")
"""What settings.json may hold; any other key is refused (a typo would be ignored)."""
EXPORT_KEYS = ("folder", "include_images")
"""What the ``"export"`` section may hold."""


@dataclass(frozen=True)
class Settings:
    """Preferences read from ``settings.json`` beside the database (all optional)."""

    image_root: Path
    export_dir: Path
    export_include_images: bool = True
    engine: EngineSettings = field(default_factory=EngineSettings)

    def image_path(self, stored: str | Path) -> Path:
        """Absolute path of an image path as stored (relative paths are below image_root)."""
        path = Path(stored)
        return path if path.is_absolute() else self.image_root / path

    @classmethod
    def for_database(cls, db_path: Path) -> Settings:
        """Settings for a database file: defaults, overridden by ``<db dir>/settings.json``.
        A file that cannot be read or is not a JSON object (naming the line and column of
        a syntax error), an unknown key or a malformed value raises
        :class:`~jobdash.errors.ValidationError` naming the file and the key."""
        base = db_path.resolve().parent
        path = base / SETTINGS_FILE
        raw = _read(path) if path.exists() else {}
        _known(path, "", raw, SETTINGS_KEYS)
        export = raw.get("export", {})
        if not isinstance(export, dict):
            raise _bad(path, "export", export, 'an object like {"folder": "exports"}')
        _known(path, "export.", export, EXPORT_KEYS)
        include = export.get("include_images", True)
        if not isinstance(include, bool):
            raise _bad(path, "export.include_images", include, "true or false")
        return cls(
            image_root=_folder(path, "image_root", raw.get("image_root", "images")),
            export_dir=_folder(path, "export.folder", export.get("folder", "exports")),
            export_include_images=include,
            engine=(
                EngineSettings.from_settings(raw["duckdb"], path)
                if "duckdb" in raw
                else EngineSettings()
            ),
        )


def _read(path: Path) -> dict[str, Any]:
    """The JSON object in settings file ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path}: byte {exc.start + 1} is not UTF-8 text; save the file as UTF-8 or remove it.",
            SETTINGS_FILE,
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"{path} cannot be read ({exc.strerror}); fix or remove it.", SETTINGS_FILE
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg} (not valid JSON); "
            "fix or remove it.",
            SETTINGS_FILE,
        ) from None
    if not isinstance(raw, dict):
        raise _bad(path, SETTINGS_FILE, raw, "a JSON object")
    return raw


def _known(source: Path, prefix: str, section: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Refuse the first key of ``section`` that is not one of ``keys``."""
    unknown = sorted(set(section) - set(keys))
    if unknown:
        raise _bad(
            source,
            prefix + unknown[0],
            section[unknown[0]],
            f"a known setting ({', '.join(prefix + k for k in keys)})",
        )


def _folder(source: Path, name: str, value: Any) -> Path:
    """A folder setting, relative to the settings file's folder (or absolute)."""
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise _bad(source, name, value, "a folder path, relative to this file's folder")
    try:
        os.fsencode(value)
    except UnicodeEncodeError:
        raise _bad(source, name, value, "a folder path this system can name") from None
    return (source.parent / value).resolve()


def _bad(source: Path, name: str, value: Any, expected: str) -> ValidationError:
    shown = json.dumps(value, default=str)
    if len(shown) > 60:
        shown = shown[:60] + "…"
    return ValidationError(
        f"{source}: {name} is {shown}; expected "
        f"{expected}. Fix it in the file or remove it for the default.",
        name,
    )
