"""Crash leftovers are swept when a history is opened: image files, thumbnails and ``.part``
files of finished or deleted jobs that no row names, older than the open, are removed (only
regular files inside the image root, never through a link); everything a row names, files of
other kinds, and the folders of jobs still queued stay."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from factories import add_job
from runner_util import kill_mid_job, running, settings

import jobdash
from jobdash.files import Stop, sweep_orphans
from jobdash.runner import run_job
from jobdash.runner.layout import RUNNER_FILES
from jobdash.store import JobStore
from jobdash.store.sessions import marker


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ours_on_disk(root: Path) -> set[str]:
    """Relative paths of every file of the runner's kinds below ``root`` (links included)."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink()) and RUNNER_FILES.names.fullmatch(p.name)
    }


def named_by_rows(svc: jobdash.JobService) -> set[str]:
    rows = svc.sql("SELECT file_path, thumbnail_path FROM generated_images")
    return {p for pair in rows.itertuples(index=False) for p in pair if isinstance(p, str)}


def test_a_killed_runners_leftovers_are_swept_on_reopen(tmp_path, caplog):
    db = tmp_path / "jobs.duckdb"
    with running(db) as svc:
        svc.add_configuration("Quick", settings(count=1, variations=2))
        svc.add_configuration(
            "Slow", settings(count=200, variations=1, generator={"delay_s": 0.05})
        )
        done = run_job(svc, "Quick", timeout=30)["id"]
        deleted = run_job(svc, "Quick", timeout=30)["id"]
        svc.bulk_delete([deleted])
        svc.trash.wait()
        root = svc.settings.image_root
    with jobdash.open(db, runner=False) as svc, svc.store.transaction() as tx:
        slow = svc.start("Slow")["id"]
        queued = svc.start("Quick")["id"]
        job = root / str(slow)
        # Rows naming files of the slow job's folder in other ways than the runner does.
        svc.store.add_image(tx, done, qc_status="approved", file_path=str(job / "img_0160.png"))
        svc.store.add_image(
            tx, done, qc_status="approved", file_path=f"{slow}/../{slow}/img_0161.png"
        )
    kill_mid_job(db, slow)

    outside = write(tmp_path / "outside" / "img_0001.png", b"not ours")
    leftovers = [
        write(job / "img_0150.png"),  # saved, its row never written
        write(job / "thumbs" / "img_0150.webp"),
        write(job / ".img_0151.png.part"),  # being written when the process died
        write(job / "thumbs" / ".img_0151.webp.part"),
        write(job / "approved" / "img_0152.png"),
        write(root / str(deleted) / "img_0001.png"),  # a deleted job's folder
    ]
    stays = [
        write(root / "notes.txt", b"mine"),  # a user's files, of other kinds
        write(job / "notes.txt", b"mine"),
        write(job / "img_1.png", b"mine"),
        write(job / "thumbs" / "readme.md", b"mine"),
        write(root / "mine" / "img_0001.png", b"mine"),  # not in a job folder
        write(root / "0042" / "img_0001.png", b"mine"),  # not a name the runner gives
        write(root / str(queued) / "img_0001.png"),  # a queued job may write there
        write(root / "99999" / "img_0001.png"),  # no job has this id yet
        write(job / "img_0160.png"),  # named by a row, by an absolute path
        write(job / "img_0161.png"),  # named by a row through ".."
        write(job / "img_0170.png"),  # modified after the open (as if written since)
    ]
    future = time.time() + 3600
    os.utime(job / "img_0170.png", (future, future))
    (job / "img_0180.png").symlink_to(outside)  # a link is never removed nor followed
    (root / "424242").symlink_to(outside.parent, target_is_directory=True)

    caplog.set_level(logging.INFO, logger="jobdash.files")
    with jobdash.open(db, runner=False) as svc:
        svc.trash.wait()
        named = named_by_rows(svc)
        statuses = svc.job_statuses([slow, queued])

    assert statuses == {slow: "failed", queued: "pending"}
    for path in leftovers:
        assert not path.exists(), path
    assert not (root / str(deleted)).exists()  # its emptied folder too
    for path in stays:
        assert path.is_file(), path
    assert (job / "img_0180.png").is_symlink() and outside.read_bytes() == b"not ours"
    assert (root / "424242" / "img_0001.png").is_file()
    # What the killed runner left is exactly what its rows name, and every named file is there.
    regular = {name for name in named if not name.startswith("/") and ".." not in name}
    planted = {p.relative_to(job).as_posix() for p in stays if p.is_relative_to(job)}
    assert ours_on_disk(job) - planted - {"img_0180.png"} == {
        p.removeprefix(f"{slow}/") for p in regular if p.startswith(f"{slow}/")
    }
    for path in regular:
        assert (root / path).is_file(), path
    swept = [r.getMessage() for r in caplog.records if "leftover image file" in r.getMessage()]
    assert len(swept) == 1
    removed = int(swept[0].split("jobdash: ", 1)[1].split()[0])
    assert removed >= len(leftovers)


def give_ids(svc: jobdash.JobService, n: int) -> None:
    """Give the first ``n`` job ids to jobs, then delete them."""
    assert svc.bulk_delete([add_job(svc) for _ in range(n)]) == dict.fromkeys(
        range(1, n + 1), "deleted"
    )
    svc.trash.wait()


def test_after_a_clean_close_the_next_open_does_not_sweep(tmp_path, caplog):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        root = svc.settings.image_root
        give_ids(svc, 1)
        svc.trash.wait()  # a new file sweeps once (nothing to find)
    assert not marker(db).exists()  # closed cleanly
    planted = write(root / "1" / "img_0001.png")
    caplog.set_level(logging.INFO, logger="jobdash")
    with jobdash.open(db, runner=False) as svc:
        svc.trash.wait()
        assert svc.store.left_open is None and marker(db).exists()
    assert planted.exists()  # no process ended with the history open: nothing to look for
    assert not [r for r in caplog.records if "leftover" in r.getMessage()]
    assert not marker(db).exists()


def test_only_the_first_opener_in_a_process_sweeps(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as first:
        first.trash.wait()
        root = first.settings.image_root
        give_ids(first, 1)
        leftover = write(root / "1" / "img_0001.png")
        with jobdash.open(db, runner=False) as second:
            second.trash.wait()
            assert second.store.left_open is None and leftover.exists()
        first.store.close(clean=False)  # as if its runner were still busy
    assert marker(db).exists()
    with jobdash.open(db, runner=False) as svc:
        assert svc.store.left_open.pid == os.getpid()
        svc.trash.wait()
    assert not leftover.exists()
    assert not marker(db).exists()  # swept, then closed cleanly


def test_a_stopped_sweep_removes_nothing_and_is_done_again_next_time(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.trash.wait()
        settings = svc.settings
        give_ids(svc, 3)
    files = [write(settings.image_root / str(i) / "img_0001.png") for i in (1, 2, 3)]
    JobStore(db).close(clean=False)  # a process that ended with the history open
    for stopped in (True, False):
        store = JobStore(db)
        stop = Stop()
        if stopped:
            stop.set()
        try:
            assert store.left_open is not None
            removed = sweep_orphans(
                store, settings.image_root, settings.image_path, RUNNER_FILES, time.time_ns(), stop
            )
        finally:
            store.close()
        if stopped:  # nothing removed, and the next opener sweeps again
            assert removed is None and all(path.exists() for path in files)
            assert marker(db).exists()
    assert removed == 3 and not any(settings.image_root.iterdir())
    assert not marker(db).exists()
