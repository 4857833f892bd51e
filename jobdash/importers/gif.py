"""Import a Gen Image Factory history (its SQLite ``gen-image-factory.db``) into jobdash:
``jobdash import-gif PATH [--db PATH] [--copy-images]``, or :func:`import_gif`.

- Everything comes over: every configuration (the global ``default`` row only when a job
  points at it), execution, image and as-run snapshot; each row remembers its source (the
  file, by its path) and its id there (:mod:`jobdash.store.imported`).
- Values are normalised (:mod:`.gif_values`): timestamps in any of the three formats, job
  statuses, QC, labels, tags; a finished job without an end gets its last image's time,
  else no duration.
- API keys never travel (:mod:`.secrets`).
- Image files stay where they are unless copied (:mod:`.image_files`); those that exist get
  thumbnails; orphan images (of no job there) are counted, not imported.
- Repeatable: importing the same file again changes nothing; after the desktop app ran more
  jobs it adds the new rows and rewrites the changed ones (a changed configuration as its
  next version). Jobs deleted here since are not brought back.
- One transaction: a file that is not a Gen Image Factory database, is damaged or locked is
  refused before anything is written, and an import that fails leaves the history (and the
  image folder) as it was.

Images are read and written :data:`CHUNK` at a time, so a million take a bounded amount of
memory; rows that did not change there are recognised by their digest as read and never
normalised again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import events
from ..service import JobService
from ..store import imported, utcnow
from ..store.imported import Known
from ..store.store import Transaction
from .frames import frame, rows_frame
from .gif_rows import (
    IMAGE_COLUMNS,
    ConfigRow,
    JobImages,
    as_recorded,
    config_row,
    image_columns,
    image_digest,
    job_columns,
    job_digest,
    salt,
    source_path,
)
from .gif_source import KIND, GifSource
from .gif_values import as_json, image_qc, parse_timestamp, parsed_json
from .image_files import Existing, ImageFiles, Placed, Task, ours
from .report import ImportReport, Progress
from .secrets import Secrets

__all__ = ["GifSource", "ImportReport", "import_gif"]

CHUNK = 50_000
"""Images read, placed and written at a time."""
DEFAULT_CONFIGURATION = "default"
"""Their global settings row: imported only when a job points at it."""


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


@dataclass(slots=True)
class _Job:
    """A job there and what it is here."""

    raw: tuple[Any, ...]
    known: Known | None
    started: dt.datetime | None
    """When it started there, if that can be read."""
    id: int | None = None
    """Ours; None when it was deleted here since an earlier import."""
    images: JobImages = field(default_factory=JobImages)


@dataclass(slots=True)
class _Image:
    """An image there, its job here, whether its file is there, and what its job is told
    of it."""

    raw: tuple[Any, ...]
    job: _Job
    source: str | None
    exists: bool
    digest: int
    qc_status: str
    created: dt.datetime | None
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
        self.salt = 0
        self.keyed_images: set[int] = set()
        """Images whose JSON names key sections."""

    def run(self) -> ImportReport:
        configs = self.source.configurations()
        jobs = self.source.jobs()
        total_images = self.source.image_count()
        self._learn_keys(configs, jobs)
        self.salt = salt(self.secrets)
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
        keyed = self.source.images_naming_keys()
        self.keyed_images = {image_id for image_id, _, _ in keyed}
        for text in [
            *(raw[2] for raw in configs),
            *(raw[-1] for raw in jobs),
            *(text for _, *texts in keyed for text in texts),
        ]:
            self.secrets.learn(parsed_json(text))

    def _remember(
        self, tx: Transaction, source_id: int, table: str, rows: Sequence[tuple[int, int, int]]
    ) -> None:
        """Record (id there, id here, digest) of the rows written."""
        imported.remember(
            tx,
            source_id,
            table,
            frame(
                {
                    "original_id": [r[0] for r in rows],
                    "id": [r[1] for r in rows],
                    "digest": [r[2] for r in rows],
                }
            ),
        )

    # -- configurations ---------------------------------------------------------------------

    def _configurations(
        self, tx: Transaction, source_id: int, raws: Sequence[tuple[Any, ...]]
    ) -> dict[int, tuple[int, str]]:
        """Write the new and changed configurations (a changed one as its next version);
        returns their id there -> (id, name) here."""
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
            frame(
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
        plans = {raw[0]: _Job(raw, before.get(raw[0]), parse_timestamp(raw[2])) for raw in raws}
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
        for original, plan in plans.items():
            if plan.id is None:
                continue
            self.report.job_ids[original] = plan.id
            config, name = plan.raw[1], names.get(plan.raw[1])
            digest = job_digest(self.salt, plan.raw, plan.images, name, config in configurations)
            if plan.known is not None and plan.known.digest == digest:
                counts.unchanged += 1
                continue
            columns = job_columns(
                plan.raw, plan.images, configurations.get(config), name, self.secrets
            )
            (changed if plan.known else new).append(
                {"id": plan.id, **columns, "updated_at": self.now}
            )
            remembered.append((original, plan.id, digest))
            verb = "Updated" if plan.known else "Imported"
            message = f"{verb} from Gen Image Factory ({self.source.path.name}, its job {original})"
            data = {
                "source": self.report.source,
                "original_id": original,
                "as_recorded": as_recorded(plan.raw),
            }
            notes.append((plan.id, message, data))
        counts.imported, counts.updated = len(new), len(changed)
        imported.add_jobs(tx, rows_frame(new))
        imported.update_jobs(tx, rows_frame(changed))
        first = self.store.reserve_ids("job_events", len(notes))
        imported.add_events(
            tx,
            frame(
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
        self.progress("jobs", len(plans), len(plans))
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
            source = source_path(raw, self.folder)
            exists = self.existing(source)
            qc_status, created = image_qc(raw[5], raw[6]), parse_timestamp(raw[11])
            plan.images.add(qc_status, created)
            digest = image_digest(self.salt, raw, exists)
            rows.append(_Image(raw, plan, source, exists, digest, qc_status, created))
        before = imported.known(tx, source_id, "generated_images", [r.raw[0] for r in rows])
        fresh: list[_Image] = []
        again: list[_Image] = []
        kept: list[_Image] = []  # unchanged there, with a file to copy if copies are asked
        for r in rows:
            known = before.get(r.raw[0])
            if known is None:
                fresh.append(r)
            elif known.present and (known.digest != r.digest or (self.files.copy and r.exists)):
                r.id = known.id
                (again if known.digest != r.digest else kept).append(r)
            else:  # as imported before (or deleted here since: not brought back)
                report.images.unchanged += 1
                report.missing_files += not r.exists
        first = self.store.reserve_ids("generated_images", len(fresh))
        for offset, r in enumerate(fresh):
            r.id = first + offset
        places = imported.image_places(tx, [r.id for r in (*again, *kept)])
        copied_before = [r for r in kept if ours(places[r.id][0])]
        report.images.unchanged += len(copied_before)
        again += [r for r in kept if not ours(places[r.id][0])]  # imported by reference
        written = self._place([*fresh, *again], places)
        report.images.imported += len(fresh)
        report.images.updated += len(again)
        imported.add_images(tx, _image_frame(written[: len(fresh)]))
        imported.update_images(tx, _image_frame(written[len(fresh) :]))
        self._remember(
            tx,
            source_id,
            "generated_images",
            [(r.raw[0], r.id, r.digest) for r in (*fresh, *again)],
        )

    def _place(
        self, images: Sequence[_Image], places: dict[int, tuple[str | None, str | None]]
    ) -> list[tuple[Any, ...]]:
        """The rows of images to write (:data:`IMAGE_ROW`), their files placed (``places``:
        what the rows of images imported before hold)."""
        report = self.report
        work = [r for r in images if r.exists or r.id in places]  # a file to look at
        tasks = [
            Task(int(r.job.id or 0), r.id, r.source, r.exists, *places.get(r.id, (None, None)))
            for r in work
        ]
        done = dict(zip([r.id for r in work], self.files.place_all(tasks), strict=True))
        rows = []
        for r in images:
            put = done.get(r.id) or Placed(r.source, None, missing=True)
            report.missing_files += put.missing
            report.unreadable_files += put.unreadable
            report.thumbnails += put.thumbnail_made
            report.copied_files += put.copied
            created = r.created or r.job.started or self.now
            keys = r.raw[0] in self.keyed_images
            columns = image_columns(r.raw, r.source, r.qc_status, created, self.secrets, keys)
            rows.append(
                (r.id, r.job.id, *columns, put.file_path, put.thumbnail_path, put.width, put.height)
            )
        return rows


IMAGE_ROW = (
    "id",
    "execution_id",
    *IMAGE_COLUMNS,
    "file_path",
    "thumbnail_path",
    "width",
    "height",
)
"""The columns of an image row as :meth:`_Import._place` gives it."""


def _image_frame(rows: Sequence[tuple[Any, ...]]) -> Any:
    return frame(dict(zip(IMAGE_ROW, zip(*rows, strict=True), strict=True)) if rows else {})
