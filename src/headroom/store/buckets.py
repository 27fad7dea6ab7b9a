"""Writing per-minute buckets and their hourly and daily rollups; SLOs as small keys.

Ingest writes go through one staging table, ``__new (slo_key, minute, good, total)``:
``flush_new`` appends its rows to ``buckets`` (sorted by minute, so that DuckDB's
per-row-group min/max lets a query for recent minutes skip old data) and their hourly
and daily sums to ``buckets_hourly`` and ``buckets_daily``, inside the caller's
transaction. Rows are appended, never
merged in place; readers sum all rows of a (key, minute) or (key, hour). Bulk appends
from numpy (``write_arrays``) skip the staging table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from headroom.store.sql import first_row

__all__ = [
    "NEW_TABLE",
    "ROLLUPS",
    "create_new",
    "dense_rollups",
    "flush_new",
    "lookup_keys",
    "transaction",
    "upsert_keys",
    "write_arrays",
]

NEW_TABLE = "__new"


def lookup_keys(
    con: duckdb.DuckDBPyConnection, slo_ids: Sequence[str], cache: dict[str, int] | None = None
) -> dict[str, int]:
    """Keys of the SLO ids the store knows (unknown ids are left out).

    A key never changes once given (keys are only ever added), so ``cache`` may keep them
    for the life of a connection: when it holds every id asked for, no query is sent.
    """
    if not slo_ids:
        return {}
    if cache is not None and all(s in cache for s in slo_ids):
        return {s: cache[s] for s in slo_ids}
    rows = con.execute(
        "SELECT slo_id, slo_key FROM slos WHERE slo_id IN (SELECT unnest($1::VARCHAR[]))", [list(slo_ids)]
    ).fetchall()
    found = {str(a): int(b) for a, b in rows}
    if cache is not None:
        cache.update(found)
    return found


def upsert_keys(con: duckdb.DuckDBPyConnection, slo_ids: Sequence[str]) -> dict[str, int]:
    """Keys of ``slo_ids``, allocating the next free integers to new ones."""
    known = lookup_keys(con, slo_ids)
    missing = [s for s in dict.fromkeys(slo_ids) if s not in known]
    if missing:
        row = first_row(con.execute("SELECT coalesce(max(slo_key), 0) FROM slos"))
        start = int(row[0]) + 1 if row is not None else 1
        new_keys = pa.array(range(start, start + len(missing)), pa.int32())
        table = pa.table({"slo_key": new_keys, "slo_id": missing})
        con.register("__keys", table)
        try:
            con.execute("INSERT INTO slos SELECT slo_key, slo_id FROM __keys")
        finally:
            con.unregister("__keys")
        known.update({s: start + i for i, s in enumerate(missing)})
    return known


def create_new(con: duckdb.DuckDBPyConnection) -> None:
    """An empty staging table for one write."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {NEW_TABLE} "
        "(slo_key INTEGER, minute BIGINT, good DOUBLE, total DOUBLE)"
    )


ROLLUPS = (("buckets_hourly", "hour", 60), ("buckets_daily", "day", 1440))
"""Rollup tables: (table, time column, minutes per unit). ``query.py`` reads them too."""


