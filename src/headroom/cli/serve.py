"""``headroom serve SPEC...``: the HTTP API, ``/metrics`` and the dashboard in one uvicorn process.

Settings -> runtime (store and SLI source, ``wiring.open_runtime``) -> ``build_app`` (the API
app with the status, metrics and web routers) -> uvicorn. It listens on 127.0.0.1 unless
told otherwise: the server has no authentication, so put it behind a proxy before binding
it to a public address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from headroom.cli.common import (
    PrometheusUrlOption,
    SpecArgument,
    StoreOption,
    err_console,
    fail_on_errors,
    load_slos,
    settings_from,
)
from headroom.errors import UsageError
from headroom.sources.base import SLISource
from headroom.spec.model import SLO
from headroom.wiring import open_runtime

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["build_app", "register", "serve"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(
    slos: Sequence[SLO],
    source: SLISource,
    *,
    clock: Callable[[], datetime] = _utc_now,
    **extra: Any,
) -> FastAPI:
    """The served app: gate and canary (from ``create_app``), status API, ``/metrics``, dashboard.

    The server's modules are imported here, so other commands do not pay for them at start-up.
    """
    from headroom.api import create_app
    from headroom.api.metrics import build_registry
    from headroom.api.metrics import router as metrics_router
    from headroom.api.routes_status import router as status_router
    from headroom.web import router as web_router

    return create_app(
        slos=slos,
        source=source,
        clock=clock,
        routers=[status_router, metrics_router, web_router],
        metrics_registry=build_registry(slos, source, clock),
        **extra,
    )


def serve(
    specs: SpecArgument,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.")] = 8080,
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Serve the status API (/api/v1, /docs), /metrics and the web dashboard (/)."""
    import uvicorn

    with fail_on_errors():
        if not 0 < port < 65536:
            raise UsageError(f"--port {port} is not a TCP port; choose one in 1..65535, e.g. --port 8080")
        slos = load_slos(specs)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            app = build_app(slos, rt.source)
            err_console.print(
                f"headroom: {len(slos)} SLO(s) from {rt.source.name}; dashboard at http://{host}:{port}/",
                markup=False,
            )
            if host not in ("127.0.0.1", "localhost", "::1"):
                err_console.print(
                    f"warning: listening on {host} without authentication; put a proxy in front", markup=False
                )
            uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``headroom serve`` to the CLI."""
    app.command("serve")(serve)
