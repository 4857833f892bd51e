"""Importing a Gen Image Factory history: SQLite files with the desktop app's schema and the
warts of real ones, imported into a real history; every normalisation, secrets, files,
repeated and incremental imports, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from factories import add_job
from gif_files import GifFile, png, settings, two_jobs

import jobdash
from jobdash import Conflict, JobQuery, NotFound, ValidationError
from jobdash.cli import main
from jobdash.importers.gif import GifSource, ImportReport, import_gif
from jobdash.importers.gif_values import INTERRUPTED, parse_timestamp

KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"
T_MS = 1767261600000  # 2026-01-01 10:00:00 UTC in epoch milliseconds
DAY = 86_400_000
HISTORY_TABLES = (
    "configurations",
    "job_executions",
    "generated_images",
    "job_events",
    "imported_rows",
    "import_sources",
    "id_marks",
)

# id there -> (job there, their QC status, their reason, ours)
IMAGES = {
    1: (1, "approved", None, "approved"),
    2: (1, "passed", None, "approved"),  # legacy
    3: (1, "qc_failed", "Visible watermark", "qc_failed"),
    4: (1, "qc_failed", "processing_failed:remove_bg", "processing_failed"),
    5: (1, "failed", "Blurry text", "qc_failed"),  # legacy
    6: (1, "retry_failed", None, "processing_failed"),
    7: (1, "processing", None, "needs_review"),
    8: (1, "retry_pending", None, "needs_review"),
    9: (1, "pending", None, "needs_review"),  # legacy
}


@pytest.fixture
def gif(tmp_path) -> Path:
    """A desktop app's file: the default settings row, two configurations, five jobs (every
    timestamp format, stuck running, aborted, NULL labels, a dangling configuration id, no
    end time), images of every QC status, orphans, keys in settings, snapshots and an
    image's processing settings, two image files present and the others missing."""
    out = tmp_path / "desktop" / "out"
    first = png(out / "cat-1.png", (48, 32))
    second = png(out / "cat-2.png", (40, 40), "red")
    with GifFile(tmp_path / "desktop" / "gen-image-factory.db") as g:
        g.configuration(1, "default", settings("", KEY))
        g.configuration(2, "Cats", settings("Cats", KEY))
        g.configuration(3, "job_20260105_080000", settings("", KEY))
        g.job(1, 2, T_MS, "2026-01-01T10:05:00Z", "completed", "Cats",
              snapshot=settings("Cats", KEY), counts=(9, 5, 4))  # fmt: skip
        g.job(2, 99, "2026-01-02T09:00:00Z", None, "running", None,
              snapshot=settings("Lost", None))  # fmt: skip
        g.job(3, 2, "2026-01-03 08:00:00", "2026-01-03 08:01:00", "aborted", "Cats (Rerun)")
        g.job(4, 2, "2026-01-04 08:00:00", None, "failed", None,
              error=f"401 Unauthorized: invalid key {KEY}")  # fmt: skip
        g.job(5, 2, "2026-01-05 08:00:00", None, "completed", "  ")
        for image, (job, qc, reason, _) in IMAGES.items():
            path = {1: first, 2: second}.get(image, str(out / f"gone-{image}.png"))
            g.image(image, job, qc, reason=reason, final=path,
                    metadata={"title": f"Cat {image}", "description": "A cat, calm",
                              "tags": "cat, pet ,cute", "prompt": "ignored"})  # fmt: skip
        g.image(10, 2, "approved", temp=str(out / "tmp-10.png"), created="2026-01-02T09:03:00Z",
                processing={"apiKeys": {"removeBg": KEY}, "removeBg": True})  # fmt: skip
        g.image(11, 5, "approved", final=str(out / "11.png"), created="2026-01-05 08:02:00")
        g.image(12, 5, "approved", final=str(out / "12.png"), created=T_MS + 4 * DAY - 7_000_000)
        g.image(13, None, "approved", final=str(out / "13.png"))  # orphan: no job
        g.image(14, 42, "approved", final=str(out / "14.png"))  # orphan: its job was deleted
    return tmp_path / "desktop" / "gen-image-factory.db"


def ours(service, report) -> dict[int, dict]:
    """Each imported job (by its id there) as get_by_id shows it."""
    return {orig: service.get_by_id(mine) for orig, mine in report.job_ids.items()}


def image_ids(service) -> dict[int, int]:
    """Our image id by their image id."""
    rows = service.sql(
        "SELECT original_id, id FROM imported_rows WHERE table_name = 'generated_images'"
    )
    return dict(zip(rows["original_id"], rows["id"], strict=True))


