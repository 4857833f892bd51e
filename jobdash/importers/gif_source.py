"""A Gen Image Factory file (``gen-image-factory.db``, SQLite), opened read-only and checked
before anything of jobdash is opened: a file that is not one, is damaged (truncated,
corrupt) or is locked by the desktop app is refused with one clear error, so a refused
import creates and changes nothing. Everything is read in one SQLite read transaction (a
consistent picture while the desktop app may be writing), images in chunks.

A file sent from elsewhere (to a server, through ``POST /api/imports/gif``) is read from
where it was received and known by the path it had where it was read (``known_as``): that
path is the source's identity (importing the file again, read here or sent, updates what it
brought) and the folder its relative image paths are taken from; it is never opened."""

from __future__ import annotations

import os
import sqlite3
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Conflict, ValidationError
from ..text import storable

KIND = "gen-image-factory"
"""The kind of source, as ``import_sources`` records it."""
LOCK_WAIT_S = 2.0
"""How long a read waits for the desktop app to release a lock before it is refused."""
_HEADER = b"SQLite format 3\x00"
PATH_MAX = 4096
"""The longest path a file sent from elsewhere may be known by (Linux's PATH_MAX)."""

CONFIG_COLUMNS = ("id", "name", "settings", "created_at", "updated_at")
JOB_COLUMNS = (
    "id",
    "configuration_id",
    "started_at",
    "completed_at",
    "status",
    "total_images",
    "successful_images",
    "failed_images",
    "error_message",
    "label",
    "configuration_snapshot",
)
IMAGE_COLUMNS = (
    "id",
    "image_mapping_id",
    "execution_id",
    "generation_prompt",
    "seed",
    "qc_status",
    "qc_reason",
    "final_image_path",
    "temp_image_path",
    "metadata",
    "processing_settings",
    "created_at",
)
"""The columns read, in this order (rows come as tuples)."""
TABLES = {
    "job_configurations": CONFIG_COLUMNS,
    "job_executions": JOB_COLUMNS,
    "generated_images": IMAGE_COLUMNS,
}


def _text(value: bytes) -> str:
    """A text value; bytes that are no UTF-8 (the app never checked) become U+FFFD rather
    than refuse the whole file."""
    return value.decode("utf-8", "replace")


def known_path(text: str) -> Path:
    """The path a file sent from elsewhere is known by (where its sender read it), checked:
    absolute, at most :data:`PATH_MAX` characters, no control characters; normalised. It
    names the file; nothing opens it."""
    if len(text) > PATH_MAX:
        raise ValidationError(f"path: longer than {PATH_MAX} characters", "path")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValidationError("path: holds a control character", "path")
    if not os.path.isabs(storable("path", text)):
        raise ValidationError(
            f"path: {text!r} is not absolute; give the path the file was read from", "path"
        )
    return Path(os.path.normpath(text))


class GifSource:
    """An open, checked Gen Image Factory file (a context manager; :meth:`close` ends the
    read); every read below sees the same state of it. ``file`` is the file read, resolved;
    ``path`` the path it is known by: ``file`` itself, or ``known_as`` (:func:`known_path`)
    for a file sent from elsewhere."""

    def __init__(self, file: str | os.PathLike[str], *, known_as: str | None = None):
        given = Path(file)
        named = None if known_as is None else known_path(known_as)
        if not given.is_file():
            raise ValidationError(f"path: {given} is not a file", "path")
        self.file = given.resolve()
        self.path = self.file if named is None else named
        with self.file.open("rb") as head:
            start = head.read(len(_HEADER))
        if start != _HEADER:
            raise self._not_gif("it is not an SQLite file" if start else "it is empty")
        uri = f"file:{urllib.parse.quote(str(self.file))}?mode=ro"
        self._db = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_S)
        try:
            self._db.execute("BEGIN")  # the read transaction every read below belongs to
            self._check()
        except BaseException:
            self._db.close()
            raise

    def _not_gif(self, why: str) -> ValidationError:
        return ValidationError(
            f"path: {self.path} is not a Gen Image Factory database ({why})", "path"
        )

    def _refusal(self, exc: sqlite3.Error) -> Exception:
        """The error to raise for what SQLite said while reading."""
        text = str(exc)
        if "locked" in text or "busy" in text:
            return Conflict(
                f"path: {self.path} is locked by another program (Gen Image Factory writing "
                "to it?); close the desktop app or wait for it to finish, then import again"
            )
        return ValidationError(
            f"path: {self.path} is damaged (truncated or corrupt: {text}); nothing was imported",
            "path",
        )

    def _check(self) -> None:
        """The three tables with the columns read, and an intact file."""
        try:
            for table, columns in TABLES.items():
                have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if not have:
                    raise self._not_gif(f"it has no table {table}")
                missing = [c for c in columns if c not in have]
                if missing:
                    raise self._not_gif(f"its table {table} has no column {', '.join(missing)}")
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(3)")]
        except sqlite3.Error as exc:
            raise self._refusal(exc) from None
        if problems != ["ok"]:
            raise self._refusal(sqlite3.DatabaseError("; ".join(problems)))

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self._db.text_factory = _text
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._refusal(exc) from None

    def configurations(self) -> list[tuple[Any, ...]]:
        """Every configuration row (:data:`CONFIG_COLUMNS`), by id."""
        return self._rows(f"SELECT {', '.join(CONFIG_COLUMNS)} FROM job_configurations ORDER BY id")

    def jobs(self) -> list[tuple[Any, ...]]:
        """Every execution row (:data:`JOB_COLUMNS`), by id."""
        return self._rows(f"SELECT {', '.join(JOB_COLUMNS)} FROM job_executions ORDER BY id")

    def image_count(self) -> int:
        """How many image rows there are."""
        return int(self._rows("SELECT count(*) FROM generated_images")[0][0])

    def images_naming_keys(self) -> list[tuple[int, Any, Any]]:
        """(id, processing_settings, metadata) of the images whose JSON names a key section,
        so every key is known before any text is written and only these rows are searched
        for keys to drop."""
        return self._rows(
            "SELECT id, processing_settings, metadata FROM generated_images "
            "WHERE processing_settings LIKE '%api%key%' OR metadata LIKE '%api%key%'"
        )

    def images(self, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
        """Every image row (:data:`IMAGE_COLUMNS`), by id, ``chunk`` rows at a time. Text is
        decoded by SQLite; from a row holding bytes that are no UTF-8 on, leniently."""
        sql = f"SELECT {', '.join(IMAGE_COLUMNS)} FROM generated_images WHERE id > ? ORDER BY id"
        after, lenient = -(2**63), False
        while True:
            self._db.text_factory = _text if lenient else str
            try:
                cursor = self._db.execute(sql, [after])
                while rows := cursor.fetchmany(chunk):
                    after = rows[-1][0]
                    yield rows
                return
            except sqlite3.OperationalError as exc:
                if lenient or "decode" not in str(exc):
                    raise self._refusal(exc) from None
                lenient = True  # read again from the last row given, leniently
            except sqlite3.Error as exc:
                raise self._refusal(exc) from None

    def snapshot(self, into: Path) -> None:
        """Write the file as this read sees it to ``into`` (a new file), to send elsewhere:
        SQLite's backup, so the copy holds what the desktop app's write-ahead log holds
        and is never torn by its writes; in rollback-journal mode, one file."""
        target = sqlite3.connect(into)
        try:
            self._db.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as exc:
            raise self._refusal(exc) from None
        finally:
            target.close()

    def close(self) -> None:
        """End the read and close the file (idempotent)."""
        self._db.close()

    def __enter__(self) -> GifSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
