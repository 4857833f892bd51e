"""jobdash.analysis on a small known history: exact signatures, counts, rates and percentiles."""

from __future__ import annotations

import datetime as dt
import inspect

import pandas as pd
import pytest
from bokeh.embed import json_item
from factories import add_config, add_job

from jobdash import JobQuery, ValidationError, analysis
from jobdash.contract import JobBackend

MON = dt.datetime(2026, 11, 2)  # a Monday: 2, 3 Nov are in one ISO week, 9 Nov in the next
TUE = dt.datetime(2026, 11, 3)
NEXT_MON = dt.datetime(2026, 11, 9)

TIMEOUT = "Generation timed out after <n>s"
RATE_LIMIT = "HTTP <n> rate limit, retry after <n> s"
DOWNLOAD = "Download failed: <url> returned <n>"
DISK = "Cannot write <path>: disk full"
NO_MESSAGE = "(no error message)"


def at(day: dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def history(service):
    """19 jobs over three days and three configurations (two versions of one name)."""
    hero1 = add_config(service, "Hero banners")
    hero2 = add_config(service, "Hero banners")
    shots = add_config(service, "Product shots")
    blurry = "Blurry: Laplacian variance {} below 100"
    spec = [  # key, status, configuration, started, duration, error message, error step
        ("t60", "failed", hero1, at(MON, 10), 60, "Generation timed out after 60s", "generation"),
        ("t45", "failed", hero1, at(MON, 11), 60, "Generation timed out after 45s", "generation"),
        (
            "r12",
            "failed",
            hero2,
            at(MON, 12),
            60,
            "HTTP 429 rate limit, retry after 12 s",
            "generation",
        ),
        ("ok1", "completed", hero1, at(MON, 9), 10, None, None),
        ("ok2", "completed", hero1, at(MON, 13), 20, None, None),
        ("ok3", "completed", hero2, at(MON, 14), 40, None, None),
        ("t120", "failed", shots, at(TUE, 9), 60, "Generation timed out after 120s", "generation"),
        (
            "r3",
            "failed",
            shots,
            at(TUE, 10),
            60,
            "HTTP 429 rate limit, retry after 3 s",
            "generation",
        ),
        (
            "disk1",
            "failed",
            hero1,
            at(TUE, 11),
            60,
            "Cannot write /data/images/0001/img_01.png: disk full",
            "save",
        ),
        ("ok4", "completed", shots, at(TUE, 12), 60, None, None),
        ("ok5", "completed", shots, at(TUE, 13), 60, None, None),
        (
            "dl1",
            "failed",
            hero2,
            at(NEXT_MON, 9),
            60,
            "Download failed: https://cdn.example.com/a/8f3a9b21.png returned 404",
            "download",
        ),
        (
            "dl2",
            "failed",
            shots,
            at(NEXT_MON, 10),
            60,
            "Download failed: https://cdn.example.com/b/77aa01.png?sig=x returned 503",
            "download",
        ),
        (
            "disk2",
            "failed",
            shots,
            at(NEXT_MON, 11),
            60,
            "Cannot write /srv/out/x.png: disk full",
            "save",
        ),
        ("silent", "failed", None, at(NEXT_MON, 12), 60, None, None),
        ("stop", "stopped", hero1, at(NEXT_MON, 13), 5, "cancelled before it started", "queue"),
        ("ok6", "completed", shots, at(NEXT_MON, 14), 60, None, None),
        ("run", "running", shots, at(NEXT_MON, 15), None, None, None),
        ("wait", "pending", hero1, at(NEXT_MON, 16), None, None, None),
    ]
    images = {
        "ok1": [
            ("approved", None),
            ("approved", None),
            ("qc_failed", blurry.format(12.5)),
            ("processing_failed", "processing_failed:convert"),
        ],
        "ok4": [
            ("approved", None),
            ("qc_failed", blurry.format(80.1)),
            ("needs_review", "Near-duplicate of image 3 (distance 4)"),
            ("processing_failed", "processing_failed:trim"),
            ("pending", None),
        ],
        "disk1": [("processing_failed", "processing_failed:save_final")],
    }
    ids = {}
    for key, status, config, started, duration, message, step in spec:
        made = at(started, started.hour, 30)
        rows = [
            {"qc_status": s, "qc_reason": r, "created_at": made} for s, r in images.get(key, [])
        ]
        ids[key] = add_job(
            service,
            status=status,
            label=key,
            config_id=config,
            started_at=started,
            duration_s=duration,
            error_message=message,
            images=rows,
        )
        with service.store.transaction() as cur:  # the factory always says "generation"
            service.store.update_job(cur, ids[key], error_step=step)
    return {"svc": service, "ids": ids, "hero1": hero1, "hero2": hero2, "shots": shots}


def keyed(df: pd.DataFrame, *columns: str) -> dict:
    """``{first column value: (other columns...)}`` of a small result."""
    return {row[0]: tuple(row[1:]) for row in df[list(columns)].itertuples(index=False)}


# -- signatures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, signature",
    [
        ("Generation timed out after 60s", TIMEOUT),
        ("HTTP 429 rate limit, retry after 12 s", RATE_LIMIT),
        ("Cannot write C:\\Users\\me\\out\\img.png: disk full", DISK),
        ("Cannot write out/2026/img_01.png: disk full", DISK),
        ("Cannot write ~/render/out.png: disk full", DISK),
        (
            "Request 123e4567-e89b-12d3-a456-426614174000 failed at 2026-11-01T09:00:00Z",
            "Request <uuid> failed at <time>",
        ),
        (
            "Stuck since 2026-11-01 09:12:33.5+02:00 (last beat 09:12)",
            "Stuck since <time> (last beat <time>)",
        ),
        (
            "Content policy refused prompt 'a photo of a logo' (can't continue)",
            "Content policy refused prompt <str> (can't continue)",
        ),
        ('Model said "no: 12" for seed 12345', "Model said <str> for seed <n>"),
        (
            "Refused the prompt for “coastal cliffs” and ‘wild poppies’",
            "Refused the prompt for <str> and <str>",
        ),
        ("Empty mask for img_003.webp, see batch_7.CSV", "Empty mask for <path>, see <path>"),
        ("HTTP 429 from api.runware.ai", "HTTP <n> from api.runware.ai"),
        (
            "object at 0x7f3a2b1c, blob deadbeef01, request req_8f3k2j9d",
            "object at <hex>, blob <hex>, request <id>",
        ),
        (
            "Out of credits: balance 0.00 USD for ops@example.com",
            "Out of credits: balance <n> USD for <email>",
        ),
        ("JOB-000123 used model v2", "JOB-<n> used model v<n>"),
        ("  spaced \t out\nlines  ", "spaced out lines"),
        ("", NO_MESSAGE),
        (" \n", NO_MESSAGE),
        (None, NO_MESSAGE),
    ],
)
def test_signature_of_strips_what_varies(service, message, signature):
    assert analysis.signature_of(service, message) == signature


