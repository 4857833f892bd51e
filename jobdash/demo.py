"""A realistic, deterministic demo history: what a busy image factory leaves behind.

About a dozen configurations with several versions, four months of jobs (mostly completed,
some failed and stopped, a few reruns of recent failures queued last, none left running: no
process would be running it, so the first opener would mark it failed), failures from a real
taxonomy (timeouts, HTTP 429, content policy, credits, downloads, processing stages), images
with QC verdicts and reasons, a timeline per job, and real image files with thumbnails for
the newest jobs. This module holds the domain content; :mod:`jobdash.store.bulk` turns it
into rows inside DuckDB, so a million jobs build in about a minute.

    from jobdash.demo import build_demo
    build_demo("data/jobs.duckdb", jobs=2000, seed=7)
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import ValidationError
from .runner.generators import ProceduralGenerator
from .runner.pipeline import APPROVED_DIR
from .runner.processing import save
from .store import JobStore, utcnow
from .store.bulk import (
    ErrorSpec,
    HistoryPlan,
    ImageText,
    Incident,
    ReasonSpec,
    VersionSpec,
    load_history,
)

MAX_JOBS = 20_000_000
SPAN_DAYS = 120.0
PENDING = 4
DISK_SIDE = 128
"""Longest side of the image files drawn for the newest jobs (small, so the build is quick)."""
THUMB_SIDE = 96

# -- configurations -------------------------------------------------------------------------
# name: (popularity, prompt template, keywords, tags, version settings). Each version lists
# only what changes from the one before; the first completes the defaults below.

_DEFAULTS: dict[str, Any] = {
    "count": 6,
    "variations": 1,
    "width": 1024,
    "height": 1024,
    "format": "png",
    "generator": {"name": "procedural", "delay_s": 0.0, "fault_rate": 0.0},
    "processing": {"trim": False, "enhance": {}},
    "qc": {"min_sharpness": 50.0, "min_std": 6.0},
}

_CONFIGS: dict[str, tuple[float, str, tuple[str, ...], tuple[str, ...], tuple[dict, ...]]] = {
    "Hero banners": (
        14,
        "Wide cinematic hero banner of {keyword}, soft morning light, empty space on the "
        "left for a headline",
        (
            "misty mountain lake",
            "city skyline at dawn",
            "golden wheat field",
            "coastal cliffs",
            "autumn forest road",
            "desert dunes at sunset",
            "snowy pine forest",
            "tropical beach cove",
            "rolling green hills",
            "night sky over a canyon",
        ),
        ("banner", "landscape", "header"),
        (
            {
                "count": 6,
                "width": 1536,
                "height": 640,
                "format": "webp",
                "processing": {"trim": False, "enhance": {"contrast": 1.05, "saturation": 1.1}},
            },
            {"count": 8},
            {"variations": 2, "width": 1920, "height": 800},
        ),
    ),
    "Product mockups": (
        12,
        "Minimal studio product shot of a {keyword} on a seamless pastel background, soft shadow",
        (
            "ceramic coffee mug",
            "glass water bottle",
            "wireless earbuds case",
            "leather notebook",
            "scented candle jar",
            "bamboo toothbrush",
            "canvas tote bag",
            "smartwatch",
            "pair of sunglasses",
            "skincare serum bottle",
        ),
        ("product", "mockup", "studio"),
        (
            {"count": 8, "processing": {"trim": True, "remove_bg": True, "enhance": {}}},
            {"processing": {"trim": True, "remove_bg": True, "enhance": {"sharpness": 1.2}}},
            {"count": 10, "variations": 2},
            {"qc": {"min_sharpness": 60.0, "min_std": 6.0, "duplicate_distance": 6}},
        ),
    ),
    "Food & drink flat lays": (
        10,
        "Top-down flat lay of {keyword} on a rustic wooden table, natural window light",
        (
            "avocado toast and coffee",
            "berry smoothie bowls",
            "homemade sourdough bread",
            "colourful summer salad",
            "espresso and croissants",
            "ramen with soft-boiled egg",
            "pumpkin spice latte",
            "sushi platter",
            "chocolate chip cookies",
            "citrus cocktails",
        ),
        ("food", "flat lay", "kitchen"),
        (
            {"count": 10, "width": 1200, "height": 1200, "format": "jpg"},
            {"processing": {"trim": False, "enhance": {"saturation": 1.15, "brightness": 1.05}}},
        ),
    ),
    "Travel postcards": (
        9,
        "Vintage travel postcard illustration of {keyword}, bold flat colours, retro style",
        (
            "Lisbon tram",
            "Santorini blue domes",
            "Kyoto temple in autumn",
            "Route 66 diner",
            "Norwegian fjord",
            "Marrakech market",
            "Havana classic cars",
            "Swiss alpine village",
            "Amalfi coast",
        ),
        ("travel", "postcard", "vintage"),
        (
            {"count": 6, "width": 1000, "height": 1400},
            {"format": "jpg"},
            {"count": 9, "variations": 2},
        ),
    ),
    "Abstract textures": (
        8,
        "Seamless abstract texture of {keyword}, high detail, tileable",
        (
            "marble with gold veins",
            "crumpled kraft paper",
            "teal watercolour wash",
            "brushed metal",
            "terrazzo",
            "linen fabric",
            "oil paint swirls",
            "concrete wall",
            "holographic foil",
        ),
        ("texture", "background", "pattern"),
        (
            {"count": 12, "format": "jpg"},
            {"variations": 2, "qc": {"min_sharpness": 40.0, "min_std": 6.0}},
        ),
    ),
    "Pet portraits": (
        7,
        "Studio portrait of a {keyword}, shallow depth of field, warm background",
        (
            "golden retriever puppy",
            "tabby cat",
            "french bulldog",
            "border collie",
            "siamese cat",
            "rabbit with floppy ears",
            "green parrot",
            "dachshund in a sweater",
        ),
        ("pet", "animal", "portrait"),
        (
            {"count": 5, "width": 1024, "height": 1280, "format": "jpg"},
            {"count": 8},
            {"processing": {"trim": False, "enhance": {"sharpness": 1.1}}},
        ),
    ),
    "Tech icons": (
        6,
        "Flat 3D icon of {keyword}, isometric, soft gradients, white background",
        (
            "cloud storage",
            "padlock",
            "rocket launch",
            "chat bubble",
            "analytics chart",
            "shopping cart",
            "calendar",
            "settings gear",
            "email envelope",
            "video camera",
        ),
        ("icon", "technology", "3d"),
        (
            {
                "count": 12,
                "width": 512,
                "height": 512,
                "processing": {"trim": True, "remove_bg": True, "enhance": {}},
            },
            {"count": 16},
        ),
    ),
    "Botanical prints": (
        7,
        "Botanical illustration of {keyword}, vintage scientific plate, cream paper",
        (
            "monstera leaf",
            "lavender sprigs",
            "fern fronds",
            "cherry blossom branch",
            "eucalyptus",
            "wild poppies",
            "olive branch",
            "succulents",
        ),
        ("botanical", "print", "wall art"),
        (
            {"count": 6, "width": 1200, "height": 1600, "format": "jpg"},
            {"variations": 2},
            {"processing": {"trim": True, "enhance": {}}},
        ),
    ),
    "Architecture at dusk": (
        6,
        "Photograph of a {keyword} at blue hour, long exposure, city lights",
        (
            "glass office tower",
            "brutalist library",
            "suspension bridge",
            "modern museum",
            "old town square",
            "train station hall",
            "row of harbour warehouses",
        ),
        ("architecture", "city", "night"),
        (
            {
                "count": 6,
                "width": 1600,
                "height": 1067,
                "format": "jpg",
                "processing": {"trim": False, "enhance": {"contrast": 1.1}},
            },
            {"count": 8, "qc": {"min_sharpness": 50.0, "min_std": 6.0, "min_brightness": 20.0}},
        ),
    ),
    "Kids' room posters": (
        5,
        "Cute nursery poster of a {keyword}, pastel palette, simple shapes",
        (
            "sleepy fox",
            "hot air balloon",
            "whale in the ocean",
            "rainbow over clouds",
            "smiling sun",
            "teddy bear picnic",
            "rocket to the moon",
        ),
        ("nursery", "kids", "poster"),
        ({"count": 4, "width": 1200, "height": 1600, "format": "jpg"}, {"count": 6}),
    ),
    "Business concepts (people-free)": (
        8,
        "Conceptual business image of a {keyword}, clean corporate style, no people, blue "
        "and white palette",
        (
            "growth chart made of coins",
            "puzzle pieces fitting together",
            "glowing lightbulb",
            "paper boat leading a fleet",
            "chess king on a board",
            "arrow hitting a target",
            "ladder to the clouds",
            "hourglass beside a calendar",
        ),
        ("business", "concept", "corporate"),
        (
            {"count": 8, "width": 1600, "height": 900, "format": "webp"},
            {"variations": 2},
            {"format": "jpg"},
        ),
    ),
    "Café menu backgrounds": (
        4,
        "Blurred café interior with a {keyword}, bokeh lights, space for menu text",
        (
            "espresso machine",
            "pastry counter",
            "chalkboard wall",
            "cup of latte art",
            "window seat in the rain",
            "stack of cups",
        ),
        ("cafe", "menu", "background"),
        (
            {"count": 5, "width": 1920, "height": 1080, "format": "jpg"},
            {"count": 7, "qc": {"min_sharpness": 20.0, "min_std": 6.0}},
        ),
    ),
}

# Timeline position (0 = oldest job, 1 = newest) where versions 2, 3, ... become current.
_VERSION_STARTS = (0.22, 0.47, 0.71, 0.9)

# -- failures -------------------------------------------------------------------------------
# (base weight, spec). Weights of stages a configuration does not run are set to zero.

_ERRORS: tuple[tuple[float, ErrorSpec], ...] = (
    (
        22,
        ErrorSpec(
            "generate",
            "Generation timed out after 60s waiting for task {uuid} (generation {gen} of {gens})",
            delay_s=60.0,
        ),
    ),
    (
        18,
        ErrorSpec(
            "generate",
            "HTTP 429 Too Many Requests from api.runware.ai: rate limit "
            "exceeded, retry after {a}s (request {hex})",
            a=(5, 120),
            delay_s=1.0,
        ),
    ),
    (
        10,
        ErrorSpec(
            "generate",
            "Content policy refusal: the provider declined the prompt for "
            "“{keyword}” (generation {gen} of {gens}, code "
            "content_policy_violation)",
            delay_s=3.0,
        ),
    ),
    (
        7,
        ErrorSpec(
            "generate",
            "Out of credits: {a} credits left, generation {gen} of {gens} "
            "needs 4 (HTTP 402 Payment Required)",
            a=(0, 3),
            delay_s=1.0,
        ),
    ),
    (
        9,
        ErrorSpec(
            "download",
            "Download failed for https://im.runware.ai/image/ws/2/ii/"
            "{uuid}.png: HTTP {a} after 3 attempts",
            a=(502, 504),
            delay_s=20.0,
        ),
    ),
    (
        4,
        ErrorSpec(
            "download",
            "Download failed for https://cdn.runware.ai/outputs/{hex}/"
            "{image}: connection reset by peer",
            delay_s=8.0,
        ),
    ),
    (
        3,
        ErrorSpec(
            "initialise",
            "Could not load keywords: file 'keywords/batch_{a}.csv' not found",
            a=(1, 60),
            delay_s=1.0,
        ),
    ),
    (
        5,
        ErrorSpec(
            "remove_bg",
            "processing_failed:remove_bg: background removal returned an empty mask for {image}",
            after_generation=True,
        ),
    ),
    (
        3,
        ErrorSpec(
            "trim",
            "processing_failed:trim: nothing left of {image} after trimming the "
            "border (tolerance 10)",
            after_generation=True,
        ),
    ),
    (
        2,
        ErrorSpec(
            "enhance",
            "processing_failed:enhance: cannot enhance {image}: image has wrong mode",
            after_generation=True,
        ),
    ),
    (
        3,
        ErrorSpec(
            "convert",
            "processing_failed:convert: cannot write mode RGBA as JPEG ({image})",
            after_generation=True,
        ),
    ),
    (
        3,
        ErrorSpec(
            "save_final",
            "processing_failed:save_final: could not write "
            "/srv/factory/output/{job}/{image}: [Errno 28] No space left "
            "on device",
            after_generation=True,
        ),
    ),
    (
        3,
        ErrorSpec(
            "metadata",
            "processing_failed:metadata: metadata service returned HTTP {a} for {image}",
            a=(502, 504),
            after_generation=True,
        ),
    ),
)
_TIMEOUT, _RATE_LIMIT, _OUT_OF_CREDITS = 0, 1, 3

# Stages an image can fail in (qc_reason ``processing_failed:<stage>``), with base weights.
_STAGES: dict[str, float] = {
    "generate": 25,
    "download": 30,
    "remove_bg": 20,
    "trim": 10,
    "enhance": 8,
    "convert": 12,
    "save_final": 6,
    "metadata": 14,
}

_INCIDENTS = (
    Incident(0.30, 0.31, 0.30, _TIMEOUT),  # the provider was slow for a day
    Incident(0.62, 0.64, 0.45, _RATE_LIMIT),  # a rate-limit storm of two days
    Incident(0.88, 0.885, 0.90, _OUT_OF_CREDITS),  # credits ran out over a weekend night
)

# -- QC -------------------------------------------------------------------------------------

_QC_FAILED = (
    ReasonSpec("Image is blurry (sharpness {a}.{d} < 50)", (8, 39), 25),
    ReasonSpec("Image is nearly blank (contrast {a}.{d} < 6)", (0, 4), 6),
    ReasonSpec("Too dark (mean brightness {a} < 25)", (5, 19), 8),
    ReasonSpec("Too bright (mean brightness {a} > 230)", (241, 252), 6),
    ReasonSpec("Near-duplicate of an earlier image in this job (distance {a})", (0, 4), 10),
    ReasonSpec("Visible brand logo", weight=6),
    ReasonSpec("Misspelled text in the image", weight=6),
    ReasonSpec("Watermark-like text in a corner", weight=4),
    ReasonSpec("Distorted hands or limbs", weight=3),
    ReasonSpec("Face resembles a public figure", weight=2),
)
_NEEDS_REVIEW = (
    ReasonSpec("Image is blurry (sharpness {a}.{d} < 50)", (40, 49), 30),
    ReasonSpec("Too dark (mean brightness {a} < 25)", (20, 24), 8),
    ReasonSpec("Near-duplicate of an earlier image in this job (distance {a})", (5, 6), 10),
    ReasonSpec("Possible text or logo: check before publishing", weight=12),
    ReasonSpec("Low quality score ({a}/100): check the composition", (50, 69), 10),
)
# QC reasons whose image is drawn with the matching generator fault, so the file shows it.
_FAULT_OF_REASON = {"Image is blurry": "blur", "Image is nearly blank": "blank"}

# -- labels ---------------------------------------------------------------------------------

_LABELS = {
    "{name}": 30,
    "{name} – {month}": 15,
    "{stamp}": 15,
    "{name} v{version}": 10,
    "{keyword} set": 10,
    "{name} #{n}": 10,
    "{keyword} — client batch {n}": 5,
}
_ODD_LABELS = (
    "Q3 refresh — client “Müller & Söhne”",
    "Café/Bistro 50% off_promo",
    "test_run (don't delete!)",
    "Noël 🎄 banners",
    "日本の風景 — Japan landscapes",
    "<b>bold</b> & <i>brave</i>",
    "100% \\ back\\slash",
    "O'Brien's pub \"specials\"",
    "emoji 🚀🔥 launch set",
    "ÆØÅ — nordic sale",
    "Very long label for the spring catalogue refresh covering hero banners, product "
    "shots, seasonal textures and every other asset the marketing team asked for in the "
    "April planning meeting",
)


def _settings(template: str, keywords: Sequence[str], versions: Sequence[dict]) -> list[dict]:
    """Full settings of each version: defaults, then each version's changes in turn."""
    out = []
    current = {"prompt_template": template, "keywords": list(keywords), **_DEFAULTS}
    for change in versions:
        current = {**current, **change}
        out.append(current)
    return out


