"""The embedded SLI store: per-minute good/total counts per SLO in one DuckDB file.

Modules, one idea each: ``schema`` (ordered DDL steps), ``sql`` (filter AST ->
parameterised SQL), ``readers`` (event files and their line numbers), ``ingest``
(raw events), ``counts`` (pre-aggregated counts), ``ledger`` (idempotent re-ingest),
``buckets`` (minute buckets and hourly rollup), ``query`` (window sums, series,
slices), ``duckdb_store`` (the ``DuckDBStore`` adapter that ties them together).
"""

from headroom.store.duckdb_store import DuckDBStore
from headroom.store.ledger import IngestRecord, IngestReport

__all__ = ["DuckDBStore", "IngestRecord", "IngestReport"]
