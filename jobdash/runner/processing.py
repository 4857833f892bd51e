"""Post-processing of generated images (trim, enhance) and saving them with a thumbnail.

Every failure inside a stage is re-raised as :class:`ProcessingError` naming the stage, so
the pipeline can record ``processing_failed:<stage>`` for the image. Bad arguments from the
caller (an unsafe file stem, an unknown format) are a ``ValueError`` before any work starts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PIL import Image, ImageChops, ImageEnhance, features

from ..errors import JobdashError

STAGES: tuple[str, ...] = ("trim", "enhance", "convert", "save_final", "thumbnail")
TRIM_TOLERANCE = 10
"""Largest per-channel difference from the corner colour still counted as border."""

_ENHANCERS = {
    "sharpness": ImageEnhance.Sharpness,
    "contrast": ImageEnhance.Contrast,
    "saturation": ImageEnhance.Color,
    "brightness": ImageEnhance.Brightness,
}
_FORMATS = {
    "png": ("PNG", "png"),
    "jpg": ("JPEG", "jpg"),
    "jpeg": ("JPEG", "jpg"),
    "webp": ("WEBP", "webp"),
}
_THUMB_FORMAT, THUMB_EXT = ("WEBP", "webp") if features.check("webp") else ("JPEG", "jpg")
EXTENSIONS = frozenset(ext for _, ext in _FORMATS.values()) | {THUMB_EXT}
"""File name extensions :func:`save` writes (images and thumbnails)."""
THUMBS_DIR = "thumbs"
"""Folder, beside the images, of their thumbnails."""
_STEM_RE = re.compile(r"[A-Za-z0-9._-]{1,200}")


class ProcessingError(JobdashError):
    """A post-processing stage failed; ``stage`` is one of :data:`STAGES`."""

    def __init__(self, stage: str, message: str):
        if stage not in STAGES:
            raise ValueError(f"Unknown processing stage {stage!r}; use one of {', '.join(STAGES)}")
        super().__init__(f"{stage}: {message}")
        self.stage = stage


def trim(image: Image.Image, tolerance: int = TRIM_TOLERANCE) -> Image.Image:
    """Crop the border whose colour matches the top-left corner within ``tolerance``.

    An image that is all border is returned unchanged (there is nothing to keep).
    """
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    background = Image.new(image.mode, image.size, image.getpixel((0, 0)))
    diff = ImageChops.difference(image, background)
    if diff.mode != "L":
        diff = _channel_max(diff)
    bbox = diff.point(lambda v: 255 if v > tolerance else 0).getbbox()
    return image.crop(bbox) if bbox and bbox != (0, 0, *image.size) else image


def _channel_max(image: Image.Image) -> Image.Image:
    """The per-pixel maximum over the bands of a multi-band image, as an ``L`` image."""
    bands = image.split()
    result = bands[0]
    for band in bands[1:]:
        result = ImageChops.lighter(result, band)
    return result


def enhance(image: Image.Image, factors: dict[str, float]) -> Image.Image:
    """Apply ImageEnhance factors (``sharpness``, ``contrast``, ``saturation``,
    ``brightness``); 1.0 or a missing key leaves that property unchanged."""
    unknown = sorted(set(factors) - set(_ENHANCERS))
    if unknown:
        raise ValueError(f"Unknown enhance option(s) {unknown}; use any of {', '.join(_ENHANCERS)}")
    for key, enhancer in _ENHANCERS.items():
        factor = factors.get(key)
        if factor is None or float(factor) == 1.0:
            continue
        if float(factor) < 0:
            raise ValueError(f"Enhance factor {key} must be >= 0, got {factor}")
        image = enhancer(image).enhance(float(factor))
    return image


def process(image: Image.Image, options: dict) -> Image.Image:
    """Run the configured stages on ``image`` and return the result.

    Reads ``options["trim"]`` (bool) and ``options["enhance"]`` (dict of factors, see
    :func:`enhance`); other keys are ignored. A failing stage raises :class:`ProcessingError`.
    """
    if options.get("trim"):
        try:
            image = trim(image)
        except Exception as exc:
            raise ProcessingError("trim", str(exc)) from exc
    factors = options.get("enhance") or {}
    if factors:
        try:
            if not isinstance(factors, dict):
                raise TypeError(f"enhance must be a dict of factors, got {type(factors).__name__}")
            image = enhance(image, factors)
        except Exception as exc:
            raise ProcessingError("enhance", str(exc)) from exc
    return image


def check_stem(stem: str) -> str:
    """Return ``stem`` if it is a safe file name stem, else raise ``ValueError``."""
    if not isinstance(stem, str) or not _STEM_RE.fullmatch(stem) or ".." in stem or stem == ".":
        raise ValueError(f"Unsafe file name {stem!r}: use 1-200 of A-Z a-z 0-9 . _ - and no '..'")
    return stem


def _for_format(image: Image.Image, pil_format: str) -> Image.Image:
    """Convert ``image`` to a mode the target format can store."""
    if pil_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def part_name(name: str) -> str:
    """Name of the hidden temporary file a file called ``name`` is written to first."""
    return f".{name}.part"


def _write(image: Image.Image, path: Path, pil_format: str, **params: object) -> None:
    """Write ``image`` atomically: to a hidden temporary file, then rename over ``path``."""
    tmp = path.with_name(part_name(path.name))
    try:
        image.save(tmp, format=pil_format, **params)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save(
    image: Image.Image,
    dest_dir: Path,
    stem: str,
    fmt: str,
    quality: int = 90,
    thumb_size: int = 256,
) -> tuple[Path, Path]:
    """Save ``image`` as ``dest_dir/<stem>.<ext>`` and a thumbnail in ``dest_dir/thumbs/``.

    ``fmt`` is ``png``, ``jpg``/``jpeg`` or ``webp`` (JPEG drops transparency); ``quality``
    (1-100) applies to JPEG and WebP. The thumbnail is WebP (JPEG if this Pillow lacks WebP)
    with its longest side at most ``thumb_size``. Returns ``(file_path, thumbnail_path)``.
    """
    check_stem(stem)
    if fmt.lower() not in _FORMATS:
        raise ValueError(f"Unsupported image format {fmt!r}; use png, jpg or webp")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be from 1 to 100, got {quality}")
    if thumb_size < 1:
        raise ValueError(f"thumb_size must be positive, got {thumb_size}")
    pil_format, ext = _FORMATS[fmt.lower()]
    dest_dir = Path(dest_dir)

    try:
        final = _for_format(image, pil_format)
    except Exception as exc:
        raise ProcessingError("convert", str(exc)) from exc

    file_path = dest_dir / f"{stem}.{ext}"
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        params = {} if pil_format == "PNG" else {"quality": quality}
        _write(final, file_path, pil_format, **params)
    except Exception as exc:
        raise ProcessingError("save_final", f"could not write {file_path}: {exc}") from exc

    thumb_path = dest_dir / THUMBS_DIR / f"{stem}.{THUMB_EXT}"
    write_thumbnail(final, thumb_path, thumb_size)
    return file_path, thumb_path


def write_thumbnail(image: Image.Image, path: Path, size: int = 256) -> None:
    """Write the thumbnail of ``image`` to ``path`` (a name ending in :data:`THUMB_EXT`),
    its longest side at most ``size``, making its folder; ProcessingError ("thumbnail")
    when it cannot be written."""
    try:
        thumb = _for_format(image, _THUMB_FORMAT).copy()
        thumb.thumbnail((size, size))
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(thumb, path, _THUMB_FORMAT, quality=80)
    except Exception as exc:
        raise ProcessingError("thumbnail", f"could not write {path}: {exc}") from exc
