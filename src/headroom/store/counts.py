"""Ingesting pre-aggregated counts: rows of ``timestamp, slo, good, total``.

For data that is already counted elsewhere (a warehouse export, a Prometheus
``increase()`` per minute). ``slo`` is the SLO id ``service/name``, or just ``name``
when only one SLO in the spec has that name. Each row must have
``0 <= good <= total``; rows of the same SLO and minute are summed. The same ledger
as events makes a re-ingest of the same file a no-op, per SLO.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from headroom.errors import DataError
from headroom.spec.model import SLO
from headroom.store import buckets, ledger, readers
from headroom.store.ingest import Progress, run_scan, scan_with_minutes
from headroom.store.ledger import COUNTS_FINGERPRINT, IngestReport
from headroom.store.readers import TIMESTAMP_COLUMN, EventFile
from headroom.store.sql import Params, first_row

__all__ = ["COUNT_COLUMNS", "ingest_counts", "slo_names"]

COUNT_COLUMNS = (TIMESTAMP_COLUMN, "slo", "good", "total")
_STAGED = "__staged_counts"


def slo_names(slos: Sequence[SLO]) -> dict[str, str]:
    """What a counts file may write in its ``slo`` column -> the SLO id."""
    names = Counter(s.name for s in slos)
    out = {s.name: s.id for s in slos if names[s.name] == 1}
    out.update({s.id: s.id for s in slos})
    return out


def _number(source: EventFile, column: str) -> str:
    return f"TRY_CAST({source.text_sql(column)} AS DOUBLE)"


def _invalid_sql(source: EventFile, params: Params, known: dict[str, str]) -> str:
    """True for a row that cannot be stored; evaluated over the raw scan."""
    good, total = _number(source, "good"), _number(source, "total")
    minute_ok = readers.minute_ok_sql(readers.minute_sql(f"({source.seconds_sql()})"))
    slo = f"list_contains({params.add(list(known))}::VARCHAR[], {source.text_sql('slo')})"
    return (
        f"(NOT {minute_ok} OR NOT coalesce({slo}, FALSE) OR {good} IS NULL OR {total} IS NULL "
        f"OR NOT isfinite({good}) OR NOT isfinite({total}) OR {good} < 0 OR {good} > {total})"
    )


def _explain(source: EventFile, record: int, values: object, known: dict[str, str]) -> DataError:
    ts, slo, good, total = values if isinstance(values, list | tuple) else (None, None, None, None)
    where = f"{source.path}: {source.where(record)}"
    try:
        g, t = float(good), float(total)
    except (TypeError, ValueError):
        g = t = math.nan
    if not (math.isfinite(g) and math.isfinite(t)):
        return DataError(f"{where}: good {good!r} and total {total!r} must both be numbers; fix that row")
    if slo not in known:
        choices = ", ".join(sorted(known)) or "(none)"
        return DataError(f"{where}: unknown SLO {slo!r}; write one of: {choices}")
    if not (0 <= g <= t):
        return DataError(f"{where}: good={g:g} total={t:g}; counts need 0 <= good <= total")
    return DataError(
        f"{where}: timestamp {ts!r} is not a time between 1970 and 9999; "
        "write RFC 3339 text (2024-05-01T12:00:00Z) or epoch seconds (1714564800)"
    )


def ingest_counts(
    con: duckdb.DuckDBPyConnection, path: Path, slos: Sequence[SLO], *, progress: Progress | None = None
) -> IngestReport:
    """Store a file of per-minute (or finer) good/total counts for the SLOs it names."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; check the path")
    sha = ledger.file_sha256(path)
    known = slo_names(slos)
    with buckets.transaction(con):
        source = readers.open_event_file(con, path)
        missing = [c for c in COUNT_COLUMNS if c not in source.columns]
        if missing:
            raise DataError(
                f"{path}: a counts file needs the columns {', '.join(COUNT_COLUMNS)}; "
                f"{', '.join(missing)} missing (it has: {', '.join(source.columns)})"
            )
        params = Params()
        invalid = _invalid_sql(source, params, known)
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {_STAGED} AS SELECT __minute AS minute, "
            f"{source.text_sql('slo')} AS slo, count(*) AS n_rows, sum({_number(source, 'good')}) AS good, "
            f"sum({_number(source, 'total')}) AS total, bool_or({invalid}) AS invalid "
            f"FROM {scan_with_minutes(source, params)} GROUP BY ALL"
        )
        run_scan(con, source, sql, params)
        row = first_row(
            con.execute(f"SELECT coalesce(sum(n_rows), 0), coalesce(bool_or(invalid), FALSE) FROM {_STAGED}")
        )
        assert row is not None
        rows = int(row[0])
        if row[1]:
            diag = Params()
            condition = _invalid_sql(source, diag, known)
            shown = (
                f"[{source.text_sql(TIMESTAMP_COLUMN)}, {source.text_sql('slo')}, "
                f"{source.text_sql('good')}, {source.text_sql('total')}]"
            )
            found = readers.locate_first(con, source, condition, diag, shown)
            record, values = found if found is not None else (1, None)
            raise _explain(source, record, values, known)
        if rows == 0:
            raise DataError(
                f"{path}: the file has a header but no rows; add rows of {', '.join(COUNT_COLUMNS)}"
            )

        given = [str(r[0]) for r in con.execute(f"SELECT DISTINCT slo FROM {_STAGED}").fetchall()]
        present = sorted({known[g] for g in given})
        done = ledger.already_ingested(con, sha, [(s, COUNTS_FINGERPRINT) for s in present])
        todo = [s for s in present if (s, COUNTS_FINGERPRINT) not in done]
        skipped = tuple(s for s in present if (s, COUNTS_FINGERPRINT) in done)
        key_of = buckets.upsert_keys(con, todo)
        names = pa.table(
            {
                "given": [g for g in given if known[g] in key_of],
                "slo_key": pa.array([key_of[known[g]] for g in given if known[g] in key_of], pa.int32()),
            }
        )
        con.register("__names", names)
        try:
            buckets.create_new(con)
            con.execute(
                f"INSERT INTO {buckets.NEW_TABLE} SELECT n.slo_key, s.minute, sum(s.good), sum(s.total) "
                f"FROM {_STAGED} s JOIN __names n ON s.slo = n.given GROUP BY ALL"
            )
            per_slo = {
                int(k): (int(n), int(lo), int(hi))
                for k, n, lo, hi in con.execute(
                    f"SELECT slo_key, count(*), min(minute), max(minute) + 1 FROM {buckets.NEW_TABLE} "
                    "GROUP BY slo_key"
                ).fetchall()
            }
        finally:
            con.unregister("__names")
        written, first, end = buckets.flush_new(con)
        ingest_id = ledger.next_ingest_id(con)
        for slo_id in todo:
            n, lo, hi = per_slo[key_of[slo_id]]
            ledger.record(
                con, ingest_id=ingest_id, sha256=sha, slo_id=slo_id, fingerprint=COUNTS_FINGERPRINT,
                kind="counts", stream=None, path=path, rows=rows, minutes=n, first_minute=lo, end_minute=hi,
            )  # fmt: skip
        con.execute(f"DROP TABLE {_STAGED}")
    if progress is not None:
        progress(rows)
    return IngestReport(str(path), sha, tuple(todo), skipped, rows, written, first, end)
