"""Use case: load raw events or pre-aggregated counts into the embedded store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from headroom.errors import UsageError
from headroom.spec.model import SLO, EventsSLI
from headroom.store.duckdb_store import DuckDBStore
from headroom.store.ledger import IngestReport

__all__ = ["ingest_files", "streams_of"]


def streams_of(slos: Sequence[SLO]) -> list[str]:
    """Event streams the SLOs read, in spec order."""
    return list(dict.fromkeys(s.sli.events for s in slos if isinstance(s.sli, EventsSLI)))


def ingest_files(
    store: DuckDBStore,
    slos: Sequence[SLO],
    files: Sequence[Path],
    *,
    events: str | None = None,
    counts: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[IngestReport]:
    """Ingest each file: as raw events of stream ``events``, or as counts (``timestamp, slo, good, total``).

    Without ``events``, a spec whose SLOs read one stream ingests into that stream.
    """
    for path in files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file; pass a CSV, JSONL or Parquet file")
    if counts:
        return [store.ingest_counts(path, slos) for path in files]
    streams = streams_of(slos)
    if events is None:
        if len(streams) != 1:
            choices = ", ".join(streams) or "none (the spec has no event SLIs)"
            raise UsageError(
                f"say which event stream the files hold with --events NAME; the spec reads: {choices}"
            )
        events = streams[0]
    elif events not in streams:
        choices = ", ".join(streams) or "none"
        raise UsageError(f"no SLO in the spec reads event stream {events!r}; streams in the spec: {choices}")
    return [store.ingest_events(path, events, slos, progress=progress) for path in files]
