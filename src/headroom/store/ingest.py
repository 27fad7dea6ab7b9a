"""Ingesting raw events into per-minute good/total buckets (counts files: ``counts.py``).

``ingest_events`` reads an event file once, in DuckDB, and counts for every SLO of the
stream at the same time: one ``GROUP BY`` epoch minute with a
``count(*) FILTER (WHERE ...)`` pair per SLO, the filters compiled by ``sql.py``::

    total = rows matching total            (every row when total is not given)
    good  = total rows matching good       (when good is given)
          = total rows NOT matching bad    (when bad is given; a row whose bad filter
                                            reads NULL fields is not bad, see sql.py)

Minutes where an SLO counted nothing are not stored. Everything one call writes (the
buckets of every SLO and the ledger rows) is one transaction: a malformed row anywhere
in the file stores nothing of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from headroom.errors import DataError, UsageError
from headroom.spec.model import SLO, EventsSLI
from headroom.store import buckets, ledger, readers
from headroom.store.ledger import IngestReport
from headroom.store.readers import TIMESTAMP_COLUMN, EventFile
from headroom.store.sql import FilterTypeError, Params, compile_filter, first_row

__all__ = ["Progress", "ingest_events", "run_scan", "scan_with_minutes"]

Progress = Callable[[int], None]
_STAGED = "__staged"


def scan_with_minutes(source: EventFile, params: Params) -> str:
    """Subquery over the file with ``__minute`` (NULL when the timestamp does not parse)."""
    minute = readers.minute_sql(f"({source.seconds_sql()})")
    return f"(SELECT {minute} AS __minute, * FROM {source.scan_sql(params)})"


def run_scan(con: duckdb.DuckDBPyConnection, source: EventFile, sql: str, params: Params) -> None:
    """Run a query over the file; reader errors and rejected CSV rows become ``DataError``."""
    readers.clear_rejects(con)
    try:
        con.execute(sql, params.values)
    except duckdb.Error as error:
        raise readers.translate_read_error(error, source.path) from error
    rejected = readers.first_rejected_row(con, source)
    if rejected is not None:
        raise rejected


def _bad_timestamp(con: duckdb.DuckDBPyConnection, source: EventFile) -> DataError:
    params = Params()
    minute = readers.minute_ok_sql(readers.minute_sql(f"({source.seconds_sql()})"))
    shown = source.text_sql(TIMESTAMP_COLUMN)
    found = readers.locate_first(con, source, f"NOT {minute}", params, shown)
    record, value = found if found is not None else (1, None)
    hint = "write RFC 3339 text (2024-05-01T12:00:00Z) or epoch seconds (1714564800)"
    if value is None:
        what = "the timestamp is empty"
    else:
        what = f"timestamp {value!r} is not a time between 1970 and 9999"
        try:
            if float(str(value)) > 1e11:
                hint = "it looks like epoch milliseconds or finer; give epoch seconds"
        except ValueError:
            pass
    return DataError(f"{source.path}: {source.where(record)}: {what}; {hint}")


def _text_where_numbers(
    con: duckdb.DuckDBPyConnection, source: EventFile, error: FilterTypeError
) -> DataError:
    """Point at the first row whose value made a column of mostly numbers read as text.

    A column that is mostly text keeps the filter's error (the filter is what is wrong).
    """
    if error.column_kind != "text" or error.value_kind != "number":
        return error
    text = source.text_sql(error.field)
    not_number = f"({text} IS NOT NULL AND TRY_CAST({text} AS DOUBLE) IS NULL)"
    params = Params()
    tally = first_row(
        con.execute(
            f"SELECT count(*) FILTER (WHERE TRY_CAST({text} AS DOUBLE) IS NOT NULL), "
            f"count(*) FILTER (WHERE {not_number}) FROM {source.scan_sql(params)}",
            params.values,
        )
    )
    if tally is None or tally[0] <= tally[1]:
        return error
    found = readers.locate_first(con, source, not_number, Params(), text)
    if found is None:
        return error
    record, value = found
    return DataError(
        f"{source.path}: {source.where(record)}: field {error.field!r} is {value!r}, not a number, "
        f"so the column reads as text and the filter cannot compare it with a number; "
        "fix that row (or quote the filter's value if the column is meant to be text)"
    )


def _good_and_total(slo: SLO, source: EventFile, params: Params) -> tuple[str, str]:
    sli = slo.sli
    assert isinstance(sli, EventsSLI)
    where = f"{source.path}, SLO {slo.id}"
    total = "TRUE" if sli.total is None else compile_filter(sli.total, source.columns, params, where=where)
    if sli.good is not None:
        good = compile_filter(sli.good, source.columns, params, where=where)
        return f"({total}) AND ({good})", total
    if sli.bad is not None:
        bad = compile_filter(sli.bad, source.columns, params, where=where, negated=True)
        return f"({total}) AND NOT ({bad})", total
    raise UsageError(f"SLO {slo.id}: an events SLI needs a good or a bad filter; add one to the spec")


class _ContentHash:
    """A file's SHA-256, computed at once, or in a thread while DuckDB reads the file.

    ``hashlib`` and file reads release the GIL, so the thread runs beside DuckDB's.
    """

    def __init__(self, path: Path, *, background: bool) -> None:
        self.background = background
        self._result: list[str] = []
        self._error: list[BaseException] = []
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
            self._thread.start()
        else:
            self._result.append(ledger.file_sha256(path))

    def _run(self, path: Path) -> None:
        try:
            self._result.append(ledger.file_sha256(path))
        except BaseException as error:  # handed to the caller by value()
            self._error.append(error)

    def value(self) -> str:
        if self._thread is not None:
            self._thread.join()
        if self._error:
            raise self._error[0]
        return self._result[0]


def _check_path(path: Path) -> None:
    if not path.is_file():
        raise DataError(f"{path}: no such file; check the path")


def ingest_events(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    stream: str,
    slos: Sequence[SLO],
    *,
    progress: Progress | None = None,
) -> IngestReport:
    """Count one event file into per-minute buckets for every SLO that reads ``stream``."""
    path = Path(path)
    mine = [s for s in slos if isinstance(s.sli, EventsSLI) and s.sli.events == stream]
    if not mine:
        streams = sorted({s.sli.events for s in slos if isinstance(s.sli, EventsSLI)})
        raise UsageError(
            f"no SLO reads the event stream {stream!r}; the spec's streams are: "
            f"{', '.join(streams) or '(none)'}. Pass one of them"
        )
    _check_path(path)
    keys = [(s.id, s.sli.fingerprint()) for s in mine if isinstance(s.sli, EventsSLI)]
    content = _ContentHash(path, background=not ledger.may_repeat(con, path.stat().st_size))
    done = ledger.already_ingested(con, content.value(), keys) if not content.background else set()
    todo = [s for s, key in zip(mine, keys, strict=True) if key not in done]
    skipped = tuple(s.id for s, key in zip(mine, keys, strict=True) if key in done)
    if not todo:
        if progress is not None:
            progress(0)
        return IngestReport(str(path), content.value(), (), skipped, 0, 0, None, None)

    with buckets.transaction(con):
        source = readers.open_event_file(con, path)
        params = Params()
        counts = []
        for i, slo in enumerate(todo):
            try:
                good, total = _good_and_total(slo, source, params)
            except FilterTypeError as error:
                raise _text_where_numbers(con, source, error) from None
            counts.append(f"count(*) FILTER (WHERE {total}) AS total_{i}")
            counts.append(f"count(*) FILTER (WHERE {good}) AS good_{i}")
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {_STAGED} AS SELECT __minute AS minute, count(*) AS n_rows, "
            f"{', '.join(counts)} FROM {scan_with_minutes(source, params)} GROUP BY __minute"
        )
        run_scan(con, source, sql, params)
        row = first_row(
            con.execute(
                "SELECT coalesce(sum(n_rows), 0), coalesce(sum(n_rows) FILTER "
                f"(WHERE NOT {readers.minute_ok_sql('minute')}), 0) FROM {_STAGED}"
            )
        )
        assert row is not None
        rows, unusable = int(row[0]), int(row[1])
        if unusable:
            raise _bad_timestamp(con, source)
        if rows == 0:
            raise DataError(f"{path}: the file has a header but no events; add one row per event")

        key_of = buckets.upsert_keys(con, [s.id for s in todo])
        buckets.create_new(con)
        selects = [
            f"SELECT {key_of[s.id]}::INTEGER, minute, good_{i}, total_{i} FROM {_STAGED} WHERE total_{i} > 0"
            for i, s in enumerate(todo)
        ]
        con.execute(f"INSERT INTO {buckets.NEW_TABLE} " + " UNION ALL ".join(selects))
        stats = first_row(
            con.execute(
                "SELECT "
                + ", ".join(
                    f"count(*) FILTER (WHERE total_{i} > 0), min(minute) FILTER (WHERE total_{i} > 0), "
                    f"max(minute) FILTER (WHERE total_{i} > 0) + 1"
                    for i in range(len(todo))
                )
                + f" FROM {_STAGED}"
            )
        )
        assert stats is not None
        written, first, end = buckets.flush_new(con)
        sha = content.value()
        ingest_id = ledger.next_ingest_id(con)
        for i, slo in enumerate(todo):
            assert isinstance(slo.sli, EventsSLI)
            n, lo, hi = stats[3 * i : 3 * i + 3]
            ledger.record(
                con, ingest_id=ingest_id, sha256=sha, slo_id=slo.id, fingerprint=slo.sli.fingerprint(),
                kind="events", stream=stream, path=path, rows=rows, minutes=int(n),
                first_minute=None if lo is None else int(lo), end_minute=None if hi is None else int(hi),
            )  # fmt: skip
        con.execute(f"DROP TABLE {_STAGED}")
    if progress is not None:
        progress(rows)
    return IngestReport(str(path), sha, tuple(s.id for s in todo), skipped, rows, written, first, end)
