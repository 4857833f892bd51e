"""Real jobs end to end: files on disk, image rows, QC verdicts, events in order, progress."""

from __future__ import annotations

import json

from PIL import Image
from runner_util import finished, running, settings, steps

from jobdash.events import COMPLETION, PROGRESS_UPDATE, STATUS_UPDATE
from jobdash.runner import run_job


def test_a_job_runs_end_to_end(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("Dawn", settings())
        seq = svc.version
        job = run_job(svc, "Dawn", timeout=30)
        detail = svc.get_by_id(job["id"])
        changes = svc.changes_since(seq)
        timeline = steps(svc, job["id"])
        root = svc.settings.image_root

    assert job["status"] == "completed" and job["progress"] == 100
    assert job["current_step"] is None and job["error_message"] is None
    assert (job["total_images"], job["successful_images"], job["failed_images"]) == (4, 4, 0)
    assert job["approved_images"] == 4

    images = detail.images
    assert list(images["prompt"]) == ["A red lake at dawn"] * 2 + ["A blue forest at dawn"] * 2
    assert images["seed"].nunique() == 4
    assert set(images["qc_status"]) == {"approved"}
    for i, row in enumerate(images.itertuples(), start=1):
        # Stored relative to the image root; approved images were moved to approved/.
        assert row.file_path == f"{job['id']}/approved/img_{i:04d}.png"
        assert row.thumbnail_path.startswith(f"{job['id']}/thumbs/img_{i:04d}.")
        with Image.open(root / row.file_path) as im:
            assert (im.format, im.size) == ("PNG", (96, 96))
        with Image.open(root / row.thumbnail_path) as thumb:
            assert max(thumb.size) <= 256
        assert (row.width, row.height, row.format) == (96, 96, "png")
        assert 0 < row.quality_score <= 1
        meta = json.loads(row.metadata)
        assert meta["title"] and meta["description"] and len(meta["tags"]) >= 5
        assert meta["index"] == i and meta["generator"] == "procedural"
    # Each image after the first was compared with the earlier ones (duplicate check).
    assert json.loads(images["metadata"][1])["qc"]["nearest_image"] == 1
    assert not (root / str(job["id"]) / "img_0001.png").exists()  # moved, not copied

    per_image = [
        ("generate", "prompt"),
        ("generate", None),
        ("save", None),
        ("metadata", None),
        ("qc", None),
    ]
    assert timeline == [
        ("queue", None),
        ("runner", None),
        ("initialise", "settings"),
        ("initialise", "keywords"),
        ("initialise", "generator"),
        ("initialise", "output"),
        *per_image * 4,
        ("finalise", None),
        ("runner", None),
    ]
    assert detail.events["message"].iloc[-1].startswith("Completed: 4 of 4 images")
    assert detail.events["at"].is_monotonic_increasing

    mine = [c for c in changes if job["id"] in c.job_ids]
    assert mine[0].kind == "created"
    assert (mine[1].kind, mine[1].data["status"]) == (STATUS_UPDATE, "running")
    progress = [
        c.data["progress"]
        for c in mine
        if c.kind == PROGRESS_UPDATE and c.data["progress"] is not None
    ]
    assert progress == sorted(progress) and progress[0] == 5 and progress[-1] == 95
    assert 20 in progress and 90 in progress
    assert (mine[-1].kind, mine[-1].data["status"]) == (COMPLETION, "completed")


def test_faults_give_partial_success_with_readable_reasons(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration(
            "Faulty",
            settings(
                count=6,
                variations=1,
                keywords=["amber dune"],
                generator={"fault_rate": 0.6, "faults": ["error", "blank"]},
            ),
        )
        job = run_job(svc, "Faulty", timeout=30)
        detail = svc.get_by_id(job["id"])

    images = detail.images
    statuses = images["qc_status"].value_counts().to_dict()
    # Seed 11 draws: some fine, some generator errors, some blank images (a real QC fail).
    assert statuses.get("approved", 0) >= 1
    assert statuses.get("processing_failed", 0) >= 1
    assert statuses.get("qc_failed", 0) >= 1
    failed = images[images["qc_status"] == "processing_failed"]
    assert set(failed["qc_reason"]) == {"processing_failed:generate"}
    assert failed["file_path"].isna().all()
    blank = images[images["qc_status"] == "qc_failed"]
    assert blank["qc_reason"].str.startswith("Image is nearly blank").all()

    assert job["status"] == "completed"  # partial success is still a completed run
    assert job["total_images"] == len(images) == 6
    assert job["successful_images"] == images["qc_status"].isin(["approved", "needs_review"]).sum()
    assert job["failed_images"] == 6 - job["successful_images"]
    assert job["approved_images"] == statuses["approved"]
    assert job["qc_failed_images"] == statuses["qc_failed"]
    errors = detail.events[detail.events["level"] == "error"]
    assert errors["message"].str.contains("generate failed").any()
    assert errors["message"].str.contains("qc failed — Image is nearly blank").any()


def test_no_image_produced_fails_with_the_reason(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration(
            "Down", settings(generator={"fault_rate": 1.0, "faults": ["timeout"]})
        )
        job = run_job(svc, "Down", timeout=30)
        images = svc.get_by_id(job["id"]).images

    assert job["status"] == "failed"
    assert job["error_message"] == "no image produced: 4 failed in generate"
    assert job["error_step"] == "generate"
    assert job["progress"] == 90 and job["total_images"] == 4 and job["failed_images"] == 4
    failures = [json.loads(m)["failure"] for m in images["metadata"]]
    assert {f["kind"] for f in failures} == {"timeout"}


def test_processing_and_format_follow_the_settings(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration(
            "Jpeg",
            settings(
                count=1,
                variations=2,
                format="jpg",
                width=128,
                height=80,
                processing={
                    "trim": True,
                    "enhance": {"contrast": 1.2},
                    "quality": 80,
                    "thumb_size": 32,
                },
            ),
        )
        job = run_job(svc, "Jpeg", timeout=30)
        detail = svc.get_by_id(job["id"])
        timeline = steps(svc, job["id"])
        root = svc.settings.image_root

    assert job["status"] == "completed"
    assert ("process", "trim+enhance") in timeline
    for row in detail.images.itertuples():
        assert row.file_path.endswith(".jpg") and row.format == "jpg"
        with Image.open(root / row.file_path) as im:
            assert im.format == "JPEG"
        with Image.open(root / row.thumbnail_path) as thumb:
            assert max(thumb.size) <= 32


def test_bad_settings_fail_at_initialise_and_the_queue_goes_on(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("NoModel", settings(generator={"name": "nonexistent"}))
        svc.add_configuration("NoPrompt", {"count": 1})
        svc.add_configuration("Crash", settings(generator={"fault_rate": 2}))
        svc.add_configuration("Fine", settings(count=1, variations=1))
        ids = [svc.start(name)["id"] for name in ("NoModel", "NoPrompt", "Crash", "Fine")]
        jobs = [finished(svc, i) for i in ids]

    no_model, no_prompt, crash, fine = jobs
    assert (no_model["status"], no_model["error_step"]) == ("failed", "initialise")
    assert "no generator called 'nonexistent' (available: procedural" in no_model["error_message"]
    assert (no_prompt["status"], no_prompt["error_step"]) == ("failed", "initialise")
    assert no_prompt["error_message"].startswith("prompt_template:")
    # An exception escaping the pipeline fails the job at the stage it was in.
    assert (crash["status"], crash["error_step"]) == ("failed", "generate")
    assert crash["error_message"] == "ValueError: fault_rate must be between 0 and 1, got 2.0"
    assert fine["status"] == "completed"


def test_deleting_a_finished_job_removes_its_whole_folder(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("Mixed", settings(generator={"fault_rate": 0.5, "faults": ["blank"]}))
        job = run_job(svc, "Mixed", timeout=30)
        folder = svc.settings.image_root / str(job["id"])
        statuses = set(svc.get_by_id(job["id"]).images["qc_status"])
        assert {"approved", "qc_failed"} <= statuses  # files both in approved/ and beside it
        assert svc.bulk_delete([job["id"]]) == {job["id"]: "deleted"}
        svc.trash.wait()  # files are removed in the background
        assert not folder.exists()