def _stages_of(settings: dict) -> set[str]:
    """Stages an image of a configuration goes through: generate, download, save_final and
    metadata always; trim, remove_bg and enhance when switched on; convert for JPEG."""
    p = settings["processing"]
    on = {"generate", "download", "save_final", "metadata"}
    on |= {name for name in ("trim", "remove_bg", "enhance") if p.get(name)}
    on |= {"convert"} if settings["format"] == "jpg" else set()
    return on


def _texts(settings: dict, tags: Sequence[str]) -> tuple[ImageText, ...]:
    """Prompt and metadata (title, description, tags) of the images of each keyword."""
    out = []
    for keyword in settings["keywords"]:
        prompt = settings["prompt_template"].replace("{keyword}", keyword)
        words = [w for w in keyword.lower().split() if len(w) > 2]
        out.append(
            ImageText(
                keyword,
                prompt,
                {
                    "title": keyword[:1].upper() + keyword[1:],
                    "description": prompt.split(",")[0] + ".",
                    "tags": list(dict.fromkeys([*words, *tags])),
                },
            )
        )
    return tuple(out)


def _versions() -> tuple[VersionSpec, ...]:
    """Every configuration version with its failure and stage weights."""
    out = []
    for index, (name, (_, template, keywords, tags, changes)) in enumerate(_CONFIGS.items()):
        shift = (index * 37 % 9 - 4) / 100  # configurations change on different days
        for number, settings in enumerate(_settings(template, keywords, changes), start=1):
            stages = _stages_of(settings)
            out.append(
                VersionSpec(
                    name=name,
                    version=number,
                    settings=settings,
                    start=-0.1 if number == 1 else _VERSION_STARTS[number - 2] + shift,
                    error_weights=tuple(
                        w if e.step not in _STAGES or e.step in stages else 0.0 for w, e in _ERRORS
                    ),
                    stage_weights=tuple(w if s in stages else 0.0 for s, w in _STAGES.items()),
                    texts=_texts(settings, tags),
                )
            )
    return tuple(out)


