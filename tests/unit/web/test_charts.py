"""The chart use case: series end at the status' figures, for every window and budgeting kind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.budget.windows import epoch_minute
from headroom.errors import UsageError
from headroom.service.charts import burndown_charts
from headroom.service.dashboard import budget_health, parse_instant
from headroom.service.status import evaluate_status
from headroom.sources.memory import InMemorySource
from headroom.spec.model import SLO, AlertingSpec, CalendarWindow, EventsSLI, RollingWindow, Timeslices
from tests.unit.web.scenario import AT, SLOS, source

MID_MONTH = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def _slo(**fields: object) -> SLO:
    base: dict[str, object] = {
        "service": "search",
        "name": "availability",
        "objective": Decimal("0.99"),
        "window": RollingWindow(duration_s=28 * 86400),
        "sli": EventsSLI(events="search"),
    }
    return SLO.model_validate(base | fields)


def test_the_last_burn_down_point_and_burn_rates_are_the_status_figures() -> None:
    src = source()
    charts = burndown_charts(SLOS, src, AT)
    statuses = evaluate_status(SLOS, src, AT)
    for chart, status in zip(charts, statuses, strict=True):
        assert chart.remaining_ratio[-1] == status.budget.remaining_ratio
        for window in ("1h", "6h", "1d"):
            assert chart.burn_rates[window][-1] == pytest.approx(status.burn_rates[window], nan_ok=True)


def test_thresholds_are_recomputed_for_a_28_day_window() -> None:
    # Sloth's float order (spec/profiles.py): the digits match its rendered factors.
    chart = burndown_charts([_slo()], InMemorySource(), AT)[0]
    assert [t.factor for t in chart.thresholds] == [
        13.44,
        5.6000000000000005,
        2.8000000000000003,
        0.9333333333333333,
    ]
    assert [t.long_window for t in chart.thresholds] == ["1h", "6h", "1d", "3d"]


def test_a_built_in_profile_of_the_slo_gives_its_own_thresholds() -> None:
    chart = burndown_charts([_slo(alerting=AlertingSpec(profile="four-tier"))], InMemorySource(), AT)[0]
    assert chart.profile == "four-tier"
    assert [t.severity for t in chart.thresholds] == ["critical", "critical", "warning", "warning"]


def test_a_calendar_month_runs_from_its_first_day_to_its_end() -> None:
    slo = _slo(window=CalendarWindow(unit="month"))
    src = InMemorySource()
    start = epoch_minute(datetime(2026, 11, 1, tzinfo=UTC))
    minutes = epoch_minute(MID_MONTH) - start
    bad = np.zeros(minutes)
    bad[100:110] = 50.0
    src.put(slo.id, start, np.full(minutes, 100.0) - bad, np.full(minutes, 100.0))
    chart = burndown_charts([slo], src, MID_MONTH)[0]
    status = evaluate_status([slo], src, MID_MONTH)[0]
    assert chart.window_start == datetime(2026, 11, 1, tzinfo=UTC)
    assert chart.period_end == datetime(2026, 12, 1, tzinfo=UTC)
    assert chart.times[-1] == MID_MONTH
    # 500 bad events of a 1 % budget of 100 x minutes events.
    assert chart.remaining_ratio[-1] == pytest.approx(1 - 500 / (0.01 * 100 * minutes))
    assert chart.remaining_ratio[-1] == pytest.approx(status.budget.remaining_ratio)


def test_timeslices_spend_whole_slices_of_the_period_budget() -> None:
    slo = _slo(budgeting=Timeslices(slice_s=300, slice_target=Decimal("0.95")))
    src = InMemorySource()
    end = epoch_minute(AT)
    minutes = 28 * 1440 + 1440
    good = np.full(minutes, 100.0)
    good[-30:-20] = 50.0  # two bad 5-minute slices, 10 minutes of a 403.2-minute budget
    src.put(slo.id, end - minutes, good, np.full(minutes, 100.0))
    chart = burndown_charts([slo], src, AT)[0]
    status = evaluate_status([slo], src, AT)[0]
    assert chart.remaining_ratio[-1] == pytest.approx(1 - 10 / 403.2)
    assert chart.remaining_ratio[-1] == pytest.approx(status.budget.remaining_ratio)


@given(st.lists(st.integers(0, 20), min_size=1, max_size=48), st.integers(2, 800))
def test_the_chart_ends_where_the_status_is_whatever_the_traffic(bad_hours: list[int], points: int) -> None:
    slo = _slo(window=RollingWindow(duration_s=2 * 86400))
    end = epoch_minute(AT)
    bad = np.repeat(np.array(bad_hours, dtype=np.float64), 60)
    src = InMemorySource()
    src.put(slo.id, end - len(bad), np.full(len(bad), 100.0) - bad, np.full(len(bad), 100.0))
    chart = burndown_charts([slo], src, AT, max_points=points)[0]
    status = evaluate_status([slo], src, AT)[0]
    assert len(chart.times) <= points
    assert chart.remaining_ratio[-1] == pytest.approx(status.budget.remaining_ratio)


def test_budget_health_words() -> None:
    assert [budget_health(r) for r in (None, -0.1, 0.0, 0.1, 0.3, 0.5, 1.0)] == [
        "unknown",
        "exhausted",
        "exhausted",
        "low",
        "watch",
        "healthy",
        "healthy",
    ]


def test_the_at_parameter_reads_rfc3339_epoch_seconds_and_now() -> None:
    assert parse_instant("2026-11-16T12:00:00Z", lambda: AT) == MID_MONTH
    assert parse_instant("2026-11-16T13:00:00+01:00", lambda: AT) == MID_MONTH
    assert parse_instant(str(MID_MONTH.timestamp()), lambda: AT) == MID_MONTH
    assert parse_instant(None, lambda: AT) == AT
    assert parse_instant("now", lambda: AT) == AT
    with pytest.raises(UsageError, match=r"^when='soon' is not a time"):
        parse_instant("soon", lambda: AT, param="when")
