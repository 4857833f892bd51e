"""The procedural generator, its fault injection, and generator discovery."""

from __future__ import annotations

import logging
import time
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from jobdash.runner import generators
from jobdash.runner.generators import (
    GenerationError,
    GenerationTimeout,
    ProceduralGenerator,
    available_generators,
    get_generator,
)
from jobdash.runner.qc import QCThresholds, check


def pixels(image):
    return np.asarray(image, dtype=np.int16)


@pytest.fixture
def gen():
    return ProceduralGenerator()


def test_same_prompt_and_seed_give_the_same_image(gen):
    a = gen.generate("a lighthouse at dawn", 7, 96, 64, {})
    b = gen.generate("a lighthouse at dawn", 7, 96, 64, {})
    assert np.array_equal(pixels(a), pixels(b))


@pytest.mark.parametrize("other", [("a lighthouse at dawn", 8), ("a lighthouse at dusk", 7)])
def test_another_seed_or_prompt_gives_another_image(gen, other):
    a = pixels(gen.generate("a lighthouse at dawn", 7, 96, 64, {}))
    b = pixels(gen.generate(*other, 96, 64, {}))
    assert np.abs(a - b).mean() > 10


def test_image_has_the_configured_size_and_mode(gen):
    image = gen.generate("tall", 1, 80, 120, {})
    assert image.size == (80, 120)
    assert image.mode == "RGB"


def test_default_image_passes_qc(gen):
    image = gen.generate("a red fox in blue snow", 3, 512, 512, {})
    assert check(image, QCThresholds(), expected_size=(512, 512)).status == "approved"


@pytest.mark.parametrize("size", [(0, 10), (10, -1), (10.5, 10)])
def test_bad_size_is_refused(gen, size):
    with pytest.raises(ValueError):
        gen.generate("x", 1, *size, {})


def test_timeout_fault(gen):
    with pytest.raises(GenerationTimeout) as info:
        gen.generate("x", 1, 32, 32, {"fault_rate": 1.0, "faults": ["timeout"]})
    assert info.value.kind == "timeout"
    assert str(info.value) == "Generation timed out after 60s"


def test_error_fault(gen):
    with pytest.raises(GenerationError) as info:
        gen.generate("x", 1, 32, 32, {"fault_rate": 1.0, "faults": ["error"]})
    assert not isinstance(info.value, GenerationTimeout)
    assert info.value.kind == "error"


@pytest.mark.parametrize("fault, reason", [("blank", "nearly blank"), ("blur", "blurry")])
def test_image_faults_fail_qc(gen, fault, reason):
    image = gen.generate("a field of poppies", 2, 256, 256, {"fault_rate": 1.0, "faults": [fault]})
    assert image.size == (256, 256)
    result = check(image, QCThresholds())
    assert result.status == "qc_failed"
    assert reason in result.reason


def test_no_faults_at_rate_zero(gen):
    options = {"fault_rate": 0.0, "faults": ["timeout", "error", "blank", "blur"]}
    for seed in range(20):
        image = gen.generate("calm", seed, 48, 48, options)
        assert pixels(image).std() > 6


def test_fault_rate_is_roughly_honoured_and_deterministic(gen):
    def faulted(seed):
        try:
            gen.generate("storm", seed, 16, 16, {"fault_rate": 0.3, "faults": ["error"]})
        except GenerationError:
            return True
        return False

    hits = [faulted(seed) for seed in range(200)]
    assert 30 <= sum(hits) <= 90
    assert hits == [faulted(seed) for seed in range(200)]


@pytest.mark.parametrize(
    "options", [{"fault_rate": 1.5}, {"fault_rate": 0.5, "faults": ["melt"]}, {"delay_s": -1}]
)
def test_bad_options_are_refused(gen, options):
    with pytest.raises(ValueError):
        gen.generate("x", 1, 16, 16, options)


def test_delay_is_applied(gen):
    start = time.perf_counter()
    gen.generate("x", 1, 16, 16, {"delay_s": 0.05})
    assert time.perf_counter() - start >= 0.05


def test_generation_error_kind_is_checked():
    assert GenerationError("slow down", kind="rate_limit").kind == "rate_limit"
    with pytest.raises(ValueError):
        GenerationError("?", kind="oops")


def test_procedural_is_always_available():
    assert available_generators()["procedural"] is ProceduralGenerator
    generator = get_generator("procedural")
    assert isinstance(generator, generators.Generator)
    assert generator.name == "procedural"


def test_unknown_generator_lists_the_available_ones():
    with pytest.raises(KeyError, match="procedural"):
        get_generator("dalle-9")


class _Impostor:
    name = "procedural"

    def generate(self, prompt, seed, width, height, options):
        raise AssertionError("never used")


class _StubEntryPoint:
    """Stands in for an installed entry point whose target is already imported."""

    def __init__(self, name, target):
        self.name, self.value, self._target = name, f"stub:{name}", target

    def load(self):
        return self._target


def test_plugins_are_loaded_and_broken_ones_skipped(monkeypatch, caplog):
    fake = [
        EntryPoint(
            "copy", "jobdash.runner.generators:ProceduralGenerator", generators.ENTRY_POINT_GROUP
        ),
        EntryPoint("broken", "no_such_module_for_jobdash:Gen", generators.ENTRY_POINT_GROUP),
        _StubEntryPoint("not_a_class", len),
        _StubEntryPoint("procedural", _Impostor),
    ]
    monkeypatch.setattr(generators, "entry_points", lambda group: fake)
    with caplog.at_level(logging.WARNING, logger=generators.__name__):
        found = available_generators()
    assert found == {"procedural": ProceduralGenerator, "copy": ProceduralGenerator}
    assert "'broken'" in caplog.text
    assert "'not_a_class'" in caplog.text
    assert "already taken" in caplog.text
