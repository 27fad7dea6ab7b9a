"""Reading event and count files with DuckDB, and turning its errors into line numbers.

A file is read where it lies by DuckDB's own readers (``read_csv``, ``read_json``,
``read_parquet``), chosen by extension: ``.csv``, ``.jsonl`` / ``.ndjson``, ``.parquet``,
each optionally ``.gz`` (not Parquet, which compresses inside). The path is passed as a
query parameter, never pasted into SQL.

Timestamps: a ``timestamp`` column holding RFC 3339 text (an offset is honoured; text
without one is read as UTC) or epoch seconds (int or float). The epoch minute is
``floor(epoch_s / 60)``. A timestamp that does not parse, or is before 1970 or after
9999 (epoch milliseconds land there), makes the file malformed.

Line numbers: CSV rows that do not fit (wrong column count, a value that does not
convert to the column's sniffed type) are caught by DuckDB's ``store_rejects``, which
records their line (the header is line 1). Other bad rows (an unparseable timestamp)
are found by a second, single-threaded scan that numbers the records in file order;
that only runs when something is wrong.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from headroom.errors import DataError
from headroom.store.sql import Params, column_kind, first_row, quote_identifier

__all__ = [
    "TIMESTAMP_COLUMN",
    "EventFile",
    "clear_rejects",
    "first_rejected_row",
    "locate_first",
    "minute_ok_sql",
    "minute_sql",
    "open_event_file",
    "translate_read_error",
]

TIMESTAMP_COLUMN = "timestamp"
FileKind = Literal["csv", "json", "parquet"]

# 9999-12-31T23:59:59Z + 1 s: the largest instant RFC 3339 can write.
_MAX_EPOCH_S = 253_402_300_800
_SUFFIXES: dict[str, FileKind] = {
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".parquet": "parquet",
}
_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"})
_FORMATS = ".csv, .jsonl, .ndjson, .parquet (text formats may end in .gz)"


def _kind_of(path: Path) -> FileKind:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
        if suffixes and suffixes[-1] == ".parquet":
            suffixes = []
    kind = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if kind is None:
        raise DataError(f"{path}: unknown file format; name the file with one of {_FORMATS}")
    return kind


@dataclass(frozen=True)
class EventFile:
    """A data file DuckDB can scan, with its columns (name -> DuckDB type)."""

    path: Path
    kind: FileKind
    columns: dict[str, str]
    widened: tuple[str, ...] = ()

    def scan_sql(self, params: Params, *, row_numbers: bool = False) -> str:
        """``read_*(...)`` table function for this file; the path goes in ``params``."""
        path = params.add(str(self.path))
        if self.kind == "csv":
            types = f", types = {params.add(list(self.columns.values()))}" if self.widened else ""
            return f"read_csv({path}, header = true, store_rejects = true{types})"
        if self.kind == "json":
            return f"read_json({path}, format = 'newline_delimited')"
        extra = ", file_row_number = true" if row_numbers else ""
        return f"read_parquet({path}{extra})"

    def where(self, record: int) -> str:
        """Human position of the 1-based ``record``: ``line N`` for text, ``row N`` for Parquet."""
        if self.kind == "parquet":
            return f"row {record}"
        return f"line {_record_line(self.path, record, header=self.kind == 'csv')}"

    def text_sql(self, column: str) -> str:
        """SQL for a column's value as text (JSON strings without their quotes)."""
        ident = quote_identifier(column)
        if self.columns[column].upper() == "JSON":
            return f"json_extract_string({ident}, '$')"
        return f"CAST({ident} AS VARCHAR)"

    def seconds_sql(self) -> str:
        """SQL for the timestamp column as epoch seconds (DOUBLE); NULL when it does not parse."""
        ident = quote_identifier(TIMESTAMP_COLUMN)
        duckdb_type = self.columns[TIMESTAMP_COLUMN].upper()
        if column_kind(duckdb_type) == "number":
            return f"CAST({ident} AS DOUBLE)"
        if duckdb_type.startswith("TIMESTAMP") or duckdb_type == "DATE":
            return f"CAST(epoch({ident}) AS DOUBLE)"
        text = self.text_sql(TIMESTAMP_COLUMN)
        return f"COALESCE(TRY_CAST({text} AS DOUBLE), CAST(epoch(TRY_CAST({text} AS TIMESTAMPTZ)) AS DOUBLE))"


def minute_sql(seconds: str) -> str:
    """Epoch minute of an epoch-seconds expression; NULL when it is not a number.

    Cheap enough for every row; whether the minute is a usable time is checked on the
    per-minute groups afterwards (``minute_ok_sql``).
    """
    return f"TRY_CAST(floor({seconds} / 60) AS BIGINT)"


def minute_ok_sql(minute: str) -> str:
    """True when an epoch minute is a time between 1970 and 9999 (never NULL)."""
    return f"({minute} IS NOT NULL AND {minute} >= 0 AND {minute} < {_MAX_EPOCH_S // 60})"


