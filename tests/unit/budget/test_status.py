"""SLOStatus through the status use case on the in-memory source, with worked numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from headroom.budget.windows import epoch_minute
from headroom.service.status import evaluate_status
from headroom.sources.memory import InMemorySource
from headroom.spec.filters import parse_filter
from headroom.spec.model import SLO, CalendarWindow, EventsSLI, RollingWindow, Timeslices

AT = datetime(2026, 11, 1, tzinfo=UTC)
MINUTES_30D = 43_200


def _slo(name: str = "availability", **kw: object) -> SLO:
    base: dict[str, object] = {
        "service": "checkout",
        "name": name,
        "objective": Decimal("0.999"),
        "window": RollingWindow(duration_s=30 * 86400),
        "sli": EventsSLI(events="checkout", good=parse_filter("status < 500")),
    }
    base.update(kw)
    return SLO.model_validate(base)


def _source(slo: SLO, bad: np.ndarray, total: np.ndarray) -> InMemorySource:
    src = InMemorySource()
    src.put(slo.id, epoch_minute(AT) - len(total), total - bad, total)
    return src


def test_a_steady_month_exactly_on_budget_has_burned_it_all_at_1x() -> None:
    slo = _slo()
    total = np.full(MINUTES_30D, 1000.0)
    bad = np.full(MINUTES_30D, 1.0)
    (status,) = evaluate_status([slo], _source(slo, bad, total), AT)
    assert status.sli == pytest.approx(0.999)
    assert status.budget.total == pytest.approx(43_200.0)
    assert status.budget.remaining_ratio == pytest.approx(0.0, abs=1e-9)
    assert status.budget.total_minutes == 43.2
    for window in ("5m", "1h", "1d", "3d", "window"):
        assert status.burn_rates[window] == pytest.approx(1.0)
    assert status.time_to_exhaustion_s == 0.0 or status.time_to_exhaustion_s == pytest.approx(0.0, abs=1e-3)


def test_an_hour_at_14_4x_after_a_clean_month_spends_2_percent() -> None:
    slo = _slo()
    total = np.full(MINUTES_30D, 1000.0)
    bad = np.zeros(MINUTES_30D)
    bad[-60:] = 14.4
    (status,) = evaluate_status([slo], _source(slo, bad, total), AT)
    assert status.burn_rates["1h"] == pytest.approx(14.4)
    assert status.burn_rates["2h"] == pytest.approx(7.2)
    assert status.budget.remaining_ratio == pytest.approx(0.98)
    assert status.budget.remaining_minutes == pytest.approx(43.2 * 0.98)
    # 98 % left at 14.4x: 0.98 x 30 d / 14.4 = 2.041 days.
    assert status.time_to_exhaustion_s == pytest.approx(0.98 * 30 * 86400 / 14.4)
    # A day at 0.6x (14.4 / 24) leaves 40 % once the window has rolled over.
    assert status.forecast_remaining_ratio == pytest.approx(0.4)


def test_an_slo_with_no_events_reports_null_figures_with_reasons() -> None:
    (status,) = evaluate_status([_slo()], InMemorySource(), AT)
    assert status.sli is None
    assert status.burn_rates["1h"] is None
    assert status.budget.remaining_ratio is None
    assert status.time_to_exhaustion_s is None
    assert status.null_reasons["sli"] == "no events in the SLO window"
    assert "burn_rates.1h" in status.null_reasons


def test_timeslices_budget_counts_bad_minutes() -> None:
    slo = _slo("latency", budgeting=Timeslices(slice_s=60, slice_target=Decimal("0.95")))
    total = np.full(MINUTES_30D, 100.0)
    bad = np.zeros(MINUTES_30D)
    bad[-20:] = 10.0  # 20 minutes at 90 % good, under the 95 % slice target
    bad[-40:-20] = 5.0  # 20 minutes at exactly 95 %: good slices
    (status,) = evaluate_status([slo], _source(slo, bad, total), AT)
    assert status.budget.unit == "minutes"
    assert status.budget.consumed == pytest.approx(20.0)
    assert status.budget.remaining == pytest.approx(23.2)
    assert status.budget.remaining_ratio == pytest.approx(23.2 / 43.2)


def test_a_calendar_month_budget_is_sized_on_the_whole_month() -> None:
    slo = _slo(window=CalendarWindow(unit="month"))
    at = datetime(2026, 10, 11, tzinfo=UTC)  # 10 of October's 31 days elapsed
    src = InMemorySource()
    minutes = 10 * 1440
    total = np.full(minutes, 1000.0)
    bad = np.full(minutes, 1.0)
    src.put(slo.id, epoch_minute(at) - minutes, total - bad, total)
    (status,) = evaluate_status([slo], src, at)
    assert status.window_start == datetime(2026, 10, 1, tzinfo=UTC)
    assert status.budget.total_minutes == pytest.approx(0.001 * 31 * 1440)
    assert status.burn_rates["window"] == pytest.approx(1.0)
    # 1x for the rest of the month ends with nothing left: 1 - 10/31 - 21/31.
    assert status.forecast_remaining_ratio == pytest.approx(0.0, abs=1e-9)


class _SilentSource(InMemorySource):
    """A source whose query for every row returned nothing, as Prometheus does for a missing series."""

    def lookback_counts(self, slos, at, lookbacks_s):  # type: ignore[no-untyped-def]
        counts = super().lookback_counts(slos, at, lookbacks_s)
        counts.missing.update(
            {i: f'no series for query: sum(rate(x{{slo="{s.name}"}}[5m]))' for i, s in enumerate(slos)}
        )
        return counts


def test_a_query_that_returned_nothing_is_reported_as_the_reason_not_as_zero() -> None:
    (status,) = evaluate_status([_slo()], _SilentSource(), AT)
    assert status.sli is None
    assert status.null_reasons["source"] == 'no series for query: sum(rate(x{slo="availability"}[5m]))'
