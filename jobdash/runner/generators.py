"""Image generators: the protocol, the built-in procedural generator, and plugin discovery.

A generator turns ``(prompt, seed, width, height, options)`` into a PIL image or raises a
:class:`GenerationError`. The built-in :class:`ProceduralGenerator` needs no model and no
network: it paints a varied abstract picture fully determined by its inputs, and can inject
faults on demand so the rest of the pipeline (retries, QC, failure analysis) can be exercised.

Third-party generators register a class under the entry-point group ``jobdash.generators``::

    [project.entry-points."jobdash.generators"]
    my_model = "my_package.module:MyGenerator"
"""

from __future__ import annotations

import colorsys
import hashlib
import logging
import math
import re
import time
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..errors import JobdashError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "jobdash.generators"
ERROR_KINDS: tuple[str, ...] = ("timeout", "error", "rate_limit", "content_policy")
FAULT_KINDS: tuple[str, ...] = ("timeout", "error", "blank", "blur")
MAX_SIDE = 8192


class GenerationError(JobdashError):
    """A generator could not produce an image; ``kind`` is one of :data:`ERROR_KINDS`."""

    def __init__(self, message: str, kind: str = "error"):
        if kind not in ERROR_KINDS:
            raise ValueError(
                f"Unknown generation error kind {kind!r}; use one of {', '.join(ERROR_KINDS)}"
            )
        super().__init__(message)
        self.kind = kind


class GenerationTimeout(GenerationError):
    """The generator did not answer in time."""

    def __init__(self, message: str = "Generation timed out"):
        super().__init__(message, kind="timeout")


@runtime_checkable
class Generator(Protocol):
    """What the pipeline needs from a generator."""

    name: str

    def generate(
        self, prompt: str, seed: int, width: int, height: int, options: dict
    ) -> Image.Image:
        """Return an image of ``width`` x ``height`` for ``prompt`` and ``seed``."""
        ...


# Colour words a prompt may mention, so "a red fox in blue snow" is painted red and blue.
_COLOUR_WORDS: dict[str, tuple[int, int, int]] = {
    "red": (220, 50, 47),
    "crimson": (190, 30, 60),
    "orange": (245, 140, 40),
    "amber": (250, 180, 40),
    "gold": (230, 190, 60),
    "golden": (230, 190, 60),
    "yellow": (245, 220, 70),
    "green": (70, 170, 80),
    "emerald": (30, 160, 110),
    "forest": (40, 110, 60),
    "teal": (30, 150, 150),
    "cyan": (60, 200, 220),
    "turquoise": (60, 210, 190),
    "blue": (50, 110, 220),
    "ocean": (30, 100, 170),
    "sea": (40, 120, 180),
    "sky": (120, 180, 240),
    "navy": (30, 50, 120),
    "purple": (140, 70, 190),
    "violet": (140, 90, 230),
    "magenta": (210, 60, 170),
    "pink": (240, 130, 180),
    "rose": (230, 100, 130),
    "brown": (140, 90, 50),
    "sand": (220, 190, 140),
    "desert": (220, 170, 110),
    "white": (240, 240, 235),
    "snow": (235, 240, 245),
    "gray": (130, 130, 135),
    "grey": (130, 130, 135),
    "silver": (190, 195, 200),
    "black": (25, 25, 30),
    "night": (30, 35, 70),
    "sunset": (250, 120, 70),
    "fire": (240, 90, 30),
    "ice": (180, 220, 240),
}
_WORD_RE = re.compile(r"[a-z0-9]+")


