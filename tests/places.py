"""Export targets no workbook can be written to, made real on disk for the tests that
check each is refused (one typed error, nothing written)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def unwritable(folder: Path) -> Path:
    """A target in a folder this process cannot write: a read-only folder under ``folder``
    or, for root (whom permissions do not stop), Linux's /proc, which takes no new files."""
    if os.geteuid() == 0:
        return Path("/proc") / "jobdash-export.xlsx"
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    return locked / "jobs.xlsx"


def under_a_file(folder: Path) -> Path:
    """A target whose parent is a file."""
    (folder / "notes.txt").write_text("a file, not a folder")
    return folder / "notes.txt" / "jobs.xlsx"


BAD_TARGETS: dict[str, Callable[[Path], Path]] = {
    "a folder": lambda folder: folder,
    "a .csv file": lambda folder: folder / "jobs.csv",
    "no suffix": lambda folder: folder / "jobs",
    "a name too long": lambda folder: folder / ("x" * 300 + ".xlsx"),
    "a folder too deep": lambda folder: folder.joinpath(*["deeper"] * 700, "jobs.xlsx"),
    "under a file": under_a_file,
    "an unwritable folder": unwritable,
}
"""How each bad target is made, given the test's folder (its files are made first)."""


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``, with its size and modification time: what a
    refused call must leave as it was."""
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }
