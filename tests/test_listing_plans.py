"""The listing's faster query plans return exactly what the plain SQL would: every sort key
both ways, cheap and costly filters, first, deep, last and past-the-end pages, and deep
pages read through checkpoints that went stale."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

import jobdash
from jobdash import JobQuery
from jobdash.demo import build_demo
from jobdash.store import deep, listing, sample
from jobdash.vocab import SORT_KEYS

NOW = dt.datetime(2026, 11, 28, 12, 0, 0)
# The plain SQL of each sort key, written out here on purpose (an independent oracle).
REFERENCE_KEYS = {
    "id": "j.id",
    "label": "lower(j.label)",
    "status": "j.status",
    "started_at": "coalesce(j.started_at, j.queued_at)",
    "duration": "date_diff('millisecond', j.started_at, coalesce(j.completed_at, ?::TIMESTAMP))",
    "images": "j.total_images",
}


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    """A 600-job demo history plus pending jobs queued long ago (their run date falls among
    the started ones), two with no date at all (last in either direction) and one in a
    status from outside the vocabulary (as an import might leave)."""
    path = tmp_path_factory.mktemp("plans") / "jobs.duckdb"
    build_demo(path, jobs=600, seed=3, images_on_disk=0, now=NOW)
    service = jobdash.open(path, runner=False)
    with service.store.transaction() as tx:
        for days in [*range(1, 120, 3), None, None]:  # more than a page of them
            service.store.insert_job(
                tx,
                label=None,
                status="pending",
                configuration_id=1,
                snapshot=None,
                rerun_of=None,
                queued_at=None if days is None else NOW - dt.timedelta(days=days),
            )
        service.store.insert_job(
            tx,
            label="Imported",
            status="aborted",
            configuration_id=2,
            snapshot=None,
            rerun_of=None,
            queued_at=NOW,
        )
    yield service
    service.close()


def reference(svc, query: JobQuery) -> tuple[list[int], int]:
    """Ids of the page and the total, by the plain SQL: one ORDER BY over one WHERE."""
    where_sql, params = listing.where(query)
    direction = "DESC" if query.descending else "ASC"
    key = REFERENCE_KEYS[query.sort]
    now = [NOW] if query.sort == "duration" else []
    ids = svc.store.sql(
        f"SELECT j.id FROM job_executions j WHERE {where_sql} "
        f"ORDER BY {key} {direction} NULLS LAST, j.id {direction} LIMIT ? OFFSET ?",
        [*params, *now, query.page_size, (query.page - 1) * query.page_size],
    ).id.tolist()
    total = int(
        svc.store.sql(f"SELECT count(*) AS n FROM job_executions j WHERE {where_sql}", params).n[0]
    )
    return ids, total


FILTERS = [
    {},
    {"statuses": ["failed", "stopped"]},
    {"statuses": ["pending", "running"]},  # mostly jobs with no start
    {"search": "hero"},  # labels and a configuration name
    {"search": "timed out", "statuses": ["failed"]},
    {"search": "JOB-000042"},
    {"search": "%"},  # literal: matches "Café/Bistro 50% off_promo"
    {"image_qc": "needs_review", "configuration_ids": [1, 2, 3, 4, 5]},
    {"date_from": "2026-10-01", "date_to": "2026-11-15"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
@pytest.mark.parametrize("sort", SORT_KEYS)
def test_pages_match_the_plain_sql(svc, monkeypatch, filters, sort):
    # A short listing's pages are read by top-N (from the nearer end); a long one's are read
    # cold like that, then again through the checkpoints (every 7th row) the first read
    # built. The status sort reads pages by the count of each status instead.
    monkeypatch.setattr(deep, "STEP", 7)
    monkeypatch.setattr(deep, "BUILD_DELAY_S", 0)
    for long, reads in ((deep.LONG, ["top-N"]), (25, ["cold", "through checkpoints"])):
        monkeypatch.setattr(deep, "LONG", long)
        svc.store._deep.clear()
        for descending in (True, False):
            query = JobQuery(sort=sort, descending=descending, page_size=25, **filters)
            total = reference(svc, query)[1]
            last = max(1, -(-total // 25))
            for read in reads:
                for page in sorted({1, 2, 3, last // 2 or 1, last - 1 or 1, last, last + 1}):
                    query.page = page
                    expected_ids, expected_total = reference(svc, query)
                    rows, got_total = svc.store.page(query, NOW)
                    assert got_total == expected_total
                    assert rows["id"].tolist() == expected_ids, (descending, page, read)
                svc.store._deep.wait()


def top_n_reads(monkeypatch) -> list[str]:
    """Notes each page read by a top-N query (either end) from now on."""
    reads: list[str] = []
    for name in ("page_ids", "from_the_end"):
        real = getattr(deep, name)
        monkeypatch.setattr(
            deep, name, lambda *args, _real=real, _name=name: reads.append(_name) or _real(*args)
        )
    return reads


def take_sample(svc, monkeypatch, stride: int) -> None:
    monkeypatch.setattr(sample, "STRIDE", stride)
    monkeypatch.setattr(sample, "REBUILD_AFTER_S", 0)
    svc.store._deep.wait()  # one the store began on opening, with the default stride
    svc.store._deep._sample.refresh()
    svc.store._deep.wait()


@pytest.mark.parametrize("sort", [key for key in SORT_KEYS if key != "status"])
def test_deep_pages_of_listings_not_read_before_are_read_where_the_sample_places_them(
    svc, monkeypatch, sort
):
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "DEEP", 50)
    monkeypatch.setattr(deep, "BUILD_DELAY_S", 0)
    take_sample(svc, monkeypatch, stride=4)
    top_n = top_n_reads(monkeypatch)
    reads = 0
    for filters in [{}, *FILTERS[1:3], *FILTERS[7:]]:
        for descending in (True, False):
            query = JobQuery(sort=sort, descending=descending, page_size=25, **filters)
            total = reference(svc, query)[1]
            for offset in range(0, total, 25):
                if min(offset, total - offset) < deep.DEEP:
                    continue  # near an end: a short top-N
                query.page = offset // 25 + 1
                svc.store._deep.clear()  # no checkpoints: a listing not read before
                rows, got_total = svc.store.page(query, NOW)
                assert (rows["id"].tolist(), got_total) == reference(svc, query), (
                    filters,
                    descending,
                    query.page,
                )
                reads += 1
    assert reads > 20
    assert len(top_n) <= reads // 10  # a band missed its page: rare


def test_a_sample_holding_none_of_the_listing_leaves_its_pages_to_the_top_n(svc, monkeypatch):
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "DEEP", 50)
    take_sample(svc, monkeypatch, stride=10_000)  # no job has an id that high
    top_n = top_n_reads(monkeypatch)
    query = JobQuery(page_size=25, page=10)
    svc.store._deep.clear()
    assert svc.store.page(query, NOW)[0]["id"].tolist() == reference(svc, query)[0]
    assert top_n == ["page_ids"]


@pytest.fixture
def sampled(tmp_path, monkeypatch):
    """A 300-job history of its own, its sample taken (every 4th job)."""
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "DEEP", 50)
    path = tmp_path / "jobs.duckdb"
    build_demo(path, jobs=300, seed=5, images_on_disk=0, now=NOW)
    with jobdash.open(path, runner=False) as service:
        take_sample(service, monkeypatch, stride=4)
        yield service


def add_pending(service, tx, n: int) -> None:
    for _ in range(n):
        service.store.insert_job(
            tx,
            label="New",
            status="pending",
            configuration_id=1,
            snapshot=None,
            rerun_of=None,
            queued_at=NOW,
        )


def test_a_stale_sample_still_gives_exact_pages_and_is_taken_again(sampled, monkeypatch):
    taken = sampled.store._deep._sample._built_at
    with sampled.store.transaction() as tx:  # as many jobs, half of them new
        add_pending(sampled, tx, 150)
        sampled.store.delete_jobs(tx, list(range(1, 151)))
    top_n = top_n_reads(monkeypatch)
    query = JobQuery(sort="id", page_size=25, page=5)  # placed where it no longer is
    sampled.store._deep.clear()
    assert sampled.store.page(query, NOW)[0]["id"].tolist() == reference(sampled, query)[0]
    assert top_n == ["page_ids"]
    sampled.store._deep.wait()
    assert sampled.store._deep._sample._built_at > taken
    ids = sampled.store.sql("SELECT id FROM jobdash_sample.jobs ORDER BY id").id
    assert ids.tolist() == list(range(152, 451, 4))
    sampled.store._deep.clear()
    assert sampled.store.page(query, NOW)[0]["id"].tolist() == reference(sampled, query)[0]
    assert top_n == ["page_ids"]  # placed by the new sample


def test_a_write_between_placing_a_band_and_reading_it_still_gives_the_exact_page(
    sampled, monkeypatch
):
    # A rename commits after the sample placed the band and before the band is read: every
    # row before the page moves one place on, and the band's count of them says so.
    query = JobQuery(sort="label", page_size=25, page=6)
    last = reference(sampled, JobQuery(sort="label", descending=True))[0][0]
    real, bands = deep._band, []

    def renaming(cur, q, where_sql, params, now, frame, *rest):
        if not bands:
            sampled.rename(last, "0 first of all labels")  # the last label becomes the first
        bands.append(frame)
        return real(cur, q, where_sql, params, now, frame, *rest)

    monkeypatch.setattr(deep, "_band", renaming)
    top_n = top_n_reads(monkeypatch)
    expected = reference(sampled, query)[0]
    sampled.store._deep.clear()
    rows = sampled.store.page(query, NOW)[0]
    assert rows["id"].tolist() == reference(sampled, query)[0] != expected
    assert len(bands) == 1 and top_n == []  # read in the band the sample placed


def test_a_sample_of_a_history_grown_much_since_is_taken_again(sampled, monkeypatch):
    # Its places still frame pages, widened by the jobs added, but ever more loosely.
    monkeypatch.setattr(sample, "REGROWN", 20)
    taken = sampled.store._deep._sample._built_at
    query = JobQuery(sort="label", page_size=25, page=6)
    for added, retaken in ((20, False), (1, True)):  # 20 more jobs, then 21
        with sampled.store.transaction() as tx:
            add_pending(sampled, tx, added)
        sampled.store._deep.clear()
        rows = sampled.store.page(query, NOW)[0]
        assert rows["id"].tolist() == reference(sampled, query)[0]
        sampled.store._deep.wait()
        assert (sampled.store._deep._sample._built_at > taken) is retaken


def test_a_band_edge_is_its_key_alone_unless_the_sample_shows_others_sharing_it():
    # A key alone is a cheaper range; a key the neighbouring sampled row shares may be many
    # rows' (a label used for thousands of jobs), so the id keeps the band from taking in all.
    assert sample._edge((7, 40), (8, 41)) == (7, None)
    assert sample._edge((7, 40), None) == (7, None)  # the first or last sampled row
    assert sample._edge((7, 40), (7, 39)) == (7, 40)
    assert sample._edge((None, 40), (None, 41)) == (None, 40)  # NULL keys: ordered by id
    assert sample._edge(None, (7, 39)) is None  # past the end


def test_an_unfiltered_page_is_framed_by_the_sampled_rows_either_side_of_it(monkeypatch):
    # The sample knows where its rows were in the whole history: the band runs from the
    # last sampled row a step before the page to the first a step after it, widened by
    # every job added or deleted since the sample was taken.
    monkeypatch.setattr(sample, "STRIDE", 10)
    placed = sample._Placed(
        places=list(range(0, 1000, 10)), points=[(n // 20, n) for n in range(0, 1000, 10)]
    )
    # Keys n // 20: each sampled key is shared with one neighbour, so an edge whose
    # neighbour outside the band has it keeps its id, else it is the key alone.
    assert sample._unfiltered(placed, 25, 510, total=1000, taken_of=1000) == sample.Frame(
        (25, None), (27, None)
    )  # from 500 to 550
    assert sample._unfiltered(placed, 25, 500, total=1000, taken_of=1000) == sample.Frame(
        (24, 490), (27, 540)
    )
    assert sample._unfiltered(placed, 25, 510, total=1100, taken_of=1000) == sample.Frame(
        (20, None), (32, None)
    )  # 100 jobs more: from 400 to 650
    assert sample._unfiltered(placed, 25, 5, total=1000, taken_of=1000) == sample.Frame(
        None, (2, 40)
    )
    assert sample._unfiltered(placed, 25, 980, total=1000, taken_of=1000) == sample.Frame(
        (48, 970), None
    )


def test_an_unfiltered_band_holds_few_more_rows_than_the_page(svc, monkeypatch):
    take_sample(svc, monkeypatch, stride=4)
    deep_pages = svc.store._deep
    total = reference(svc, JobQuery())[1]
    with svc.store._cursor() as cur:
        for sort in sample.SORTS:
            for descending in (True, False):
                query = JobQuery(sort=sort, descending=descending)
                places = deep_pages._sample._orders[sort, descending].places
                widest = max(b - a for a, b in itertools.pairwise(places))
                for offset in range(100, total - 100, 50):
                    frame = deep_pages._sample.around(cur, query, "TRUE", [], 25, offset, total)
                    order = deep._Order(*listing.sort_key(query, NOW), query.descending)
                    band_sql, band_params = order.between(frame.since, frame.until)
                    rows = cur.execute(
                        f"SELECT count(*) FROM job_executions j WHERE {band_sql}", band_params
                    ).fetchone()[0]
                    assert 25 <= rows <= 25 + 2 * (sample.STRIDE + widest), (sort, offset)


def test_an_unfiltered_listing_is_placed_without_querying_the_sample(svc, monkeypatch):
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "DEEP", 50)
    take_sample(svc, monkeypatch, stride=4)
    statements: list[str] = []
    real = svc.store._con.cursor

    class Recording:
        def __init__(self):
            self._cur = real()

        def execute(self, sql, params=None):
            statements.append(getattr(sql, "query", sql))  # store.sql() runs parsed ones
            return self._cur.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self._cur, name)

    monkeypatch.setattr(svc.store, "_con", type("Con", (), {"cursor": Recording})())
    for filters in ({}, {"statuses": ["completed"]}):
        query = JobQuery(sort="label", page_size=25, page=12, **filters)
        svc.store._deep.clear()
        statements.clear()
        assert svc.store.page(query, NOW)[0]["id"].tolist() == reference(svc, query)[0]
        assert sum(sample.DATABASE in sql for sql in statements) == (1 if filters else 0)
    svc.store._deep.wait()
    monkeypatch.undo()


def test_every_job_appears_once_across_the_pages_by_run_date(svc):
    for descending in (True, False):
        query = JobQuery(sort="started_at", descending=descending, page_size=100)
        seen, expected = [], []
        for page in range(1, 9):
            query.page = page
            seen += svc.store.page(query, NOW)[0]["id"].tolist()
            expected += reference(svc, query)[0]
        assert seen == expected and len(seen) == len(set(seen)) == 643
        pending = svc.store.ids_with_status("pending")
        assert set(pending) <= set(seen)


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_deep_pages_stay_exact_while_jobs_come_and_go(tmp_path, monkeypatch, sort):
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "STEP", 10)
    path = tmp_path / "jobs.duckdb"
    build_demo(path, jobs=300, seed=5, images_on_disk=0, now=NOW)
    with jobdash.open(path, runner=False) as service:
        query = JobQuery(sort=sort, page_size=25, page=5)
        deep_pages = service.store._deep  # checkpoints are built after the first deep read
        first = JobQuery(sort=sort, page_size=25)
        for step in range(6):
            for read in (query, first):
                assert (
                    service.store.page(read, NOW)[0]["id"].tolist() == reference(service, read)[0]
                )
            deep_pages.wait()
            if step % 2 == 0:  # jobs arrive at the top of the default order
                with service.store.transaction() as tx:
                    for n in range(7 * (step + 1)):
                        service.store.insert_job(
                            tx,
                            label=f"New {step}-{n}",
                            status="pending",
                            configuration_id=1,
                            snapshot=None,
                            rerun_of=None,
                            queued_at=NOW,
                        )
            else:  # and others leave from the middle
                doomed = reference(service, JobQuery(sort=sort, page_size=25, page=3))[0]
                running = service.store.ids_with_status("running")
                service.bulk_delete([i for i in doomed if i not in running][:9])
            query.page = 5 + step % 3
        deep_pages.wait()
        # the default listing's (prepared on open) and, sorted otherwise, this listing's
        assert len(deep_pages._kept) == (1 if sort in ("status", "started_at") else 2)


@pytest.mark.parametrize("filters", FILTERS[:3], ids=lambda f: ",".join(f) or "all")
@pytest.mark.parametrize("sort", SORT_KEYS)
def test_pages_read_from_the_end_match_the_plain_sql(svc, filters, sort):
    for descending in (True, False):
        query = JobQuery(sort=sort, descending=descending, page_size=25, **filters)
        total = reference(svc, query)[1]
        where_sql, params = listing.where(query)
        for page in sorted({1, max(1, -(-total // 25) // 2), -(-total // 25)}):
            query.page = page
            sql, values = listing.from_the_end(
                query, where_sql, params, NOW, 25, (page - 1) * 25, total
            )
            got = svc.store.sql(sql, values)["id"].tolist()[::-1]
            assert got == reference(svc, query)[0], (descending, page)


def test_opening_a_long_history_prepares_its_default_listing(tmp_path, monkeypatch):
    monkeypatch.setattr(deep, "LONG", 25)
    monkeypatch.setattr(deep, "STEP", 10)
    monkeypatch.setattr(deep, "BUILD_DELAY_S", 0)
    path = tmp_path / "jobs.duckdb"
    build_demo(path, jobs=300, seed=5, images_on_disk=0, now=NOW)
    with jobdash.open(path, runner=False) as service:
        service.store._deep.wait()
        (points,) = service.store._deep._kept.values()
        newest_first = reference(service, JobQuery(page_size=100))[0]
        assert [job_id for _, job_id in points.keys[:10]] == newest_first[::10]
        assert len(points.keys) == 30
        sampled = service.store.sql("SELECT id FROM jobdash_sample.jobs ORDER BY id").id
        assert sampled.tolist() == list(range(sample.STRIDE, 301, sample.STRIDE))
