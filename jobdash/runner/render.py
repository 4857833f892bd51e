"""The part of one image that an executor may run anywhere: generate, then post-process.

:func:`render` is a pure, picklable function of a :class:`RenderTask`; it touches neither
the database nor the image folder, so it can run in the runner's thread or on a Dask worker.
Expected failures (a generator error or timeout, a failing processing stage) come back as a
:class:`Failure` in the result; anything else is a bug and is raised.
"""

from __future__ import annotations

import functools
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .generators import GenerationError, Generator, get_generator
from .processing import ProcessingError, process


@dataclass(frozen=True)
class RenderTask:
    """Everything needed to make one image."""

    index: int
    prompt: str
    seed: int
    width: int
    height: int
    generator: str
    options: dict[str, Any]
    processing: dict[str, Any]


@dataclass(frozen=True)
class Failure:
    """Why an image could not be made: the stage, a kind (e.g. ``timeout``) and a message."""

    stage: str
    kind: str
    message: str


@dataclass(frozen=True)
class Rendered:
    """The result of :func:`render`: an image, or the failure that prevented it."""

    index: int
    image: Image.Image | None
    failure: Failure | None
    generate_s: float
    process_s: float
    worker: str


def processing_stages(options: dict[str, Any]) -> list[str]:
    """The post-processing stages ``options`` switch on, in the order they run."""
    return [stage for stage in ("trim", "enhance") if options.get(stage)]


@functools.lru_cache(maxsize=16)
def _generator(name: str) -> Generator:
    # One instance per process: a plugin may load a model when it is created.
    return get_generator(name)


def render(task: RenderTask) -> Rendered:
    """Generate and post-process one image."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    started = time.perf_counter()
    try:
        image = _generator(task.generator).generate(
            task.prompt, task.seed, task.width, task.height, task.options
        )
    except GenerationError as exc:
        return Rendered(
            task.index,
            None,
            Failure("generate", exc.kind, str(exc)),
            time.perf_counter() - started,
            0.0,
            worker,
        )
    generated = time.perf_counter()
    try:
        image = process(image, task.processing)
    except ProcessingError as exc:
        return Rendered(
            task.index,
            None,
            Failure(exc.stage, "error", str(exc)),
            generated - started,
            time.perf_counter() - generated,
            worker,
        )
    return Rendered(
        task.index, image, None, generated - started, time.perf_counter() - generated, worker
    )
