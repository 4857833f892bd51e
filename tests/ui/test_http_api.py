"""The HTTP API and its Python client against a real served app on a loopback port: every
contract method answers through the client as through the service on the same history, with
the same typed errors; the API asks for its token, refuses other sites, answers problem
details, and describes itself."""

from __future__ import annotations

import http.client
import json
import sqlite3
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from factories import T0, add_config, add_job
from gif_files import two_jobs
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.api.routes import UPLOAD_LIMIT
from jobdash.client import JobClient, RemoteError, connect
from jobdash.errors import Conflict, NotFound, ValidationError
from jobdash.importers.gif import import_gif
from jobdash.query import JobQuery
from jobdash.server import Access, start_server

TOKEN = "a-test-token-of-some-length"


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> Iterator[tuple[jobdash.JobService, JobClient, str]]:
    svc = jobdash.open(tmp_path_factory.mktemp("api") / "jobs.duckdb", runner=False)
    hero, icons = add_config(svc, "Hero banners"), add_config(svc, "Tech icons")
    for i in range(40):
        add_job(
            svc,
            status=["completed", "failed", "stopped", "completed"][i % 4],
            label=f"Job <b>{i}</b> =SUM(A1)" if i % 7 == 0 else f"Lake study {i}",
            config_id=hero if i % 2 else icons,
            started_at=T0 + pd.Timedelta(hours=i).to_pytimedelta(),
            error_message="Generation timed out after 30s" if i % 4 == 1 else None,
            images=[{"qc_status": "approved"}, {"qc_status": "qc_failed", "qc_reason": "blurry"}],
        )
    add_job(svc, status="running", label="Running now", config_id=hero)
    port = free_port()
    server = start_server(svc, access=Access(port=port, token=TOKEN), threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        url = f"http://127.0.0.1:{port}"
        yield svc, connect(url, TOKEN), url
    finally:
        stop_serving(server, svc)


QUERIES = [
    JobQuery(),
    JobQuery(statuses=["failed", "stopped"], sort="label", descending=False, page_size=25),
    JobQuery(search="lake", page=2, page_size=25),
    JobQuery(date_from="2026-01-01", date_to="2027-12-31", image_qc="qc_failed"),
    JobQuery(configuration_ids=[1], sort="duration"),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_a_page_and_statistics_are_the_same_through_the_client(both, query):
    svc, client, _ = both
    here, there = svc.get_all(query), client.get_all(query)
    assert (there.total, there.page, there.page_size, there.pages) == (
        here.total,
        here.page,
        here.page_size,
        here.pages,
    )
    # A running job's duration counts up to "now": every other value is compared.
    pd.testing.assert_frame_equal(
        there.rows.drop(columns="duration_s"), here.rows.drop(columns="duration_s")
    )
    a, b = svc.statistics(query), client.statistics(query)
    assert a.__dict__ | {"avg_duration_s": None} == b.__dict__ | {"avg_duration_s": None}


def test_one_job_is_the_same_through_the_client(both):
    svc, client, _ = both
    for job_id in (1, 7, 41):
        here, there = svc.get_by_id(job_id), client.get_by_id(f"JOB-{job_id:06d}")
        assert {k: v for k, v in there.job.items() if k != "duration_s"} == {
            k: v for k, v in here.job.items() if k != "duration_s"
        }
        assert (there.configuration, there.snapshot) == (here.configuration, here.snapshot)
        pd.testing.assert_frame_equal(there.images, here.images)
        pd.testing.assert_frame_equal(there.events, here.events)
    pd.testing.assert_frame_equal(client.configurations(), svc.configurations())
    pd.testing.assert_frame_equal(client.jobs([3, 1]), svc.jobs([3, 1]))
    assert client.queue() == svc.queue()


def test_the_same_typed_errors_come_back(both):
    svc, client, _ = both
    for call in (
        lambda b: b.get_by_id(99_999),
        lambda b: b.rename(99_999, "x"),
        lambda b: b.bulk_rerun([99_999]),
        lambda b: b.delete_preset("no such preset"),
    ):
        with pytest.raises(NotFound) as here:
            call(svc)
        with pytest.raises(NotFound) as there:
            call(client)
        assert str(there.value) == str(here.value)
    for call, field in (
        (lambda b: b.rename(1, ""), "label"),
        (lambda b: b.rename(1, "x" * 201), "label"),
        (lambda b: b.bulk_delete([]), "ids"),
        (lambda b: b.get_by_id("not-an-id"), None),
        (lambda b: b.get_all(JobQuery(search="x").copy(search="y" * 10)), None),
    ):
        try:
            call(svc)
        except ValidationError as exc:
            with pytest.raises(ValidationError) as there:
                call(client)
            assert str(there.value) == str(exc) and there.value.field == exc.field
            if field:
                assert exc.field == field
    with pytest.raises(Conflict) as there:
        client.bulk_delete([41])  # running
    assert "Stop them first" in str(there.value)
    assert svc.get_by_id(41).job["status"] == "running"  # nothing changed


def test_writes_through_the_client_land_in_the_history(both, tmp_path):
    svc, client, _ = both
    job = client.rename(2, "  Renamed over HTTP  ")
    assert job["label"] == "Renamed over HTTP" == svc.get_by_id(2).job["label"]
    rerun = client.bulk_rerun([2, 3])
    assert list(rerun["rerun_of"]) == [2, 3]
    assert set(rerun["id"]) <= set(svc.queue())
    assert client.bulk_delete([*rerun["id"], 99_999]) == {
        **{int(i): "deleted" for i in rerun["id"]},
        99_999: "not_found",
    }
    client.save_preset("Failed lakes", JobQuery(statuses=["failed"], search="lake"))
    assert client.presets() == svc.presets()
    assert client.apply_preset("Failed lakes") == svc.apply_preset("Failed lakes") or (
        client.apply_preset("Failed lakes").to_dict() == svc.apply_preset("Failed lakes").to_dict()
    )
    client.delete_preset("Failed lakes")
    assert svc.presets() == []
    # Every write moved the change counter, which the client reads from /api/version.
    assert (client.version, client.feed_id) == (svc.version, svc.feed_id)
    assert client.changes_since(client.version) == []


def test_an_export_through_the_client_is_the_services_workbook(both, tmp_path):
    svc, client, _ = both
    query = JobQuery(statuses=["failed"])
    here = svc.bulk_export(query, tmp_path / "here.xlsx")
    there = client.bulk_export(query, tmp_path / "there" / "jobs.xlsx")
    one = client.export(7, tmp_path / "JOB-000007.xlsx")

    def cells(path, sheet):
        book = openpyxl.load_workbook(path, read_only=True)
        return [list(row) for row in book[sheet].iter_rows(values_only=True)]

    book = openpyxl.load_workbook(here, read_only=True)
    for sheet in book.sheetnames:
        if sheet != "Summary":
            assert cells(there, sheet) == cells(here, sheet), sheet
    labels = [row[1] for row in cells(one, book.sheetnames[1])[1:]]
    assert labels and all(isinstance(v, str) for v in labels)
    assert book.sheetnames == ["Summary", "Jobs", "Images"]
    bare = client.bulk_export(query, tmp_path / "bare.xlsx", include_images=False)
    assert openpyxl.load_workbook(bare, read_only=True).sheetnames == ["Summary", "Jobs"]
    assert cells(bare, "Jobs") == cells(here, "Jobs")
    with pytest.raises(ValidationError) as refused:
        client.bulk_export(query, tmp_path / "jobs.csv")
    assert refused.value.field == "path"


def call(url: str, method: str = "GET", body: bytes | None = None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_the_api_asks_for_its_token_and_refuses_other_sites(both):
    svc, _, url = both
    before = svc.get_by_id(1).job["label"]
    rename = json.dumps({"label": "hijacked"}).encode()
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic b3BzOnBhc3N3b3Jk"},
        {"Cookie": "user=operator"},
    ):
        status, answer, _ = call(url + "/api/jobs/1", "PATCH", rename, headers)
        assert status == 401 and answer["Content-Type"] == "application/problem+json"
    status, _, _ = call(
        url + "/api/jobs/1",
        "PATCH",
        rename,
        {"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"},
    )
    assert status == 403
    assert svc.get_by_id(1).job["label"] == before
    assert (
        "Access-Control-Allow-Origin"
        not in call(url + "/api/jobs", headers={"Authorization": f"Bearer {TOKEN}", "Origin": url})[
            1
        ]
    )
    with pytest.raises(RemoteError, match="401"):
        JobClient(url).get_all()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/jobs?descending=maybe", "descending"),
        ("/api/jobs?page=-3", "page"),
        ("/api/jobs?page=abc", "page"),
        ("/api/jobs?page_size=7", "page_size"),
        ("/api/jobs?statuses=failed,,,%00", "statuses"),
        ("/api/jobs?date_from=2026-13-45", "date_from"),
        ("/api/jobs?sort=id%3BDROP%20TABLE%20job_executions", "sort"),
        ("/api/jobs?bogus=1", "bogus"),
        ("/api/statistics?page=1&page=2", "page"),
        ("/api/changes?since=-1", "since"),
        ("/api/version?since=3", "since"),
        ("/api/events?since=-1", "since"),
        ("/api/events?since=soon", "since"),
        ("/api/events?bogus=1", "bogus"),
        ("/api/jobs/..%2F..%2Fetc", "id"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(both, path, field):
    _, _, url = both
    status, headers, body = call(url + path, headers={"Authorization": f"Bearer {TOKEN}"})
    problem = json.loads(body)
    assert (status, problem["status"], problem["field"]) == (422, 422, field), problem
    assert headers["Content-Type"] == "application/problem+json"
    assert "Traceback" not in problem["detail"]


def test_the_api_describes_itself(both):
    _, _, url = both
    status, _, body = call(url + "/api/openapi.json")
    spec = json.loads(body)
    assert status == 200 and spec["openapi"].startswith("3.1")
    ids = {op["operationId"] for ops in spec["paths"].values() for op in ops.values()}
    assert {
        "get_all", "get_by_id", "rename", "bulk_delete", "bulk_rerun", "bulk_export",
        "export", "statistics", "configurations", "start", "stop", "cancel", "queue",
        "presets", "save_preset", "delete_preset", "changes_since", "jobs", "sql", "events",
        "import_gif",
    } <= ids  # fmt: skip
    upload = spec["paths"]["/api/imports/gif"]["post"]
    assert set(upload["requestBody"]["content"]) == {
        "application/vnd.sqlite3",
        "application/octet-stream",
    }
    assert [p["name"] for p in upload["parameters"]] == ["path", "copy_images"]
    assert (
        "413" in upload["responses"] and "413" not in spec["paths"]["/api/sql"]["post"]["responses"]
    )
    statuses = spec["paths"]["/api/jobs"]["get"]["parameters"][0]
    assert statuses["name"] == "statuses" and "failed" in statuses["schema"]["items"]["enum"]
    status, _, body = call(url + "/api/docs")
    assert status == 200 and b"GET</span> <code>/api/jobs</code>" in body
    assert b"Body: The file itself, up to 4 GiB. (<code>application/vnd.sqlite3</code>" in body


def test_sql_runs_one_read_only_query_through_the_client(both):
    svc, client, _ = both
    statement = (
        "SELECT status, count(*) AS jobs FROM job_executions WHERE id < ? "
        "GROUP BY status ORDER BY status"
    )
    pd.testing.assert_frame_equal(client.sql(statement, [30]), svc.sql(statement, [30]))


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO filter_presets VALUES ('x', '{}', now())",
        "UPDATE job_executions SET label = 'x'",
        "DELETE FROM job_executions",
        "COPY job_executions TO '/tmp/out.csv'",
        "ATTACH '/tmp/other.duckdb' AS other",
        "PRAGMA database_list",
        "SET threads = 1",
        "CALL checkpoint()",
        "SELECT 1; DELETE FROM job_executions",
        "EXPLAIN ANALYZE DELETE FROM job_executions",
        "CREATE TABLE t AS SELECT 1",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM 'https://example.com/data.csv'",
        "SELECT no_such_column FROM job_executions",
        "SELEC nonsense",
    ],
)
def test_sql_refuses_anything_but_one_read_of_the_history(both, statement):
    svc, client, _ = both
    before = svc.get_all().total
    with pytest.raises(ValidationError) as refused:
        client.sql(statement)
    assert refused.value.field == "statement"
    assert svc.get_all().total == before


def test_sql_stops_a_long_query_and_caps_its_rows(both):
    _, client, _ = both
    with pytest.raises(ValidationError, match=r"still running after 0\.5 s"):
        client.sql("SELECT count(*) FROM range(100000) a, range(100000) b", timeout_s=0.5)
    with pytest.raises(ValidationError, match="more than 10 rows"):
        client.sql("SELECT * FROM range(11)", max_rows=10)
    assert len(client.sql("SELECT * FROM range(10)", max_rows=10)) == 10
    with pytest.raises(ValidationError) as refused:
        client.sql("SELECT 1", max_rows=0)
    assert refused.value.field == "max_rows"


def test_the_failure_analysis_is_the_same_through_the_client(both):
    svc, client, _ = both
    assert isinstance(client, jobdash.JobBackend)
    message = "Generation timed out after 30s"
    assert client.signature_of(message) == svc.signature_of(message)
    scope = JobQuery(configuration_ids=[1, 2])
    end = (T0 + pd.Timedelta(days=2)).date()
    for call in (
        lambda b: b.error_signatures(),
        lambda b: b.error_signatures(scope, limit=5, examples=1),
        lambda b: b.signature_daily_counts(days=5, end=end),
        lambda b: b.failure_rate("hour", "configuration"),
        lambda b: b.failure_rate("day", query=scope),
        lambda b: b.qc_rejection_rate("week", "stage"),
        lambda b: b.qc_reasons(scope),
    ):
        pd.testing.assert_frame_equal(call(client), call(svc))
    here, there = svc.duration_percentiles(), client.duration_percentiles()
    assert list(there.columns) == list(here.columns) and len(there) == len(here)
    for call, field in (
        (lambda b: b.failure_rate("month"), "bucket"),
        (lambda b: b.error_signatures(limit=0), "limit"),
    ):
        with pytest.raises(ValidationError) as here_error:
            call(svc)
        with pytest.raises(ValidationError) as there_error:
            call(client)
        assert (there_error.value.field, str(there_error.value)) == (
            here_error.value.field,
            str(here_error.value),
        )
        assert here_error.value.field == field
    status = client.status()
    assert status["running"] == [41] and status["has_runner"] is False
    assert client.image_root == svc.image_root and client.export_dir == svc.export_dir


def test_image_files_come_through_the_client(both):
    svc, client, _ = both
    folder = svc.image_root / "JOB-API"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.png").write_bytes(b"\x89PNG file bytes")
    (folder / "a-thumb.webp").write_bytes(b"RIFF thumb bytes")
    job = add_job(
        svc,
        label="With files",
        images=[
            {"file_path": "JOB-API/a.png", "thumbnail_path": "JOB-API/a-thumb.webp"},
            {"file_path": "JOB-API/missing.png"},
        ],
    )
    shown, gone = svc.get_by_id(job).images["id"].tolist()
    assert client.image(shown) == b"\x89PNG file bytes"
    assert client.image(shown, thumbnail=True) == b"RIFF thumb bytes"
    for image_id, thumbnail in ((gone, False), (gone, True), (99_999_999, False)):
        with pytest.raises(NotFound):
            client.image(image_id, thumbnail=thumbnail)
    svc.bulk_delete([job])


def test_one_jobs_images_and_events_come_in_pages(both):
    svc, _, url = both
    with svc.store.transaction() as tx:
        for n in range(8):
            svc.store.add_event(tx, 1, level="info", step="generation", message=f"Step {n}")
    detail = svc.get_by_id(1)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, _, body = call(url + "/api/jobs/1?images_offset=1&images_limit=1", headers=auth)
    page = json.loads(body)
    assert status == 200 and page["images_total"] == len(detail.images) == 2
    assert [row[0] for row in page["images"]["data"]] == [int(detail.images["id"].iloc[1])]
    first = int(detail.events["id"].iloc[0])
    _, _, body = call(url + f"/api/jobs/1?events_after={first}&events_limit=5", headers=auth)
    later = json.loads(body)["events"]["data"]
    assert [row[0] for row in later] == [int(i) for i in detail.events["id"].iloc[1:6]]
    status, _, body = call(url + "/api/jobs/1?images_limit=0", headers=auth)
    assert status == 422 and json.loads(body)["field"] == "images_limit"


def test_sql_answers_large_results_as_parquet(both):
    svc, client, _ = both
    statement = "SELECT * FROM generated_images ORDER BY id"
    here = svc.sql(statement)
    there = client.sql(statement, format="parquet")
    pd.testing.assert_frame_equal(there, here)
    with pytest.raises(ValidationError) as refused:
        client.sql(statement, format="csv")
    assert refused.value.field == "format"


@pytest.fixture
def uploads(tmp_path, monkeypatch) -> Path:
    """The temporary folder of this process (the served app's and the client's) while the
    test runs, to see what uploads leave behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_gif_file_sent_to_the_server_is_imported_as_in_process(both, tmp_path, uploads):
    svc, client, _ = both
    gif = two_jobs(tmp_path / "desktop")
    seen: list[tuple[str, int, int]] = []
    report = client.import_gif(gif, progress=lambda *step: seen.append(step))
    assert report.source == str(gif.resolve())
    assert (report.jobs.imported, report.images.imported) == (2, 3)
    # the relative path is taken from the file's folder (the same machine here)
    assert (report.thumbnails, report.missing_files) == (2, 1)
    assert seen and seen[-1][0] == "upload" and seen[-1][1] == seen[-1][2] > 0
    cats = svc.get_by_id(report.job_ids[1])
    assert cats.job["label"] == "Sent cats"
    assert str(gif.parent / "out" / "b.png") in set(cats.images["file_path"])
    assert svc.get_by_id(report.job_ids[2]).job["status"] == "failed"
    # one source, whichever way it comes: read in-process, sent again with copies
    again = import_gif(svc, gif)
    assert (again.jobs.unchanged, again.images.unchanged, again.jobs.imported) == (2, 3, 0)
    copied = client.import_gif(gif, copy_images=True)
    assert (copied.jobs.unchanged, copied.copied_files, copied.job_ids) == (2, 2, report.job_ids)
    assert svc.sql("SELECT count(*) AS n FROM import_sources")["n"][0] == 1
    assert list(uploads.iterdir()) == []  # the copy sent and the file received are gone
    svc.bulk_delete(list(report.job_ids.values()))


def test_an_upload_is_refused_as_every_call_is_and_leaves_nothing(both, tmp_path, uploads):
    svc, _, url = both
    before = everything_of(svc)
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/vnd.sqlite3"}
    named = "/api/imports/gif?path=/home/u/gen-image-factory.db"
    sqlite = two_jobs(tmp_path / "desktop").read_bytes()
    notes = tmp_path / "notes.db"
    con = sqlite3.connect(notes)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.commit()
    con.close()
    for path, body, field, why in (
        (named, b"", "path", "/home/u/gen-image-factory.db is not a Gen Image Factory "
         "database (it is empty)"),
        (named, b"hello", "path", "(it is not an SQLite file)"),
        (named, notes.read_bytes(), "path", "(it has no table job_configurations)"),
        (named, sqlite[: len(sqlite) // 2], "path", "is damaged"),
        ("/api/imports/gif", sqlite, "path", "path: required"),
        ("/api/imports/gif?path=out/gen.db", sqlite, "path", "is not absolute"),
        ("/api/imports/gif?path=/a%00b.db", sqlite, "path", "control character"),
        (named + "&copy_images=maybe", sqlite, "copy_images", "is not true or false"),
        (named + "&path=/b.db", sqlite, "path", "given 2 times"),
        (named + "&bogus=1", sqlite, "bogus", "not a query parameter"),
    ):  # fmt: skip
        status, headers, answer = call(url + path, "POST", body, auth)
        problem = json.loads(answer)
        assert (status, problem["field"]) == (422, field), problem
        assert why in problem["detail"] and headers["Content-Type"] == "application/problem+json"
    for headers, expected in (
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({**auth, "Origin": "http://evil.example"}, 403),
    ):
        assert call(url + named, "POST", sqlite, headers)[0] == expected
    assert call(url + named, "GET", None, auth)[0] == 405
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", named)
    connection.putheader("Authorization", auth["Authorization"])
    connection.putheader("Content-Length", str(UPLOAD_LIMIT + 1))
    connection.endheaders()  # no body: refused on the headers, before any is read
    response = connection.getresponse()
    problem = json.loads(response.read())
    assert (response.status, problem["field"]) == (413, "body") and "4 GiB" in problem["detail"]
    connection.close()
    assert everything_of(svc) == before
    assert list(uploads.iterdir()) == []


def everything_of(svc) -> tuple:
    """What an import could change: jobs, images, configurations, sources, image files."""
    counts = svc.sql(
        "SELECT (SELECT count(*) FROM job_executions) AS jobs, "
        "(SELECT count(*) FROM generated_images) AS images, "
        "(SELECT count(*) FROM configurations) AS configurations, "
        "(SELECT count(*) FROM import_sources) AS sources"
    )
    files = sorted(str(p) for p in svc.image_root.rglob("*"))
    return (*counts.iloc[0].tolist(), files, svc.version)
