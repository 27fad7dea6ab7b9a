"""Shared builders for the store tests: SLOs over the worked event fixture."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from headroom.spec.filters import parse_filter
from headroom.spec.model import SLO, EventsSLI, PrometheusRawSLI, RollingWindow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "store"

# 2024-05-01T12:00:00Z = epoch 1714564800 s = epoch minute 28576080.
MINUTE_0 = 28_576_080


def events_slo(name: str, stream: str = "http", **filters: str) -> SLO:
    """An SLO ``checkout/<name>`` over ``stream`` with filters given as text."""
    return SLO(
        service="checkout",
        name=name,
        objective=Decimal("0.99"),
        window=RollingWindow(duration_s=30 * 86400),
        sli=EventsSLI(events=stream, **{key: parse_filter(text) for key, text in filters.items()}),
    )


def other_slo(name: str, service: str = "checkout") -> SLO:
    """An SLO that does not read the event stream (for counts files)."""
    return SLO(
        service=service,
        name=name,
        objective=Decimal("0.999"),
        window=RollingWindow(duration_s=30 * 86400),
        sli=PrometheusRawSLI(error_ratio_query="vector(0)"),
    )


AVAILABILITY = events_slo("availability", good="status < 500")
LATENCY = events_slo("latency", total="status < 500", good="latency_ms <= 300")
OUTCOME = events_slo("outcome", bad='outcome in ("error", "timeout")')
WORKED_SLOS = (AVAILABILITY, LATENCY, OUTCOME)

# Per-minute (good, total) for minutes 0, 1, 2 of events.csv, counted by hand.
EXPECTED = {
    AVAILABILITY.id: ([5, 5, 6], [7, 6, 7]),
    LATENCY.id: ([4, 3, 4], [5, 5, 6]),
    OUTCOME.id: ([5, 4, 5], [7, 6, 7]),
}