def test_long_messages_are_cut(service):
    assert len(analysis.signature_of(service, "word " * 100)) == 200


def test_error_signatures_group_failed_jobs(history):
    svc, ids = history["svc"], history["ids"]
    df = analysis.error_signatures(svc)
    assert df["signature"].tolist() == [TIMEOUT, DISK, DOWNLOAD, RATE_LIMIT, NO_MESSAGE]
    assert df["jobs"].tolist() == [3, 2, 2, 2, 1]
    assert df["share"].tolist() == pytest.approx([0.3, 0.2, 0.2, 0.2, 0.1])
    row = df.iloc[0]
    assert (row.first_seen, row.last_seen) == (at(MON, 10), at(TUE, 9))
    assert list(row.steps) == ["generation"]
    assert list(row.configurations) == ["Hero banners v1", "Product shots v1"]
    assert list(row.configuration_ids) == [history["hero1"], history["shots"]]
    assert list(row.example_ids) == [ids["t120"], ids["t45"], ids["t60"]]
    assert row.example_message == "Generation timed out after 120s"
    rate = df.set_index("signature").loc[RATE_LIMIT]
    assert list(rate.configurations) == ["Hero banners v2", "Product shots v1"]
    silent = df.set_index("signature").loc[NO_MESSAGE]
    assert list(silent.steps) == [] and list(silent.configurations) == []
    assert list(silent.example_ids) == [ids["silent"]]


def test_error_signatures_limit_examples_and_scope(history):
    svc, ids = history["svc"], history["ids"]
    top = analysis.error_signatures(svc, limit=2, examples=1)
    assert top["signature"].tolist() == [TIMEOUT, DISK]
    assert [list(e) for e in top["example_ids"]] == [[ids["t120"]], [ids["disk2"]]]
    wider = analysis.error_signatures(svc, JobQuery(statuses=["failed", "stopped"]))
    assert keyed(wider, "signature", "jobs")["cancelled before it started"] == (1,)
    hero = analysis.error_signatures(
        svc, JobQuery(statuses=["failed"], configuration_ids=[history["hero1"]])
    )
    assert keyed(hero, "signature", "jobs") == {TIMEOUT: (2,), DISK: (1,)}


