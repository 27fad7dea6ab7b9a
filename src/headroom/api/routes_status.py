"""Budget status over HTTP: the same pydantic models ``headroom status/report --output json`` print.

=========================================  ==============================================
``GET /healthz``                           liveness: version, SLO count, source name
``GET /api/v1/slos``                       the loaded SLOs (``SLOSummary``)
``GET /api/v1/status?at=&service=``        ``list[SLOStatus]``
``GET /api/v1/status/{service}/{slo}``     one ``SLOStatus``
``GET /api/v1/report?at=``                 ``Report`` (grouped by service, exhausted, at risk)
``GET /api/v1/slos/{service}/{slo}/burndown?at=&max_points=``  ``BurndownChart``
=========================================  ==============================================

``at`` is RFC 3339 with a zone or epoch seconds (default: the server's clock); a bad one
is a 400 naming the parameter and the fix. An unknown SLO or service is a 404 listing the
known ones. Routes are ``async`` like the gate's, so evaluations run one at a time on the
event loop (the embedded store's connection is not shared across threads).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from headroom import __version__
from headroom.api.app import ApiDeps, deps_of
from headroom.budget.status import SLOStatus
from headroom.service.charts import BurndownChart, burndown_charts
from headroom.service.dashboard import (
    SLOSummary,
    catalogue,
    find_slo,
    parse_instant,
    require_source,
    unknown_service_message,
    unknown_slo_message,
)
from headroom.service.report import Report, build_report
from headroom.service.status import evaluate_status

__all__ = ["router"]

router = APIRouter(tags=["status"])

_AT = Query(None, description="Evaluate as of this instant: RFC 3339 with a zone, or epoch seconds.")


def _not_found(message: str) -> JSONResponse:
    return JSONResponse({"error": message, "kind": "NotFound"}, status_code=404)


@router.get("/healthz")
async def healthz(deps: ApiDeps = Depends(deps_of)) -> dict[str, Any]:
    """Liveness: answers without reading the source."""
    return {
        "status": "ok",
        "version": __version__,
        "slos": len(deps.slos),
        "source": deps.source.name if deps.source is not None else None,
    }


@router.get("/api/v1/slos", response_model=list[SLOSummary])
async def list_slos(deps: ApiDeps = Depends(deps_of)) -> list[SLOSummary]:
    """Every loaded SLO: id, objective, window, budgeting method, alert profile."""
    return catalogue(deps.slos)


@router.get("/api/v1/status", response_model=list[SLOStatus])
async def status_all(
    at: str | None = _AT,
    service: str | None = Query(None, description="Only this service's SLOs."),
    deps: ApiDeps = Depends(deps_of),
) -> Any:
    """The status of every SLO (or of one service's) at ``at``."""
    when = parse_instant(at, deps.clock)
    slos = [s for s in deps.slos if service is None or s.service == service]
    if service is not None and not slos:
        return _not_found(unknown_service_message(deps.slos, service))
    return evaluate_status(slos, require_source(deps.source), when)


@router.get("/api/v1/status/{service}/{slo}", response_model=SLOStatus)
async def status_one(service: str, slo: str, at: str | None = _AT, deps: ApiDeps = Depends(deps_of)) -> Any:
    """One SLO's status at ``at``."""
    when = parse_instant(at, deps.clock)
    found = find_slo(deps.slos, service, slo)
    if found is None:
        return _not_found(unknown_slo_message(deps.slos, service, slo))
    return evaluate_status([found], require_source(deps.source), when)[0]


@router.get("/api/v1/report", response_model=Report)
async def report(at: str | None = _AT, deps: ApiDeps = Depends(deps_of)) -> Report:
    """The budget report: statuses grouped by service, the exhausted and the at-risk SLOs."""
    when = parse_instant(at, deps.clock)
    return build_report(evaluate_status(deps.slos, require_source(deps.source), when), when)


@router.get("/api/v1/slos/{service}/{slo}/burndown", response_model=BurndownChart)
async def burndown(
    service: str,
    slo: str,
    at: str | None = _AT,
    max_points: int = Query(800, ge=2, le=50_000, description="At most this many instants."),
    deps: ApiDeps = Depends(deps_of),
) -> Any:
    """Chart series: remaining budget ratio and 1h/6h/1d burn rates at each instant of the window."""
    when = parse_instant(at, deps.clock)
    found = find_slo(deps.slos, service, slo)
    if found is None:
        return _not_found(unknown_slo_message(deps.slos, service, slo))
    return burndown_charts([found], require_source(deps.source), when, max_points=max_points)[0]
