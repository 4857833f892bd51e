"""Bad input is one typed error naming the field, in Python, and one line with exit code 2 in
the CLI; either way nothing changes, on disk or in the history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import add_config, add_job

import jobdash
from jobdash.errors import ValidationError

SURROGATE = "Hero \ud800 banners"  # half of a surrogate pair: UTF-8 cannot encode it


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder``: its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def history_state(svc) -> tuple:
    """What a refused call must leave as it was: the change feed, the jobs, the queue,
    the configurations and the presets."""
    jobs = svc.get_all(jobdash.JobQuery(sort="id", page_size=100)).rows
    return (
        svc.version,
        jobs[["id", "label", "status"]].to_dict("records"),
        svc.queue(),
        svc.configurations()[["id", "name"]].to_dict("records"),
        [p["name"] for p in svc.presets()],
    )


@pytest.fixture
def history(tmp_path):
    """A history with one configuration and three finished jobs (no runner)."""
    svc = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    config = add_config(svc, "Hero banners")
    for i in range(1, 4):
        add_job(svc, label=f"Lake study {i}", config_id=config)
    yield svc
    svc.close()


def one_line(err: str, command: str) -> str:
    """The one line a refused command printed (and nothing else)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"jobdash {command}: ")
    return lines[0]


# -- text that cannot be stored ------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda svc: svc.rename(1, SURROGATE), "label"),
        (lambda svc: svc.start("Hero banners", label=SURROGATE), "label"),
        (lambda svc: svc.add_configuration(SURROGATE, {"count": 1}), "name"),
        (lambda svc: svc.configuration(SURROGATE), "configuration"),
        (lambda svc: svc.save_preset(SURROGATE, jobdash.JobQuery()), "name"),
        (lambda svc: svc.apply_preset(SURROGATE), "name"),
        (lambda svc: svc.get_all(jobdash.JobQuery(search=SURROGATE)), "search"),
        (
            lambda svc: svc.statistics(jobdash.JobQuery(error_signature=SURROGATE)),
            "error_signature",
        ),
        (lambda svc: svc.signature_of(SURROGATE), "message"),
    ],
)
def test_text_utf8_cannot_encode_is_refused_naming_the_field(history, call, field):
    before = history_state(history)
    with pytest.raises(ValidationError) as refused:
        call(history)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: character 6 (U+D800")
    assert history_state(history) == before


def test_the_cli_refuses_a_label_or_configuration_name_that_is_not_text(history, tmp_path):
    history.close()
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates (surrogateescape).
    for args, field in (
        ([b"Hero banners", b"--label", b"Lake \xff"], "label"),
        ([b"Hero \xff banners"], "configuration"),
    ):
        db = os.fsencode(tmp_path / "jobs.duckdb")
        out = subprocess.run(
            [sys.executable, "-m", "jobdash", "run", *args, b"--no-wait", b"--db", db],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 2
        assert one_line(out.stderr, "run").startswith(f"jobdash run: {field}: character ")
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        assert svc.queue() == [] and svc.get_all().total == 3