def test_every_signature_row_is_exactly_its_query(history):
    svc = history["svc"]
    df = analysis.error_signatures(svc, examples=10)
    for row in df.itertuples():
        q = analysis.signature_query(row.signature)
        assert q.statuses == ["failed"] and q.error_signature == row.signature
        assert svc.get_all(q).total == row.jobs
        assert set(svc.store.matching_ids(q)) == set(row.example_ids)


def test_rerun_one_signature_in_one_call(history):
    svc, ids = history["svc"], history["ids"]
    new = svc.bulk_rerun(analysis.signature_query(TIMEOUT))
    assert set(new["rerun_of"]) == {ids["t60"], ids["t45"], ids["t120"]}
    assert set(new["status"]) == {"pending"} and len(new) == 3
    assert svc.get_all(JobQuery(statuses=["pending"])).total == 4
    # the reruns have not failed (yet): the failure picture is unchanged
    assert analysis.error_signatures(svc)["jobs"].tolist() == [3, 2, 2, 2, 1]


def test_signature_filter_is_literal_and_combines(history):
    svc = history["svc"]
    assert svc.get_all(JobQuery(error_signature=RATE_LIMIT)).total == 2
    assert svc.get_all(JobQuery(error_signature=RATE_LIMIT, search="12 s")).total == 1
    for hostile in ("%", "' OR 1=1 --", "Generation timed out after %"):
        assert svc.get_all(JobQuery(error_signature=hostile)).total == 0
    with pytest.raises(ValidationError) as err:
        JobQuery(error_signature="x" * 501)
    assert err.value.field == "error_signature"
    q = analysis.signature_query(DISK, JobQuery(statuses=["failed"], sort="id", page=3))
    assert (q.page, q.sort, JobQuery.from_dict(q.to_dict()).error_signature) == (1, "id", DISK)
    assert q.active_filters == 2


def test_signature_filter_holds_for_cut_and_blank_signatures(service):
    cut = "x" * 197 + " 12345 and more"  # the cut falls inside the placeholder <n>
    ids = {
        add_job(service, status="failed", error_message=m)
        for m in (cut, "(no error message)", "%_\\ [a-z]+ 'q' 7")
    }
    add_job(service, status="failed")  # no message at all
    seen = set()
    for row in analysis.error_signatures(service, examples=10).itertuples():
        assert set(service.store.matching_ids(analysis.signature_query(row.signature))) == set(
            row.example_ids
        )
        seen |= set(row.example_ids)
    assert ids < seen and len(seen) == 4
    assert analysis.signature_of(service, cut) == "x" * 197 + " <n"


def test_signature_daily_counts_are_dense(history):
    svc = history["svc"]
    df = analysis.signature_daily_counts(svc, days=10, end=NEXT_MON.date(), top=2)
    assert df["signature"].drop_duplicates().tolist() == [TIMEOUT, DISK]
    assert len(df) == 20 and df["day"].min() == dt.datetime(2026, 10, 31)
    timeout = df[df["signature"] == TIMEOUT].set_index("day")["jobs"]
    assert timeout[MON] == 2 and timeout[TUE] == 1
    assert timeout.sum() == 3
    chosen = analysis.signature_daily_counts(
        svc, [RATE_LIMIT, "never seen", RATE_LIMIT], days=2, end=TUE.date()
    )
    assert chosen.values.tolist() == [
        [RATE_LIMIT, MON, 1],
        [RATE_LIMIT, TUE, 1],
        ["never seen", MON, 0],
        ["never seen", TUE, 0],
    ]


# -- rates over time ------------------------------------------------------------------------


def test_failure_rate_per_day_and_week(history):
    svc = history["svc"]
    day = analysis.failure_rate(svc, "day")
    assert day[["bucket", "jobs", "failed"]].values.tolist() == [
        [MON, 6, 3],
        [TUE, 5, 3],
        [NEXT_MON, 6, 4],
    ]
    assert day["failure_rate"].tolist() == pytest.approx([0.5, 0.6, 4 / 6])
    week = analysis.failure_rate(svc, "week")
    assert week[["bucket", "jobs", "failed"]].values.tolist() == [[MON, 11, 6], [NEXT_MON, 6, 4]]
    hour = analysis.failure_rate(svc, "hour", query=JobQuery(date_from=MON, date_to=MON))
    assert len(hour) == 6 and hour["bucket"].iloc[0] == at(MON, 9)


