"""Blast radius worked by hand: 99.9% over 30 days, 60% of the budget left, half the window to go."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.canary.projection import project_blast_radius, wilson_upper_bound

THIRTY_DAYS_S = 30 * 86_400
SLO = {
    "error_budget_ratio": 0.001,
    "remaining_budget_ratio": 0.6,
    "window_s": THIRTY_DAYS_S,
    "remaining_window_s": THIRTY_DAYS_S / 2,
    "expected_total_rate_per_s": 100.0,
}


def test_wilson_upper_bound_of_5_in_1000_at_95_percent_is_0_0102353() -> None:
    # z = 1.6448536, z^2 = 2.7055435; centre = 0.005 + 2.7055435 / 2000 = 0.0063528;
    # half = z sqrt(0.005 * 0.995 / 1000 + 2.7055435 / 4e6) = 1.6448536 * 0.0023773 = 0.0039103;
    # (0.0063528 + 0.0039103) / (1 + 0.0027055) = 0.0102353.
    assert wilson_upper_bound(5, 1000, 0.95) == pytest.approx(0.0102353, rel=1e-5)


def test_wilson_upper_bound_with_no_errors_is_z_squared_over_n_plus_z_squared() -> None:
    assert wilson_upper_bound(0, 200_000, 0.95) == pytest.approx(2.7055435 / (200_000 + 2.7055435), rel=1e-6)


def test_a_canary_at_5_errors_in_1000_would_exhaust_the_budget_in_under_two_days() -> None:
    p = project_blast_radius(5, 1000, **SLO)
    assert p.canary_error_ratio == 0.005
    assert p.burn_rate_if_promoted == pytest.approx(10.2353, rel=1e-4)  # 0.0102353 / 0.001
    assert p.projected_remaining_ratio == pytest.approx(0.6 - 10.2353 * 0.5, rel=1e-4)  # -4.5177
    assert p.time_to_exhaustion_s == pytest.approx(0.6 * THIRTY_DAYS_S / 10.2353, rel=1e-4)  # 151,944 s
    # Budget = 0.001 * 100/s * 2,592,000 s = 259,200 bad requests; the canary spent 5 of them.
    assert p.canary_spent_ratio == pytest.approx(5 / 259_200)
    assert (p.exhausts_budget, p.over_allotment, p.passed) == (True, False, False)
    assert "below the 0.0% reserve" in p.reason


def test_a_clean_canary_of_200000_requests_passes() -> None:
    p = project_blast_radius(0, 200_000, **SLO)
    # UCB 1.35275e-5 -> burn 0.0135275 -> 0.6 - 0.0067638 = 0.5932362 left at window end.
    assert p.projected_remaining_ratio == pytest.approx(0.5932362, rel=1e-6)
    assert p.passed


def test_a_canary_that_spent_more_than_2_percent_of_the_budget_fails_even_at_a_low_rate() -> None:
    p = project_blast_radius(5200, 10_400_000, **SLO)
    # 5,200 / 259,200 = 2.006% > 2%; the rate itself (0.05%) would leave 34% of the budget.
    assert p.canary_spent_ratio == pytest.approx(0.0200617, rel=1e-5)
    assert p.projected_remaining_ratio == pytest.approx(0.3442336, rel=1e-5)
    assert (p.exhausts_budget, p.over_allotment, p.passed) == (False, True, False)


def test_a_reserve_raises_the_bar() -> None:
    # 0 errors in 200,000 leaves 59.3% at window end: fine with no reserve, not with a 60% reserve.
    assert not project_blast_radius(0, 200_000, **SLO, reserve_ratio=0.595).passed


def test_an_overspent_budget_fails_any_promotion_and_is_exhausted_now() -> None:
    p = project_blast_radius(0, 10_000_000, **{**SLO, "remaining_budget_ratio": -0.1})
    assert not p.passed
    assert p.time_to_exhaustion_s == 0.0


@given(st.integers(0, 1000), st.integers(1, 10**7))
def test_the_upper_bound_covers_the_observed_ratio(errors: int, extra: int) -> None:
    total = errors + extra
    assert errors / total <= wilson_upper_bound(errors, total) <= 1.0


@given(st.integers(0, 500), st.integers(1000, 10**6))
def test_more_errors_never_leave_more_budget(errors: int, total: int) -> None:
    fewer = project_blast_radius(errors, total, **SLO)
    more = project_blast_radius(errors + 1, total, **SLO)
    assert more.projected_remaining_ratio <= fewer.projected_remaining_ratio
