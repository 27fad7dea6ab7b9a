"""Use case: ``headroom demo`` — write a month of demo events for examples/, ingest them, report.

The month ends at ``DEMO_END`` (fixed, so figures are reproducible and re-running the
demo ingests nothing twice: the files hash the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from headroom.budget.status import SLOStatus
from headroom.service.demo_data import checkout_events, llm_events
from headroom.service.ingest import ingest_files
from headroom.service.status import evaluate_status
from headroom.sources.embedded import EmbeddedSource
from headroom.spec.load import load_specs
from headroom.store.duckdb_store import DuckDBStore
from headroom.store.ledger import IngestReport

__all__ = ["DEMO_END", "DEMO_SPECS", "DemoResult", "run_demo", "write_demo_files"]

DEMO_END = datetime(2026, 11, 1, tzinfo=UTC)
#: The example specs whose event streams the demo generates.
DEMO_SPECS = ("checkout.yaml", "llm-assistant.yaml")


@dataclass(frozen=True)
class DemoResult:
    files: dict[str, Path]
    ingests: list[IngestReport]
    statuses: list[SLOStatus]


def write_demo_files(data_dir: Path) -> dict[str, Path]:
    """Parquet event logs for the example streams (kept when already there)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    end_s = int(DEMO_END.timestamp())
    files = {
        "checkout": data_dir / "checkout-events.parquet",
        "llm_responses": data_dir / "llm-events.parquet",
    }
    makers = {"checkout": checkout_events, "llm_responses": llm_events}
    for stream, path in files.items():
        if not path.exists():
            table = pa.table(makers[stream](end_s))
            tmp = path.with_suffix(".tmp")
            pq.write_table(table, tmp)
            tmp.replace(path)
    return files


def run_demo(
    store: DuckDBStore,
    examples_dir: Path,
    data_dir: Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Generate, ingest and evaluate the example SLOs at the end of the demo month."""
    specs = sorted(
        p for p in examples_dir.glob("*.yaml") if p.name in {"checkout.yaml", "llm-assistant.yaml"}
    )
    slos = list(load_specs(specs).slos)
    files = write_demo_files(data_dir)
    ingests: list[IngestReport] = []
    for stream, path in files.items():
        ingests += ingest_files(store, slos, [path], events=stream, progress=progress)
    statuses = evaluate_status(slos, EmbeddedSource(store), DEMO_END)
    return DemoResult(files=files, ingests=ingests, statuses=statuses)
