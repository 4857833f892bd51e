"""Local QC on crafted images: blank, dark, bright, blurry, wrong size, duplicates."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from jobdash.runner.generators import ProceduralGenerator
from jobdash.runner.qc import QCResult, QCThresholds, check, hamming, phash

T = QCThresholds()


def textured(mean=128.0, spread=40.0, size=(256, 256), seed=0):
    """Sharp random texture around ``mean`` (luma), as RGB."""
    rng = np.random.default_rng(seed)
    grey = np.clip(rng.normal(mean, spread, (size[1], size[0])), 0, 255).astype(np.uint8)
    return Image.fromarray(grey, "L").convert("RGB")


@pytest.fixture(scope="module")
def good():
    return ProceduralGenerator().generate("a lighthouse on a cliff at dawn", 11, 256, 256, {})


def test_a_good_procedural_image_is_approved(good):
    result = check(good, T, expected_size=(256, 256))
    assert isinstance(result, QCResult)
    assert (result.status, result.reason) == ("approved", "")
    assert 0.7 <= result.score <= 1.0
    assert result.metrics["width"] == 256 and result.metrics["size_deviation"] == 0


def test_uniform_image_is_nearly_blank():
    result = check(Image.new("RGB", (128, 128), (120, 130, 140)), T)
    assert result.status == "qc_failed"
    assert result.reason == "Image is nearly blank (contrast 0.0 < 6)"
    assert result.score < 0.6


def test_dark_image():
    result = check(textured(mean=8, spread=6), T)
    assert result.status == "qc_failed"
    assert result.reason.startswith("Too dark (mean brightness ")


def test_bright_image():
    result = check(textured(mean=250, spread=8), T)
    assert result.status == "qc_failed"
    assert "Too bright" in result.reason


def test_blurred_image(good):
    result = check(good.filter(ImageFilter.GaussianBlur(6)), T)
    assert result.status == "qc_failed"
    assert result.reason.startswith("Image is blurry (sharpness ")
    assert result.metrics["sharpness"] < T.min_sharpness


def test_wrong_size():
    result = check(textured(size=(500, 512)), T, expected_size=(512, 512))
    assert result.status == "qc_failed"
    assert result.reason == "Size 500x512 differs from the configured 512x512"


def test_size_within_tolerance_is_fine():
    assert check(textured(size=(510, 512)), T, expected_size=(512, 512)).status == "approved"


def test_same_image_twice_is_a_duplicate(good):
    first = check(good, T)
    second = check(good.copy(), T, previous=[(1, 2**63 + 5), (3, first.hash)])
    assert second.status == "qc_failed"
    assert second.reason == "Near-duplicate of image #3 in this job (distance 0)"
    assert second.metrics["nearest_image"] == 3


def test_a_different_image_is_not_a_duplicate(good):
    other = ProceduralGenerator().generate("a lighthouse on a cliff at dawn", 12, 256, 256, {})
    result = check(other, T, previous=[(0, phash(good))])
    assert result.status == "approved"
    assert result.metrics["nearest_distance"] > T.duplicate_distance


def test_phash_is_robust_to_small_changes_and_64_bit(good):
    h = phash(good)
    assert 0 <= h < 2**64
    assert hamming(h, phash(good.resize((200, 200)))) <= 4
    assert hamming(h, phash(good.transpose(Image.Transpose.FLIP_LEFT_RIGHT))) > 10


def test_close_to_a_threshold_needs_review_not_failure():
    # Mean ~22 is below min_brightness 25 but within the 20 % review margin.
    result = check(textured(mean=22, spread=12), T)
    assert result.status == "needs_review"
    assert result.reason.startswith("Too dark")


def test_worst_verdict_wins_and_all_reasons_are_given():
    result = check(textured(mean=22, spread=12, size=(100, 50)), T, expected_size=(50, 50))
    assert result.status == "qc_failed"
    assert result.reason.split("; ")[0].startswith("Size 100x50")
    assert "Too dark" in result.reason


def test_thresholds_from_settings():
    t = QCThresholds.from_settings({"min_sharpness": 10, "min_std": None})
    assert t.min_sharpness == 10 and t.min_std == QCThresholds().min_std
    assert QCThresholds.from_settings(None) == QCThresholds()


@pytest.mark.parametrize(
    "settings",
    [
        {"min_sharpnes": 10},
        {"min_std": -1},
        {"min_brightness": 200, "max_brightness": 100},
        {"review_margin": 1.5},
        {"duplicate_distance": 2.5},
        {"min_std": "high"},
    ],
)
def test_bad_settings_are_refused(settings):
    with pytest.raises(ValueError):
        QCThresholds.from_settings(settings)


def test_stricter_thresholds_change_the_verdict(good):
    strict = QCThresholds.from_settings({"min_sharpness": 1e9, "review_margin": 0})
    assert check(good, strict).status == "qc_failed"
