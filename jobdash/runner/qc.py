"""Local quality control: blank, blurry, badly exposed, wrongly sized and duplicate images.

Everything is measured with numpy on the image itself; no model, no network. Each check
compares a metric to a threshold from :class:`QCThresholds`. A value past a threshold fails
the image (``qc_failed``) unless it is within ``review_margin`` of it, in which case a person
should look (``needs_review``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from PIL import Image

QC_VERDICTS: tuple[str, ...] = ("approved", "needs_review", "qc_failed")
_LUMA_MAX = 255.0


@dataclass(frozen=True)
class QCThresholds:
    """Thresholds of the local QC checks (the keys of the ``qc`` settings)."""

    min_std: float = 6.0
    """Standard deviation of the grayscale pixels below which the image is nearly blank."""
    min_brightness: float = 25.0
    """Mean luma (0-255) below which the image is too dark."""
    max_brightness: float = 230.0
    """Mean luma (0-255) above which the image is too bright."""
    min_sharpness: float = 50.0
    """Variance of the Laplacian of the grayscale image below which it is blurry."""
    size_tolerance: float = 0.01
    """Largest relative difference of width or height from the configured size."""
    duplicate_distance: int = 5
    """Hamming distance between perceptual hashes at or below which images are duplicates."""
    review_margin: float = 0.2
    """Relative band past a threshold where the verdict is needs_review instead of qc_failed."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"QC setting {f.name} must be a number >= 0, got {value!r}")
        if not self.min_brightness < self.max_brightness <= _LUMA_MAX:
            raise ValueError(
                "QC settings need min_brightness < max_brightness <= 255, got "
                f"{self.min_brightness} and {self.max_brightness}"
            )
        if self.review_margin >= 1:
            raise ValueError(f"QC setting review_margin must be below 1, got {self.review_margin}")
        if self.duplicate_distance != int(self.duplicate_distance) or self.duplicate_distance > 64:
            raise ValueError(
                "QC setting duplicate_distance must be an integer from 0 to 64, "
                f"got {self.duplicate_distance}"
            )

    @classmethod
    def from_settings(cls, settings: dict | None) -> QCThresholds:
        """Defaults overridden by ``settings``; None values are ignored, unknown keys refused."""
        settings = settings or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(f"Unknown QC setting(s) {unknown}; known: {', '.join(sorted(known))}")
        return cls(**{k: v for k, v in settings.items() if v is not None})


@dataclass(frozen=True)
class QCResult:
    """The verdict on one image."""

    status: str
    """``approved``, ``needs_review`` or ``qc_failed``."""
    reason: str
    """Why it is not approved, problems joined with ``"; "``; empty when approved."""
    score: float
    """Quality score in 0..1 from contrast, exposure and sharpness (higher is better)."""
    hash: int
    """64-bit perceptual hash (see :func:`phash`), to compare with later images of the job."""
    metrics: dict = field(default_factory=dict)
    """The measured values: std, brightness, sharpness, width, height and, when checked,
    size_deviation, nearest_image and nearest_distance (the closest earlier image)."""


def _gray(image: Image.Image) -> np.ndarray:
    """The grayscale (ITU-R 601 luma) pixels of ``image`` as float32."""
    return np.asarray(image.convert("L"), dtype=np.float32)


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of a 2-D array (0 for images under 3x3)."""
    if gray.shape[0] < 3 or gray.shape[1] < 3:
        return 0.0
    lap = (
        gray[1:-1, :-2] + gray[1:-1, 2:] + gray[:-2, 1:-1] + gray[2:, 1:-1] - 4.0 * gray[1:-1, 1:-1]
    )
    return float(lap.var())


def _dct_matrix(n: int) -> np.ndarray:
    """The orthonormal DCT-II matrix of size n x n."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m


_DCT32 = _dct_matrix(32)