def _roll_up(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Append the hourly and daily sums of the new minute rows in ``source``."""
    for table, column, minutes in ROLLUPS:
        con.execute(
            f"INSERT INTO {table} SELECT slo_key, minute // {minutes} AS {column}, sum(good), sum(total) "
            f"FROM {source} GROUP BY slo_key, {column} ORDER BY {column}, slo_key"
        )


Columns = tuple[
    npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]
"""(slo keys, time in units of the table, good, total), equal lengths."""


def dense_rollups(
    keys: npt.NDArray[np.int32],
    start_minute: int,
    good: npt.NDArray[np.float64],
    total: npt.NDArray[np.float64],
) -> list[Columns]:
    """The ``ROLLUPS`` rows of dense per-minute counts (SLOs x minutes from ``start_minute``),
    summed in numpy, in (unit, key) order; units with nothing are left out."""
    out = []
    n_minutes = good.shape[1]
    for _, _, unit in ROLLUPS:
        first = (-start_minute) % unit  # index of the first minute that starts a unit
        starts = (
            np.unique(np.r_[0, np.arange(first, n_minutes, unit)]) if n_minutes else np.zeros(0, np.int64)
        )
        good_sums = np.add.reduceat(good, starts, axis=1) if n_minutes else good
        total_sums = np.add.reduceat(total, starts, axis=1) if n_minutes else total
        units = (start_minute + starts) // unit
        flat_good = np.ascontiguousarray(good_sums.T).ravel()
        flat_total = np.ascontiguousarray(total_sums.T).ravel()
        keep = (flat_good != 0) | (flat_total != 0)
        out.append(
            (
                np.tile(keys, len(starts))[keep],
                np.repeat(units.astype(np.int64), len(keys))[keep],
                flat_good[keep],
                flat_total[keep],
            )
        )
    return out


def write_arrays(
    con: duckdb.DuckDBPyConnection,
    keys: npt.NDArray[np.int32],
    minutes: npt.NDArray[np.int64],
    good: npt.NDArray[np.float64],
    total: npt.NDArray[np.float64],
    rollups: Sequence[Columns] | None = None,
) -> tuple[int, int | None, int | None]:
    """Append equal-length column arrays straight to ``buckets`` and the rollups.

    The bulk path (no staging table): rows are put in (minute, key) order with numpy
    when they are not already, then handed to DuckDB through Arrow without a copy.
    ``rollups`` are the ``ROLLUPS`` rows when the caller has summed them already
    (``dense_rollups``); otherwise DuckDB sums them from the new rows.
    Returns the number of rows and their half-open minute range (None when empty).
    """
    if len(minutes) == 0:
        return 0, None, None
    step = np.diff(minutes)
    if (step < 0).any() or ((step == 0) & (np.diff(keys) < 0)).any():
        order = np.lexsort((keys, minutes))
        keys, minutes, good, total = keys[order], minutes[order], good[order], total[order]
    table = pa.table({"slo_key": keys, "minute": minutes, "good": good, "total": total})
    con.register("__arrays", table)
    try:
        con.execute("INSERT INTO buckets SELECT slo_key, minute, good, total FROM __arrays")
        if rollups is None:
            _roll_up(con, "__arrays")
    finally:
        con.unregister("__arrays")
    for (table, column, _), (unit_keys, units, unit_good, unit_total) in zip(
        ROLLUPS, rollups or (), strict=False
    ):
        rolled = pa.table({"slo_key": unit_keys, column: units, "good": unit_good, "total": unit_total})
        con.register("__rolled", rolled)
        try:
            con.execute(f"INSERT INTO {table} SELECT slo_key, {column}, good, total FROM __rolled")
        finally:
            con.unregister("__rolled")
    return len(minutes), int(minutes[0]), int(minutes[-1]) + 1


def flush_new(con: duckdb.DuckDBPyConnection) -> tuple[int, int | None, int | None]:
    """Move the staged rows into ``buckets`` and the rollups.

    Returns the number of staged rows and their half-open minute range (None when empty).
    """
    row = first_row(con.execute(f"SELECT count(*), min(minute), max(minute) + 1 FROM {NEW_TABLE}"))
    assert row is not None
    count = int(row[0])
    if count:
        con.execute(
            f"INSERT INTO buckets SELECT slo_key, minute, good, total FROM {NEW_TABLE} "
            "ORDER BY minute, slo_key"
        )
        _roll_up(con, NEW_TABLE)
    con.execute(f"DROP TABLE {NEW_TABLE}")
    return count, (int(row[1]) if count else None), (int(row[2]) if count else None)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: commit when the block ends, roll back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
