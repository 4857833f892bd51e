"""Bad input is one typed error naming the field, in Python, and one line with exit code 2 in
the CLI; either way nothing changes, on disk or in the history."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from factories import add_config, add_job
from places import BAD_TARGETS, tree

import jobdash
from jobdash.cli import main
from jobdash.errors import ValidationError
from jobdash.ui.page.urlstate import from_search

SURROGATE = "Hero \ud800 banners"  # half of a surrogate pair: UTF-8 cannot encode it


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
    queued = add_job(history, status="pending", label="Queued before")
    before = history_state(history)
    events = len(history.get_by_id(queued).events)
    history.close()
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates (surrogateescape).
    # Without --no-wait: the refusal comes before any runner could take the queued job.
    for args, field in (
        ([b"Hero banners", b"--label", b"Lake \xff"], "label"),
        ([b"Hero \xff banners"], "configuration"),
    ):
        db = os.fsencode(tmp_path / "jobs.duckdb")
        out = subprocess.run(
            [sys.executable, "-m", "jobdash", "run", *args, b"--db", db],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 2
        assert one_line(out.stderr, "run").startswith(f"jobdash run: {field}: character ")
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        assert history_state(svc) == (0, *before[1:])  # a new process's feed starts at 0
        assert len(svc.get_by_id(queued).events) == events


# -- export targets ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", BAD_TARGETS)
def test_an_export_to_a_place_that_cannot_take_it_is_refused(history, tmp_path, kind):
    target = BAD_TARGETS[kind](tmp_path)
    before, on_disk = history_state(history), tree(tmp_path)
    for export in (
        lambda: history.bulk_export([1, 2], target),
        lambda: history.bulk_export(jobdash.JobQuery(), target),
        lambda: history.export(1, target),
    ):
        with pytest.raises(ValidationError) as refused:
            export()
        assert refused.value.field == "path"
    assert history_state(history) == before
    assert tree(tmp_path) == on_disk


@pytest.fixture
def closed_history(tmp_path) -> Path:
    """The file of a history of three jobs, closed (the command line opens it)."""
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        config = add_config(svc, "Hero banners")
        for i in range(1, 4):
            add_job(svc, label=f"Lake study {i}", config_id=config)
    return tmp_path / "jobs.duckdb"


@pytest.mark.parametrize("kind", BAD_TARGETS)
def test_jobdash_export_to_a_bad_target_says_so_in_one_line(closed_history, capsys, kind):
    target = BAD_TARGETS[kind](closed_history.parent)
    on_disk = tree(closed_history.parent)
    assert main(["export", str(target), "--ids", "1", "--db", str(closed_history)]) == 2
    assert one_line(capsys.readouterr().err, "export").startswith("jobdash export: path: ")
    assert tree(closed_history.parent) == on_disk


def test_jobdash_export_refused_by_a_real_process_prints_no_traceback(closed_history):
    folder, db = str(closed_history.parent), str(closed_history)
    out = subprocess.run(
        [sys.executable, "-m", "jobdash", "export", folder, "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert one_line(out.stderr, "export") == (
        f"jobdash export: path: {closed_history.parent} names a folder; name the workbook to "
        f"write in it, e.g. {closed_history.parent / 'jobs.xlsx'}"
    )


# -- empty id lists ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda svc, folder: svc.bulk_delete([]),
        lambda svc, folder: svc.bulk_rerun([]),
        lambda svc, folder: svc.bulk_export([], folder / "none.xlsx"),
        lambda svc, folder: svc.bulk_delete(()),
        lambda svc, folder: svc.bulk_rerun(iter([])),
    ],
)
def test_an_empty_id_list_is_refused(history, tmp_path, call):
    before, on_disk = history_state(history), tree(tmp_path)
    with pytest.raises(ValidationError, match=r"^ids: the list is empty") as refused:
        call(history, tmp_path)
    assert refused.value.field == "ids"
    assert history_state(history) == before
    assert tree(tmp_path) == on_disk


def test_a_query_matching_nothing_is_not_an_error(history, tmp_path):
    nothing = jobdash.JobQuery(search="no such job")
    assert history.bulk_delete(nothing) == {}
    assert history.bulk_rerun(nothing).empty
    assert history.bulk_export(nothing, tmp_path / "none.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--ids", ""], "ids: '' names no job"),
        (["--ids", ",,"], "ids: ',,' names no job"),
        (["--ids", " , "], "ids: ' , ' names no job"),
        (["--ids", "1,lake"], "ids: 'lake' is not a job id"),
        (["--ids", "1", "--status", "failed"], "ids: give --ids or filters"),
        (["--date-from", "2026-02-30"], "date_from: "),
        (["--status", "failed", "--db", "nowhere/jobs.duckdb"], "db: there is no job history"),
    ],
)
def test_jobdash_export_refuses_a_selection_naming_no_job(closed_history, capsys, args, says):
    folder = closed_history.parent
    on_disk = tree(folder)
    argv = ["export", str(folder / "out.xlsx"), "--db", str(closed_history), *args]
    assert main(argv) == 2
    assert one_line(capsys.readouterr().err, "export").startswith(f"jobdash export: {says}")
    assert tree(folder) == on_disk


def test_jobdash_export_ids_with_a_trailing_comma_exports_those_jobs(closed_history, capsys):
    out = closed_history.parent / "two.xlsx"
    assert main(["export", str(out), "--ids", "1,JOB-000003,", "--db", str(closed_history)]) == 0
    assert capsys.readouterr().out == f"Wrote {out}\n"
    rows = list(openpyxl.load_workbook(out, read_only=True)["Jobs"].values)
    assert [r[0] for r in rows[1:]] == ["JOB-000001", "JOB-000003"]


def test_jobdash_run_of_a_missing_history_writes_none(tmp_path, capsys):
    assert main(["run", "Hero banners", "--db", str(tmp_path / "jobs.duckdb")]) == 2
    assert one_line(capsys.readouterr().err, "run").startswith("jobdash run: db: ")
    assert list(tmp_path.iterdir()) == []


def test_the_batch_actions_never_act_on_an_empty_selection(history):
    from jobdash.ui.page.manager import JobManager

    page = JobManager(history, refresh_ms=0)
    before = history_state(history)
    for action in ("rerun", "export", "delete"):
        page.toolbar.run(action)
    assert page.toaster.message == "" and not page.actions.dialog.open
    assert history_state(history) == before
    buttons = (page.toolbar._rerun, page.toolbar._export, page.toolbar._delete)
    assert all(b.disabled for b in buttons)
    page.selection.select([2])
    assert not any(b.disabled for b in buttons)
    page.selection.clear()
    assert all(b.disabled for b in buttons)


# -- settings.json ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (
            '{"image_root": "pictures",\n "export": {"folder": }}',
            "line 2, column 23: Expecting value",
        ),
        ('{"image_root": 5}', "image_root is 5; expected a folder path"),
        ('{"export": {"include_images": "no"}}', 'export.include_images is "no"; expected'),
        ('{"imageroot": "pictures"}', "imageroot is"),
    ],
)
def test_a_bad_settings_file_is_one_line_naming_the_file_and_the_key(
    closed_history, capsys, settings, says
):
    folder = closed_history.parent
    (folder / "settings.json").write_text(settings, encoding="utf-8")
    on_disk = tree(folder)
    for argv in (
        ["export", str(folder / "out.xlsx")],
        ["run", "Hero banners", "--no-wait"],
        ["demo", "--jobs", "5"],
    ):
        db = closed_history if argv[0] != "demo" else folder / "demo.duckdb"
        assert main([*argv, "--db", str(db)]) == 2
        line = one_line(capsys.readouterr().err, argv[0])
        assert line.startswith(f"jobdash {argv[0]}: {folder / 'settings.json'}: {says}")
    assert tree(folder) == on_disk


# -- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "applied", "ignored"),
    [
        (
            "status=failed,,,%00&desc=maybe&page=-3",
            {"statuses": ["failed"], "descending": True, "page": 1},
            ("status=%00", "desc=maybe", "page=-3"),
        ),
        (
            "q=lake&from=2026-13-45&to=2026-05-01&sort=bogus&size=33&qc=zzz&config=2,x",
            {"search": "lake", "date_to": dt.date(2026, 5, 1), "configuration_ids": [2]},
            ("from=2026-13-45", "config=x", "qc=zzz", "sort=bogus", "size=33"),
        ),
        ("from=2026-05-02&to=2026-05-01", {"date_to": dt.date(2026, 5, 1)}, ("from=2026-05-02",)),
        ("sort=id&desc=0&page=2&job=JOB-000007", {"sort": "id", "descending": False}, ()),
        ("status=%E2%80%AE,running", {"statuses": ["running"]}, ("status=%E2%80%AE",)),
        ("q=" + "a" * 600, {"search": ""}, ("q=" + "a" * 40 + "…",)),
    ],
)
def test_a_link_applies_its_valid_values_and_names_the_others(search, applied, ignored):
    link = from_search(search)
    assert {k: getattr(link.query, k) for k in applied} == applied
    assert link.ignored == ignored


def test_a_link_names_a_job_it_cannot_open():
    assert from_search("job=nope&status=failed").ignored == ("job=nope",)
    assert from_search("job=7").job == 7 and from_search("job=7").ignored == ()


# -- import-gif ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("missing.db", "is not a file"),
        ("notes.txt", "is not a Gen Image Factory database"),
        (".", "is not a file"),
    ],
)
def test_jobdash_import_gif_of_a_bad_file_writes_no_history(tmp_path, capsys, source, says):
    (tmp_path / "notes.txt").write_text("not SQLite")
    on_disk = tree(tmp_path)
    db = tmp_path / "new" / "jobs.duckdb"
    assert main(["import-gif", str(tmp_path / source), "--db", str(db)]) == 2
    line = one_line(capsys.readouterr().err, "import-gif")
    assert line.startswith("jobdash import-gif: path: ") and says in line
    assert tree(tmp_path) == on_disk