def phash(image: Image.Image) -> int:
    """64-bit DCT perceptual hash.

    The grayscale image is resized to 32x32, transformed with a 2-D DCT, and the 8x8
    lowest-frequency coefficients are compared with their median: bit set = above the median
    (the classic pHash, as in the ``imagehash`` package). Similar images differ in few bits.
    """
    small = np.asarray(
        image.convert("L").resize((32, 32), Image.Resampling.LANCZOS), dtype=np.float64
    )
    low = (_DCT32 @ small @ _DCT32.T)[:8, :8].ravel()
    bits = low > np.median(low)
    return int("".join("1" if b else "0" for b in bits), 2)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two hashes."""
    return (a ^ b).bit_count()


def _grade_min(value: float, limit: float, margin: float) -> str:
    """``ok`` if value >= limit, ``review`` if within ``margin`` (relative) below, else ``fail``."""
    if value >= limit:
        return "ok"
    return "review" if value >= limit * (1 - margin) else "fail"


def _grade_max(value: float, limit: float, margin: float) -> str:
    """``ok`` if value <= limit, ``review`` if within ``margin`` (relative) above, else ``fail``."""
    if value <= limit:
        return "ok"
    return "review" if value <= limit * (1 + margin) else "fail"


def _score(std: float, brightness: float, sharpness: float, t: QCThresholds) -> float:
    """Mean of three 0..1 sub-scores: contrast, exposure (best at mid-grey) and sharpness."""
    contrast = min(1.0, std / (4 * t.min_std)) if t.min_std else 1.0
    exposure = 1.0 - (abs(brightness - 127.5) / 127.5) ** 2
    sharp = min(1.0, sharpness / (4 * t.min_sharpness)) if t.min_sharpness else 1.0
    return round((contrast + exposure + sharp) / 3, 3)


def check(
    image: Image.Image,
    thresholds: QCThresholds,
    expected_size: tuple[int, int] | None = None,
    previous: Sequence[tuple[int, int]] = (),
) -> QCResult:
    """Check one image.

    ``expected_size`` is the configured ``(width, height)``; ``previous`` holds
    ``(image_index, hash)`` of the job's earlier images, for duplicate detection. With
    several problems the worst verdict wins and every reason is given, failures first.
    Sharpness is not judged on a nearly blank image (it has no edges to be sharp).
    """
    t, m = thresholds, thresholds.review_margin
    gray = _gray(image)
    std, brightness = float(gray.std()), float(gray.mean())
    sharpness = laplacian_variance(gray)
    image_hash = phash(image)
    metrics: dict = {
        "std": round(std, 3),
        "brightness": round(brightness, 3),
        "sharpness": round(sharpness, 3),
        "width": image.width,
        "height": image.height,
    }
    problems: list[tuple[str, str]] = []  # (grade, reason)

    grade = _grade_min(std, t.min_std, m)
    if grade != "ok":
        problems.append((grade, f"Image is nearly blank (contrast {std:.1f} < {t.min_std:g})"))
    else:
        grade = _grade_min(sharpness, t.min_sharpness, m)
        if grade != "ok":
            problems.append(
                (grade, f"Image is blurry (sharpness {sharpness:.1f} < {t.min_sharpness:g})")
            )

    grade = _grade_min(brightness, t.min_brightness, m)
    if grade != "ok":
        problems.append(
            (grade, f"Too dark (mean brightness {brightness:.0f} < {t.min_brightness:g})")
        )
    # Overexposure is graded on the headroom left below white, so the margin means the same.
    grade = _grade_min(_LUMA_MAX - brightness, _LUMA_MAX - t.max_brightness, m)
    if grade != "ok":
        problems.append(
            (grade, f"Too bright (mean brightness {brightness:.0f} > {t.max_brightness:g})")
        )

    if expected_size is not None:
        ew, eh = expected_size
        if ew <= 0 or eh <= 0:
            raise ValueError(f"expected_size must be positive, got {expected_size}")
        deviation = max(abs(image.width - ew) / ew, abs(image.height - eh) / eh)
        metrics["size_deviation"] = round(deviation, 4)
        grade = _grade_max(deviation, t.size_tolerance, m)
        if grade != "ok":
            problems.append(
                (grade, f"Size {image.width}x{image.height} differs from the configured {ew}x{eh}")
            )

    if previous:
        distance, index = min((hamming(image_hash, h), i) for i, h in previous)
        metrics["nearest_image"], metrics["nearest_distance"] = index, distance
        # A duplicate is a distance at or *below* the threshold: grade distance >= limit + 1.
        grade = _grade_min(distance, t.duplicate_distance + 1, m)
        if grade != "ok":
            problems.append(
                (grade, f"Near-duplicate of image #{index} in this job (distance {distance})")
            )

    problems.sort(key=lambda p: p[0] != "fail")
    if not problems:
        status = "approved"
    else:
        status = "qc_failed" if problems[0][0] == "fail" else "needs_review"
    return QCResult(
        status=status,
        reason="; ".join(r for _, r in problems),
        score=_score(std, brightness, sharpness, t),
        hash=image_hash,
        metrics=metrics,
    )