def _open_text(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        yield from handle


def _record_line(path: Path, record: int, *, header: bool) -> int:
    """Physical line of the 1-based ``record`` (blank lines are not records)."""
    seen = 0
    line_no = 0
    for line_no, line in enumerate(_open_text(path), start=1):
        if header and line_no == 1:
            continue
        if line.strip():
            seen += 1
            if seen == record:
                return line_no
    return line_no


_LINE = re.compile(r"\bline (\d+)")


def _first_bad_json_line(path: Path) -> int | None:
    """First non-blank line that is not one JSON value on its own (DuckDB reports where
    its parser gave up, which for an unclosed object is the next line)."""
    for line_no, line in enumerate(_open_text(path), start=1):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except ValueError:
            return line_no
    return None


def translate_read_error(error: duckdb.Error, path: Path) -> DataError:
    """A DuckDB reader error as a ``DataError`` naming the file and, when known, the line."""
    message = str(error).split("\n")[0]
    message = re.sub(r"^[A-Za-z ]*Error: ", "", message)
    message = message.replace(f'in file "{path}", ', "")
    match = _LINE.search(str(error))
    line = int(match.group(1)) if match else None
    if "malformed json" in message.lower():
        line = _first_bad_json_line(path) or line
    where = f"{path}: line {line}" if line is not None else str(path)
    return DataError(f"{where}: cannot read the file ({message}); fix or remove the malformed row")


def open_event_file(con: duckdb.DuckDBPyConnection, path: Path | str) -> EventFile:
    """Check that ``path`` is a readable, non-empty data file and learn its columns."""
    path = Path(path)
    kind = _kind_of(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; check the path")
    if path.stat().st_size == 0:
        raise DataError(
            f"{path}: the file is empty; it needs a {TIMESTAMP_COLUMN} column and one row per event"
        )
    probe = EventFile(path, kind, {})
    params = Params()
    try:
        result = con.execute(f"SELECT * FROM {probe.scan_sql(params)} LIMIT 1", params.values)
        described = result.description or []
        first = result.fetchall()
    except duckdb.Error as error:
        raise translate_read_error(error, path) from error
    if not first:
        raise DataError(f"{path}: the file has no rows (at most a header); add one row per event")
    columns = {str(column[0]): str(column[1]) for column in described}
    if TIMESTAMP_COLUMN not in columns:
        have = ", ".join(columns) or "(none)"
        raise DataError(
            f"{path}: no {TIMESTAMP_COLUMN!r} column; its columns are: {have}. "
            f"Name the event time column {TIMESTAMP_COLUMN!r} (RFC 3339 text or epoch seconds)"
        )
    if kind == "csv":
        # The sniffer types columns from a sample: an integer column may hold 12.5 further
        # down. Read integer columns as DOUBLE (exact below 2**53) so that such a row is
        # not rejected as malformed.
        widened = tuple(name for name, t in columns.items() if t.upper() in _INTEGER_TYPES)
        columns.update(dict.fromkeys(widened, "DOUBLE"))
        return EventFile(path, kind, columns, widened)
    return EventFile(path, kind, columns)


def first_rejected_row(con: duckdb.DuckDBPyConnection, source: EventFile) -> DataError | None:
    """The first CSV row DuckDB rejected in the last scan, as a ``DataError``; None if none."""
    if source.kind != "csv":
        return None
    try:
        row = first_row(
            con.execute(
                "SELECT line, error_type, column_name, error_message FROM reject_errors ORDER BY line LIMIT 1"
            )
        )
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    line, error_type, column, message = row
    what = str(error_type).lower().replace("_", " ")
    field = f" in column {column!r}" if column else ""
    detail = str(message).split("\n")[0]
    return DataError(f"{source.path}: line {line}: {what}{field} ({detail}); fix or remove that row")


def clear_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Forget rejects of earlier scans so that ``first_rejected_row`` sees only the next one."""
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")


def locate_first(
    con: duckdb.DuckDBPyConnection, source: EventFile, condition: str, params: Params, show: str
) -> tuple[int, object] | None:
    """1-based record number of the first row where ``condition`` holds, and ``show`` there.

    Runs single-threaded so that records are numbered in file order; only for errors.
    """
    scan = source.scan_sql(params, row_numbers=True)
    number = "file_row_number + 1" if source.kind == "parquet" else "row_number() OVER ()"
    sql = (
        f"SELECT __record, __show FROM (SELECT {number} AS __record, {show} AS __show, "
        f"{condition} AS __hit FROM {scan}) WHERE __hit ORDER BY __record LIMIT 1"
    )
    con.execute("SET threads = 1")
    try:
        row = first_row(con.execute(sql, params.values))
    finally:
        con.execute("RESET threads")
    return None if row is None else (int(row[0]), row[1])
