"""DuckDB's memory limit and threads come from settings.json beside the database (with
defaults that bound the process), and a malformed value is one clear error that opens
nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

import jobdash
from jobdash.config import (
    MEMORY_CAP,
    MEMORY_SHARE,
    EngineSettings,
    Settings,
    default_memory_limit,
)
from jobdash.errors import ValidationError
from jobdash.store import JobStore


def applied(store: JobStore) -> tuple[str, int]:
    """The memory limit (as DuckDB shows it) and threads the store's connection runs with."""
    row = store.sql("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t")
    return row.m[0], int(row.t[0])


def shown(memory_limit: str) -> str:
    """How DuckDB shows a memory limit once set (it rounds to its own units)."""
    return (
        duckdb.connect(config={"memory_limit": memory_limit})
        .execute("SELECT current_setting('memory_limit')")
        .fetchone()[0]
    )


def write_settings(tmp_path, settings) -> None:
    """settings.json beside the test's database: text as given, bytes as they are, or
    anything else as JSON."""
    path = tmp_path / "settings.json"
    if isinstance(settings, bytes):
        path.write_bytes(settings)
    else:
        path.write_text(
            settings if isinstance(settings, str) else json.dumps(settings), encoding="utf-8"
        )


def test_by_default_duckdb_gets_a_quarter_of_memory_at_most_four_gib_and_every_core(tmp_path):
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    expected = int(min(total * MEMORY_SHARE, MEMORY_CAP)) // 2**20
    assert default_memory_limit() == f"{expected}MiB"
    store = JobStore(tmp_path / "jobs.duckdb")
    try:
        assert applied(store) == (shown(f"{expected}MiB"), os.cpu_count())
        assert applied(store)[0] != shown("80%")  # not DuckDB's own default
    finally:
        store.close()


def test_settings_json_sets_the_memory_limit_and_threads(tmp_path):
    write_settings(
        tmp_path, {"duckdb": {"memory_limit": "300MB", "threads": 1}, "image_root": "pictures"}
    )
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        assert applied(svc.store) == (shown("300MB"), 1)
        assert svc.settings.engine == EngineSettings(memory_limit="300MB", threads=1)
        assert svc.settings.image_root == (tmp_path / "pictures").resolve()


def test_one_setting_leaves_the_other_at_its_default(tmp_path):
    write_settings(tmp_path, {"duckdb": {"threads": 1}})
    store = JobStore(tmp_path / "jobs.duckdb")
    try:
        assert applied(store) == (shown(default_memory_limit()), 1)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"duckdb": {"memory_limit": "lots"}}, "duckdb.memory_limit"),
        ({"duckdb": {"memory_limit": 2_000_000_000}}, "duckdb.memory_limit"),
        ({"duckdb": {"memory_limit": "2 GB; SET threads=1"}}, "duckdb.memory_limit"),
        ({"duckdb": {"memory_limit": ""}}, "duckdb.memory_limit"),
        ({"duckdb": {"threads": 0}}, "duckdb.threads"),
        ({"duckdb": {"threads": "2"}}, "duckdb.threads"),
        ({"duckdb": {"threads": 1.5}}, "duckdb.threads"),
        ({"duckdb": {"threads": True}}, "duckdb.threads"),
        ({"duckdb": {"max_memory": "1GB"}}, "duckdb.max_memory"),
        ({"duckdb": "1GB"}, "duckdb"),
        ([1, 2], "settings.json"),
        ('{"duckdb": {"threads": 2,}}', "settings.json"),
        (b'{"image_root": "Bilder \xe4"}', "settings.json"),  # Latin-1, not UTF-8
        ({"image_root": 5}, "image_root"),
        ({"image_root": ""}, "image_root"),
        ({"image_root": None}, "image_root"),
        ({"image_root": ["a", "b"]}, "image_root"),
        ({"image_root": "bad\ud800name"}, "image_root"),
        ({"imageroot": "pictures"}, "imageroot"),
        ({"export": "exports"}, "export"),
        ({"export": {"folder": 5}}, "export.folder"),
        ({"export": {"include_images": "no"}}, "export.include_images"),
        ({"export": {"include_images": 0}}, "export.include_images"),
        ({"export": {"folders": "out"}}, "export.folders"),
    ],
)
def test_a_malformed_setting_is_one_clear_error_naming_it_and_opens_nothing(
    tmp_path, settings, field
):
    write_settings(tmp_path, settings)
    path = tmp_path / "jobs.duckdb"
    with pytest.raises(ValidationError) as refused:
        jobdash.open(path, runner=False)
    assert refused.value.field == field
    assert field in str(refused.value) and "settings.json" in str(refused.value)
    assert not path.exists()


def test_a_json_syntax_error_names_the_file_its_line_and_its_column(tmp_path):
    write_settings(tmp_path, '{\n  "image_root": "pictures",\n  "export": {"folder": "out",}\n}\n')
    with pytest.raises(ValidationError) as refused:
        jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    assert str(refused.value).startswith(
        f"{tmp_path / 'settings.json'}: line 3, column 30: Expecting property name"
    )
    assert "\n" not in str(refused.value)


def test_a_settings_file_that_cannot_be_read_is_one_clear_error(tmp_path):
    (tmp_path / "settings.json").mkdir()
    with pytest.raises(ValidationError, match=r"settings\.json cannot be read") as refused:
        jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    assert refused.value.field == "settings.json"
    assert not (tmp_path / "jobs.duckdb").exists()


def test_a_long_bad_value_is_shortened_in_the_message(tmp_path):
    write_settings(tmp_path, {"image_root": ["y" * 50] * 20})
    with pytest.raises(ValidationError) as refused:
        jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    assert str(refused.value).count("y") < 60 and "…" in str(refused.value)


def test_every_setting_read_from_the_file(tmp_path):
    write_settings(
        tmp_path,
        {"image_root": "pictures", "export": {"folder": "/tmp/out", "include_images": False}},
    )
    settings = Settings.for_database(tmp_path / "jobs.duckdb")
    assert settings.image_root == (tmp_path / "pictures").resolve()
    assert settings.export_dir == Path("/tmp/out").resolve()
    assert settings.export_include_images is False