def _stable_int(*parts: object) -> int:
    """A 64-bit integer derived from ``parts``, identical across runs and machines."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _prompt_palette(prompt: str, rng: np.random.Generator) -> np.ndarray:
    """Four to six RGB colours (float, 0-255) from the prompt's words, jittered by ``rng``."""
    colours: list[tuple[float, float, float]] = []
    for word in _WORD_RE.findall(prompt.lower())[:12]:
        if word in _COLOUR_WORDS:
            colours.append(_COLOUR_WORDS[word])
        else:
            h = _stable_int("hue", word)
            hue, sat, val = (h % 360) / 360, 0.45 + (h >> 9) % 45 / 100, 0.6 + (h >> 17) % 35 / 100
            colours.append(tuple(255 * c for c in colorsys.hsv_to_rgb(hue, sat, val)))
    while len(colours) < 4:  # short prompts: complete with rotations of a seeded hue
        hue = (rng.random() + len(colours) * 0.27) % 1.0
        colours.append(tuple(255 * c for c in colorsys.hsv_to_rgb(hue, 0.55, 0.85)))
    palette = np.array(colours[:6], dtype=np.float32)
    palette += rng.normal(0, 12, palette.shape).astype(np.float32)
    return np.clip(palette, 0, 255)


def _background(
    rng: np.random.Generator, palette: np.ndarray, width: int, height: int
) -> np.ndarray:
    """A linear gradient between two palette colours, modulated by soft sinusoidal bands."""
    angle = rng.uniform(0, 2 * math.pi)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    t = (x / width) * math.cos(angle) + (y / height) * math.sin(angle)
    t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
    t += 0.08 * np.sin(t * rng.uniform(8, 30) + rng.uniform(0, 2 * math.pi))
    c1, c2 = palette[rng.choice(len(palette), 2, replace=False)]
    return np.clip(c1 * (1 - t)[..., None] + c2 * t[..., None], 0, 255)


def _draw_shapes(rng: np.random.Generator, palette: np.ndarray, image: Image.Image) -> None:
    """Paint translucent circles, polygons and bands in palette colours (lighter/darker)."""
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    side = min(width, height)
    for _ in range(int(rng.integers(7, 14))):
        colour = palette[rng.integers(len(palette))] * rng.uniform(0.45, 1.35)
        fill = (*(int(c) for c in np.clip(colour, 0, 255)), int(rng.integers(110, 230)))
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        size = rng.uniform(0.08, 0.35) * side
        shape = rng.integers(3)
        if shape == 0:
            draw.ellipse((cx - size, cy - size, cx + size, cy + size), fill=fill)
        elif shape == 1:
            n = int(rng.integers(3, 7))
            angles = np.sort(rng.uniform(0, 2 * math.pi, n))
            radii = rng.uniform(0.5, 1.0, n) * size
            points = [
                (cx + r * math.cos(a), cy + r * math.sin(a))
                for a, r in zip(angles, radii, strict=True)
            ]
            draw.polygon(points, fill=fill)
        else:
            dx, dy = math.cos(a := rng.uniform(0, math.pi)), math.sin(a)
            reach = width + height
            draw.line(
                (cx - dx * reach, cy - dy * reach, cx + dx * reach, cy + dy * reach),
                fill=fill,
                width=max(2, int(size / 3)),
            )


def _expose(pixels: np.ndarray, low: float = 70.0, high: float = 190.0) -> np.ndarray:
    """Shift the image so its mean luma lies in ``[low, high]`` (dark or pale palettes)."""
    luma = float((pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).mean())
    if luma < low:
        pixels = pixels + (low - luma)
    elif luma > high:
        pixels = pixels - (luma - high)
    return pixels


