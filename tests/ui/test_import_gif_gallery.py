"""An imported Gen Image Factory job in the served app: its gallery shows the thumbnails
made for the files that exist and a placeholder for the one missing, the large view opens
the file where the desktop app left it, and those files are served because a row names
them: by image id, never because of where they lie."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from pathlib import Path

import pytest
from factories import add_job
from gif_files import GifFile, png
from playwright.sync_api import Page, expect

from jobdash.importers.gif import import_gif

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """One imported job: two images whose files exist outside the image root, one missing,
    one whose path is a link from inside the image root to a file outside it; and a job
    whose row names a file outside the root but was not imported."""
    desktop = service.store.path.parent / "desktop"
    out = desktop / "out"
    png(desktop / "elsewhere.png", (30, 20), "orange")
    service.image_root.mkdir(parents=True, exist_ok=True)
    (service.image_root / "linked.png").symlink_to(desktop / "elsewhere.png")
    files = {
        1: png(out / "lake.png", (48, 32), "navy"),
        2: png(out / "hill.png", (40, 40), "green"),
        3: str(out / "gone.png"),
        4: str(service.image_root / "linked.png"),
    }
    with GifFile(desktop / "gen-image-factory.db") as gif:
        gif.configuration(1, "Landscapes", {"parameters": {"label": "Landscapes"}})
        gif.job(1, 1, "2026-01-01 10:00:00", "2026-01-01 10:05:00", "completed", "Landscapes")
        for image, path in files.items():
            title = Path(path).stem.title()
            gif.image(image, 1, "approved", final=path, metadata={"title": title})
    report = import_gif(service, desktop / "gen-image-factory.db")
    stranger = png(desktop / "stranger.png")
    other = add_job(service, label="Not imported", images=[{"file_path": stranger}])
    ids = service.sql(
        "SELECT original_id, id FROM imported_rows WHERE table_name = 'generated_images'"
    )
    return {
        "images": dict(zip(ids["original_id"], ids["id"], strict=True)),
        "files": files,
        "job": report.job_ids[1],
        "stranger": int(service.get_by_id(other).images["id"][0]),
    }


def get(url: str) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    con.request("GET", parts.path)
    response = con.getresponse()
    return response.status, response.read()


def test_an_imported_jobs_gallery_shows_its_thumbnails_and_the_large_view_opens(page: Page, served):
    job, images = served.facts["job"], served.facts["images"]
    page.goto(f"{served.url}/jobs")
    page.get_by_role("button", name=f"JOB-{job:06d}", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Job JOB-{job:06d} details")
    dialog.locator(".bk-tab").filter(has_text=re.compile("^Images$")).click()
    expect(dialog.locator(".jd-card")).to_have_count(4)
    thumbs = dialog.locator(".jd-card img")
    expect(thumbs).to_have_count(2)  # lake and hill; gone and the link out have none
    for i in range(2):
        src = thumbs.nth(i).get_attribute("src") or ""
        assert src.startswith(f"/images/{job}/thumbs/img_"), src
        assert thumbs.nth(i).evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(dialog.locator(".jd-card .jd-missing")).to_have_count(2)
    dialog.get_by_role("button", name="Open Lake (Approved)").click()
    large = dialog.locator(".jd-large-view img.jd-large")
    expect(large).to_have_attribute("src", f"/images/by-id/{images[1]}/file")
    assert large.evaluate("img => img.decode().then(() => img.naturalWidth)") == 48
    expect(dialog.locator(".jd-large-view")).to_contain_text(served.facts["files"][1])


def test_files_kept_outside_the_root_are_served_because_a_row_names_them(served):
    base, images = served.url, served.facts["images"]
    status, body = get(f"{base}/images/by-id/{images[2]}/file")
    assert status == 200 and body == Path(served.facts["files"][2]).read_bytes()
    assert get(f"{base}/images/by-id/{images[2]}/thumbnail")[0] == 200
    for path in (
        f"by-id/{images[3]}/file",  # its file is missing
        f"by-id/{images[3]}/thumbnail",  # and so has no thumbnail
        f"by-id/{images[4]}/file",  # a link from inside the image root leads out
        f"by-id/{served.facts['stranger']}/file",  # outside the root, not imported
        "by-id/999999/file",
        "by-id/99999999999999999999/file",
        f"by-id/{images[2]}/other",
        "linked.png",  # the link itself, by its place in the root: named by no row that way
    ):
        assert get(f"{base}/images/{path}")[0] == 404, path
