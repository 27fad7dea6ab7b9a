"""Burn-down and sampled burn rates: worked numbers first, then invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.budget.burndown import (
    burndown_remaining_ratios,
    sample_offsets,
    sampled_burn_rates,
    step_minutes_for,
    timeslice_consumption,
)
from headroom.budget.series import trailing_burn_rates


def test_thirty_days_fit_in_800_points_hourly_and_in_200_every_six_hours() -> None:
    assert step_minutes_for(43_200, 800) == 60
    assert len(sample_offsets(43_200, 60)) == 721
    assert step_minutes_for(43_200, 200) == 360
    assert len(sample_offsets(43_200, 360)) == 121


def test_an_hour_is_drawn_minute_by_minute() -> None:
    assert step_minutes_for(60, 800) == 1


def test_a_span_beyond_every_step_gets_a_coarser_one_within_the_budget() -> None:
    step = step_minutes_for(10_000_000, 100)
    assert len(sample_offsets(10_000_000, step)) <= 100


def test_sample_instants_always_end_at_the_evaluation_instant() -> None:
    assert sample_offsets(10, 4).tolist() == [0, 4, 8, 10]
    assert sample_offsets(8, 4).tolist() == [0, 4, 8]


def test_burn_down_subtracts_cumulative_spend_from_the_whole_budget() -> None:
    consumed = np.array([0.0, 0.0, 2.0, 0.0, 2.0])
    ratios = burndown_remaining_ratios(consumed, 8.0, np.array([0, 2, 3, 5]))
    assert ratios.tolist() == [1.0, 1.0, 0.75, 0.5]


def test_an_hour_at_14_4x_leaves_98_percent_of_a_30_day_999_budget() -> None:
    # 1,000 requests a minute: the budget is 43,200 bad events; 864 of them in the last hour.
    bad = np.zeros(43_200)
    bad[-60:-24] = 14
    bad[-24:] = 15
    ratios = burndown_remaining_ratios(bad, 0.001 * 43_200_000, sample_offsets(43_200, 60))
    assert ratios[0] == 1.0
    assert ratios[-2] == 1.0
    assert ratios[-1] == pytest.approx(0.98, abs=1e-12)


def test_overspending_goes_below_zero_and_is_never_clamped() -> None:
    assert burndown_remaining_ratios(np.array([10.0]), 5.0, np.array([0, 1])).tolist() == [1.0, -1.0]


def test_a_window_without_budget_has_no_burn_down() -> None:
    assert np.isnan(burndown_remaining_ratios(np.zeros(3), 0.0, np.array([0, 3]))).all()


def test_burn_rates_are_sampled_over_the_minutes_before_each_instant() -> None:
    bad = np.array([0.0, 1.0, 0.0, 1.0])
    total = np.full(4, 10.0)
    rates = sampled_burn_rates(bad, total, np.arange(5), 2, 0.1)
    assert np.isnan(rates[:2]).all()
    assert rates[2:] == pytest.approx([0.5, 0.5, 0.5])


def test_a_window_without_events_has_no_burn_rate() -> None:
    rates = sampled_burn_rates(np.zeros(3), np.zeros(3), np.array([3]), 2, 0.1)
    assert math.isnan(rates[0])


def test_a_bad_timeslice_spends_its_minutes_when_it_completes() -> None:
    good = np.array([10.0, 10.0, 5.0, 10.0, 10.0, 10.0, 3.0])
    total = np.full(7, 10.0)
    # Slices of 2 minutes at 90 %: the second (15 of 20 good) is bad; the last is partial.
    assert timeslice_consumption(good, total, 2, 0.9).tolist() == [0, 0, 0, 2, 0, 0, 0]


def test_an_empty_timeslice_is_not_bad() -> None:
    assert timeslice_consumption(np.zeros(4), np.zeros(4), 2, 0.9).tolist() == [0, 0, 0, 0]


def test_nonsense_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        sample_offsets(10, 0)
    with pytest.raises(ValueError, match="positive"):
        sampled_burn_rates(np.zeros(2), np.ones(2), np.array([2]), 0, 0.1)
    with pytest.raises(ValueError, match="positive"):
        timeslice_consumption(np.zeros(2), np.ones(2), 0, 0.9)
    with pytest.raises(ValueError, match="at least 2"):
        step_minutes_for(10, 1)


counts = st.lists(st.integers(0, 1000), min_size=1, max_size=300)


@given(counts, st.integers(1, 50), st.integers(1, 90))
def test_sampled_burn_rates_agree_with_the_trailing_series(values: list[int], step: int, width: int) -> None:
    total = np.full(len(values), 1000.0)
    bad = np.array(values, dtype=np.float64)
    offsets = sample_offsets(len(values), step)[1:]
    expected = trailing_burn_rates(bad, total, width, 0.01)[offsets - 1]
    np.testing.assert_allclose(sampled_burn_rates(bad, total, offsets, width, 0.01), expected, equal_nan=True)


@given(counts, st.integers(1, 50))
def test_burn_down_never_rises_and_ends_at_one_minus_spend_over_budget(values: list[int], step: int) -> None:
    bad = np.array(values, dtype=np.float64)
    budget = 0.001 * 1000.0 * len(values)
    ratios = burndown_remaining_ratios(bad, budget, sample_offsets(len(values), step))
    assert ratios[0] == 1.0
    assert (np.diff(ratios) <= 1e-12).all()
    assert ratios[-1] == pytest.approx(1 - bad.sum() / budget)


@given(st.integers(2, 500), st.integers(1, 60))
def test_spending_at_exactly_burn_rate_one_draws_the_even_spend_line(minutes: int, step: int) -> None:
    # 1 bad event a minute out of 1,000 at 99.9 %: burn rate 1, the budget lasts the window exactly.
    offsets = sample_offsets(minutes, step)
    ratios = burndown_remaining_ratios(np.ones(minutes), 0.001 * 1000 * minutes, offsets)
    np.testing.assert_allclose(ratios, 1 - offsets / minutes, atol=1e-12)