def test_failure_rate_per_configuration_and_version(history):
    svc = history["svc"]
    by_config = analysis.failure_rate(svc, "day", by="configuration")
    rows = [tuple(r) for r in by_config[["bucket", "configuration", "jobs", "failed"]].values]
    assert rows == [
        (MON, "Hero banners", 6, 3),
        (TUE, "Hero banners", 1, 1),
        (TUE, "Product shots", 4, 2),
        (NEXT_MON, "(no configuration)", 1, 1),
        (NEXT_MON, "Hero banners", 2, 1),
        (NEXT_MON, "Product shots", 3, 2),
    ]
    assert list(by_config["configuration_ids"].iloc[0]) == [history["hero1"], history["hero2"]]
    by_version = analysis.failure_rate(svc, "week", by="version")
    first_week = by_version[by_version["bucket"] == MON]
    assert first_week[["configuration", "version", "jobs", "failed"]].values.tolist() == [
        ["Hero banners", 1, 5, 3],
        ["Hero banners", 2, 2, 1],
        ["Product shots", 1, 4, 2],
    ]


def test_failure_rate_per_step_adds_up_to_the_rate(history):
    svc = history["svc"]
    df = analysis.failure_rate(svc, "day", by="step")
    assert df[["bucket", "step", "failed", "jobs"]].values.tolist() == [
        [MON, "generation", 3, 6],
        [TUE, "generation", 2, 5],
        [TUE, "save", 1, 5],
        [NEXT_MON, "download", 2, 6],
        [NEXT_MON, "(unknown)", 1, 6],
        [NEXT_MON, "save", 1, 6],
    ]
    total = analysis.failure_rate(svc, "day").set_index("bucket")["failure_rate"]
    assert df.groupby("bucket")["failure_rate"].sum().tolist() == pytest.approx(total.tolist())


def test_qc_rejection_rate(history):
    svc = history["svc"]
    df = analysis.qc_rejection_rate(svc, "day")
    columns = ["bucket", "images", "approved", "needs_review", "qc_failed", "processing_failed"]
    assert df[columns].values.tolist() == [[at(MON, 0), 4, 2, 0, 1, 1], [at(TUE, 0), 5, 1, 1, 1, 2]]
    assert df["rejection_rate"].tolist() == pytest.approx([0.5, 0.6])
    stage = analysis.qc_rejection_rate(svc, "week", by="stage")
    assert stage[["stage", "rejected", "images"]].values.tolist() == [
        ["qc_verdict", 2, 9],
        ["convert", 1, 9],
        ["save_final", 1, 9],
        ["trim", 1, 9],
    ]
    by_config = analysis.qc_rejection_rate(
        svc, "day", by="configuration", query=JobQuery(date_from=TUE)
    )
    assert keyed(by_config, "configuration", "images", "rejection_rate") == {
        "Hero banners": (1, 1.0),
        "Product shots": (4, 0.5),
    }


def test_bucket_query_selects_the_jobs_of_a_bucket(history):
    svc = history["svc"]
    for row in analysis.failure_rate(svc, "day").itertuples():
        assert svc.get_all(analysis.bucket_query(row.bucket)).total == row.failed
    week = analysis.bucket_query("2026-11-05T10:00", "week")
    assert (week.date_from, week.date_to) == (MON.date(), dt.date(2026, 11, 8))
    assert svc.get_all(week).total == 6
    both = analysis.bucket_query(MON, "day", analysis.signature_query(TIMEOUT))
    assert svc.get_all(both).total == 2
    narrowed = analysis.bucket_query(MON, "week", JobQuery(date_from=TUE, statuses=["completed"]))
    assert (narrowed.date_from, narrowed.date_to) == (TUE.date(), dt.date(2026, 11, 8))
    assert svc.get_all(narrowed).total == 2


# -- durations and QC reasons ---------------------------------------------------------------


