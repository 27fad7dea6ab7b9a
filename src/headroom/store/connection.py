"""Opening a store file and storing instants: what every DuckDB adapter of headroom shares.

``connect`` turns DuckDB's open errors (a lock held by another process, permissions, a
missing directory, a file that is not a store) into one ``StoreError`` with the path and
the fix. Instants are stored as integer microseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from headroom.errors import StoreError

__all__ = ["connect", "epoch_us", "from_epoch_us", "open_error"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def open_error(error: duckdb.Error, path: Path) -> StoreError:
    """The StoreError for a DuckDB error met while opening ``path``: what happened and the fix."""
    detail = str(error).split("\n")[0]
    text = str(error).lower()
    if "lock" in text:
        fix = (
            "another process has it open (a running headroom serve or ingest?); stop it, "
            "or point this command at another store file"
        )
    elif "permission denied" in text:
        fix = "this user may not read or write it; fix the file's permissions or choose another path"
    elif "no such file or directory" in text or "cannot open file" in text:
        fix = "its directory does not exist or cannot be opened; create the directory or choose another path"
    elif any(word in text for word in ("not a valid duckdb", "serializ", "corrupt")):
        fix = "it is not a headroom store (not a DuckDB database, or damaged); move it away and ingest again"
    else:
        fix = "check the path, the disk and the file"
    return StoreError(f"{path}: cannot open the store ({detail}); {fix}")


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection to the store file at ``path`` (``:memory:`` for a throw-away one)."""
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as error:
        raise open_error(error, Path(path)) from error


def epoch_us(at: datetime) -> int:
    """Microseconds since the Unix epoch; a naive time is refused, never guessed."""
    if at.tzinfo is None:
        raise ValueError(f"time {at.isoformat()} has no time zone")
    return (at - _EPOCH) // _MICRO


def from_epoch_us(us: int) -> datetime:
    """The aware UTC instant ``us`` microseconds after the Unix epoch."""
    return _EPOCH + int(us) * _MICRO
