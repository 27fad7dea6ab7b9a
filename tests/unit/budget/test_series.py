"""Trailing windows by prefix sums agree with brute force, and the Workbook's 14.4x."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from headroom.budget.series import prefix_sums, trailing_burn_rates, trailing_sums


def test_trailing_sums_of_a_small_series() -> None:
    out = trailing_sums([1, 2, 3, 4], 2)
    assert np.isnan(out[0])
    assert out[1:].tolist() == [3.0, 5.0, 7.0]


def test_partial_windows_sum_what_there_is() -> None:
    assert trailing_sums([1, 2, 3, 4], 3, partial=True).tolist() == [1.0, 3.0, 6.0, 9.0]


def test_an_hour_at_1_44_percent_errors_burns_at_14_4() -> None:
    total = np.full(120, 1000.0)
    bad = np.concatenate([np.zeros(60), np.full(60, 14.4)])
    rates = trailing_burn_rates(bad, total, 60, 0.001)
    assert rates[-1] == pytest.approx(14.4)
    assert rates[59] == 0.0


def test_minutes_without_events_have_no_burn_rate() -> None:
    assert np.isnan(trailing_burn_rates([0, 0], [0, 0], 1, 0.001)).all()


def test_a_zero_width_window_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        trailing_sums([1], 0)


@given(
    values=arrays(np.int64, st.integers(1, 300), elements=st.integers(0, 10_000)),
    width=st.integers(1, 60),
)
def test_trailing_sums_equal_brute_force(values: np.ndarray, width: int) -> None:
    fast = trailing_sums(values, width, partial=True)
    slow = [values[max(0, i - width + 1) : i + 1].sum() for i in range(len(values))]
    assert fast.tolist() == [float(x) for x in slow]
    assert prefix_sums(values)[-1] == values.sum()
