"""label_rank orders like the label through every way a label is placed: between two
neighbours, before the first, after the last, onto an existing label, many at once, and when
a gap has no room left (every label numbered again). A failed write leaves the ranks as they
were."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from test_derived_columns import stale

from jobdash import JobQuery, ValidationError
from jobdash.store import label_rank

T0 = dt.datetime(2026, 11, 1, 10, 0, 0)


def add(service, *labels: str | None) -> list[int]:
    """Queue one job per label in one transaction; their ids."""
    with service.store.transaction() as tx:
        return [
            service.store.insert_job(
                tx,
                label=label,
                status="pending",
                configuration_id=1,
                snapshot=None,
                rerun_of=None,
                queued_at=T0,
            )
            for label in labels
        ]


def ranks(service) -> dict[int, int | None]:
    rows = service.store.sql("SELECT id, label_rank FROM job_executions")
    return {
        job_id: None if pd.isna(rank) else int(rank)
        for job_id, rank in zip(rows.id.tolist(), rows.label_rank.tolist(), strict=True)
    }


def by_label(service) -> list[int]:
    """Ids of every job as the listing sorts them by label (first page of 100)."""
    return service.get_all(JobQuery(sort="label", descending=False, page_size=100)).rows.id.tolist()


def test_new_labels_fall_between_their_neighbours_without_numbering_the_others(service):
    first = add(service, "Bravo", "Delta", "Foxtrot", None)
    before = ranks(service)
    later = add(service, "alpha", "charlie", "ECHO", "delta")
    last = add(service, "golf")
    after = ranks(service)
    assert {i: after[i] for i in first} == before  # nobody else renumbered
    assert after[first[3]] is None  # no label, no rank
    assert after[later[3]] == after[first[1]]  # "delta" is "Delta" lower-cased
    assert stale(service.store) == []
    assert by_label(service) == [
        later[0],
        first[0],
        later[1],
        first[1],
        later[3],
        later[2],
        first[2],
        *last,
        first[3],
    ]


def test_a_rename_takes_the_rank_of_its_new_label(service):
    a, b, c = add(service, "Apples", "Bananas", "Cherries")
    service.rename(c, "apples")
    assert ranks(service)[c] == ranks(service)[a]
    service.rename(a, "Zucchini")
    assert stale(service.store) == []
    assert by_label(service) == [c, b, a]


def test_a_gap_without_room_numbers_every_label_again(service, monkeypatch):
    monkeypatch.setattr(label_rank, "SPACING", 4)
    low, high = add(service, "a", "b")
    add(service, "aa")  # rank between 4 and 8
    add(service, "aaa")  # between 4 and the one above
    add(service, "aaaa")  # the gap is used up: everything numbered 4 apart
    assert sorted(r for r in ranks(service).values()) == [4, 8, 12, 16, 20]
    assert stale(service.store) == []
    assert by_label(service)[0] == low and by_label(service)[-1] == high


def test_many_new_labels_are_numbered_with_the_others(service):
    add(service, "Kilo", "Lima")
    add(service, *[f"Label {n:03d}" for n in reversed(range(label_rank.FEW + 5))])
    numbered = sorted(ranks(service).values())
    assert numbered == [label_rank.SPACING * n for n in range(1, len(numbered) + 1)]
    assert stale(service.store) == []
    assert (
        by_label(service)
        == service.store.sql("SELECT id FROM job_executions ORDER BY lower(label), id").id.tolist()
    )


def test_a_failed_write_leaves_the_ranks_as_they_were(service):
    (job_id,) = add(service, "Original")
    before = ranks(service)
    with pytest.raises(ValidationError):
        service.rename(job_id, "")
    with pytest.raises(RuntimeError), service.store.transaction() as tx:
        service.store.update_job(tx, job_id, label="Changed")
        raise RuntimeError("fails before the commit")
    assert ranks(service) == before
    assert service.get_by_id(job_id).job["label"] == "Original"
