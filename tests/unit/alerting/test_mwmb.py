"""Multi-window multi-burn-rate conditions: the Workbook's worked numbers, then invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.alerting.mwmb import evaluate_pairs, time_to_fire_s


def test_time_to_fire_matches_the_workbook_for_the_fast_page() -> None:
    assert time_to_fire_s(1.0, 0.999, 3600, 14.4) == pytest.approx(51.84)
    assert time_to_fire_s(0.02, 0.999, 3600, 14.4) == pytest.approx(2592)
    assert time_to_fire_s(0.005, 0.999, 3600, 14.4) == math.inf


def test_time_to_fire_of_the_slow_ticket_at_half_a_percent_is_14_4_hours() -> None:
    assert time_to_fire_s(0.005, 0.999, 3 * 86400, 1.0) == pytest.approx(0.2 * 3 * 86400)


def test_a_pair_fires_only_when_both_windows_exceed_the_threshold() -> None:
    res = evaluate_pairs([20, 20, 1], [1000, 1000, 1000], [20, 1, 20], [1000, 1000, 1000], 0.0144)
    assert res.firing.tolist() == [True, False, False]
    assert res.long_error_ratio.tolist() == [0.02, 0.02, 0.001]


def test_an_error_ratio_exactly_at_the_threshold_does_not_fire() -> None:
    res = evaluate_pairs(500, 1000, 500, 1000, 0.5)
    assert not bool(res.firing)


def test_a_window_without_events_has_no_ratio_and_does_not_fire() -> None:
    res = evaluate_pairs(0, 0, 0, 0, 0.001)
    assert math.isnan(float(res.long_error_ratio))
    assert not bool(res.firing)


def test_low_traffic_guard_holds_back_a_pair_with_too_few_events() -> None:
    res = evaluate_pairs([60, 60], [600, 600], [5, 50], [50, 500], 0.0144, min_events=100)
    assert res.firing.tolist() == [False, True]
    assert res.low_traffic.tolist() == [True, False]


counts = st.integers(min_value=0, max_value=10_000)


@given(lb=counts, lt=counts, sb=counts, st_=counts, scale=st.integers(1, 1000), thr=st.floats(0.0001, 1))
def test_scaling_the_counts_never_changes_the_verdict(
    lb: int, lt: int, sb: int, st_: int, scale: int, thr: float
) -> None:
    lb, sb = min(lb, lt), min(sb, st_)
    a = evaluate_pairs(lb, lt, sb, st_, thr)
    b = evaluate_pairs(lb * scale, lt * scale, sb * scale, st_ * scale, thr)
    assert bool(a.firing) == bool(b.firing)


@given(lb=counts, lt=counts, sb=counts, st_=counts, extra=counts, thr=st.floats(0.0001, 1))
def test_more_bad_events_never_silence_a_firing_pair(
    lb: int, lt: int, sb: int, st_: int, extra: int, thr: float
) -> None:
    lb, sb = min(lb, lt), min(sb, st_)
    before = evaluate_pairs(lb, lt, sb, st_, thr)
    after = evaluate_pairs(lb + extra, lt + extra, sb + extra, st_ + extra, thr)
    assert not bool(before.firing) or bool(after.firing)


@given(lb=counts, lt=counts, sb=counts, st_=counts, thr=st.floats(0.0001, 1))
def test_firing_implies_both_ratios_above_threshold(lb: int, lt: int, sb: int, st_: int, thr: float) -> None:
    lb, sb = min(lb, lt), min(sb, st_)
    res = evaluate_pairs(np.array([lb]), np.array([lt]), np.array([sb]), np.array([st_]), thr)
    if res.firing[0]:
        assert res.long_error_ratio[0] > thr
        assert res.short_error_ratio[0] > thr