def plan(jobs: int, seed: int, images_on_disk: int, now: dt.datetime) -> HistoryPlan:
    """The :class:`HistoryPlan` of a demo history."""
    return HistoryPlan(
        jobs=jobs,
        seed=seed,
        now=now,
        span_days=SPAN_DAYS,
        pending=min(PENDING, max(0, jobs - 2)),
        on_disk=images_on_disk,
        disk_side=DISK_SIDE,
        versions=_versions(),
        config_weights={n: c[0] for n, c in _CONFIGS.items()},
        errors=tuple(e for _, e in _ERRORS),
        stages=tuple(_STAGES),
        qc_failed_reasons=_QC_FAILED,
        review_reasons=_NEEDS_REVIEW,
        labels=_LABELS,
        odd_labels=_ODD_LABELS,
        odd_label_rate=0.01,
        no_label_rate=0.01,
        status_weights={"completed": 0.82, "failed": 0.12, "stopped": 0.06},
        stop_message="Stopped by the user during generation {gen} of {gens}",
        rerun_rate=0.05,
        retry_rate=0.06,
        retry_message="HTTP 429 Too Many Requests: retried generation 1 after {a}s",
        qc_rates={"processing_failed": 0.3, "qc_failed": 0.35, "needs_review": 0.2},
        incidents=_INCIDENTS,
    )


