"""The dashboard's pages: ``GET /`` (every SLO) and ``GET /slo/{service}/{slo}`` (one SLO's charts).

Server-rendered HTML (Jinja2) with inline SVG charts; the stylesheet and a few lines of
script are served from the package (``/static/...``), so nothing is fetched from the
internet. ``?at=`` pins the evaluation instant and is carried on every link, so a view can
be shared and reproduced. Errors are pages too: 400 for a bad ``at``, 404 for an unknown
SLO (listing the known ones), 503 when the source is unavailable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from headroom import __version__
from headroom.errors import HeadroomError
from headroom.service.charts import CHART_BURN_RATE_WINDOWS_MINUTES
from headroom.service.dashboard import (
    detail,
    find_slo,
    overview,
    parse_instant,
    require_source,
    unknown_slo_message,
)
from headroom.service.formatting import fmt_count, fmt_duration_s, fmt_minutes, fmt_percent, fmt_rate
from headroom.sources.base import SLISource
from headroom.spec.model import SLO
from headroom.web.svg import SERIES_COLOURS, burn_rate_svg, burndown_svg, hover_points, sparkline_svg

__all__ = ["PageDeps", "page_deps", "router"]

router = APIRouter(tags=["dashboard"], include_in_schema=False)

#: The files under ``web/static`` the server hands out, with their media types.
_STATIC: dict[str, str] = {
    "dashboard.css": "text/css; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


class PageDeps(Protocol):
    """What the pages read from ``app.state.deps`` (the API's ``ApiDeps`` has these and more)."""

    @property
    def slos(self) -> Sequence[SLO]: ...

    @property
    def source(self) -> SLISource | None: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


def page_deps(request: Request) -> PageDeps:
    """The app's dependencies, as ``create_app`` stored them."""
    deps: PageDeps = request.app.state.deps
    return deps


_AT = Query(None, description="Evaluate as of this instant: RFC 3339 with a zone, or epoch seconds.")


@lru_cache(maxsize=1)
def _env() -> Environment:
    """The template environment, built on first use (nothing at import time)."""
    env = Environment(
        loader=PackageLoader("headroom.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=fmt_percent, rate=fmt_rate, duration=fmt_duration_s, minutes=fmt_minutes, count=fmt_count
    )
    env.globals.update(
        version=__version__,
        burndown_svg=burndown_svg,
        burn_rate_svg=burn_rate_svg,
        hover_points=hover_points,
        sparkline_svg=sparkline_svg,
        colours=SERIES_COLOURS,
        chart_windows=tuple(CHART_BURN_RATE_WINDOWS_MINUTES),
    )
    return env


def _page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env().get_template(template).render(**context), status_code=status_code)


def _error(error: HeadroomError | str, at: str | None, status_code: int) -> HTMLResponse:
    if isinstance(error, HeadroomError):
        status_code = 503 if error.exit_code == 3 else status_code
    return _page("error.html", status_code, message=str(error), code=status_code, query=_query(at))


def _query(at: str | None) -> str:
    """The ``?at=`` to carry on links ('' when the view follows the clock)."""
    return "?" + urlencode({"at": at}) if at else ""


@router.get("/", response_class=HTMLResponse)
async def overview_page(at: str | None = _AT, deps: PageDeps = Depends(page_deps)) -> HTMLResponse:
    """Every SLO: SLI, budget left, burn rates, time to exhaustion and a burn-down sparkline."""
    try:
        when = parse_instant(at, deps.clock)
        view = overview(deps.slos, require_source(deps.source), when)
    except HeadroomError as error:
        return _error(error, at, 400)
    services: dict[str, list[Any]] = {}
    for row in view.rows:
        services.setdefault(row.status.service, []).append(row)
    return _page(
        "overview.html", view=view, services=services, query=_query(at), at_text=at or "", quote=quote
    )


@router.get("/slo/{service}/{slo}", response_class=HTMLResponse)
async def detail_page(
    service: str, slo: str, at: str | None = _AT, deps: PageDeps = Depends(page_deps)
) -> HTMLResponse:
    """One SLO: burn-down and burn-rate charts, the current figures and its alert states."""
    found = find_slo(deps.slos, service, slo)
    if found is None:
        return _error(unknown_slo_message(deps.slos, service, slo), at, 404)
    try:
        when = parse_instant(at, deps.clock)
        view = detail(found, require_source(deps.source), when)
    except HeadroomError as error:
        return _error(error, at, 400)
    return _page("detail.html", view=view, s=view.status, query=_query(at), at_text=at or "", quote=quote)


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """A file of ``web/static`` (only those listed in ``_STATIC``)."""
    if name not in _STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    body = resources.files("headroom.web").joinpath("static", name).read_bytes()
    return Response(body, media_type=_STATIC[name], headers={"Cache-Control": "public, max-age=3600"})


@router.get("/favicon.ico")
async def favicon() -> Response:
    return await static("favicon.svg")