class ProceduralGenerator:
    """Paints an abstract picture determined by ``(prompt, seed, width, height)``.

    The prompt's words choose the palette (colour words are honoured), the seed the layout:
    a banded gradient, 7-13 translucent circles, polygons and bands, then fine grain.

    Options (all optional; other keys are ignored):

    - ``delay_s`` (float >= 0): sleep this long per image, to mimic a slow model.
    - ``fault_rate`` (0..1): probability, decided from prompt and seed, of injecting a fault.
    - ``faults`` (list of ``"timeout"``, ``"error"``, ``"blank"``, ``"blur"``; default all):
      the faults to choose from. ``timeout`` raises :class:`GenerationTimeout`, ``error``
      raises :class:`GenerationError`, ``blank`` returns a near-uniform image and ``blur`` a
      heavily blurred one (both made to fail QC).
    """

    name = "procedural"

    def generate(
        self, prompt: str, seed: int, width: int, height: int, options: dict | None = None
    ) -> Image.Image:
        """Return an RGB image of ``width`` x ``height``; see the class docstring for options."""
        for label, side in (("width", width), ("height", height)):
            if not isinstance(side, (int, np.integer)) or not 1 <= side <= MAX_SIDE:
                raise ValueError(
                    f"Image {label} must be an integer from 1 to {MAX_SIDE}, got {side!r}"
                )
        width, height = int(width), int(height)
        delay, fault = self._read_options(prompt, seed, options or {})
        if delay:
            time.sleep(delay)
        if fault == "timeout":
            raise GenerationTimeout("Generation timed out after 60s")
        if fault == "error":
            raise GenerationError(
                "The generator failed with an internal error (injected fault)", kind="error"
            )

        rng = np.random.default_rng(_stable_int("image", prompt, seed))
        palette = _prompt_palette(prompt, rng)
        if fault == "blank":
            colour = np.clip(_expose(palette.mean(axis=0)[None, None, :]), 0, 255)
            noise = rng.normal(0, 0.4, (height, width, 1))
            return Image.fromarray(np.clip(colour + noise, 0, 255).astype(np.uint8), "RGB")

        image = Image.fromarray(_background(rng, palette, width, height).astype(np.uint8), "RGB")
        _draw_shapes(rng, palette, image)
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + rng.normal(0, 7, (height, width, 1)).astype(np.float32)
        image = Image.fromarray(np.clip(_expose(pixels), 0, 255).astype(np.uint8), "RGB")
        if fault == "blur":
            image = image.filter(ImageFilter.GaussianBlur(radius=max(4.0, min(width, height) / 40)))
        return image

    @staticmethod
    def _read_options(prompt: str, seed: int, options: dict[str, Any]) -> tuple[float, str | None]:
        """Validate the options; return the delay and the fault to inject (or None)."""
        delay = float(options.get("delay_s") or 0.0)
        rate = float(options.get("fault_rate") or 0.0)
        faults = options.get("faults") or list(FAULT_KINDS)
        faults = [faults] if isinstance(faults, str) else list(faults)
        if delay < 0:
            raise ValueError(f"delay_s must be >= 0, got {delay}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {rate}")
        unknown = [f for f in faults if f not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"Unknown fault(s) {unknown}; use any of {', '.join(FAULT_KINDS)}")
        if rate == 0.0:
            return delay, None
        rng = np.random.default_rng(_stable_int("fault", prompt, seed))
        if rng.random() >= rate:
            return delay, None
        return delay, faults[int(rng.integers(len(faults)))]


def available_generators() -> dict[str, type]:
    """Generator classes by name: the built-in ``procedural`` plus installed plugins.

    Plugins are the entry points of the group ``jobdash.generators``. One that fails to
    load, is not a class with a ``generate`` method, or claims an already-taken name is
    skipped with a warning.
    """
    found: dict[str, type] = {ProceduralGenerator.name: ProceduralGenerator}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception as exc:  # any broken plugin must not break the runner
            log.warning("Skipping generator plugin %r (%s): %s", ep.name, ep.value, exc)
            continue
        if not isinstance(cls, type) or not callable(getattr(cls, "generate", None)):
            log.warning(
                "Skipping generator plugin %r (%s): not a class with a generate() method",
                ep.name,
                ep.value,
            )
        elif ep.name in found and found[ep.name] is not cls:
            log.warning(
                "Skipping generator plugin %r (%s): the name is already taken by %s",
                ep.name,
                ep.value,
                found[ep.name].__qualname__,
            )
        else:
            found[ep.name] = cls
    return found


def get_generator(name: str) -> Generator:
    """Instantiate the generator called ``name``; ``KeyError`` lists the available names."""
    classes = available_generators()
    if name not in classes:
        raise KeyError(f"Unknown generator {name!r}; available: {', '.join(sorted(classes))}")
    return classes[name]()