# -- image files ----------------------------------------------------------------------------


def _draw(root: Path, rows: list[dict], created: list[Path]) -> dict[int, tuple[str, str]]:
    """Draw and save the image rows below ``root`` where the runner would leave them:
    ``<job id>/img_0001.<ext>`` (approved ones in ``<job id>/approved/``) with a thumbnail in
    ``<job id>/thumbs/``. Returns ``{image id: (file, thumbnail)}`` relative to ``root``;
    folders it creates are appended to ``created`` as it goes."""
    generator = ProceduralGenerator()
    out = {}
    for row in rows:
        folder = root / str(row["execution_id"])
        if not folder.exists():
            created.append(folder)
        fault = next(
            (
                f
                for prefix, f in _FAULT_OF_REASON.items()
                if (row["qc_reason"] or "").startswith(prefix)
            ),
            None,
        )
        options = {"fault_rate": 1.0, "faults": [fault]} if fault else {}
        image = generator.generate(
            row["prompt"], int(row["seed"]), int(row["width"]), int(row["height"]), options
        )
        file_path, thumb_path = save(
            image, folder, f"img_{row['number']:04d}", row["format"], thumb_size=THUMB_SIDE
        )
        if row["qc_status"] == "approved":
            (folder / APPROVED_DIR).mkdir(exist_ok=True)
            file_path = file_path.replace(folder / APPROVED_DIR / file_path.name)
        out[row["id"]] = (
            file_path.relative_to(root).as_posix(),
            thumb_path.relative_to(root).as_posix(),
        )
    return out


