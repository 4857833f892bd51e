"""Title, description and tags for a generated image, from its prompt and its pixels.

Deterministic and local: the words come from the prompt (minus stop words), the colour names
and the orientation are measured on the image. No model, no network.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

TITLE_MAX = 70
MIN_TAGS, MAX_TAGS = 5, 15
_FALLBACK_TAGS = ("generated", "digital art", "abstract", "artwork", "illustration")
# Words that say nothing about the picture: never a tag or a title word.
_STOP_TEXT = """
a about above after again against all also an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our out over own same she should so some
such than that the their them then there these they this those through to too under until up
was we were what when where which while who whom why will with would you your
very highly ultra detailed high quality resolution 4k 8k hd image picture photo style
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")
# Hue sectors (upper bound in degrees) and their names; red wraps around 360.
_HUES = (
    (15, "red"),
    (40, "orange"),
    (68, "yellow"),
    (160, "green"),
    (195, "teal"),
    (255, "blue"),
    (290, "purple"),
    (335, "pink"),
    (360, "red"),
)


def _main_words(prompt: str) -> list[str]:
    """The prompt's words that carry meaning, in order, without repeats (case-insensitive)."""
    seen: set[str] = set()
    words = []
    for word in _WORD_RE.findall(prompt):
        key = word.lower()
        if key in _STOP_WORDS or key in seen or key.isdigit() or len(key) < 2:
            continue
        seen.add(key)
        words.append(word)
    return words


def _title(words: list[str]) -> str:
    """Title-case ``words`` (acronyms kept) up to :data:`TITLE_MAX` characters."""
    title = ""
    for word in words:
        shown = word if word.isupper() and len(word) > 1 else word[0].upper() + word[1:].lower()
        candidate = f"{title} {shown}".strip()
        if len(candidate) > TITLE_MAX:
            break
        title = candidate
    return title or "Untitled Image"


def colour_names(image: Image.Image, top: int = 3, min_share: float = 0.1) -> list[str]:
    """Names of the dominant colours (at most ``top``, each covering >= ``min_share``)."""
    small = image.convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    hsv = np.asarray(small.convert("HSV"), dtype=np.float32).reshape(-1, 3) / 255.0
    hue, sat, val = hsv[:, 0] * 360.0, hsv[:, 1], hsv[:, 2]
    bounds = np.array([b for b, _ in _HUES])
    names = np.array([n for _, n in _HUES] + ["black", "white", "gray"])
    index = np.searchsorted(bounds, hue, side="right").clip(0, len(_HUES) - 1)
    index[sat < 0.18] = len(_HUES) + 2  # gray unless very dark or light
    index[(sat < 0.18) & (val > 0.85)] = len(_HUES) + 1
    index[val < 0.18] = len(_HUES)
    labels, counts = np.unique(names[index], return_counts=True)
    order = sorted(zip(-counts, labels, strict=True))  # by share, then by name for stable ties
    chosen = [str(name) for c, name in order if -c / index.size >= min_share][:top]
    return chosen or [str(order[0][1])]


def orientation(image: Image.Image) -> str:
    """``landscape``, ``portrait`` or ``square`` (within 10 %)."""
    ratio = image.width / image.height
    return "landscape" if ratio > 1.1 else "portrait" if ratio < 1 / 1.1 else "square"


def _sentence(prompt: str, limit: int = 200) -> str:
    """The prompt's first sentence, whitespace collapsed, capitalised, at most ``limit``."""
    text = " ".join(prompt.split())
    text = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".!?;,: ")
    if not text:
        return ""
    if len(text) > limit:
        return text[:1].upper() + text[1:limit].rsplit(" ", 1)[0] + "…"
    return text[:1].upper() + text[1:] + "."


def describe(prompt: str, image: Image.Image) -> dict:
    """Return ``{"title", "description", "tags"}`` for an image generated from ``prompt``.

    The title holds the prompt's main words in title case (at most 70 characters); the
    description is the prompt's first sentence plus the measured colours and orientation;
    the tags (5-15, unique, lowercase) are the main words, the colours and the orientation.
    """
    words = _main_words(prompt)
    colours = colour_names(image)
    shape = orientation(image)
    tone = colours[0] if len(colours) == 1 else ", ".join(colours[:-1]) + f" and {colours[-1]}"
    description = f"{_sentence(prompt)} A {shape} image in {tone} tones.".strip()

    extra = [*colours, shape]
    tags = list(dict.fromkeys([w.lower() for w in words][: MAX_TAGS - len(extra)] + extra))
    for tag in _FALLBACK_TAGS:
        if len(tags) >= MIN_TAGS:
            break
        if tag not in tags:
            tags.append(tag)
    return {"title": _title(words), "description": description, "tags": tags}
