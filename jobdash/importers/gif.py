"""Import a Gen Image Factory history (its SQLite ``gen-image-factory.db``) into jobdash:
``jobdash import-gif PATH [--db PATH] [--copy-images]``, or :func:`import_gif`.

- Everything comes over: every configuration (the global ``default`` row only when a job
  points at it), execution, image and as-run snapshot; each row remembers its source and
  its id there (:mod:`jobdash.store.imported`).
- Values are normalised (:mod:`.gif_values`): timestamps in any of the three formats, job
  statuses, QC, labels, tags; a finished job without an end gets its last image's time,
  else no duration.
- API keys never travel (:mod:`.secrets`).
- Image files stay where they are unless copied (:mod:`.image_files`); those that exist get
  thumbnails; orphan images (of no job there) are counted, not imported.
- Repeatable: importing the same file again changes nothing; after the desktop app ran more
  jobs it adds the new rows and rewrites the changed ones. Jobs deleted here since are not
  brought back.
- One transaction: a file that is not a Gen Image Factory database, is damaged or locked is
  refused before anything is written, and an import that fails leaves the history (and the
  image folder) as it was.

Images are read and written ``CHUNK`` at a time, so a million take a bounded amount of
memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import events
from ..service import JobService
from ..store import imported, utcnow
from ..store.imported import Known
from ..store.store import Transaction
from .gif_rows import (
    ConfigRow,
    ImageRow,
    JobImages,
    as_recorded,
    config_row,
    image_digest,
    image_row,
    job_row,
)
from .gif_source import KIND, GifSource
from .gif_values import as_json, parse_timestamp, parsed_json
from .image_files import Existing, ImageFiles, Task
from .report import ImportReport, Progress
from .secrets import Secrets

__all__ = ["GifSource", "ImportReport", "import_gif"]

CHUNK = 50_000
"""Images read, placed and written at a time."""
DEFAULT_CONFIGURATION = "default"
"""Their global settings row: imported only when a job points at it."""

_INTEGER = "Int64"
_TIME = "datetime64[us]"
_DTYPES = {
    **dict.fromkeys(
        (
            "id",
            "execution_id",
            "configuration_id",
            "seed",
            "width",
            "height",
            "progress",
            "total_images",
            "successful_images",
            "failed_images",
            "approved_images",
            "qc_failed_images",
            "needs_review_images",
            "original_id",
            "digest",
        ),
        _INTEGER,
    ),
    **dict.fromkeys(
        ("created_at", "updated_at", "queued_at", "started_at", "completed_at", "at"), _TIME
    ),
}


def import_gif(
    service: JobService,
    source: str | Path | GifSource,
    *,
    copy_images: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a Gen Image Factory file (a path, or a :class:`GifSource` opened first, so
    that a file refused opens no history) into ``service``'s history, in one transaction.

    ``copy_images``: copy the image files that exist into the image root (they then belong
    to jobdash); otherwise they are used where they are and never modified or deleted.
    ``progress(stage, done, total)`` is called as it goes. Returns what it did."""
    if isinstance(source, GifSource):
        return _Import(service, source, copy_images, progress).run()
    with GifSource(source) as opened:
        return _Import(service, opened, copy_images, progress).run()


@dataclass
class _Job:
    """A job there and what it is here."""

    raw: tuple[Any, ...]
    known: Known | None
    id: int | None = None
    """Ours; None when it was deleted here since an earlier import."""
    images: JobImages = field(default_factory=JobImages)

    @property
    def started(self) -> dt.datetime | None:
        """When it started there, if that can be read."""
        return parse_timestamp(self.raw[2])


@dataclass
class _Image:
    """An image there, its job here and whether its file is there."""

    row: ImageRow
    job_id: int
    exists: bool
    digest: int
    id: int = 0
    """Ours (once known)."""


