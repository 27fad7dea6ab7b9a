"""``DuckDBStore``: the embedded SLI store in one DuckDB file.

The adapter that the services use: it opens (or creates) the file, brings its schema
up to date (``schema.py``), and offers ingest (``ingest.py``, ``counts.py``), bulk
appends from numpy (``buckets.py``) and queries (``query.py``). DuckDB's own errors
never leave it raw: data problems are ``DataError`` (file, line, fix) and problems with
the store file itself are ``StoreError`` (path, fix).

One process at a time may open a store file for writing; DuckDB locks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb
import numpy as np
import numpy.typing as npt

from headroom.errors import StoreError
from headroom.spec.model import SLO
from headroom.store import buckets, counts, ingest, ledger, query, schema
from headroom.store.connection import open_error
from headroom.store.ledger import IngestRecord, IngestReport
from headroom.store.query import FloatArray

__all__ = ["DuckDBStore"]


class DuckDBStore:
    """Per-minute good/total counts per SLO, with hourly and daily rollups, in a DuckDB file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        #: SLO id -> key, kept while open: keys are only ever added, never changed.
        self._keys: dict[str, int] = {}
        try:
            self._con = duckdb.connect(str(path))
        except duckdb.Error as error:
            raise open_error(error, self.path) from error
        try:
            # Text timestamps without an offset are UTC, whatever the machine's zone.
            self._con.execute("SET TimeZone = 'UTC'")
            schema.apply_schema(self._con)
        except ValueError as error:
            self._con.close()
            raise StoreError(f"{self.path}: {error}; upgrade headroom to open this store") from error
        except duckdb.Error as error:
            self._con.close()
            raise open_error(error, self.path) from error

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new DuckDB connection to the same database, for the other adapters that keep
        their tables in this file (alert state, outbox, rollouts): one process holds the
        file's lock, and each user has its own connection (DuckDB connections are not
        shared across threads)."""
        return self._con.cursor()

    def close(self) -> None:
        """Close the file (idempotent); the store cannot be used afterwards."""
        self._con.close()

    def __enter__(self) -> DuckDBStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            yield self._con
        except duckdb.Error as error:
            detail = str(error).split("\n")[0]
            fix = "check the disk and the file"
            raise StoreError(f"{self.path}: {action} failed ({detail}); {fix}") from error

    # ------------------------------------------------------------ ingest

    def ingest_events(
        self,
        path: Path,
        stream: str,
        slos: Sequence[SLO],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Count an event file (CSV, JSON lines, Parquet) for every SLO reading ``stream``.

        See ``ingest.py`` for the counting rules and ``sql.py`` for filters and NULLs.
        Raises ``DataError`` for a malformed file (nothing of it is stored) and
        ``UsageError`` when no SLO reads ``stream``.
        """
        with self._guard(f"ingesting {path}") as con:
            return ingest.ingest_events(con, Path(path), stream, slos, progress=progress)

    def ingest_counts(
        self, path: Path, slos: Sequence[SLO], *, progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Store a file of ``timestamp, slo, good, total`` rows (see ``counts.py``)."""
        with self._guard(f"ingesting {path}") as con:
            return counts.ingest_counts(con, Path(path), slos, progress=progress)

    def append_counts(
        self,
        slo_id: str,
        minutes: npt.ArrayLike,
        good: npt.ArrayLike,
        total: npt.ArrayLike,
    ) -> int:
        """Add counts for one SLO at the given epoch minutes, in bulk; returns rows written.

        Counts add to what is stored (a minute given twice is summed). No ledger row.
        """
        minute_array = np.asarray(minutes, dtype=np.int64)
        good_array = np.asarray(good, dtype=np.float64)
        total_array = np.asarray(total, dtype=np.float64)
        _check_counts(minute_array, good_array, total_array)
        with self._guard("appending counts") as con, buckets.transaction(con):
            key = buckets.upsert_keys(con, [slo_id])[slo_id]
            keys = np.full(minute_array.shape, key, dtype=np.int32)
            return buckets.write_arrays(con, keys, minute_array, good_array, total_array)[0]

    def append_counts_many(
        self, slo_ids: Sequence[str], start_minute: int, good: npt.ArrayLike, total: npt.ArrayLike
    ) -> int:
        """Add dense counts, shape ``(len(slo_ids), n_minutes)``, from ``start_minute`` on.

        Cells where both good and total are 0 are not stored. Returns rows written.
        """
        good_2d = np.asarray(good, dtype=np.float64)
        total_2d = np.asarray(total, dtype=np.float64)
        if good_2d.shape != total_2d.shape or good_2d.ndim != 2 or good_2d.shape[0] != len(slo_ids):
            raise ValueError(
                f"good {good_2d.shape} and total {total_2d.shape} must both be (len(slo_ids), n_minutes) "
                f"with len(slo_ids) = {len(slo_ids)}"
            )
        n_minutes = good_2d.shape[1]
        minutes = np.repeat(np.arange(start_minute, start_minute + n_minutes, dtype=np.int64), len(slo_ids))
        good_flat = np.ascontiguousarray(good_2d.T).ravel()
        total_flat = np.ascontiguousarray(total_2d.T).ravel()
        _check_counts(minutes, good_flat, total_flat)
        keep = (total_flat != 0) | (good_flat != 0)
        with self._guard("appending counts") as con, buckets.transaction(con):
            key_of = buckets.upsert_keys(con, list(slo_ids))
            slo_keys = np.array([key_of[s] for s in slo_ids], dtype=np.int32)
            keys = np.tile(slo_keys, n_minutes)
            rollups = buckets.dense_rollups(slo_keys, start_minute, good_2d, total_2d)
            return buckets.write_arrays(
                con, keys[keep], minutes[keep], good_flat[keep], total_flat[keep], rollups
            )[0]

    # ------------------------------------------------------------ queries

    def window_sums(
        self, slo_ids: Sequence[str], spans: Sequence[tuple[int, int]]
    ) -> tuple[FloatArray, FloatArray]:
        """Good and total per SLO (rows) and span (columns); spans are ``[start, end)`` minutes."""
        with self._guard("reading window sums") as con:
            return query.window_sums(con, slo_ids, spans, self._keys)

    def minute_series(self, slo_id: str, start: int, end: int) -> tuple[FloatArray, FloatArray]:
        """Dense per-minute good and total over ``[start, end)``; 0 where nothing was stored."""
        good, total = self.minute_series_many([slo_id], start, end)
        return good[0], total[0]

    def minute_series_many(
        self, slo_ids: Sequence[str], start: int, end: int
    ) -> tuple[FloatArray, FloatArray]:
        """Dense per-minute good and total, shape ``(len(slo_ids), end - start)``."""
        with self._guard("reading minute series") as con:
            return query.minute_series_many(con, slo_ids, start, end)

    def bad_slices(
        self,
        slo_ids: Sequence[str],
        start: int,
        end: int,
        slice_minutes: Sequence[int],
        slice_targets: Sequence[float],
    ) -> FloatArray:
        """Bad time slices per SLO in ``[start, end)`` (see ``query.bad_slices``)."""
        with self._guard("counting bad slices") as con:
            return query.bad_slices(con, slo_ids, start, end, slice_minutes, slice_targets)

    def data_range(self, slo_id: str) -> tuple[int, int] | None:
        """``(first minute with data, last minute with data + 1)``, or None."""
        with self._guard("reading the data range") as con:
            return query.data_range(con, slo_id)

    def list_slos(self) -> list[str]:
        """Every SLO id the store has counts for, sorted."""
        with self._guard("listing SLOs") as con:
            return [str(r[0]) for r in con.execute("SELECT slo_id FROM slos ORDER BY slo_id").fetchall()]

    def ingest_history(self) -> list[IngestRecord]:
        """The ingest ledger, oldest first."""
        with self._guard("reading the ingest history") as con:
            return ledger.history(con)


def _check_counts(
    minutes: npt.NDArray[np.int64], good: npt.NDArray[np.float64], total: npt.NDArray[np.float64]
) -> None:
    if not (minutes.ndim == good.ndim == total.ndim == 1) or not (len(minutes) == len(good) == len(total)):
        raise ValueError("minutes, good and total must be 1-D arrays of the same length")
    if len(minutes) and minutes.min() < 0:
        raise ValueError("minutes must be epoch minutes (>= 0)")
    if not (np.isfinite(good).all() and np.isfinite(total).all()):
        raise ValueError("good and total must be finite numbers")
    if ((good < 0) | (good > total)).any():
        raise ValueError("counts need 0 <= good <= total in every minute")
