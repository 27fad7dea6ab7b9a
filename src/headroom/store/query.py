"""Reading counts back: window sums, dense minute series, bad time slices, data ranges.

All times are UTC epoch minutes and every interval is half-open, ``[start, end)``.
Minutes without a bucket count as 0 good of 0 total.

``window_sums`` is the hot path (every status evaluation asks for a handful of windows
over every SLO). Each span is cut into at most three pieces: the minutes before its
first whole hour, the whole hours (read from ``buckets_hourly``, 60x fewer rows), and
the minutes after its last whole hour::

    [start, end) = minutes [start, 60*h0) + hours [h0, h1) + minutes [60*h1, end)
    where h0 = ceil(start / 60) and h1 = floor(end / 60), when h0 < h1

Identical pieces are read once (spans that end at the same minute share their last
piece). All pieces are summed per SLO in one query (a ``UNION ALL`` of pieces tagged by
piece number, each grouped by SLO), then numpy adds the pieces of each span.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import numpy.typing as npt

from headroom.store.buckets import lookup_keys
from headroom.store.sql import Params, first_row

__all__ = ["FloatArray", "bad_slices", "data_range", "minute_series_many", "window_sums"]

FloatArray = npt.NDArray[np.float64]
_MINUTES_PER_HOUR = 60


def _pieces(spans: Sequence[tuple[int, int]]) -> tuple[list[tuple[str, int, int]], FloatArray]:
    """Unique (table, lo, hi) pieces and the 0/1 matrix (pieces x spans) that sums them."""
    pieces: dict[tuple[str, int, int], int] = {}
    membership: list[tuple[int, int]] = []

    def add(table: str, lo: int, hi: int, span: int) -> None:
        if lo < hi:
            index = pieces.setdefault((table, lo, hi), len(pieces))
            membership.append((index, span))

    for span, (start, end) in enumerate(spans):
        first_hour = -(-start // _MINUTES_PER_HOUR)
        end_hour = end // _MINUTES_PER_HOUR
        if first_hour < end_hour:
            add("buckets", start, first_hour * _MINUTES_PER_HOUR, span)
            add("buckets_hourly", first_hour, end_hour, span)
            add("buckets", end_hour * _MINUTES_PER_HOUR, end, span)
        else:
            add("buckets", start, end, span)
    matrix = np.zeros((len(pieces), len(spans)), dtype=np.float64)
    for index, span in membership:
        matrix[index, span] = 1.0
    return list(pieces), matrix


def _key_rows(
    con: duckdb.DuckDBPyConnection, slo_ids: Sequence[str]
) -> tuple[list[int], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Known keys, and for each requested id its row among them (-1 when unknown).

    The third array maps a key to its row (``lookup[key]``), -1 for keys not asked for.
    """
    known = lookup_keys(con, slo_ids)
    keys = sorted(set(known.values()))
    position = {key: row for row, key in enumerate(keys)}
    rows = np.array([position.get(known.get(s, -1), -1) for s in slo_ids], dtype=np.int64)
    lookup = np.full((max(keys) + 1) if keys else 1, -1, dtype=np.int64)
    lookup[keys] = np.arange(len(keys))
    return keys, rows, lookup


def _gather(per_key: FloatArray, rows: npt.NDArray[np.int64]) -> FloatArray:
    """Rows of ``per_key`` in request order; zeros for unknown ids."""
    out = np.zeros((len(rows), *per_key.shape[1:]), dtype=np.float64)
    hit = rows >= 0
    out[hit] = per_key[rows[hit]]
    return out


def window_sums(
    con: duckdb.DuckDBPyConnection, slo_ids: Sequence[str], spans: Sequence[tuple[int, int]]
) -> tuple[FloatArray, FloatArray]:
    """Good and total over each span for each SLO, shape ``(len(slo_ids), len(spans))``."""
    keys, rows, lookup = _key_rows(con, slo_ids)
    pieces, matrix = _pieces([(int(a), int(b)) for a, b in spans])
    if not keys or not pieces:
        shape = (len(slo_ids), len(spans))
        return np.zeros(shape), np.zeros(shape)
    params = Params()
    wanted = params.add(keys)
    selects = []
    for index, (table, lo, hi) in enumerate(pieces):
        column = "hour" if table == "buckets_hourly" else "minute"
        selects.append(
            f"SELECT slo_key, {index} AS piece, sum(good) AS good, sum(total) AS total FROM {table} "
            f"WHERE {column} >= {params.add(lo)} AND {column} < {params.add(hi)} "
            f"AND slo_key IN (SELECT unnest({wanted}::INTEGER[])) GROUP BY slo_key"
        )
    result = con.execute(" UNION ALL ".join(selects), params.values).fetchnumpy()
    key_row = lookup[np.asarray(result["slo_key"], dtype=np.int64)]
    piece = np.asarray(result["piece"], dtype=np.int64)
    piece_good = np.zeros((len(keys), len(pieces)))
    piece_total = np.zeros((len(keys), len(pieces)))
    np.add.at(piece_good, (key_row, piece), np.asarray(result["good"], dtype=np.float64))
    np.add.at(piece_total, (key_row, piece), np.asarray(result["total"], dtype=np.float64))
    return _gather(piece_good @ matrix, rows), _gather(piece_total @ matrix, rows)


