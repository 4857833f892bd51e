"""One job from start to finish: initialise → per image (prompt, generate, post-process,
save file + thumbnail, metadata, QC) → finalise approved images into the output folder.

Every stage writes a ``job_events`` row (step, sub_step, level, message, data) and moves
``progress`` (0→20 initialise, →90 across the images, 95 finalise; ``finish`` sets 100) and
``current_step``; counts are updated with each image. All writes go through JobService in
the owning thread; only :func:`~jobdash.runner.render.render` may run elsewhere.

Image files live below the image root as ``<job_id>/img_0001.png`` with thumbnails in
``<job_id>/thumbs/``; approved images are finally moved to ``<job_id>/approved/``. Paths
are stored relative to the image root.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..errors import ValidationError
from .executors import Executor, Handle
from .generators import available_generators
from .metadata import describe
from .plan import ImageSpec, JobPlan
from .processing import ProcessingError, save
from .qc import check
from .render import Failure, Rendered, RenderTask, processing_stages, render
from .stop import StopRequest

if TYPE_CHECKING:
    from ..service import JobService

IMAGES_START, IMAGES_END, FINALISED = 20, 90, 95
APPROVED_DIR = "approved"
COUNT_FIELDS = (
    "total_images",
    "successful_images",
    "failed_images",
    "approved_images",
    "qc_failed_images",
)
PRODUCED = ("approved", "needs_review")


@dataclass(frozen=True)
class Outcome:
    """How a run ended, for :meth:`JobService.finish`."""

    status: str
    message: str
    error_message: str | None = None
    error_step: str | None = None


class Pipeline:
    """Runs one claimed job. ``stop`` returns the job's stop request, if any; ``stage`` is
    the stage in progress (the error step when an exception escapes :meth:`run`)."""

    def __init__(
        self,
        service: JobService,
        job: dict[str, Any],
        executor: Executor,
        stop: Callable[[], StopRequest | None],
    ):
        self.service = service
        self.job_id: int = job["id"]
        self.settings = job["configuration_snapshot"]
        self.executor = executor
        self.stop = stop
        self.stage = "initialise"
        self.root = service.settings.image_root
        self.job_dir = self.root / str(self.job_id)
        self.counts = dict.fromkeys(COUNT_FIELDS, 0)
        self.failed_stages: Counter[str] = Counter()
        self.hashes: list[tuple[int, int]] = []
        self.approved: dict[int, Path] = {}

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Execute the job and say how it ended."""
        try:
            plan = self._initialise()
        except ValidationError as exc:
            self._event("error", "initialise", f"Cannot start: {exc}", data={"field": exc.field})
            return Outcome("failed", f"Failed to initialise: {exc}", str(exc), "initialise")
        request = self._images(plan)
        done = self.counts["total_images"]
        produced = self.counts["successful_images"]
        if request is not None:
            return Outcome(
                "stopped",
                f"{_sentence(str(request))}, after {done} of "
                f"{plan.total} images; {produced} produced and kept",
                str(request),
                self.stage,
            )
        if not produced:
            reason = self._no_image_reason()
            return Outcome(
                "failed", f"Failed: {reason}", reason, self.failed_stages.most_common(1)[0][0]
            )
        self._finalise()
        return Outcome(
            "completed",
            f"Completed: {produced} of {plan.total} images produced "
            f"({self.counts['approved_images']} approved), "
            f"{self.counts['failed_images']} failed",
        )

    def _event(
        self,
        level: str,
        step: str,
        message: str,
        *,
        sub_step: str | None = None,
        data: dict[str, Any] | None = None,
        progress: float | None = None,
        **extra: Any,
    ) -> int | None:
        """Write one timeline event (and whatever else ``extra`` carries) for this job."""
        self.stage = step
        return self.service.record(
            self.job_id,
            progress=None if progress is None else round(progress),
            step=step,
            event=dict(level=level, step=step, sub_step=sub_step, message=message, data=data),
            **extra,
        )

    # -- initialise (0 → 20) ------------------------------------------------------------------

    def _initialise(self) -> JobPlan:
        plan = JobPlan.from_settings(self.settings, default_seed=self.job_id)
        self._event(
            "info",
            "initialise",
            f"Settings loaded: {plan.total} images "
            f"({plan.count} × {plan.variations} variations) of {plan.width}×"
            f"{plan.height} {plan.format}",
            sub_step="settings",
            progress=5,
            data={
                "total": plan.total,
                "width": plan.width,
                "height": plan.height,
                "format": plan.format,
                "seed": plan.seed,
            },
        )
        words = ", ".join(plan.keywords) if plan.keywords else "none"
        self._event(
            "info",
            "initialise",
            f"Prompt template “{plan.prompt_template}”, keywords: {words}",
            sub_step="keywords",
            progress=10,
            data={"prompt_template": plan.prompt_template, "keywords": list(plan.keywords)},
        )
        known = available_generators()
        if plan.generator not in known:
            raise ValidationError(
                f"generator: no generator called {plan.generator!r} "
                f"(available: {', '.join(sorted(known))})",
                "generator",
            )
        self._event(
            "info",
            "initialise",
            f"Generator {plan.generator} on the {self.executor.name} executor",
            sub_step="generator",
            progress=15,
            data={
                "generator": plan.generator,
                "options": plan.generator_options,
                "executor": self.executor.name,
                "processing": processing_stages(plan.processing),
            },
        )
        try:
            self.job_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValidationError(
                f"image folder: cannot create {self.job_dir}: {exc.strerror or exc}", "image_root"
            ) from None
        self._event(
            "info",
            "initialise",
            f"Images go to {self.job_dir}",
            sub_step="output",
            progress=IMAGES_START,
            data={"folder": str(self.job_dir)},
        )
        return plan

    # -- images (20 → 90) ---------------------------------------------------------------------

    def _images(self, plan: JobPlan) -> StopRequest | None:
        """Make every image in order, keeping up to ``executor.window`` in flight. Returns
        the stop request that ended the loop early, if any."""
        specs = plan.images()
        in_flight: deque[Handle] = deque()
        submitted = 0
        for spec in specs:
            request = self.stop()
            if request is None:
                while submitted < len(specs) and len(in_flight) < self.executor.window:
                    in_flight.append(self.executor.submit(render, _task(plan, specs[submitted])))
                    submitted += 1
                self._event(
                    "info",
                    "generate",
                    f"Image {spec.index}/{plan.total}: “{spec.prompt}” (seed {spec.seed})",
                    sub_step="prompt",
                    data={
                        "index": spec.index,
                        "prompt": spec.prompt,
                        "seed": spec.seed,
                        "keyword": spec.keyword,
                    },
                )
                rendered = in_flight.popleft().result()
                request = self.stop()
                if request is not None:
                    self._event(
                        "info",
                        "generate",
                        f"Image {spec.index}/{plan.total} "
                        "discarded: the job stops before saving it",
                        data={"index": spec.index},
                    )
            if request is not None:
                for handle in in_flight:
                    handle.cancel()
                return request
            self._image(plan, spec, rendered)
        return None

    def _image(self, plan: JobPlan, spec: ImageSpec, rendered: Rendered) -> None:
        """Save, describe and check one rendered image, then record its row and counts."""
        where = f"Image {spec.index}/{plan.total}"
        row: dict[str, Any] = {"prompt": spec.prompt, "seed": spec.seed, "format": plan.format}
        meta: dict[str, Any] = {
            "index": spec.index,
            "generation": spec.generation,
            "variation": spec.variation,
            "keyword": spec.keyword,
            "generator": plan.generator,
        }
        progress = IMAGES_START + (IMAGES_END - IMAGES_START) * spec.index / plan.total
        if rendered.failure is not None:
            return self._failed(where, row, meta, rendered.failure, progress)
        self._event(
            "info",
            "generate",
            f"{where}: generated in {rendered.generate_s:.2f} s",
            data={
                "index": spec.index,
                "seconds": round(rendered.generate_s, 3),
                "worker": rendered.worker,
            },
        )
        stages = processing_stages(plan.processing)
        if stages:
            self._event(
                "info",
                "process",
                f"{where}: {', '.join(stages)} in {rendered.process_s:.2f} s",
                sub_step="+".join(stages),
                data={
                    "index": spec.index,
                    "stages": stages,
                    "seconds": round(rendered.process_s, 3),
                },
            )
        try:
            file, thumb = save(
                rendered.image, self.job_dir, spec.stem, plan.format, plan.quality, plan.thumb_size
            )
            with Image.open(file) as saved:
                image = saved.copy()
        except ProcessingError as exc:
            return self._failed(where, row, meta, Failure(exc.stage, "error", str(exc)), progress)
        except OSError as exc:
            return self._failed(
                where, row, meta, Failure("save_final", "error", str(exc)), progress
            )
        row.update(
            file_path=self._relative(file),
            thumbnail_path=self._relative(thumb),
            width=image.width,
            height=image.height,
        )
        self._event(
            "info",
            "save",
            f"{where}: saved {file.name} ({file.stat().st_size / 1024:.0f} kB) and its thumbnail",
            data={
                "index": spec.index,
                "file": row["file_path"],
                "thumbnail": row["thumbnail_path"],
            },
        )
        try:
            meta.update(describe(spec.prompt, image))
        except Exception as exc:  # one image's metadata must not end the job
            return self._failed(where, row, meta, Failure("metadata", "error", repr(exc)), progress)
        self._event(
            "info",
            "metadata",
            f"{where}: “{meta['title']}”",
            data={"index": spec.index, "tags": meta["tags"]},
        )
        try:
            verdict = check(image, plan.qc, (plan.width, plan.height), self.hashes)
        except Exception as exc:  # likewise for one image's QC
            return self._failed(where, row, meta, Failure("qc", "error", repr(exc)), progress)
        self.hashes.append((spec.index, verdict.hash))
        meta["qc"] = verdict.metrics
        row.update(
            qc_status=verdict.status,
            qc_reason=verdict.reason or None,
            quality_score=verdict.score,
            metadata=meta,
        )
        self._count(verdict.status, "qc")
        level = {"approved": "info", "needs_review": "warn"}.get(verdict.status, "error")
        text = verdict.status.replace("_", " ")
        image_id = self._event(
            level,
            "qc",
            f"{where}: {text}"
            + (f" — {verdict.reason}" if verdict.reason else "")
            + f" (score {verdict.score:.2f})",
            data={
                "index": spec.index,
                "status": verdict.status,
                "score": verdict.score,
                "metrics": verdict.metrics,
            },
            progress=progress,
            image=row,
            counts=dict(self.counts),
        )
        if verdict.status == "approved":
            self.approved[image_id] = file

    def _failed(
        self,
        where: str,
        row: dict[str, Any],
        meta: dict[str, Any],
        failure: Failure,
        progress: float,
    ) -> None:
        """Record an image that failed a stage: ``processing_failed:<stage>``."""
        meta["failure"] = {"stage": failure.stage, "kind": failure.kind, "message": failure.message}
        row.update(
            qc_status="processing_failed",
            qc_reason=f"processing_failed:{failure.stage}",
            metadata=meta,
        )
        self._count("processing_failed", failure.stage)
        kind = f" ({failure.kind})" if failure.kind != "error" else ""
        self._event(
            "error",
            failure.stage,
            f"{where}: {failure.stage} failed{kind}: {failure.message}",
            data={"index": meta["index"], **meta["failure"]},
            progress=progress,
            image=row,
            counts=dict(self.counts),
        )

    def _count(self, status: str, stage: str) -> None:
        self.counts["total_images"] += 1
        if status in PRODUCED:
            self.counts["successful_images"] += 1
        else:
            self.counts["failed_images"] += 1
            self.failed_stages[stage] += 1
        self.counts["approved_images"] += status == "approved"
        self.counts["qc_failed_images"] += status == "qc_failed"

    def _no_image_reason(self) -> str:
        parts = [
            f"{n} failed QC" if stage == "qc" else f"{n} failed in {stage}"
            for stage, n in self.failed_stages.most_common()
        ]
        return "no image produced: " + ", ".join(parts)

    # -- finalise (→ 95) ----------------------------------------------------------------------

    def _finalise(self) -> None:
        """Move approved images into ``<job>/approved/``: link (or copy), repoint the rows in
        one transaction, then remove the originals, so a row never names a missing file."""
        self.stage = "finalise"
        folder = self.job_dir / APPROVED_DIR
        placed: dict[int, Path] = {}
        try:
            folder.mkdir(exist_ok=True)
            for image_id, source in self.approved.items():
                target = folder / source.name
                _link_or_copy(source, target)
                placed[image_id] = target
            self._event(
                "info",
                "finalise",
                f"{len(placed)} approved image(s) moved to {folder}",
                progress=FINALISED,
                data={"folder": str(folder), "images": len(placed)},
                image_paths={i: self._relative(p) for i, p in placed.items()},
            )
        except BaseException:
            for target in placed.values():
                target.unlink(missing_ok=True)
            raise
        for source in self.approved.values():
            source.unlink(missing_ok=True)

    def _relative(self, path: Path) -> str:
        """A path below the image root as stored: relative, with forward slashes."""
        return path.resolve().relative_to(self.root).as_posix()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _task(plan: JobPlan, spec: ImageSpec) -> RenderTask:
    return RenderTask(
        index=spec.index,
        prompt=spec.prompt,
        seed=spec.seed,
        width=plan.width,
        height=plan.height,
        generator=plan.generator,
        options=plan.generator_options,
        processing=plan.processing,
    )


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (same disk), else copy it."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
