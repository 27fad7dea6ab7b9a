"""Worked numbers from the SRE Workbook first, then the invariants they imply."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.budget.burn_rate import budget_spent_ratio, burn_rate, error_ratio, period_burn_rate
from headroom.budget.consumption import budget_minutes, occurrences_budget, timeslices_budget
from headroom.budget.exhaustion import forecast_remaining_ratio, time_to_exhaustion_s

DAY_S = 86400
THIRTY_DAYS_S = 30 * DAY_S


def test_a_999_slo_over_30_days_has_a_budget_of_43_2_minutes() -> None:
    assert float(budget_minutes(0.001, THIRTY_DAYS_S)) == 43.2


@pytest.mark.parametrize(
    ("error_budget_ratio", "period_s", "minutes"),
    [(0.01, 28 * DAY_S, 403.2), (0.0005, THIRTY_DAYS_S, 21.6), (0.001, 7 * DAY_S, 10.08)],
)
def test_budget_minutes_for_other_objectives_and_windows(
    error_budget_ratio: float, period_s: int, minutes: float
) -> None:
    assert float(budget_minutes(error_budget_ratio, period_s)) == pytest.approx(minutes, rel=1e-15)


def test_a_million_requests_at_999_allow_a_thousand_bad_ones() -> None:
    figures = occurrences_budget(
        good=[999_600], total=[1_000_000], error_budget_ratio=0.001, period_s=THIRTY_DAYS_S
    )
    assert figures.total[0] == pytest.approx(1000.0)
    assert figures.consumed[0] == 400.0
    assert figures.remaining[0] == pytest.approx(600.0)
    assert figures.remaining_ratio[0] == pytest.approx(0.6)
    assert figures.total_minutes[0] == 43.2
    assert figures.remaining_minutes[0] == pytest.approx(25.92)
    assert figures.unit == "events"


def test_an_overspent_budget_goes_negative_and_is_not_clamped() -> None:
    figures = occurrences_budget(
        good=[998_500], total=[1_000_000], error_budget_ratio=0.001, period_s=THIRTY_DAYS_S
    )
    assert figures.remaining[0] == pytest.approx(-500.0)
    assert figures.remaining_ratio[0] == pytest.approx(-0.5)


def test_an_empty_window_has_no_remaining_ratio_rather_than_a_division_error() -> None:
    figures = occurrences_budget(good=[0], total=[0], error_budget_ratio=0.001, period_s=THIRTY_DAYS_S)
    assert math.isnan(figures.remaining_ratio[0])
    assert math.isnan(float(error_ratio(0, 0)))


def test_timeslices_spend_one_minute_per_bad_one_minute_slice() -> None:
    figures = timeslices_budget(bad_slices=[10], slice_s=60, error_budget_ratio=0.001, period_s=THIRTY_DAYS_S)
    assert figures.total[0] == 43.2
    assert figures.consumed[0] == 10.0
    assert figures.remaining[0] == pytest.approx(33.2)
    assert figures.remaining_ratio[0] == pytest.approx(33.2 / 43.2)
    assert figures.unit == "minutes"


def test_a_1_44_percent_error_ratio_burns_a_999_budget_at_14_4x() -> None:
    assert float(burn_rate(144, 10_000, 0.001)) == pytest.approx(14.4)


@pytest.mark.parametrize(
    ("burn", "lookback_s", "spent"),
    [(14.4, 3600, 0.02), (6.0, 6 * 3600, 0.05), (3.0, DAY_S, 0.10), (1.0, 3 * DAY_S, 0.10)],
)
def test_the_workbook_burn_rates_spend_the_workbook_budget_shares(
    burn: float, lookback_s: int, spent: float
) -> None:
    # SRE Workbook table 5-8: 2 % in 1 h, 5 % in 6 h, 10 % in 1 d, 10 % in 3 d of a 30-day budget.
    assert float(budget_spent_ratio(burn, lookback_s, THIRTY_DAYS_S)) == pytest.approx(spent)


def test_half_the_budget_spent_a_third_of_the_way_through_is_a_1_5x_period_burn() -> None:
    assert float(period_burn_rate(0.5, 10 * DAY_S, THIRTY_DAYS_S)) == pytest.approx(1.5)


def test_half_the_budget_left_at_2x_runs_out_in_seven_and_a_half_days() -> None:
    assert float(time_to_exhaustion_s(0.5, 2.0, THIRTY_DAYS_S)) == pytest.approx(7.5 * DAY_S)


def test_a_spent_budget_is_exhausted_now_and_a_budget_that_does_not_burn_never_is() -> None:
    assert float(time_to_exhaustion_s(-0.1, 2.0, THIRTY_DAYS_S)) == 0.0
    assert math.isnan(float(time_to_exhaustion_s(0.5, 0.0, THIRTY_DAYS_S)))


def test_a_calendar_forecast_extends_the_current_burn_to_the_end_of_the_period() -> None:
    # 30 % of the month's budget spent, 20 of 30 days to go at 1x: 1 - 0.3 - 20/30.
    forecast = forecast_remaining_ratio(0.3, 1.0, 20 * DAY_S, THIRTY_DAYS_S, rolling=False)
    assert float(forecast) == pytest.approx(1 - 0.3 - 2 / 3)


def test_a_rolling_forecast_is_what_the_current_burn_leaves_once_the_window_rolls_over() -> None:
    assert float(forecast_remaining_ratio(0.9, 0.25, 0, THIRTY_DAYS_S, rolling=True)) == pytest.approx(0.75)


counts = st.integers(min_value=1, max_value=10**9)
objectives = st.sampled_from([0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999])


@given(total=counts, bad_share=st.floats(0, 1), objective=objectives)
def test_consumed_plus_remaining_is_the_total_budget(total: int, bad_share: float, objective: float) -> None:
    bad = math.floor(total * bad_share)
    f = occurrences_budget([total - bad], [total], 1 - objective, THIRTY_DAYS_S)
    assert f.consumed[0] + f.remaining[0] == pytest.approx(f.total[0], rel=1e-9, abs=1e-6)


@given(total=st.integers(min_value=1, max_value=10**6).map(lambda n: n * 1000), objective=objectives)
def test_an_exactly_on_budget_series_burns_at_one(total: int, objective: float) -> None:
    ebr = 1 - objective
    bad = total * ebr
    assert float(burn_rate(bad, total, ebr)) == pytest.approx(1.0, rel=1e-9)


@given(good=counts, extra=counts, scale=st.integers(min_value=1, max_value=1000), objective=objectives)
def test_scaling_all_counts_leaves_ratios_unchanged(
    good: int, extra: int, scale: int, objective: float
) -> None:
    total = good + extra
    base = occurrences_budget([good], [total], 1 - objective, THIRTY_DAYS_S)
    scaled = occurrences_budget([good * scale], [total * scale], 1 - objective, THIRTY_DAYS_S)
    assert scaled.remaining_ratio[0] == pytest.approx(base.remaining_ratio[0], rel=1e-9, abs=1e-9)
    assert float(burn_rate(extra * scale, total * scale, 1 - objective)) == pytest.approx(
        float(burn_rate(extra, total, 1 - objective)), rel=1e-9
    )


@given(remaining=st.floats(0.01, 1), burn=st.floats(0.01, 100))
def test_burning_for_the_time_to_exhaustion_spends_exactly_what_remains(
    remaining: float, burn: float
) -> None:
    tte = float(time_to_exhaustion_s(remaining, burn, THIRTY_DAYS_S))
    assert float(budget_spent_ratio(burn, tte, THIRTY_DAYS_S)) == pytest.approx(remaining, rel=1e-9)


def test_arrays_of_slos_are_computed_at_once() -> None:
    f = occurrences_budget(
        np.array([990.0, 999.0]), np.array([1000.0, 1000.0]), np.array([0.01, 0.001]), THIRTY_DAYS_S
    )
    assert f.remaining_ratio == pytest.approx([0.0, 0.0], abs=1e-12)