def test_duration_percentiles(history):
    svc = history["svc"]
    df = analysis.duration_percentiles(svc)
    hero = df[(df["configuration"] == "Hero banners") & (df["status"] == "completed")].iloc[0]
    assert hero.jobs == 3
    assert (hero.p50_s, hero.p90_s, hero.p99_s, hero.max_s) == pytest.approx((20, 36, 39.6, 40))
    running = df[df["status"] == "running"].iloc[0]
    assert (running.configuration, running.jobs) == ("Product shots", 1) and running.p50_s > 0
    assert "pending" not in set(df["status"])
    by_version = analysis.duration_percentiles(
        svc, by="version", query=JobQuery(statuses=["completed"])
    )
    assert by_version[["configuration", "version", "jobs", "p50_s"]].values.tolist() == [
        ["Hero banners", 1, 2, 15.0],
        ["Hero banners", 2, 1, 40.0],
        ["Product shots", 1, 3, 60.0],
    ]
    overall = analysis.duration_percentiles(svc, by=None, query=JobQuery(statuses=["completed"]))
    assert overall[["status", "jobs", "p50_s"]].values.tolist() == [["completed", 6, 50.0]]


def test_qc_reasons_split_technical_from_verdicts(history):
    svc = history["svc"]
    df = analysis.qc_reasons(svc)
    assert df[["kind", "qc_status", "reason", "images", "jobs"]].values.tolist() == [
        ["technical", "processing_failed", "convert", 1, 1],
        ["technical", "processing_failed", "save_final", 1, 1],
        ["technical", "processing_failed", "trim", 1, 1],
        ["qc_verdict", "qc_failed", "Blurry: Laplacian variance <n> below <n>", 2, 2],
        ["qc_verdict", "needs_review", "Near-duplicate of image <n> (distance <n>)", 1, 1],
    ]
    assert df["share"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.2, 0.1])
    assert df["example"].iloc[3] == "Blurry: Laplacian variance 80.1 below 100"
    only_shots = analysis.qc_reasons(svc, JobQuery(configuration_ids=[history["shots"]]))
    assert only_shots["reason"].tolist() == [
        "trim",
        "Blurry: Laplacian variance <n> below <n>",
        "Near-duplicate of image <n> (distance <n>)",
    ]


# -- empty history, bad input ---------------------------------------------------------------


def test_an_empty_history_gives_empty_tables(service):
    assert analysis.error_signatures(service).empty
    assert analysis.failure_rate(service, by="step").empty
    assert analysis.qc_rejection_rate(service, by="stage").empty
    assert analysis.duration_percentiles(service).empty
    assert analysis.qc_reasons(service).empty
    counts = analysis.signature_daily_counts(service, days=3)
    assert counts.empty and list(counts.columns) == ["signature", "day", "jobs"]


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda s: analysis.failure_rate(s, "month"), "bucket"),
        (lambda s: analysis.failure_rate(s, "day", by="status"), "by"),
        (lambda s: analysis.qc_rejection_rate(s, "day", by="step"), "by"),
        (lambda s: analysis.duration_percentiles(s, by="stage"), "by"),
        (lambda s: analysis.error_signatures(s, "failed"), "query"),
        (lambda s: analysis.error_signatures(s, limit=0), "limit"),
        (lambda s: analysis.error_signatures(s, examples=True), "examples"),
        (lambda s: analysis.signature_daily_counts(s, days=0), "days"),
        (lambda s: analysis.signature_daily_counts(s, "Generation timed out"), "signatures"),
        (lambda s: s.error_signatures(limit=10_001), "limit"),
        (lambda s: s.signature_daily_counts(top=0), "top"),
        (lambda s: s.qc_reasons(query={"statuses": ["failed"]}), "query"),
        (lambda s: analysis.signature_query(" "), "error_signature"),
        (lambda s: analysis.bucket_query(MON, "hour"), "bucket"),
        (lambda s: analysis.bucket_query("not a date"), "start"),
        (lambda s: analysis.bucket_query(None), "start"),
        (lambda s: analysis.bucket_query(20261102), "start"),
        (lambda s: analysis.failure_trend_figure(pd.DataFrame({"x": [1]})), "df"),
        (lambda s: analysis.signature_trend_figure(pd.DataFrame({"signature": ["x"]})), "df"),
    ],
)
def test_bad_input_is_a_validation_error(service, call, field):
    with pytest.raises(ValidationError) as err:
        call(service)
    assert err.value.field == field


READS = [
    "signature_of",
    "error_signatures",
    "signature_daily_counts",
    "failure_rate",
    "qc_rejection_rate",
    "duration_percentiles",
    "qc_reasons",
]


