"""The image files of an import. An imported image keeps the path it had (outside jobdash's
image root: jobdash never modifies or deletes that file) unless copies are asked for; a
file that exists gets a thumbnail below the image root, where the runner puts its own
(``<job id>/thumbs/``, :mod:`jobdash.runner.layout`), and, copied, its copy goes to
``<job id>/``: those belong to jobdash. Files written by an import that then fails are
removed again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..files import leads_out, prune_empty_dirs
from ..runner.processing import THUMB_EXT, THUMBS_DIR, ProcessingError, part_name, write_thumbnail

THUMB_SIZE = 256
"""Longest side of a thumbnail (the runner's default)."""
WORKERS = max(1, min(4, os.cpu_count() or 1))
"""Threads making thumbnails and copies (Pillow decodes and encodes without the GIL)."""


class Existing:
    """Which files exist, by listing each folder once (a million paths in a few thousand
    folders take a fraction of the time of a ``stat`` each); links are followed."""

    def __init__(self) -> None:
        self._folders: dict[str, frozenset[str]] = {}

    def __call__(self, path: str | None) -> bool:
        if not path:
            return False
        folder, _, name = path.rpartition(os.sep)
        names = self._folders.get(folder)
        if names is None:
            names = self._folders[folder] = _files_in(folder)
        return name in names


def _files_in(folder: str) -> frozenset[str]:
    try:
        with os.scandir(folder or os.sep) as entries:
            return frozenset(e.name for e in entries if e.is_file())
    except OSError:
        return frozenset()


@dataclass(frozen=True)
class Task:
    """One image whose files to place: its ids here, its source file (absolute) and what
    its row holds already (an image imported before)."""

    job_id: int
    image_id: int
    source: str | None
    exists: bool
    file_path: str | None = None
    thumbnail_path: str | None = None


@dataclass(frozen=True)
class Placed:
    """Where an image's files are now, and what was done for it."""

    file_path: str | None
    thumbnail_path: str | None
    width: int | None = None
    height: int | None = None
    thumbnail_made: bool = False
    copied: bool = False
    missing: bool = False
    """Neither the source file nor a copy of it is there (a placeholder is shown)."""
    unreadable: bool = False
    """The file exists but is no image Pillow can read (no thumbnail, not copied)."""


class ImageFiles:
    """Places the files of imported images below ``root``; ``copy``: copy the existing ones
    there too. :meth:`discard` removes everything written so far."""

    def __init__(self, root: Path, copy: bool):
        self.root = root
        self.copy = copy
        self.written: list[Path] = []

    def place_all(self, tasks: Sequence[Task]) -> list[Placed]:
        """:meth:`place` for every task, in order, on :data:`WORKERS` threads."""
        if len(tasks) < 2 * WORKERS:
            return [self.place(task) for task in tasks]
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(self.place, tasks))

    def place(self, task: Task) -> Placed:
        """The files of one image: a copy kept (a relative path) or made, a thumbnail kept
        (if still there) or made, else the source path as it was."""
        file_path = task.file_path if ours(task.file_path) else task.source
        thumb = task.thumbnail_path
        if not (ours(thumb) and (self.root / str(thumb)).is_file()):
            thumb = None
        if ours(file_path):
            origin = str(self.root / str(file_path))
            present = os.path.isfile(origin)
        else:
            origin, present = str(file_path), task.exists
            if present and leads_out(origin, self.root):  # never followed (nor served)
                return Placed(file_path, None, unreadable=True)
        copy = self.copy and not ours(file_path)
        if not present or (thumb is not None and not copy):
            return Placed(file_path, thumb, missing=not present)
        try:
            with Image.open(origin) as image:
                width, height = image.size
                if thumb is None:
                    image.draft("RGB", (THUMB_SIZE, THUMB_SIZE))  # JPEG: decode small
                    thumb = self._thumbnail(image, task)
        except (OSError, ValueError, Image.DecompressionBombError, ProcessingError):
            return Placed(file_path, None, unreadable=True)
        made = thumb != task.thumbnail_path
        if copy:
            file_path = self._copy(origin, task)
        return Placed(file_path, thumb, width, height, thumbnail_made=made, copied=copy)

    def _thumbnail(self, image: Image.Image, task: Task) -> str:
        relative = f"{task.job_id}/{THUMBS_DIR}/img_{task.image_id:04d}.{THUMB_EXT}"
        target = self.root / relative
        self.written.append(target)
        write_thumbnail(image, target, THUMB_SIZE)
        return relative

    def _copy(self, source: str, task: Task) -> str:
        suffix = Path(source).suffix.lower().replace(".jpeg", ".jpg")
        relative = f"{task.job_id}/img_{task.image_id:04d}{suffix}"
        target = self.root / relative
        part = target.with_name(part_name(target.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(target)
        try:
            shutil.copyfile(source, part)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        return relative

    def discard(self) -> None:
        """Remove every file written (an import that failed), and the folders emptied."""
        for path in self.written:
            path.unlink(missing_ok=True)
        prune_empty_dirs({p.parent for p in self.written}, self.root)
        self.written.clear()


def ours(path: str | None) -> bool:
    """Whether a stored path is jobdash's own (relative to the image root)."""
    return bool(path) and not os.path.isabs(str(path))
