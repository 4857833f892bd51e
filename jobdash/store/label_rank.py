"""``label_rank``: the order of the labels as an integer (schema version 5).

Sorting and paging by label compared lower-case strings row by row: at a million jobs the
first page sorted by label took 18-20 ms and a deep page read without checkpoints 50-58 ms,
most of it string comparisons. ``label_rank`` is a BIGINT that orders like ``label_key``:
equal labels have equal ranks, a smaller label has a smaller rank, no label has none (NULL).

Numbered, ranks stand :data:`SPACING` apart (:data:`NUMBER_ALL`), so a new label takes a rank
between its neighbours' (:func:`place`); a gap without room left has every label numbered
again (one UPDATE, ~0.2 s at a million jobs). Pages read through checkpoints or the sample
of the history are checked by count (:mod:`.deep`), so a numbering since they were taken
costs a rebuild, not a wrong page.

Kept on every write: setting a label clears the job's rank (:mod:`.derived`) and
:meth:`~jobdash.store.store.JobStore.transaction` places the cleared ones before it commits;
the demo's bulk load and the migration number them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import duckdb

from .rows import one

SPACING = 1 << 32
"""Distance between two neighbouring labels' ranks when numbered (a gap takes 32 halvings;
20 million labels still fit in a BIGINT)."""

FEW = 4
"""Up to this many new labels are placed between their neighbours; more are numbered with
all the others. At a million jobs placing one label reads every row (~25 ms, as a rename
pays); numbering them all takes ~110-180 ms."""

_LARGEST = (1 << 63) - 1

NUMBER_ALL = """
    UPDATE job_executions SET label_rank = r.rank
    FROM (SELECT label_key, row_number() OVER (ORDER BY label_key) * {spacing} AS rank
          FROM job_executions WHERE label_key IS NOT NULL GROUP BY label_key) r
    WHERE job_executions.label_key = r.label_key"""
"""Give every label its rank afresh (format with ``spacing``, :data:`SPACING`)."""

_UNPLACED = "label_rank IS NULL AND label_key IS NOT NULL"

_NEIGHBOURS = f"""
    WITH new AS (SELECT DISTINCT label_key AS k FROM job_executions WHERE {_UNPLACED})
    SELECT n.k, max(o.label_key) FILTER (o.label_key <= n.k),
           max(o.label_rank) FILTER (o.label_key <= n.k),
           min(o.label_rank) FILTER (o.label_key > n.k)
    FROM new n, job_executions o WHERE o.label_rank IS NOT NULL
    GROUP BY n.k ORDER BY n.k"""
"""Each label without a rank: the greatest ranked label not above it and that label's rank,
and the smallest rank above it."""


def number_all(cur: duckdb.DuckDBPyConnection) -> None:
    """Number every label afresh, :data:`SPACING` apart."""
    cur.execute(NUMBER_ALL.format(spacing=SPACING))


def place(cur: duckdb.DuckDBPyConnection) -> None:
    """Give the labels that have no rank one: an existing label's rank, else a rank between
    its neighbours', else (no room, or many new labels) every label a new one."""
    (new,) = one(
        cur.execute(f"SELECT count(DISTINCT label_key) FROM job_executions WHERE {_UNPLACED}")
    )
    if not new:
        return
    ranks = _ranks(cur.execute(_NEIGHBOURS).fetchall()) if new <= FEW else None
    if ranks is None or len(ranks) < new:  # (none ranked yet: no neighbours either)
        number_all(cur)
        return
    cur.execute(
        f"""UPDATE job_executions SET label_rank = u.r
                    FROM (SELECT unnest(?::VARCHAR[]) AS k, unnest(?::BIGINT[]) AS r) u
                    WHERE {_UNPLACED} AND job_executions.label_key = u.k""",
        [list(ranks), list(ranks.values())],
    )


Neighbours = tuple[str, str | None, int | None, int | None]
"""A new label, the greatest ranked label not above it, that label's rank, the next rank
above (a row of :data:`_NEIGHBOURS`)."""


def _ranks(rows: Sequence[Neighbours]) -> dict[str, int] | None:
    """Rank of each new label from its neighbours (rows in label order), or None when a gap
    has no room for the labels falling in it."""
    ranks = {k: below for k, at, below, _ in rows if at == k and below is not None}
    gaps = [row for row in rows if row[1] != row[0]]
    for (below, above), members in groupby(gaps, key=lambda row: (row[2], row[3])):
        labels = [row[0] for row in members]
        low, m = below or 0, len(labels)
        if above is None:
            if low + SPACING * m > _LARGEST:
                return None
            ranks.update((k, low + SPACING * i) for i, k in enumerate(labels, start=1))
        elif above - low > m:
            ranks.update(
                (k, low + (above - low) * i // (m + 1)) for i, k in enumerate(labels, start=1)
            )
        else:
            return None
    return ranks
