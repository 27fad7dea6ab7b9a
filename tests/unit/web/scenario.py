"""Hand-computed figures for the HTTP surfaces.

``checkout/availability``: 99.9 % over 30 days, 1,000 requests a minute, so the budget is
43,200 bad events. The window's last hour burns at 14.4x (864 bad events: 14 a minute for
36 minutes, then 15 a minute for 24, integers so every sum is exact): 2 % of the budget,
so 0.98 is left, 42.336 of 43.2 minutes; 1h burn rate 14.4, 6h 2.4, 1d 0.6; exhausted in
0.98 x 30 d / 14.4 = 176,400 s (2d 1h).

``checkout/latency``: 99 % over 28 days, 100 requests a minute, never a bad one: the whole
budget is left and nothing burns (no time to exhaustion).

``payments/api``: 99.5 % over 7 days and no data at all: every figure is absent.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from decimal import Decimal

import numpy as np
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 under its test client; the httpx it warns about works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from headroom.budget.windows import minute_to_datetime
from headroom.sources.memory import InMemorySource
from headroom.spec.model import SLO, EventsSLI, RollingWindow

__all__ = ["AT", "END_MINUTE", "SLOS", "TestClient", "client", "make_app", "source"]

WINDOW_MINUTES = 30 * 24 * 60
END_MINUTE = 29_000_000 + WINDOW_MINUTES + 1440
AT: datetime = minute_to_datetime(END_MINUTE)


def _slo(service: str, name: str, objective: str, days: int) -> SLO:
    return SLO(
        service=service,
        name=name,
        objective=Decimal(objective),
        window=RollingWindow(duration_s=days * 86400),
        sli=EventsSLI(events=f"{service}-{name}"),
        description=f"{service} {name}",
    )


SLOS = (
    _slo("checkout", "availability", "0.999", 30),
    _slo("checkout", "latency", "0.99", 28),
    _slo("payments", "api", "0.995", 7),
)


def source() -> InMemorySource:
    """Two days more than the window of history, so every trailing window is whole."""
    minutes = WINDOW_MINUTES + 2 * 1440
    start = END_MINUTE - minutes
    total = np.full(minutes, 1000.0)
    bad = np.zeros(minutes)
    bad[-60:-24] = 14
    bad[-24:] = 15
    src = InMemorySource()
    src.put("checkout/availability", start, total - bad, total)
    src.put("checkout/latency", start, np.full(minutes, 100.0), np.full(minutes, 100.0))
    return src


def make_app() -> FastAPI:
    from headroom.cli.serve import build_app

    return build_app(SLOS, source(), clock=lambda: AT)


def client() -> TestClient:
    return TestClient(make_app())
