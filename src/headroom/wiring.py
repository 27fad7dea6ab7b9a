"""The one place that turns Settings into a store, sources and services.

Surfaces call ``open_runtime(settings)`` and get back the adapters they hand to use
cases; nothing else constructs adapters, and nothing is built at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from headroom.settings import Settings
from headroom.sources.base import SLISource
from headroom.sources.embedded import EmbeddedSource
from headroom.store.duckdb_store import DuckDBStore

__all__ = ["Runtime", "open_runtime", "open_store"]


@dataclass(frozen=True)
class Runtime:
    """The adapters of one process: the embedded store and the SLI source to evaluate from."""

    settings: Settings
    store: DuckDBStore
    source: SLISource


def open_store(settings: Settings) -> DuckDBStore:
    """The embedded store at ``settings.store_path`` (created on first use)."""
    return DuckDBStore(settings.store_path)


def make_source(settings: Settings, store: DuckDBStore) -> SLISource:
    """The SLI source the settings name: the embedded store, or a Prometheus HTTP API."""
    if settings.source == "prometheus":
        from headroom.sources.prometheus import PrometheusSource

        return PrometheusSource(
            settings.prometheus_url or "",
            timeout_s=settings.prometheus_timeout_s,
            bearer_token=settings.prometheus_bearer_token,
            basic_auth=settings.prometheus_basic_auth,
            headers=settings.prometheus_headers,
        )
    return EmbeddedSource(store)


@contextmanager
def open_runtime(settings: Settings) -> Iterator[Runtime]:
    """Open the store and source for one command or server, and close them after."""
    store = open_store(settings)
    source: SLISource | None = None
    try:
        source = make_source(settings, store)
        yield Runtime(settings=settings, store=store, source=source)
    finally:
        # A source with connections of its own (Prometheus' HTTP pool) is closed with the store.
        close = getattr(source, "close", None)
        if callable(close):
            close()
        store.close()