class _Import:
    """One import of one source into one history."""

    def __init__(
        self, service: JobService, source: GifSource, copy: bool, progress: Progress | None
    ):
        self.service = service
        self.store = service.store
        self.source = source
        self.progress = progress or (lambda stage, done, total: None)
        self.now = utcnow()
        self.secrets = Secrets()
        self.report = ImportReport(str(source.path))
        self.files = ImageFiles(service.image_root, copy)
        self.existing = Existing()
        self.folder = str(source.path.parent)

    def run(self) -> ImportReport:
        configs = self.source.configurations()
        jobs = self.source.jobs()
        total_images = self.source.image_count()
        self._learn_keys(configs, jobs)
        names = {raw[0]: raw[1] for raw in configs}
        referenced = {raw[1] for raw in jobs}
        configs = [c for c in configs if c[1] != DEFAULT_CONFIGURATION or c[0] in referenced]
        try:
            with self.store.transaction() as tx:
                source_id = imported.source_id(tx, KIND, self.report.source, self.now)
                configurations = self._configurations(tx, source_id, configs)
                plans = self._plan_jobs(tx, source_id, jobs)
                read = 0
                for chunk in self.source.images(CHUNK):
                    self._images(tx, source_id, chunk, plans)
                    read += len(chunk)
                    self.progress("images", read, total_images)
                new, updated = self._jobs(tx, source_id, plans, configurations, names)
                imported.place_labels(tx)
        except BaseException:
            self.files.discard()
            raise
        self.report.secrets_dropped = self.secrets.dropped
        self.report.secrets_redacted = self.secrets.redacted
        if new:
            self.service.feed.publish(events.CREATED, new, status="imported")
        if updated:
            self.service.feed.publish(events.STATUS_UPDATE, updated)
        return self.report

    def _learn_keys(
        self, configs: Sequence[tuple[Any, ...]], jobs: Sequence[tuple[Any, ...]]
    ) -> None:
        """Every key of the file, before any text is written (so none is written)."""
        for text in [
            *(raw[2] for raw in configs),
            *(raw[-1] for raw in jobs),
            *self.source.json_with_keys(),
        ]:
            self.secrets.learn(parsed_json(text))

    # -- configurations ---------------------------------------------------------------------

    def _configurations(
        self, tx: Transaction, source_id: int, raws: Sequence[tuple[Any, ...]]
    ) -> dict[int, tuple[int, str]]:
        """Write the new and changed configurations (a changed one as its next version);
        returns their id there -> (id, name) here."""
        self.progress("configurations", 0, len(raws))
        rows = [config_row(raw, self.secrets, self.now) for raw in raws]
        before = imported.known(tx, source_id, "configurations")
        written: list[tuple[ConfigRow, bool]] = []
        out: dict[int, tuple[int, str]] = {}
        counts = self.report.configurations
        for row in rows:
            known = before.get(row.original_id)
            if known is not None and known.digest == row.digest:
                counts.unchanged += 1
                out[row.original_id] = (known.id, row.name)
            else:
                written.append((row, known is not None))
        first = self.store.reserve_ids("configurations", len(written))
        for offset, (row, again) in enumerate(written):
            out[row.original_id] = (first + offset, row.name)
            counts.updated += again
            counts.imported += not again
        imported.add_configurations(
            tx,
            _frame(
                {
                    "id": [out[r.original_id][0] for r, _ in written],
                    "name": [r.name for r, _ in written],
                    "settings": [r.settings for r, _ in written],
                    # a new version is as old as the change that made it
                    "created_at": [r.updated_at if again else r.created_at for r, again in written],
                    "updated_at": [r.updated_at for r, _ in written],
                }
            ),
        )
        self._remember(
            tx,
            source_id,
            "configurations",
            [(r.original_id, out[r.original_id][0], r.digest) for r, _ in written],
        )
        self.progress("configurations", len(raws), len(raws))
        return out

    # -- jobs -------------------------------------------------------------------------------

    def _plan_jobs(
        self, tx: Transaction, source_id: int, raws: Sequence[tuple[Any, ...]]
    ) -> dict[int, _Job]:
        """Each job there with its id here: kept, new (reserved now), or none (deleted here)."""
        before = imported.known(tx, source_id, "job_executions")
        plans = {raw[0]: _Job(raw, before.get(raw[0])) for raw in raws}
        new = [p for p in plans.values() if p.known is None]
        first = self.store.reserve_ids("job_executions", len(new))
        for offset, plan in enumerate(new):
            plan.id = first + offset
        for plan in plans.values():
            if plan.known is not None:
                if plan.known.present:
                    plan.id = plan.known.id
                else:
                    self.report.deleted_here += 1
        return plans

    def _jobs(
        self,
        tx: Transaction,
        source_id: int,
        plans: dict[int, _Job],
        configurations: dict[int, tuple[int, str]],
        names: dict[int, str],
    ) -> tuple[list[int], list[int]]:
        """Write the new and changed jobs with an event each on their timeline; returns the
        ids of both."""
        counts = self.report.jobs
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        remembered: list[tuple[int, int, int]] = []
        notes: list[tuple[int, str, dict[str, Any]]] = []
        name = self.source.path.name
        for original, plan in plans.items():
            if plan.id is None:
                continue
            self.report.job_ids[original] = plan.id
            config = plan.raw[1]
            columns, digest = job_row(
                plan.raw, plan.images, configurations.get(config), names.get(config), self.secrets
            )
            if plan.known is not None and plan.known.digest == digest:
                counts.unchanged += 1
                continue
            columns = {"id": plan.id, **columns, "updated_at": self.now}
            (changed if plan.known else new).append(columns)
            remembered.append((original, plan.id, digest))
            verb = "Updated" if plan.known else "Imported"
            data = {
                "source": self.report.source,
                "original_id": original,
                "as_recorded": as_recorded(plan.raw),
            }
            notes.append(
                (plan.id, f"{verb} from Gen Image Factory ({name}, its job {original})", data)
            )
        counts.imported, counts.updated = len(new), len(changed)
        imported.add_jobs(tx, _frame(_columns(new)))
        imported.update_jobs(tx, _frame(_columns(changed)))
        first = self.store.reserve_ids("job_events", len(notes))
        imported.add_events(
            tx,
            _frame(
                {
                    "id": list(range(first, first + len(notes))),
                    "execution_id": [job_id for job_id, _, _ in notes],
                    "at": [self.now] * len(notes),
                    "level": ["info"] * len(notes),
                    "step": ["import"] * len(notes),
                    "message": [message for _, message, _ in notes],
                    "data": [self.secrets.redact(as_json(data)) for _, _, data in notes],
                }
            ),
        )
        self._remember(tx, source_id, "job_executions", remembered)
        return [c["id"] for c in new], [c["id"] for c in changed]

    # -- images -----------------------------------------------------------------------------

    def _images(
        self,
        tx: Transaction,
        source_id: int,
        chunk: Sequence[tuple[Any, ...]],
        plans: dict[int, _Job],
    ) -> None:
        """Read, place and write one chunk of images; what they say of their jobs is
        gathered in ``plans``."""
        report = self.report
        rows: list[_Image] = []
        for raw in chunk:
            plan = plans.get(raw[2])
            if plan is None:
                report.orphan_images += 1
                continue
            if plan.id is None:  # its job was deleted here
                continue
            image = image_row(raw, self.folder, plan.started, self.now, self.secrets)
            exists = self.existing(image.source)
            plan.images.add(image.columns["qc_status"], image.created)
            rows.append(_Image(image, plan.id, exists, image_digest(image, exists)))
        before = imported.known(
            tx, source_id, "generated_images", [r.row.original_id for r in rows]
        )
        fresh: list[_Image] = []
        again: list[_Image] = []
        for r in rows:
            known = before.get(r.row.original_id)
            if known is None:
                fresh.append(r)
            elif known.present and known.digest != r.digest:
                r.id = known.id
                again.append(r)
            else:  # as imported before (or deleted here since: not brought back)
                report.images.unchanged += 1
                report.missing_files += not r.exists
        first = self.store.reserve_ids("generated_images", len(fresh))
        for offset, r in enumerate(fresh):
            r.id = first + offset
        places = imported.image_places(tx, [r.id for r in again])
        tasks = [
            Task(r.job_id, r.id, r.row.source, r.exists, *places.get(r.id, (None, None)))
            for r in (*fresh, *again)
        ]
        written = []
        for r, put in zip((*fresh, *again), self.files.place_all(tasks), strict=True):
            report.missing_files += put.missing
            report.unreadable_files += put.unreadable
            report.thumbnails += put.thumbnail_made
            report.copied_files += put.copied
            written.append(
                {
                    "id": r.id,
                    "execution_id": r.job_id,
                    **r.row.columns,
                    "file_path": put.file_path,
                    "thumbnail_path": put.thumbnail_path,
                    "width": put.width,
                    "height": put.height,
                }
            )
        report.images.imported += len(fresh)
        report.images.updated += len(again)
        imported.add_images(tx, _frame(_columns(written[: len(fresh)])))
        imported.update_images(tx, _frame(_columns(written[len(fresh) :])))
        self._remember(
            tx,
            source_id,
            "generated_images",
            [(r.row.original_id, r.id, r.digest) for r in (*fresh, *again)],
        )

    def _remember(
        self, tx: Transaction, source_id: int, table: str, rows: Sequence[tuple[int, int, int]]
    ) -> None:
        """Record (id there, id here, digest) of the rows written."""
        imported.remember(
            tx,
            source_id,
            table,
            _frame(
                {
                    "original_id": [r[0] for r in rows],
                    "id": [r[1] for r in rows],
                    "digest": [r[2] for r in rows],
                }
            ),
        )


def _columns(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows (dicts with the same keys) as columns."""
    if not rows:
        return {}
    return {name: [row[name] for row in rows] for name in rows[0]}


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """Columns as a frame DuckDB reads with the right types (nullable integers, timestamps,
    text)."""
    return pd.DataFrame(
        {
            name: pd.array(values, dtype=_DTYPES.get(name, "string"))
            if _DTYPES.get(name) != _TIME
            else pd.Series(values, dtype=_TIME)
            for name, values in columns.items()
        }
    )
