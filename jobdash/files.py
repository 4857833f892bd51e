"""Removing image files safely: only regular files inside the image root, never via links."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path


def remove_inside(paths: Iterable[Path], root: Path) -> int:
    """Delete each path that is a regular file (not a link) in a folder inside ``root``.

    Folders are resolved once each (links and ``..`` included), so a path that climbs or
    links out of ``root`` is left alone; returns how many files were removed."""
    root = root.resolve()
    folders: dict[Path, Path | None] = {}
    removed = 0
    for path in paths:
        parent = path.parent
        if parent not in folders:
            real = Path(os.path.realpath(parent))
            folders[parent] = real if real.is_relative_to(root) else None
        real_parent = folders[parent]
        if real_parent is None:
            continue
        target = real_parent / path.name
        try:
            if stat.S_ISREG(os.lstat(target).st_mode):
                os.unlink(target)
                removed += 1
        except OSError:
            continue
    return removed


def prune_empty_dirs(folders: Iterable[Path], root: Path) -> None:
    """Remove now-empty folders below ``root`` and their emptied parents (never ``root``)."""
    root = root.resolve()
    for folder in sorted({Path(os.path.realpath(f)) for f in folders},
                         key=lambda p: len(p.parts), reverse=True):
        try:
            while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        except OSError:
            continue
