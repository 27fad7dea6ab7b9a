"""Rollout runs and every decision they took, in the embedded DuckDB store.

Two tables (``ROLLOUT_DDL``, also appended to ``schema.SCHEMA_STEPS``; created here if
missing so a store opened over a bare connection works too):

- ``rollout_runs``: one row per run, updated after each transition (phase, weight,
  failed checks, reason) with the machine's whole state as JSON, so a paused run can be
  resumed;
- ``rollout_events``: one row per transition, in order (``seq``): what happened (the
  event), what was decided (the action and why), the verdict and the judge's report.

Times are epoch microseconds (BIGINT), free of session time zones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict

from headroom.errors import StoreError
from headroom.store.connection import connect, epoch_us, from_epoch_us

__all__ = ["ROLLOUT_DDL", "DuckDBRolloutStore", "RolloutEntry", "RolloutRun"]

ROLLOUT_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS rollout_runs (
        run_id VARCHAR PRIMARY KEY,
        rollout VARCHAR NOT NULL,
        service VARCHAR,
        started_us BIGINT NOT NULL,
        updated_us BIGINT NOT NULL,
        phase VARCHAR NOT NULL,
        weight INTEGER NOT NULL,
        failed_checks INTEGER NOT NULL,
        reason VARCHAR NOT NULL,
        plan_json VARCHAR NOT NULL,
        state_json VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS rollout_events (
        run_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        at_us BIGINT NOT NULL,
        event VARCHAR NOT NULL,
        action VARCHAR,
        phase VARCHAR NOT NULL,
        step INTEGER NOT NULL,
        weight INTEGER NOT NULL,
        verdict VARCHAR,
        why VARCHAR NOT NULL,
        report_json VARCHAR,
        PRIMARY KEY (run_id, seq)
    )
    """,
)

_us = epoch_us
_at = from_epoch_us


class RolloutRun(BaseModel):
    """One rollout run as ``rollout status`` shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    rollout: str
    service: str | None
    started_at: datetime
    updated_at: datetime
    phase: str
    weight: int
    failed_checks: int
    reason: str
    plan_json: str
    state_json: str


class RolloutEntry(BaseModel):
    """One transition of a run: the event, the decision (action and why), the verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    seq: int
    at: datetime
    event: str
    action: str | None
    phase: str
    step: int
    weight: int
    verdict: str | None
    why: str
    report_json: str | None = None


_RUN_COLUMNS = ", ".join(
    (
        "run_id",
        "rollout",
        "service",
        "started_us",
        "updated_us",
        "phase",
        "weight",
        "failed_checks",
        "reason",
        "plan_json",
        "state_json",
    )
)
_ENTRY_COLUMNS = "run_id, seq, at_us, event, action, phase, step, weight, verdict, why, report_json"


class DuckDBRolloutStore:
    """Rollout runs and their transitions over a DuckDB connection (the store's, or its own)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        try:
            for ddl in ROLLOUT_DDL:
                con.execute(ddl)
        except duckdb.Error as exc:
            raise StoreError(f"cannot create the rollout tables: {exc}") from exc

    @classmethod
    def open(cls, path: Path | str) -> DuckDBRolloutStore:
        """Open (or create) the store file at ``path``."""
        return cls(connect(path))

    def close(self) -> None:
        self._con.close()

    def save_run(self, run: RolloutRun) -> None:
        """Insert or update the run's row."""
        values = [
            run.run_id,
            run.rollout,
            run.service,
            _us(run.started_at),
            _us(run.updated_at),
            run.phase,
            run.weight,
            run.failed_checks,
            run.reason,
            run.plan_json,
            run.state_json,
        ]
        try:
            self._con.execute(
                f"INSERT OR REPLACE INTO rollout_runs ({_RUN_COLUMNS}) VALUES ({_marks(values)})",
                values,
            )
        except duckdb.Error as exc:
            raise StoreError(f"cannot record rollout run {run.run_id}: {exc}") from exc

    def append(self, entry: RolloutEntry) -> None:
        """Record one transition (``seq`` is unique per run)."""
        values = [
            entry.run_id,
            entry.seq,
            _us(entry.at),
            entry.event,
            entry.action,
            entry.phase,
            entry.step,
            entry.weight,
            entry.verdict,
            entry.why,
            entry.report_json,
        ]
        try:
            self._con.execute(
                f"INSERT INTO rollout_events ({_ENTRY_COLUMNS}) VALUES ({', '.join('?' * len(values))})",
                values,
            )
        except duckdb.Error as exc:
            raise StoreError(f"cannot record rollout event {entry.run_id}#{entry.seq}: {exc}") from exc

    def runs(self, rollout: str | None = None, *, limit: int = 20) -> list[RolloutRun]:
        """The latest runs, newest first (of one rollout when named)."""
        where, params = ("WHERE rollout = ?", [rollout]) if rollout else ("", [])
        rows = self._con.execute(
            f"SELECT {_RUN_COLUMNS} FROM rollout_runs {where} ORDER BY started_us DESC, run_id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_run(r) for r in rows]

    def run(self, run_id: str) -> RolloutRun | None:
        row = self._con.execute(
            f"SELECT {_RUN_COLUMNS} FROM rollout_runs WHERE run_id = ?", [run_id]
        ).fetchone()
        return None if row is None else _run(row)

    def entries(self, run_id: str) -> list[RolloutEntry]:
        """Every transition of a run, in order."""
        rows = self._con.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM rollout_events WHERE run_id = ? ORDER BY seq", [run_id]
        ).fetchall()
        return [
            RolloutEntry(
                run_id=str(r[0]),
                seq=int(r[1]),
                at=_at(r[2]),
                event=str(r[3]),
                action=None if r[4] is None else str(r[4]),
                phase=str(r[5]),
                step=int(r[6]),
                weight=int(r[7]),
                verdict=None if r[8] is None else str(r[8]),
                why=str(r[9]),
                report_json=None if r[10] is None else str(r[10]),
            )
            for r in rows
        ]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _run(r: tuple[object, ...]) -> RolloutRun:
    return RolloutRun(
        run_id=str(r[0]),
        rollout=str(r[1]),
        service=None if r[2] is None else str(r[2]),
        started_at=_at(int(str(r[3]))),
        updated_at=_at(int(str(r[4]))),
        phase=str(r[5]),
        weight=int(str(r[6])),
        failed_checks=int(str(r[7])),
        reason=str(r[8]),
        plan_json=str(r[9]),
        state_json=str(r[10]),
    )
