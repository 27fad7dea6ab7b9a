"""Budget recovery as old errors leave a rolling window, on a series small enough to do by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.budget.windows import minute_to_datetime
from headroom.policy.recovery import (
    bad_slice_minutes,
    calendar_recovery,
    first_minute_reaching,
    remaining_ratio_ahead,
    rolling_recovery,
)

# Ten minutes, 10 events each, objective 90 %: the window allows 0.1 x 100 = 10 bad events.
BAD = np.array([3, 3, 3, 0, 0, 0, 0, 0, 2, 1], dtype=float)
TOTAL = np.full(10, 10.0)
EBR = 0.1
END_MINUTE = 1000
AT = minute_to_datetime(END_MINUTE)


def test_remaining_now_is_minus_twenty_percent_and_recovers_as_the_old_errors_leave() -> None:
    ahead = remaining_ratio_ahead(BAD, TOTAL, EBR)
    # 12 bad of 10 allowed: -0.2. One minute on, 9 bad: 0.1; two, 6: 0.4; three, 3: 0.7.
    assert ahead[:4] == pytest.approx([-0.2, 0.1, 0.4, 0.7])
    assert ahead[-1] == pytest.approx(1.0)


def test_with_no_new_errors_the_freeze_ends_after_one_minute_and_caution_after_two() -> None:
    out = rolling_recovery(
        BAD, TOTAL, EBR, targets=(0.0, 0.25), at=AT, end_minute=END_MINUTE, current_burn_rate=0.5
    )
    by = {(r.target_ratio, r.assumption): r for r in out}
    assert by[(0.0, "no_new_errors")].recovers_at == minute_to_datetime(END_MINUTE + 1)
    assert by[(0.25, "no_new_errors")].recovers_in_s == 120.0


def test_at_the_current_burn_rate_recovery_counts_the_new_errors_too() -> None:
    # Burn 0.5 adds 0.5 x 0.1 x 10 = 0.5 bad a minute: k=1 holds 9.5 bad (0.05),
    # k=2 holds 7 (0.3), so the same minutes, but with less room.
    ahead = remaining_ratio_ahead(BAD, TOTAL, EBR, future_burn_rate=0.5)
    assert ahead[:3] == pytest.approx([-0.2, 0.05, 0.3])
    # At burn 2 (2 new bad a minute) the best is 0.1, three minutes on: 25 % is never reached.
    assert np.nanmax(remaining_ratio_ahead(BAD, TOTAL, EBR, future_burn_rate=2.0)) == pytest.approx(0.1)
    out = rolling_recovery(
        BAD, TOTAL, EBR, targets=(0.25,), at=AT, end_minute=END_MINUTE, current_burn_rate=2.0
    )
    never = next(r for r in out if r.assumption == "current_burn_rate")
    assert never.recovers_at is None
    assert "stays below 25%" in (never.reason or "")


def test_without_a_current_burn_rate_the_second_assumption_says_why() -> None:
    out = rolling_recovery(
        BAD, TOTAL, EBR, targets=(0.0,), at=AT, end_minute=END_MINUTE, current_burn_rate=None
    )
    assert out[1].recovers_at is None
    assert out[1].reason == "no current burn rate: no events in the last 1h"


def test_a_budget_already_above_target_recovers_now() -> None:
    assert first_minute_reaching(np.array([0.5, 0.6]), 0.25) == 0


def test_timeslices_count_bad_minutes_against_a_fixed_budget() -> None:
    # 10 minutes at 90 %: a 1-minute budget. Minutes 0 and 1 bad: 1 - 2/1 = -1.
    bad_minutes = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    ahead = remaining_ratio_ahead(bad_minutes, np.zeros(10), EBR, timeslices=True)
    assert ahead[:3] == pytest.approx([-1.0, 0.0, 1.0])


def test_bad_slices_mark_each_of_their_minutes() -> None:
    good = np.array([10, 10, 5, 10, 0, 0], dtype=float)
    total = np.array([10, 10, 10, 10, 0, 0], dtype=float)
    assert list(bad_slice_minutes(good, total, slice_minutes=2, slice_target=0.9)) == [0, 0, 1, 1, 0, 0]


def test_a_calendar_window_recovers_when_the_next_period_starts() -> None:
    at = datetime(2026, 3, 30, 12, tzinfo=UTC)
    end = datetime(2026, 4, 1, tzinfo=UTC)
    out = calendar_recovery(targets=(0.0,), at=at, period_end=end)
    assert {r.recovers_in_s for r in out} == {36.0 * 3600}


@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_with_no_new_errors_the_remaining_budget_never_shrinks(bad: list[int]) -> None:
    b = np.array(bad, dtype=float)
    ahead = remaining_ratio_ahead(b, np.full(b.size, 20.0), 0.05)
    assert np.all(np.diff(ahead) >= -1e-9)
    assert ahead[-1] == pytest.approx(1.0)


@given(st.lists(st.integers(0, 20), min_size=1, max_size=60), st.floats(0.0, 3.0))
def test_after_a_whole_window_only_the_future_burn_is_left(bad: list[int], burn: float) -> None:
    b = np.array(bad, dtype=float)
    ahead = remaining_ratio_ahead(b, np.full(b.size, 20.0), 0.05, future_burn_rate=burn)
    assert ahead[-1] == pytest.approx(1.0 - burn)
