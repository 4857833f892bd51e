"""Title, description and tags from the prompt and the pixels."""

from __future__ import annotations

from PIL import Image

from jobdash.runner.generators import ProceduralGenerator
from jobdash.runner.metadata import colour_names, describe, orientation


def test_title_description_and_tags_from_prompt_and_pixels():
    meta = describe("a red fox sleeping in the snow", Image.new("RGB", (300, 200), (200, 30, 30)))
    assert meta["title"] == "Red Fox Sleeping Snow"
    assert meta["description"] == (
        "A red fox sleeping in the snow. A landscape image in red tones."
    )
    assert meta["tags"] == ["red", "fox", "sleeping", "snow", "landscape"]


def test_is_deterministic_and_tags_are_unique_lowercase():
    prompt = "Neon CITY street, neon rain, night, NEON"
    image = ProceduralGenerator().generate(prompt, 4, 128, 192, {})
    meta = describe(prompt, image)
    assert meta == describe(prompt, image)
    tags = meta["tags"]
    assert 5 <= len(tags) <= 15
    assert len(set(tags)) == len(tags)
    assert all(tag == tag.lower() for tag in tags)
    assert "portrait" in tags and tags.count("neon") == 1
    assert meta["title"].startswith("Neon CITY Street Rain Night")


def test_long_prompts_are_capped():
    prompt = " ".join(f"word{i}" for i in range(60)) + ". Second sentence here."
    meta = describe(prompt, Image.new("RGB", (64, 64), "white"))
    assert len(meta["title"]) <= 70
    assert len(meta["tags"]) == 15
    assert "Second" not in meta["description"]
    assert meta["description"].endswith("A square image in white tones.")


def test_empty_prompt_still_gets_enough_tags():
    meta = describe("", Image.new("RGB", (64, 128), (5, 5, 5)))
    assert meta["title"] == "Untitled Image"
    assert meta["description"] == "A portrait image in black tones."
    assert len(meta["tags"]) == 5 and meta["tags"][:2] == ["black", "portrait"]


def test_colour_names_and_orientation():
    image = Image.new("RGB", (100, 100), (30, 80, 220))
    image.paste((250, 220, 40), (0, 0, 100, 40))
    assert colour_names(image) == ["blue", "yellow"]
    assert colour_names(Image.new("RGB", (10, 10), (128, 128, 128))) == ["gray"]
    assert orientation(Image.new("RGB", (105, 100))) == "square"
