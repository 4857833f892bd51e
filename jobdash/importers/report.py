"""What an import did: the summary ``jobdash import-gif`` prints and ``import_gif`` returns,
and the progress it reports while it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

Progress = Callable[[str, int, int], None]
"""Called as the import goes: ``(stage, done, total)``."""


@dataclass
class Counts:
    """Rows of one kind: new here, rewritten because they changed there, left as they were."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.imported:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged"


@dataclass
class ImportReport:
    """What one import did."""

    source: str
    """The file imported (resolved; a file sent to a server: the path it was read from)."""
    configurations: Counts = field(default_factory=Counts)
    jobs: Counts = field(default_factory=Counts)
    images: Counts = field(default_factory=Counts)
    orphan_images: int = 0
    """Images of no job there (a NULL or dangling execution id): not imported."""
    deleted_here: int = 0
    """Jobs imported before and deleted here since: not brought back (nor their images)."""
    missing_files: int = 0
    """Images of the source whose file is not there (shown as placeholders)."""
    unreadable_files: int = 0
    """Files that are there but could not be read as images (no thumbnail)."""
    thumbnails: int = 0
    """Thumbnails made."""
    copied_files: int = 0
    """Files copied into the image root (``copy_images``)."""
    secrets_dropped: int = 0
    """API key values dropped from settings, snapshots and other JSON."""
    secrets_redacted: int = 0
    """Places a key was cut out of other text (an error message quoting it...)."""
    job_ids: dict[int, int] = field(default_factory=dict)
    """Their job id -> ours, for every job of the source in this history."""

    COUNTED = ("configurations", "jobs", "images")

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (what ``POST /api/imports/gif`` answers)."""
        return {**asdict(self), "job_ids": {str(k): v for k, v in self.job_ids.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        """The report of :meth:`to_json`."""
        return cls(
            **{
                **data,
                **{name: Counts(**data[name]) for name in cls.COUNTED},
                "job_ids": {int(k): int(v) for k, v in data["job_ids"].items()},
            }
        )

    def summary(self, into: str | None = None) -> str:
        """The report as a few lines of text (``into``: the history it went into)."""
        files = (
            f"image files: {self.missing_files:,} missing (shown as placeholders), "
            f"{self.unreadable_files:,} unreadable, {self.thumbnails:,} thumbnails made"
        )
        if self.copied_files:
            files += f", {self.copied_files:,} copied into the image folder"
        lines = [
            f"Imported {self.source}" + (f" into {into}:" if into else ":"),
            f"  configurations: {self.configurations}",
            f"  jobs: {self.jobs}"
            + (
                f"; {self.deleted_here:,} deleted here, not brought back"
                if self.deleted_here
                else ""
            ),
            f"  images: {self.images}; {self.orphan_images:,} orphans (no job) skipped",
            f"  {files}",
            f"  secrets: {self.secrets_dropped:,} API keys dropped, "
            f"{self.secrets_redacted:,} redacted from other text; none copied",
        ]
        return "\n".join(lines)


class ProgressBar:
    """A :data:`Progress` drawing a bar per stage on a terminal (on anything else, a line
    when a stage is done)."""

    WIDTH = 30

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.terminal = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        finished = done >= total
        if self.terminal:
            filled = self.WIDTH * done // total if total else self.WIDTH
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            share = 100 * done // total if total else 100
            end = "\n" if finished else ""
            self.stream.write(f"\r{stage:<15} [{bar}] {share:3d}% {done:,}/{total:,}{end}")
        elif finished:
            self.stream.write(f"{stage}: {done:,} of {total:,}\n")
        self.stream.flush()