def everything(service) -> str:
    """Every value of every table of the history, as text."""
    return "".join(
        str(service.sql(f"SELECT string_agg(t::VARCHAR, '') AS s FROM {table} t")["s"][0])
        for table in HISTORY_TABLES
    )


def dump(service) -> dict[str, list[list[str]]]:
    """Every row of the history's tables, as text (for comparing two states)."""
    return {
        table: service.sql(f"SELECT * FROM {table} ORDER BY ALL").astype(str).values.tolist()
        for table in HISTORY_TABLES
        if table != "import_sources"  # its last_imported_at moves with every import
    }


def files_below(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_timestamps_in_all_three_formats():
    expected = dt.datetime(2026, 1, 1, 10, 0, 0)
    assert parse_timestamp(T_MS) == expected
    assert parse_timestamp(str(T_MS)) == expected
    assert parse_timestamp(T_MS // 1000) == expected  # epoch seconds, too
    assert parse_timestamp("2026-01-01T10:00:00Z") == expected
    assert parse_timestamp("2026-01-01T10:00:00.000Z") == expected
    assert parse_timestamp("2026-01-01T12:00:00+02:00") == expected
    assert parse_timestamp("2026-01-01 10:00:00") == expected
    assert parse_timestamp(T_MS + 123) == expected.replace(microsecond=123_000)
    for nothing in (None, "", "garbage", True, 10**30):
        assert parse_timestamp(nothing) is None


def test_everything_comes_over_normalised(service, gif):
    report = import_gif(service, gif)
    assert report.source == str(gif.resolve())
    assert (report.configurations.imported, report.jobs.imported, report.images.imported) == (
        2,
        5,
        12,
    )
    assert report.orphan_images == 2 and report.missing_files == 10 and report.thumbnails == 2
    assert sorted(service.configurations()["name"]) == ["Cats", "job_20260105_080000"]
    jobs = ours(service, report)

    done = jobs[1]
    assert done.job["status"] == "completed" and done.job["label"] == "Cats"
    assert done.job["configuration_name"] == "Cats"
    assert (done.job["started_at"], done.job["completed_at"]) == (
        dt.datetime(2026, 1, 1, 10, 0),
        dt.datetime(2026, 1, 1, 10, 5),
    )
    assert done.job["duration_s"] == 300
    assert done.snapshot["width"] == 1024 and done.snapshot["gif"]["parameters"]["label"] == "Cats"
    counts = ("total_images", "approved_images", "qc_failed_images", "failed_images")
    assert tuple(done.job[c] for c in counts) == (9, 2, 2, 4)
    assert done.job["successful_images"] == 5
    mine = image_ids(service)
    images = done.images.set_index("id")
    for there, (_, _, reason, expected) in IMAGES.items():
        row = images.loc[mine[there]]
        assert row["qc_status"] == expected, there
        assert (row["qc_reason"] if isinstance(row["qc_reason"], str) else None) == reason
    first = images.loc[mine[1]]
    meta = json.loads(first["metadata"])
    assert meta["tags"] == ["cat", "pet", "cute"]
    assert (meta["title"], meta["description"]) == ("Cat 1", "A cat, calm")
    assert meta["gif"]["image_mapping_id"] == "map-1"
    assert first["prompt"] == "a cat on a sofa" and first["format"] == "png"
    assert first["file_path"] == str(gif.parent / "out" / "cat-1.png")  # kept where it is
    assert (first["width"], first["height"]) == (48, 32)
    assert (service.image_root / first["thumbnail_path"]).is_file()
    assert first["thumbnail_path"].startswith(f"{report.job_ids[1]}/thumbs/")
    assert pd.isna(images.loc[mine[3]]["thumbnail_path"])  # missing: a placeholder

    stuck = jobs[2].job
    assert stuck["status"] == "failed" and stuck["error_message"] == INTERRUPTED
    assert stuck["configuration_id"] is None  # its configuration row is gone there
    assert jobs[2].snapshot["gif"]["parameters"]["label"] == "Lost"  # still shown
    assert stuck["label"] == "Job 2"  # no label, no configuration
    assert stuck["completed_at"] == dt.datetime(2026, 1, 2, 9, 3)  # its last image
    assert jobs[3].job["status"] == "stopped" and jobs[3].job["label"] == "Cats (Rerun)"
    assert jobs[3].job["completed_at"] == dt.datetime(2026, 1, 3, 8, 1)
    no_end = jobs[4].job
    assert no_end["label"] == "Cats" and no_end["status"] == "failed"  # the configuration's
    assert no_end["completed_at"] is None and no_end["duration_s"] is None
    assert no_end["error_message"] == "401 Unauthorized: invalid key [redacted]"
    assert jobs[5].job["label"] == "Cats" and jobs[5].job["status"] == "completed"
    assert jobs[5].job["completed_at"] == dt.datetime(2026, 1, 5, 8, 3, 20)  # image 12, epoch ms

    event = jobs[1].events.iloc[-1]
    assert event["message"] == "Imported from Gen Image Factory (gen-image-factory.db, its job 1)"
    assert json.loads(event["data"])["as_recorded"]["started_at"] == T_MS
    assert service.statistics().by_status == {
        "pending": 0,
        "running": 0,
        "completed": 2,
        "failed": 2,
        "stopped": 1,
    }
    assert service.get_all(JobQuery(search="cats")).total == 4


def test_a_job_without_an_end_has_no_duration_that_grows_with_the_clock(service, gif):
    report = import_gif(service, gif)
    longest = service.get_all(JobQuery(sort="duration", descending=True)).rows
    assert longest["id"].iloc[0] != report.job_ids[4]
    assert longest.set_index("id")["duration_s"].isna()[report.job_ids[4]]
    failed = service.duration_percentiles(by=None).set_index("status").loc["failed"]
    assert failed["jobs"] == 2 and failed["max_s"] == 180  # the interrupted job's 3 minutes


def test_secrets_never_travel(service, gif):
    report = import_gif(service, gif)
    text = everything(service)
    assert KEY not in text and "apiKeys" not in text and "sk-live" not in text
    # two keys from each of two configurations and a snapshot, one from an image's settings
    assert report.secrets_dropped == 3 * 2 + 1
    assert report.secrets_redacted == 1  # the error message quoting it
    assert "secrets: 7 API keys dropped, 1 redacted" in report.summary()


def test_text_that_is_no_utf8_comes_over_replaced(service, tmp_path):
    with GifFile(tmp_path / "gen-image-factory.db") as g:
        g.job(1, None, "2026-01-01 10:00:00", "2026-01-01 10:01:00", "completed", None)
        for image in (1, 2, 3):
            g.image(image, 1, "approved")
        bad = "CAST(X'43616687' AS TEXT)"  # "Caf" and a byte that starts no UTF-8 character
        g.execute(f"UPDATE job_executions SET label = {bad}")
        g.execute(f"UPDATE generated_images SET generation_prompt = {bad} WHERE id = 2")
    report = import_gif(service, tmp_path / "gen-image-factory.db")
    job = service.get_by_id(report.job_ids[1])
    assert job.job["label"] == "Caf\ufffd"
    assert job.images["prompt"].tolist() == ["a cat on a sofa", "Caf\ufffd", "a cat on a sofa"]


def test_the_default_settings_row_comes_over_when_a_job_points_at_it(service, tmp_path):
    with GifFile(tmp_path / "gen-image-factory.db") as g:
        g.configuration(1, "default", settings("", KEY))
        g.job(1, 1, "2026-01-01 10:00:00", "2026-01-01 10:01:00", "completed", None)
    report = import_gif(service, tmp_path / "gen-image-factory.db")
    job = service.get_by_id(report.job_ids[1]).job
    assert job["configuration_name"] == "default" and job["label"] == "default"


def test_importing_the_same_file_again_changes_nothing(service, gif):
    import_gif(service, gif)
    before, files = dump(service), files_below(service.image_root)
    version = service.version
    again = import_gif(service, gif)
    assert (again.configurations.imported, again.jobs.imported, again.images.imported) == (0, 0, 0)
    assert (again.configurations.updated, again.jobs.updated, again.images.updated) == (0, 0, 0)
    assert (again.jobs.unchanged, again.images.unchanged) == (5, 12)
    assert again.missing_files == 10 and again.orphan_images == 2 and again.thumbnails == 0
    assert dump(service) == before and files_below(service.image_root) == files
    assert service.version == version  # nothing to announce


def test_a_copy_known_by_the_files_path_is_the_same_source(service, gif, tmp_path):
    first = import_gif(service, gif)
    before = dump(service)
    received = tmp_path / "received" / "upload.db"  # as a server receives a file sent to it
    received.parent.mkdir()
    shutil.copy(gif, received)
    with GifSource(received, known_as=str(gif)) as sent:
        again = import_gif(service, sent)
    assert again.source == first.source == str(gif.resolve())
    assert (again.jobs.unchanged, again.images.unchanged, again.job_ids) == (5, 12, first.job_ids)
    assert dump(service) == before
    assert ImportReport.from_json(json.loads(json.dumps(again.to_json()))) == again


@pytest.mark.parametrize(
    ("named", "why"),
    [
        ("desktop/gen-image-factory.db", "is not absolute"),
        ("/home/u/\x00.db", "control character"),
        ("/home/u/\x1b[2J.db", "control character"),
        ("/home/u/\ud800.db", "half of a surrogate pair"),
        ("/" + "a" * 4096, "longer than 4096 characters"),
    ],
)
def test_the_path_a_sent_file_is_known_by_is_checked(service, gif, named, why):
    with pytest.raises(ValidationError, match=why) as refused:
        GifSource(gif, known_as=named)
    assert refused.value.field == "path"
    assert service.statistics().total == 0


def test_a_snapshot_holds_what_the_write_ahead_log_holds(tmp_path):
    gif = two_jobs(tmp_path / "desktop")
    app = sqlite3.connect(gif)  # the desktop app, writing ahead
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("PRAGMA wal_autocheckpoint=0")
    app.execute("INSERT INTO job_executions (id, status) VALUES (3, 'completed')")
    app.commit()
    copy = tmp_path / "copy.db"
    try:
        with GifSource(gif) as source:
            source.snapshot(copy)
    finally:
        app.close()
    assert copy.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: one file is all of it
    with GifSource(copy) as sent:
        assert [job[0] for job in sent.jobs()] == [1, 2, 3] and sent.image_count() == 3


def test_an_incremental_import_adds_the_new_and_updates_the_changed(service, gif):
    first = import_gif(service, gif)
    g = sqlite3.connect(gif)
    g.execute("UPDATE job_configurations SET settings = ? WHERE id = 2",
              [json.dumps(settings("Cats", KEY, count=8))])  # fmt: skip
    g.execute("UPDATE job_executions SET status = 'completed', label = 'Night run', "
              "completed_at = '2026-01-02 09:30:00' WHERE id = 2")  # fmt: skip
    g.execute("UPDATE generated_images SET qc_status = 'approved' WHERE id = 7")
    g.execute("INSERT INTO job_executions (id, configuration_id, started_at, status, label) "
              "VALUES (6, 2, '2026-01-06 08:00:00', 'completed', 'New cats')")  # fmt: skip
    g.execute("INSERT INTO generated_images (id, image_mapping_id, execution_id, "
              "generation_prompt, qc_status, created_at) VALUES "
              "(15, 'map-15', 2, 'p', 'approved', '2026-01-02 09:20:00'), "
              "(16, 'map-16', 6, 'p', 'qc_failed', '2026-01-06 08:01:00')")  # fmt: skip
    g.commit()
    g.close()
    cats_v1 = service.get_by_id(first.job_ids[1]).job["configuration_id"]

    report = import_gif(service, gif)
    assert (report.configurations.imported, report.configurations.updated) == (0, 1)
    assert (report.jobs.imported, report.jobs.updated, report.jobs.unchanged) == (1, 2, 3)
    assert (report.images.imported, report.images.updated, report.images.unchanged) == (2, 1, 11)
    assert {k: v for k, v in report.job_ids.items() if k <= 5} == first.job_ids  # same rows
    assert service.statistics().total == 6  # no duplicates

    night = service.get_by_id(first.job_ids[2])
    assert (night.job["status"], night.job["label"]) == ("completed", "Night run")
    assert night.job["completed_at"] == dt.datetime(2026, 1, 2, 9, 30)
    assert night.job["total_images"] == 2 and night.job["error_message"] is None
    assert list(night.events["message"].str.split(" ").str[0]) == ["Imported", "Updated"]
    assert service.get_by_id(first.job_ids[1]).job["approved_images"] == 3
    versions = service.configurations().query("name == 'Cats'")
    assert sorted(versions["version"]) == [1, 2]
    cats_v2 = int(versions.set_index("version").loc[2, "id"])
    assert service.get_by_id(first.job_ids[1]).job["configuration_id"] == cats_v1  # as run
    assert service.get_by_id(report.job_ids[6]).job["configuration_id"] == cats_v2
    labels = service.get_all(JobQuery(sort="label", descending=False)).rows["label"].tolist()
    assert labels == sorted(labels, key=str.lower) and "Night run" in labels  # ranks placed


def test_a_job_deleted_here_is_not_brought_back(service, gif):
    first = import_gif(service, gif)
    service.bulk_delete([first.job_ids[1]])
    report = import_gif(service, gif)
    assert report.deleted_here == 1 and 1 not in report.job_ids
    assert (report.jobs.imported, report.images.imported) == (0, 0)
    assert service.statistics().total == 4
    assert "1 deleted here, not brought back" in report.summary()


def test_imported_files_stay_where_they_are_and_are_never_deleted(tmp_path, gif):
    service = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    report = import_gif(service, gif)
    thumbnails = list(service.image_root.rglob("*.webp")) or list(service.image_root.rglob("*.jpg"))
    assert len(thumbnails) == 2
    service.bulk_delete(list(report.job_ids.values()))
    service.close()  # waits for the deleted files to go
    assert not any(p.exists() for p in thumbnails)  # ours
    assert (gif.parent / "out" / "cat-1.png").is_file()  # theirs
    assert (gif.parent / "out" / "cat-2.png").is_file()


def test_copied_images_belong_to_jobdash(tmp_path, gif):
    service = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    report = import_gif(service, gif, copy_images=True)
    assert report.copied_files == 2 and report.thumbnails == 2 and report.missing_files == 10
    row = service.get_by_id(report.job_ids[1]).images.set_index("id").loc[image_ids(service)[1]]
    copy = service.image_root / row["file_path"]
    original = gif.parent / "out" / "cat-1.png"
    assert row["file_path"] == f"{report.job_ids[1]}/img_{image_ids(service)[1]:04d}.png"
    assert copy.read_bytes() == original.read_bytes()
    assert service.image_file(row["file_path"]) == copy.resolve()
    again = import_gif(service, gif, copy_images=True)  # nothing to copy again
    assert again.copied_files == 0 and again.images.unchanged == 12
    service.bulk_delete([report.job_ids[1]])
    service.close()
    assert not copy.exists() and original.is_file()


def test_copies_asked_for_later_are_made_then(service, gif):
    import_gif(service, gif)
    report = import_gif(service, gif, copy_images=True)
    assert report.copied_files == 2 and report.thumbnails == 0  # the thumbnails are kept
    assert (report.images.updated, report.images.unchanged) == (2, 10)
    paths = service.sql("SELECT file_path FROM generated_images WHERE thumbnail_path IS NOT NULL")
    assert all(not os.path.isabs(p) for p in paths["file_path"])
    assert import_gif(service, gif).images.unchanged == 12  # and then stay


def test_imported_files_are_served_because_a_row_names_them(service, gif, tmp_path):
    out = gif.parent / "out"
    (tmp_path / "secret.txt").write_text("not an image")
    (out / "evil.png").symlink_to(tmp_path / "secret.txt")  # an image name, a text file
    (out / "notes.txt").write_text("a text file")
    png(tmp_path / "outside.png")
    service.image_root.mkdir(parents=True, exist_ok=True)
    (service.image_root / "linked.png").symlink_to(tmp_path / "outside.png")
    g = sqlite3.connect(gif)
    for image, path in ((20, out / "evil.png"), (21, out / "notes.txt"),
                        (22, service.image_root / "linked.png")):  # fmt: skip
        g.execute("INSERT INTO generated_images (id, image_mapping_id, execution_id, "
                  "generation_prompt, qc_status, final_image_path) VALUES (?, ?, 3, 'p', "
                  "'approved', ?)", [image, f"map-{image}", str(path)])  # fmt: skip
    g.commit()
    g.close()
    report = import_gif(service, gif)
    # no thumbnail for evil.png and notes.txt (no images) nor linked.png (never followed)
    assert report.unreadable_files == 3 and report.thumbnails == 2
    mine = image_ids(service)
    present = str(out / "cat-1.png")
    assert service.image_file(present) == Path(present).resolve()
    assert service.image_of(mine[1]) == Path(present).resolve()
    assert service.image_of(mine[1], thumbnail=True).is_relative_to(service.image_root.resolve())
    stranger = png(tmp_path / "stranger.png")  # named by a row no import wrote
    add_job(service, images=[{"file_path": stranger}])
    refused = [
        stranger,
        str(out / "evil.png"),  # resolves to a text file
        str(out / "notes.txt"),  # no image type
        str(service.image_root / "linked.png"),  # a link from inside the root leads out
        str(out / "gone-3.png"),  # named, not there
        str(tmp_path / "outside.png"),  # there, named by no row
    ]
    for path in refused:
        with pytest.raises(NotFound):
            service.image_file(path)
    for image in (3, 20, 21, 22):
        with pytest.raises(NotFound):
            service.image_of(mine[image])


def test_a_failed_import_leaves_the_history_and_the_image_folder_as_they_were(service, gif):
    def interrupted(stage: str, done: int, total: int) -> None:
        if stage == "images":
            raise KeyboardInterrupt  # after the thumbnails of the first images were written

    with pytest.raises(KeyboardInterrupt):
        import_gif(service, gif, progress=interrupted)
    assert service.statistics().total == 0 and service.configurations().empty
    assert service.sql("SELECT count(*) AS n FROM import_sources")["n"][0] == 0
    assert files_below(service.image_root) == {}
    assert import_gif(service, gif).jobs.imported == 5  # and it imports afterwards


def not_gif(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.commit()
    con.close()
    return path


def truncated(gif: Path) -> Path:
    """The file cut in half (a copy that stopped early)."""
    g = sqlite3.connect(gif)
    g.executemany("INSERT INTO generated_images (id, image_mapping_id, execution_id, "
                  "generation_prompt, qc_status) VALUES (?, ?, 1, ?, 'approved')",
                  [(100 + i, f"m{i}", "a long prompt " * 40) for i in range(300)])  # fmt: skip
    g.commit()
    g.close()
    cut = gif.with_name("cut.db")
    data = gif.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_files_that_are_not_a_gif_history_are_refused_and_nothing_changes(service, gif, tmp_path):
    text = tmp_path / "hello.db"
    text.write_text("hello")
    no_column = tmp_path / "old.db"
    shutil.copy(gif, no_column)
    con = sqlite3.connect(no_column)
    con.execute("DROP INDEX idx_generated_images_qc_status")
    con.execute("ALTER TABLE generated_images DROP COLUMN qc_status")
    con.commit()
    con.close()
    refusals = {
        text: "not an SQLite file",
        not_gif(tmp_path): "it has no table job_configurations",
        no_column: "its table generated_images has no column qc_status",
        truncated(gif): "is damaged",
        tmp_path / "missing.db": "not a file",
    }
    for path, why in refusals.items():
        with pytest.raises(ValidationError, match=why) as refused:
            import_gif(service, path)
        assert refused.value.field == "path"
    assert everything(service).count("gen-image-factory") == 0
    assert service.statistics().total == 0 and files_below(service.image_root) == {}


def test_a_file_the_desktop_app_holds_locked_is_refused(service, gif):
    app = sqlite3.connect(gif, isolation_level=None)
    app.execute("BEGIN EXCLUSIVE")  # the desktop app in the middle of a write
    try:
        with pytest.raises(Conflict, match="locked by another program"):
            import_gif(service, gif)
    finally:
        app.execute("ROLLBACK")
        app.close()
    assert service.statistics().total == 0
    assert import_gif(service, gif).jobs.imported == 5


def test_cli_import(gif, tmp_path, capsys):
    db = tmp_path / "cli" / "jobs.duckdb"
    assert main(["import-gif", str(gif), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert f"Imported {gif.resolve()} into {db}:" in out
    assert "jobs: 5 new, 0 updated, 0 unchanged" in out
    assert "images: 12 new, 0 updated, 0 unchanged; 2 orphans (no job) skipped" in out
    assert "10 missing (shown as placeholders)" in out and "images: 14 of 14" in err
    assert main(["import-gif", str(gif), "--db", str(db), "--copy-images"]) == 0
    assert "jobs: 0 new, 0 updated, 5 unchanged" in capsys.readouterr().out


def test_cli_refuses_a_file_without_creating_a_history(gif, tmp_path, capsys):
    db = tmp_path / "new" / "jobs.duckdb"
    assert main(["import-gif", str(truncated(gif)), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jobdash import-gif: path: ") and "is damaged" in err
    assert err.count("\n") == 1
    assert not db.exists() and not db.parent.exists()


def test_cli_copy_images(gif, tmp_path, capsys):
    db = tmp_path / "jobs.duckdb"
    assert main(["import-gif", str(gif), "--db", str(db), "--copy-images"]) == 0
    assert "2 copied into the image folder" in capsys.readouterr().out
    copies = [p for p in (tmp_path / "images").rglob("img_*.png")]
    assert len(copies) == 2 and all(os.path.getsize(p) > 0 for p in copies)
