"""The ingest ledger: what was ingested, so that ingesting the same file again adds nothing.

A file is identified by the SHA-256 of its bytes (streamed, so a large file is never
held in memory), not by its path: a renamed copy is still the same data. One ledger row
is kept per (content hash, SLO id, SLI fingerprint); an SLO added to the spec later, or
one whose filters changed (a new fingerprint), can ingest the same file again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from headroom.store.sql import first_row

__all__ = [
    "COUNTS_FINGERPRINT",
    "IngestRecord",
    "IngestReport",
    "already_ingested",
    "file_sha256",
    "history",
    "may_repeat",
    "next_ingest_id",
    "record",
]

COUNTS_FINGERPRINT = "counts"  # pre-aggregated counts do not depend on the SLI's filters
_CHUNK_BYTES = 1 << 20


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class IngestReport:
    """What one ``ingest_events`` / ``ingest_counts`` call did.

    ``ingested`` are the SLO ids whose counts were added, ``skipped`` those for which this
    exact file (same bytes, same SLI definition) was already ingested. ``rows`` is the
    number of rows read (0 when every SLO was skipped and the file was not read);
    ``minutes`` the number of (SLO, minute) buckets written; ``first_minute`` and
    ``end_minute`` the half-open epoch-minute range the new buckets cover (None when none).
    """

    path: str
    content_sha256: str
    ingested: tuple[str, ...]
    skipped: tuple[str, ...]
    rows: int
    minutes: int
    first_minute: int | None
    end_minute: int | None


@dataclass(frozen=True)
class IngestRecord:
    """One ledger row: a file's counts for one SLO were stored."""

    ingest_id: int
    content_sha256: str
    slo_id: str
    sli_fingerprint: str
    kind: str
    stream: str | None
    path: str
    rows: int
    minutes: int
    first_minute: int | None
    end_minute: int | None
    ingested_at: datetime


def already_ingested(
    con: duckdb.DuckDBPyConnection, sha256: str, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (slo id, fingerprint) pairs already have this file in the ledger."""
    rows = con.execute(
        "SELECT DISTINCT slo_id, sli_fingerprint FROM ingests WHERE content_sha256 = $1", [sha256]
    ).fetchall()
    done = {(str(a), str(b)) for a, b in rows}
    return {key for key in keys if key in done}


def may_repeat(con: duckdb.DuckDBPyConnection, size_bytes: int) -> bool:
    """Whether a file of this size could be one already in the ledger.

    Identical bytes have identical sizes, so when no ledger row has this size (rows from
    before sizes were kept count as any size) the file is new for every SLO, and its hash
    is only needed for the ledger row: it can be computed while DuckDB reads the file.
    """
    row = first_row(
        con.execute("SELECT count(*) FROM ingests WHERE size_bytes = $1 OR size_bytes IS NULL", [size_bytes])
    )
    return row is not None and int(row[0]) > 0


def next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    row = first_row(con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests"))
    return int(row[0]) if row is not None else 1


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    ingest_id: int,
    sha256: str,
    slo_id: str,
    fingerprint: str,
    kind: str,
    stream: str | None,
    path: Path,
    rows: int,
    minutes: int,
    first_minute: int | None,
    end_minute: int | None,
) -> None:
    """Add one ledger row (inside the caller's transaction)."""
    con.execute(
        "INSERT INTO ingests (ingest_id, content_sha256, slo_id, sli_fingerprint, kind, stream, path, "
        "rows, minutes, first_minute, end_minute, size_bytes) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        [
            ingest_id,
            sha256,
            slo_id,
            fingerprint,
            kind,
            stream,
            str(path),
            rows,
            minutes,
            first_minute,
            end_minute,
            path.stat().st_size,
        ],
    )


def history(con: duckdb.DuckDBPyConnection) -> list[IngestRecord]:
    """Every ledger row, oldest first."""
    rows = con.execute(
        "SELECT ingest_id, content_sha256, slo_id, sli_fingerprint, kind, stream, path, rows, minutes, "
        "first_minute, end_minute, ingested_at FROM ingests ORDER BY ingest_id, slo_id"
    ).fetchall()
    return [
        IngestRecord(
            ingest_id=int(r[0]),
            content_sha256=str(r[1]),
            slo_id=str(r[2]),
            sli_fingerprint=str(r[3]),
            kind=str(r[4]),
            stream=None if r[5] is None else str(r[5]),
            path=str(r[6]),
            rows=int(r[7]),
            minutes=int(r[8]),
            first_minute=None if r[9] is None else int(r[9]),
            end_minute=None if r[10] is None else int(r[10]),
            ingested_at=r[11],
        )
        for r in rows
    ]
