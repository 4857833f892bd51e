"""Reading as-run settings into a plan: prompts, keywords, seeds and clear refusals."""

from __future__ import annotations

import pytest
from runner_util import settings

from jobdash import ValidationError
from jobdash.runner.plan import MAX_IMAGES, JobPlan


def test_keywords_cycle_over_generations_and_variations_change_the_seed():
    plan = JobPlan.from_settings(settings(count=3, variations=2, keywords="fox, owl ,"), 5)
    specs = plan.images()
    assert plan.total == len(specs) == 6
    assert [s.prompt for s in specs] == ["A fox at dawn"] * 2 + ["A owl at dawn"] * 2 + [
        "A fox at dawn"
    ] * 2
    assert [(s.index, s.generation, s.variation) for s in specs[:3]] == [
        (1, 1, 1),
        (2, 1, 2),
        (3, 2, 1),
    ]
    assert len({s.seed for s in specs}) == 6 and specs[0].stem == "img_0001"


def test_an_explicit_seed_repeats_a_run_and_the_job_id_seeds_one_without():
    fixed = settings(seed=42)
    assert JobPlan.from_settings(fixed, 1).images() == JobPlan.from_settings(fixed, 2).images()
    free = {k: v for k, v in settings().items() if k != "seed"}
    first, second = (JobPlan.from_settings(free, job).images() for job in (1, 2))
    assert [s.seed for s in first] != [s.seed for s in second]


def test_defaults_and_options_are_read():
    plan = JobPlan.from_settings(
        {
            "prompt_template": "A {keyword} sky",
            "generator": "procedural",
            "processing": {"quality": 70},
            "qc": {"min_std": 3},
        },
        1,
    )
    assert (plan.width, plan.height, plan.format, plan.total) == (512, 512, "png", 1)
    assert plan.images()[0].prompt == "A sky" and plan.images()[0].keyword is None
    assert (plan.generator, plan.quality, plan.thumb_size, plan.qc.min_std) == (
        "procedural",
        70,
        256,
        3,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"prompt_template": "  "}, "prompt_template", "give the prompt text"),
        ({"count": 0}, "count", "0 is not a whole number from 1"),
        ({"count": MAX_IMAGES, "variations": 2}, "count", f"at most {MAX_IMAGES} per job"),
        ({"width": "96"}, "width", "'96' is not a whole number"),
        ({"format": "gif"}, "format", "'gif' is not one of png, jpg, jpeg, webp"),
        ({"keywords": [1, 2]}, "keywords", "give a list of words"),
        ({"qc": {"min_blur": 3}}, "qc", "Unknown QC setting"),
        ({"processing": {"quality": 0}}, "quality", "0 is not a whole number from 1 to 100"),
        ({"seed": 1.5}, "seed", "is not a whole number"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(overrides, field, message):
    with pytest.raises(ValidationError, match=message) as caught:
        JobPlan.from_settings(settings(**overrides), 1)
    assert caught.value.field == field


def test_a_job_without_settings_is_refused():
    with pytest.raises(ValidationError, match="no as-run settings"):
        JobPlan.from_settings(None, 1)
