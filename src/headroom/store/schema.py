"""The embedded store's schema: an ordered list of DDL steps, applied once each.

``SCHEMA_STEPS[i]`` is schema version ``i + 1``. A store records the number of steps
it has applied in ``schema_version``; opening it applies the steps it lacks, in order,
in one transaction. Steps are append-only: later features (alert state, the
notification outbox, rollouts) add their tables by appending a step, never by editing
one that shipped, so a store written by an older headroom upgrades in place.

Layout (why it is fast, see ``query.py``):

- ``slos`` maps each SLO id (``service/name``) to a small integer ``slo_key``.
- ``buckets`` holds per-minute good/total counts per ``(slo_key, minute)``; ``minute`` is
  the UTC epoch minute ``floor(epoch_s / 60)``. Rows are appended, never updated: when
  several ingests hit the same minute their rows are summed on read.
- ``buckets_hourly`` and ``buckets_daily`` are the same counts rolled up per UTC hour
  (``hour = minute // 60``) and day (``day = minute // 1440``), appended in the same
  transaction as the minute rows, so that long windows read whole hours and days.
- ``ingests`` is the ledger that makes re-ingesting a file a no-op: one row per
  (file content hash, SLO, SLI fingerprint).
"""

from __future__ import annotations

import duckdb

from headroom.store.alert_state import ALERT_STATE_DDL
from headroom.store.rollouts import ROLLOUT_DDL
from headroom.store.sql import first_row

__all__ = ["SCHEMA_STEPS", "apply_schema", "schema_version"]

_ROLLUPS = (("buckets_hourly", "hour", 60), ("buckets_daily", "day", 1440))


def _reconcile_rollup(table: str, column: str, minutes: int) -> str:
    """SQL that appends, per (SLO, unit), what the rollup lacks of its minute rows' sums."""
    return f"""
    INSERT INTO {table}
    SELECT b.slo_key, b.{column}, b.good - coalesce(r.good, 0), b.total - coalesce(r.total, 0)
    FROM (SELECT slo_key, minute // {minutes} AS {column}, sum(good) AS good, sum(total) AS total
          FROM buckets GROUP BY slo_key, {column}) AS b
    LEFT JOIN (SELECT slo_key, {column}, sum(good) AS good, sum(total) AS total
               FROM {table} GROUP BY slo_key, {column}) AS r
      USING (slo_key, {column})
    WHERE b.good <> coalesce(r.good, 0) OR b.total <> coalesce(r.total, 0)
    ORDER BY b.{column}, b.slo_key
    """


SCHEMA_STEPS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS slos (
        slo_key INTEGER PRIMARY KEY,
        slo_id VARCHAR NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS buckets (
        slo_key INTEGER NOT NULL,
        minute BIGINT NOT NULL,
        good DOUBLE NOT NULL,
        total DOUBLE NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS buckets_hourly (
        slo_key INTEGER NOT NULL,
        hour BIGINT NOT NULL,
        good DOUBLE NOT NULL,
        total DOUBLE NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS ingests (
        ingest_id BIGINT NOT NULL,
        content_sha256 VARCHAR NOT NULL,
        slo_id VARCHAR NOT NULL,
        sli_fingerprint VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        stream VARCHAR,
        path VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        minutes BIGINT NOT NULL,
        first_minute BIGINT,
        end_minute BIGINT,
        ingested_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT current_timestamp
    )
    """,
    # Rollout runs and their transitions (store/rollouts.py); shipped steps never change.
    *ROLLOUT_DDL,
    """
    CREATE TABLE IF NOT EXISTS buckets_daily (
        slo_key INTEGER NOT NULL,
        day BIGINT NOT NULL,
        good DOUBLE NOT NULL,
        total DOUBLE NOT NULL
    )
    """,
    # Alert states and the notification outbox (store/alert_state.py); shipped steps never change.
    *ALERT_STATE_DDL,
    # The file size lets a new file be hashed while it is read (ledger.may_repeat).
    "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS size_bytes BIGINT",
    # A store that held minute rows before buckets_daily existed has no daily rows for them:
    # append the difference per (SLO, unit), so each rollup sums to its minute rows again.
    *(_reconcile_rollup(table, column, minutes) for table, column, minutes in _ROLLUPS),
)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """How many steps of ``SCHEMA_STEPS`` this store has applied (0 for a new file)."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = first_row(con.execute("SELECT max(version) FROM schema_version"))
    return int(row[0]) if row is not None and row[0] is not None else 0


def apply_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the missing steps in one transaction; returns the version reached.

    Raises ``ValueError`` when the store was written by a newer headroom (it has more
    steps than this version knows), so that the caller can say so.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        current = schema_version(con)
        if current > len(SCHEMA_STEPS):
            raise ValueError(
                f"schema version {current} is newer than this headroom knows ({len(SCHEMA_STEPS)})"
            )
        for step in SCHEMA_STEPS[current:]:
            con.execute(step)
        if current < len(SCHEMA_STEPS):
            con.execute("DELETE FROM schema_version")
            con.execute("INSERT INTO schema_version VALUES (?)", [len(SCHEMA_STEPS)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(SCHEMA_STEPS)