# -- entry point ----------------------------------------------------------------------------


def _whole(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            f"{field}: {value!r} is not a whole number from {low:,} to {high:,}", field
        )
    return value


def build_demo(
    path: str | Path,
    jobs: int = 2000,
    seed: int = 7,
    images_on_disk: int = 300,
    *,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Write a demo history of ``jobs`` jobs into the DuckDB file ``path`` (created with its
    migrations if missing) and image files for the newest ``images_on_disk`` jobs below the
    image root. The same ``seed`` and ``now`` (naive UTC, default: this second) always give
    the same tables.

    Returns counts: configurations, jobs, images, events, image_files. Refuses with
    :class:`~jobdash.errors.Conflict` when the file already holds jobs; on any failure
    nothing is written."""
    jobs = _whole("jobs", jobs, 1, MAX_JOBS)
    seed = _whole("seed", seed, 0, 2**62)
    images_on_disk = _whole("images_on_disk", images_on_disk, 0, MAX_JOBS)
    now = (now or utcnow()).replace(microsecond=0)
    db = Path(path)
    store = JobStore(db)
    created: list[Path] = []
    try:
        root = Settings.for_database(db).image_root
        return load_history(
            store,
            plan(jobs, seed, images_on_disk, now),
            draw=lambda rows: _draw(root, rows, created),
        )
    except BaseException:
        for folder in created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        store.close()
