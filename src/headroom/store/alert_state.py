"""Alert state and the notification outbox in the embedded DuckDB store.

``DuckDBAlertStateStore`` implements ``headroom.alerting.outbox.AlertStateStore``. Two
tables (``ALERT_STATE_DDL``, also appended to ``schema.SCHEMA_STEPS``; created here if
missing too, so a connection opened without the store's schema works):

- ``alert_records``: one row per alert (``service/slo:tier``), the record as JSON;
- ``alert_outbox``: one row per (dedup key, notifier) with the message JSON, attempts,
  next attempt time, delivery time and last error. The primary key makes enqueueing the
  same transition twice a no-op, so a restart never re-pages.

Times are stored as epoch microseconds (BIGINT), free of session time zones.
``commit`` writes records and new outbox rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from headroom.alerting.outbox import AlertMessage, OutboxEntry
from headroom.alerting.state import AlertRecord
from headroom.errors import StoreError
from headroom.store.connection import connect, epoch_us, from_epoch_us

__all__ = ["ALERT_STATE_DDL", "DuckDBAlertStateStore"]

ALERT_STATE_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS alert_records (
        alert_key VARCHAR PRIMARY KEY,
        state VARCHAR NOT NULL,
        record_json VARCHAR NOT NULL,
        updated_us BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS alert_outbox (
        dedup_key VARCHAR NOT NULL,
        notifier VARCHAR NOT NULL,
        message_json VARCHAR NOT NULL,
        created_us BIGINT NOT NULL,
        next_attempt_us BIGINT NOT NULL,
        attempts INTEGER NOT NULL,
        delivered_us BIGINT,
        last_error VARCHAR,
        PRIMARY KEY (dedup_key, notifier)
    )
    """,
)

_NEVER_US = 253402300799000000  # 9999-12-31T23:59:59Z: "do not retry"


def _us(at: datetime) -> int:
    return min(epoch_us(at), _NEVER_US)


_at = from_epoch_us


_ENTRY_COLUMNS = (
    "dedup_key, notifier, message_json, created_us, next_attempt_us, attempts, delivered_us, last_error"
)


class DuckDBAlertStateStore:
    """Alert records and outbox over a DuckDB connection (the embedded store's, or its own)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        try:
            for ddl in ALERT_STATE_DDL:
                con.execute(ddl)
        except duckdb.Error as exc:
            raise StoreError(f"cannot create the alert tables: {exc}") from exc

    @classmethod
    def open(cls, path: Path | str) -> DuckDBAlertStateStore:
        """Open (or create) the store file at ``path``."""
        return cls(connect(path))

    def close(self) -> None:
        self._con.close()

    def load_records(self) -> dict[str, AlertRecord]:
        rows = self._con.execute("SELECT alert_key, record_json FROM alert_records").fetchall()
        return {str(k): AlertRecord.model_validate_json(str(j)) for k, j in rows}

    def commit(self, records: Sequence[AlertRecord], entries: Sequence[OutboxEntry]) -> None:
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            for r in records:
                con.execute(
                    "INSERT OR REPLACE INTO alert_records VALUES (?, ?, ?, ?)",
                    [r.key, r.state, r.model_dump_json(), _us(r.evaluated_at)],
                )
            for e in entries:
                con.execute(
                    f"INSERT INTO alert_outbox ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [
                        e.dedup_key,
                        e.notifier,
                        e.message.model_dump_json(),
                        _us(e.created_at),
                        _us(e.next_attempt_at),
                        e.attempts,
                        _us(e.delivered_at) if e.delivered_at is not None else None,
                        e.last_error,
                    ],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _entries(self, where: str, params: list[object]) -> list[OutboxEntry]:
        rows = self._con.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM alert_outbox WHERE {where}"
            " ORDER BY created_us, dedup_key, notifier",
            params,
        ).fetchall()
        return [
            OutboxEntry(
                dedup_key=str(key),
                notifier=str(notifier),
                message=AlertMessage.model_validate_json(str(message)),
                created_at=_at(int(created)),
                next_attempt_at=_at(int(next_at)),
                attempts=int(attempts),
                delivered_at=_at(int(delivered)) if delivered is not None else None,
                last_error=None if error is None else str(error),
            )
            for key, notifier, message, created, next_at, attempts, delivered, error in rows
        ]

    def due(self, now: datetime) -> list[OutboxEntry]:
        return self._entries("delivered_us IS NULL AND next_attempt_us <= ?", [_us(now)])

    def undelivered(self) -> list[OutboxEntry]:
        return self._entries("delivered_us IS NULL", [])

    def delivered(self) -> list[OutboxEntry]:
        return self._entries("delivered_us IS NOT NULL", [])

    def mark_delivered(self, dedup_key: str, notifier: str, at: datetime) -> None:
        self._con.execute(
            "UPDATE alert_outbox SET delivered_us = ?, attempts = attempts + 1, last_error = NULL"
            " WHERE dedup_key = ? AND notifier = ?",
            [_us(at), dedup_key, notifier],
        )

    def mark_failed(
        self, dedup_key: str, notifier: str, attempts: int, next_attempt_at: datetime, error: str
    ) -> None:
        self._con.execute(
            "UPDATE alert_outbox SET attempts = ?, next_attempt_us = ?, last_error = ?"
            " WHERE dedup_key = ? AND notifier = ?",
            [attempts, _us(next_attempt_at), error, dedup_key, notifier],
        )
