"""The HTTP API: ``create_app(**deps)`` builds a FastAPI app around injected dependencies.

Nothing is built at import time (STYLE habit 8): ``wiring.py`` (or a test) passes the
SLOs, the SLI source and a clock; each router reads them from ``request.app.state.deps``.
More routers (status, metrics, ...) come in through ``routers=`` or
``app.include_router`` on the returned app.

Errors are answered as JSON ``{"error": message, "kind": class name}``: 400 for a spec,
usage or data error, 503 when the store, a source or a notifier is unavailable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from headroom import __version__
from headroom.errors import HeadroomError
from headroom.sources.base import SLISource
from headroom.spec.model import SLO

__all__ = ["ApiDeps", "create_app", "deps_of"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApiDeps:
    """What the routes need; ``canary_data_url_prefixes`` are the URLs canary routes may fetch from."""

    slos: Sequence[SLO] = ()
    source: SLISource | None = None
    clock: Callable[[], datetime] = _utc_now
    canary_data_url_prefixes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def deps_of(request: Request) -> ApiDeps:
    """The app's dependencies, for ``Depends(deps_of)`` in routes."""
    deps = request.app.state.deps
    assert isinstance(deps, ApiDeps)
    return deps


async def _headroom_error(request: Request, error: Exception) -> JSONResponse:
    status = 503 if isinstance(error, HeadroomError) and error.exit_code == 3 else 400
    return JSONResponse({"error": str(error), "kind": type(error).__name__}, status_code=status)


def create_app(
    *,
    slos: Sequence[SLO] = (),
    source: SLISource | None = None,
    clock: Callable[[], datetime] = _utc_now,
    canary_data_url_prefixes: Sequence[str] = (),
    routers: Sequence[APIRouter] = (),
    **extra: Any,
) -> FastAPI:
    """The API with the gate and canary routers plus ``routers``; ``extra`` goes to ``deps.extra``."""
    from headroom.api.routes_canary import router as canary_router
    from headroom.api.routes_gate import router as gate_router

    app = FastAPI(title="headroom", version=__version__)
    app.state.deps = ApiDeps(
        slos=tuple(slos),
        source=source,
        clock=clock,
        canary_data_url_prefixes=tuple(canary_data_url_prefixes),
        extra=dict(extra),
    )
    app.add_exception_handler(HeadroomError, _headroom_error)
    for router in (gate_router, canary_router, *routers):
        app.include_router(router)
    return app