@pytest.mark.parametrize("name", READS)
def test_each_read_is_the_backend_method_of_its_name(name):
    # Same arguments and defaults as the backend's method, after the backend itself.
    function = inspect.signature(getattr(analysis, name))
    method = inspect.signature(getattr(JobBackend, name))
    first, *rest = function.parameters.values()
    assert first.name == "service" and first.annotation == "JobBackend"
    assert rest == list(method.parameters.values())[1:]
    assert function.return_annotation == method.return_annotation


def test_reads_pass_every_argument_on(history):
    # Non-default values in every position reach the backend (a dropped one would change these).
    svc = history["svc"]
    week = JobQuery(date_from=MON.date(), date_to=TUE.date())
    assert analysis.failure_rate(svc, "week", "configuration", week).equals(
        svc.failure_rate(bucket="week", by="configuration", query=week)
    )
    assert analysis.qc_rejection_rate(svc, "week", "stage", week).equals(
        svc.qc_rejection_rate(bucket="week", by="stage", query=week)
    )
    assert analysis.duration_percentiles(svc, "version", week).equals(
        svc.duration_percentiles(by="version", query=week)
    )
    assert analysis.error_signatures(svc, week, limit=1, examples=1).equals(
        svc.error_signatures(query=week, limit=1, examples=1)
    )
    counts = analysis.signature_daily_counts(
        svc, [TIMEOUT], days=2, end=TUE.date(), top=1, query=week
    )
    assert counts.equals(
        svc.signature_daily_counts(signatures=[TIMEOUT], days=2, end=TUE.date(), top=1, query=week)
    )
    assert list(counts["jobs"]) == [2, 1]
    assert analysis.qc_reasons(svc, week).equals(svc.qc_reasons(query=week))
    assert analysis.signature_of(svc, "Generation timed out after 5s") == TIMEOUT


# -- figures --------------------------------------------------------------------------------


def test_failure_trend_figure_draws_a_line_per_group(history):
    svc = history["svc"]
    fig = analysis.failure_trend_figure(analysis.failure_rate(svc, "day", by="configuration"))
    lines = [r for r in fig.renderers if type(r.glyph).__name__ == "Line"]
    assert [r.glyph.line_color for r in lines] == ["#3B82F6", "#EF4444", "#F59E0B"]
    assert [item.label["value"] for item in fig.legend[0].items] == [
        "Hero banners",
        "Product shots",
        "(no configuration)",
    ]
    single = analysis.failure_trend_figure(analysis.qc_rejection_rate(svc, "day"))
    assert single.title.text == "QC rejection rate"
    assert single.renderers[0].data_source.data["rate"].tolist() == pytest.approx([0.5, 0.6])
    json_item(fig), json_item(single)  # both serialise for the browser


def test_signature_and_qc_bar_figures(history):
    svc = history["svc"]
    fig = analysis.signature_bar_figure(analysis.error_signatures(svc), top=3)
    assert list(fig.y_range.factors) == [DOWNLOAD, DISK, TIMEOUT]  # largest at the top
    assert fig.renderers[0].data_source.data["value"] == [3, 2, 2]
    qc = analysis.qc_reasons_figure(analysis.qc_reasons(svc))
    data = qc.renderers[0].data_source.data
    assert data["label"][:2] == [
        "QC failed: Blurry: Laplacian variance <n> below <n>",
        "Processing failed: convert",
    ]
    assert data["color"] == ["#EF4444", "#F59E0B", "#F59E0B", "#F59E0B", "#6B7280"]
    json_item(fig), json_item(qc)
    empty = analysis.signature_bar_figure(analysis.error_signatures(svc).head(0))
    json_item(empty)


def test_signature_trend_figure_draws_a_line_per_signature(history):
    svc = history["svc"]
    daily = analysis.signature_daily_counts(svc, days=10, end=NEXT_MON.date(), top=2)
    fig = analysis.signature_trend_figure(daily)
    lines = [r for r in fig.renderers if type(r.glyph).__name__ == "Line"]
    assert [item.label["value"] for item in fig.legend[0].items] == [TIMEOUT, DISK]
    assert [r.glyph.line_color for r in lines] == ["#3B82F6", "#EF4444"]
    assert lines[0].data_source.data["jobs"].tolist() == daily["jobs"][:10].tolist()
    assert fig.height == 240 + 2 * 24
    json_item(fig)
    json_item(analysis.signature_trend_figure(daily.head(0)))  # nothing failed: empty axes
