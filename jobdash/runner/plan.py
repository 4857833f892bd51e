"""Read a job's as-run settings into a validated plan: which prompts, seeds, sizes, generator,
post-processing and QC thresholds the pipeline will use.

Settings keys (all but ``prompt_template`` optional)::

    {"prompt_template": "A {keyword} at dawn", "keywords": ["lake", "forest"],
     "count": 2, "variations": 3, "width": 512, "height": 512, "format": "png", "seed": 7,
     "generator": {"name": "procedural", "delay_s": 0, "fault_rate": 0, "faults": [...]},
     "processing": {"trim": false, "enhance": {"contrast": 1.1}, "quality": 90,
                    "thumb_size": 256},
     "qc": {"min_std": 6, "min_sharpness": 50, ...}}

``count`` generations, each with the next keyword (in order, cycling) substituted for
``{keyword}``, each drawn ``variations`` times with different seeds. Without ``seed`` the
job id seeds the run, so every run differs; with it, a rerun draws the same images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from .qc import QCThresholds

FORMATS = ("png", "jpg", "jpeg", "webp")
MAX_IMAGES = 10_000
MAX_SIDE = 8192
KEYWORD = "{keyword}"


@dataclass(frozen=True)
class ImageSpec:
    """One image to make: its 1-based index, prompt and seed."""

    index: int
    generation: int
    variation: int
    keyword: str | None
    prompt: str
    seed: int

    @property
    def stem(self) -> str:
        """File name without extension: ``img_0001``."""
        return f"img_{self.index:04d}"


@dataclass(frozen=True)
class JobPlan:
    """The validated settings of one run."""

    prompt_template: str
    keywords: tuple[str, ...]
    count: int
    variations: int
    width: int
    height: int
    format: str
    seed: int
    generator: str
    generator_options: dict[str, Any]
    processing: dict[str, Any]
    quality: int
    thumb_size: int
    qc: QCThresholds

    @property
    def total(self) -> int:
        """Number of images the run makes."""
        return self.count * self.variations

    def images(self) -> list[ImageSpec]:
        """Every image of the run, in order."""
        specs = []
        for g in range(self.count):
            keyword = self.keywords[g % len(self.keywords)] if self.keywords else None
            prompt = " ".join(self.prompt_template.replace(KEYWORD, keyword or "").split())
            for v in range(self.variations):
                index = g * self.variations + v + 1
                specs.append(
                    ImageSpec(
                        index=index,
                        generation=g + 1,
                        variation=v + 1,
                        keyword=keyword,
                        prompt=prompt,
                        seed=(self.seed * 1_000_003 + index) % 2**31,
                    )
                )
        return specs

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None, default_seed: int) -> JobPlan:
        """Validate ``settings``; a ValidationError names the first offending key."""
        if not isinstance(settings, dict):
            raise ValidationError(
                "settings: this job has no as-run settings to run with", "settings"
            )
        template = settings.get("prompt_template")
        if not isinstance(template, str) or not template.strip():
            raise ValidationError(
                'prompt_template: give the prompt text, e.g. "A {keyword} at dawn"',
                "prompt_template",
            )
        count = _int(settings, "count", 1, 1, MAX_IMAGES)
        variations = _int(settings, "variations", 1, 1, MAX_IMAGES)
        if count * variations > MAX_IMAGES:
            raise ValidationError(
                f"count × variations: {count * variations} images, at most {MAX_IMAGES} per job",
                "count",
            )
        fmt = str(settings.get("format", "png")).lower()
        if fmt not in FORMATS:
            raise ValidationError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}", "format")
        generator = settings.get("generator") or {}
        if isinstance(generator, str):
            generator = {"name": generator}
        if not isinstance(generator, dict):
            raise ValidationError("generator: give a mapping with at least a name", "generator")
        processing = settings.get("processing") or {}
        if not isinstance(processing, dict):
            raise ValidationError("processing: must be a mapping", "processing")
        try:
            qc = QCThresholds.from_settings(settings.get("qc"))
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"qc: {exc}", "qc") from None
        seed = default_seed if settings.get("seed") is None else settings["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValidationError(f"seed: {seed!r} is not a whole number", "seed")
        return cls(
            prompt_template=template.strip(),
            keywords=_keywords(settings.get("keywords")),
            count=count,
            variations=variations,
            width=_int(settings, "width", 512, 1, MAX_SIDE),
            height=_int(settings, "height", 512, 1, MAX_SIDE),
            format=fmt,
            seed=seed,
            generator=str(generator.get("name", "procedural")),
            generator_options={k: v for k, v in generator.items() if k != "name"},
            processing=processing,
            quality=_int(processing, "quality", 90, 1, 100),
            thumb_size=_int(processing, "thumb_size", 256, 16, 2048),
            qc=qc,
        )


def _int(settings: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{key}: {value!r} is not a whole number from {low} to {high}", key)
    return value


def _keywords(value: Any) -> tuple[str, ...]:
    """Keywords as a list, or one comma-separated string; blanks dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(k, str) for k in value):
        raise ValidationError(
            "keywords: give a list of words or one comma-separated string", "keywords"
        )
    return tuple(k.strip() for k in value if k.strip())
