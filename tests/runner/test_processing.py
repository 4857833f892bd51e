"""Post-processing stages and saving images with thumbnails."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageStat

from jobdash.runner import processing
from jobdash.runner.processing import ProcessingError, process, save


def framed(size=(120, 80), box=(30, 20, 90, 60)):
    """A white canvas with a red rectangle inside ``box`` (inclusive corners)."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle(box, fill=(200, 30, 30))
    return image


def noisy(size=(300, 200), seed=0):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")


def test_trim_crops_the_uniform_border():
    assert process(framed(), {"trim": True}).size == (61, 41)


def test_trim_off_or_nothing_to_trim_keeps_the_image():
    assert process(framed(), {}).size == (120, 80)
    assert process(Image.new("RGB", (50, 40), "white"), {"trim": True}).size == (50, 40)
    assert process(noisy(), {"trim": True}).size == (300, 200)


def test_trim_handles_palette_images():
    assert process(framed().convert("P"), {"trim": True}).size == (61, 41)


def test_enhance_defaults_are_a_no_op():
    image = noisy()
    out = process(image, {"enhance": {"sharpness": 1.0, "contrast": 1.0}})
    assert np.array_equal(np.asarray(out), np.asarray(image))


def test_enhance_brightness_and_saturation():
    image = Image.new("RGB", (20, 20), (100, 60, 20))
    brighter = process(image, {"enhance": {"brightness": 1.5}})

    def luma(im):
        return ImageStat.Stat(im.convert("L")).mean[0]

    assert luma(brighter) > luma(image) + 20
    grey = process(image, {"enhance": {"saturation": 0.0}})
    r, g, b = grey.getpixel((5, 5))
    assert max(r, g, b) - min(r, g, b) <= 1


@pytest.mark.parametrize(
    "factors", [{"sparkle": 2.0}, {"contrast": -1}, {"contrast": "lots"}, [1.2]]
)
def test_bad_enhance_options_fail_the_enhance_stage(factors):
    with pytest.raises(ProcessingError) as info:
        process(noisy(), {"enhance": factors})
    assert info.value.stage == "enhance"


def test_a_failing_trim_is_reported_as_the_trim_stage(monkeypatch):
    def explode(image, tolerance=0):
        raise OSError("disk on fire")

    monkeypatch.setattr(processing, "trim", explode)
    with pytest.raises(ProcessingError) as info:
        process(framed(), {"trim": True})
    assert info.value.stage == "trim"
    assert "disk on fire" in str(info.value)


@pytest.mark.parametrize(
    "fmt, ext, pil_format",
    [
        ("png", "png", "PNG"),
        ("jpg", "jpg", "JPEG"),
        ("jpeg", "jpg", "JPEG"),
        ("webp", "webp", "WEBP"),
    ],
)
def test_save_writes_the_format_and_a_small_thumbnail(tmp_path, fmt, ext, pil_format):
    path, thumb = save(noisy((600, 300)), tmp_path / "out" / "job-1", "img_001", fmt)
    assert path == tmp_path / "out" / "job-1" / f"img_001.{ext}"
    assert thumb.parent == path.parent / "thumbs" and thumb.stem == "img_001"
    with Image.open(path) as saved:
        assert saved.format == pil_format and saved.size == (600, 300)
    with Image.open(thumb) as small:
        assert max(small.size) == 256 and small.size[0] == 2 * small.size[1]
    written = sorted(p.name for p in path.parent.rglob("*"))
    assert written == sorted(["thumbs", path.name, thumb.name])


def test_save_jpeg_drops_alpha_and_honours_thumb_size(tmp_path):
    image = Image.new("RGBA", (100, 400), (10, 200, 10, 128))
    path, thumb = save(image, tmp_path, "alpha", "jpg", quality=70, thumb_size=64)
    with Image.open(path) as saved:
        assert saved.mode == "RGB"
    with Image.open(thumb) as small:
        assert small.size == (16, 64)


def test_save_overwrites_an_existing_file(tmp_path):
    save(Image.new("RGB", (10, 10), "red"), tmp_path, "same", "png")
    path, _ = save(Image.new("RGB", (10, 10), "blue"), tmp_path, "same", "png")
    with Image.open(path) as saved:
        assert saved.getpixel((0, 0)) == (0, 0, 255)


@pytest.mark.parametrize(
    "stem",
    ["../evil", "a/b", "a\\b", "..", ".", "", "name with space", "ümlaut", "x" * 201, "a..b"],
)
def test_unsafe_stems_are_rejected(tmp_path, stem):
    with pytest.raises(ValueError):
        save(noisy(), tmp_path, stem, "png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs", [{"fmt": "gif"}, {"fmt": "png", "quality": 0}, {"fmt": "png", "thumb_size": 0}]
)
def test_bad_save_arguments_are_rejected(tmp_path, kwargs):
    with pytest.raises(ValueError):
        save(noisy(), tmp_path, "ok", **kwargs)


def test_unwritable_destination_fails_the_save_final_stage(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ProcessingError) as info:
        save(noisy(), blocker, "img", "png")
    assert info.value.stage == "save_final"


def test_unwritable_thumbnail_folder_fails_the_thumbnail_stage(tmp_path):
    (tmp_path / "thumbs").write_text("in the way")
    with pytest.raises(ProcessingError) as info:
        save(noisy(), tmp_path, "img", "png")
    assert info.value.stage == "thumbnail"
    assert (tmp_path / "img.png").exists()