def minute_series_many(
    con: duckdb.DuckDBPyConnection, slo_ids: Sequence[str], start: int, end: int
) -> tuple[FloatArray, FloatArray]:
    """Dense per-minute good and total, shape ``(len(slo_ids), end - start)``."""
    if end < start:
        raise ValueError(f"end minute {end} is before start minute {start}")
    keys, rows, lookup = _key_rows(con, slo_ids)
    good = np.zeros((len(keys), end - start))
    total = np.zeros((len(keys), end - start))
    if keys and end > start:
        result = con.execute(
            "SELECT slo_key, minute, sum(good) AS good, sum(total) AS total FROM buckets "
            "WHERE minute >= $1 AND minute < $2 AND slo_key IN (SELECT unnest($3::INTEGER[])) "
            "GROUP BY slo_key, minute",
            [start, end, keys],
        ).fetchnumpy()
        key_row = lookup[np.asarray(result["slo_key"], dtype=np.int64)]
        column = np.asarray(result["minute"], dtype=np.int64) - start
        good[key_row, column] = np.asarray(result["good"], dtype=np.float64)
        total[key_row, column] = np.asarray(result["total"], dtype=np.float64)
    return _gather(good, rows), _gather(total, rows)


def bad_slices(
    con: duckdb.DuckDBPyConnection,
    slo_ids: Sequence[str],
    start: int,
    end: int,
    slice_minutes: Sequence[int],
    slice_targets: Sequence[float],
) -> FloatArray:
    """Number of bad time slices in ``[start, end)`` per SLO (OpenSLO ``Timeslices``).

    Slice ``i`` of SLO ``j`` covers ``[start + i*k_j, start + (i+1)*k_j)`` (the last one
    is cut at ``end``). It is bad when it holds events and ``good / total < target_j``;
    a slice without events is good.
    """
    if not len(slo_ids) == len(slice_minutes) == len(slice_targets):
        raise ValueError("slo_ids, slice_minutes and slice_targets must have the same length")
    if any(int(k) <= 0 for k in slice_minutes):
        raise ValueError(f"slice lengths must be positive minutes, got {list(slice_minutes)}")
    out = np.zeros(len(slo_ids))
    known = lookup_keys(con, slo_ids)
    asked = [(row, known[s]) for row, s in enumerate(slo_ids) if s in known]
    if not asked or end <= start:
        return out
    result = con.execute(
        "WITH asked AS (SELECT unnest($1::BIGINT[]) AS row_index, unnest($2::INTEGER[]) AS slo_key, "
        "unnest($3::BIGINT[]) AS k, unnest($4::DOUBLE[]) AS target), "
        "slices AS (SELECT a.row_index, (b.minute - $5) // a.k AS slice, sum(b.good) AS good, "
        "sum(b.total) AS total, any_value(a.target) AS target FROM buckets b JOIN asked a USING (slo_key) "
        "WHERE b.minute >= $5 AND b.minute < $6 GROUP BY a.row_index, slice) "
        "SELECT row_index, count(*) AS bad FROM slices WHERE total > 0 AND good / total < target "
        "GROUP BY row_index",
        [
            [row for row, _ in asked],
            [key for _, key in asked],
            [int(slice_minutes[row]) for row, _ in asked],
            [float(slice_targets[row]) for row, _ in asked],
            start,
            end,
        ],
    ).fetchnumpy()
    out[np.asarray(result["row_index"], dtype=np.int64)] = np.asarray(result["bad"], dtype=np.float64)
    return out


def data_range(con: duckdb.DuckDBPyConnection, slo_id: str) -> tuple[int, int] | None:
    """First minute with data and last minute with data + 1; None when the SLO has none.

    Finds the first and last hour in the hourly rollup, then the minutes inside them.
    """
    key = lookup_keys(con, [slo_id]).get(slo_id)
    if key is None:
        return None
    hours = first_row(
        con.execute("SELECT min(hour), max(hour) FROM buckets_hourly WHERE slo_key = $1", [key])
    )
    if hours is None or hours[0] is None:
        return None
    first_hour, last_hour = int(hours[0]), int(hours[1])
    row = first_row(
        con.execute(
            "SELECT min(minute) FILTER (WHERE minute < $2), max(minute) FILTER (WHERE minute >= $3) "
            "FROM buckets WHERE slo_key = $1 "
            "AND ((minute >= $4 AND minute < $2) OR (minute >= $3 AND minute < $5))",
            [key, (first_hour + 1) * 60, last_hour * 60, first_hour * 60, (last_hour + 1) * 60],
        )
    )
    if row is None or row[0] is None or row[1] is None:
        return None
    return int(row[0]), int(row[1]) + 1
