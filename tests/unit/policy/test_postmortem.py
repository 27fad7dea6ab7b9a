"""The Workbook's postmortem trigger: one incident over 20 % of the window's budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.budget.windows import minute_to_datetime
from headroom.policy.postmortem import find_incidents, minute_burn_rates, postmortem_check
from headroom.spec.model import ErrorBudgetPolicy

# 1,000 minutes of 100 events at 99 %: the window's budget is 0.01 x 100,000 = 1,000 bad events.
MINUTES = 1000
TOTAL = np.full(MINUTES, 100.0)
EBR = 0.01
POLICY = ErrorBudgetPolicy()


def _incident(bad_events: float, *, minutes: int = 10, first: int = 500) -> np.ndarray:
    bad = np.zeros(MINUTES)
    bad[first : first + minutes] = bad_events / minutes
    return bad


def test_an_incident_that_spends_a_quarter_of_the_budget_requires_a_postmortem() -> None:
    check = postmortem_check("checkout/availability", _incident(250), TOTAL, EBR, POLICY, start_minute=0)
    assert check.required
    (incident,) = check.incidents
    assert incident.budget_ratio == pytest.approx(0.25)
    assert incident.minutes == 10
    assert incident.peak_burn_rate == pytest.approx(25.0)
    assert incident.start == minute_to_datetime(500)


def test_an_incident_that_spends_a_tenth_of_the_budget_does_not() -> None:
    check = postmortem_check("checkout/availability", _incident(100), TOTAL, EBR, POLICY, start_minute=0)
    assert not check.required
    assert check.incidents[0].budget_ratio == pytest.approx(0.10)


def test_runs_separated_by_a_short_quiet_gap_are_one_incident() -> None:
    bad = _incident(120, first=100) + _incident(120, first=113)  # 3 quiet minutes between
    check = postmortem_check("s/x", bad, TOTAL, EBR, POLICY, start_minute=0)
    (incident,) = check.incidents
    assert (incident.minutes, check.required) == (23, True)
    assert incident.budget_ratio == pytest.approx(0.24)


def test_runs_separated_by_a_long_gap_are_two_incidents_neither_over_the_threshold() -> None:
    bad = _incident(120, first=100) + _incident(120, first=300)
    check = postmortem_check("s/x", bad, TOTAL, EBR, POLICY, start_minute=0)
    assert [round(i.budget_ratio, 3) for i in check.incidents] == [0.12, 0.12]
    assert not check.required


def test_burning_exactly_at_the_budget_rate_is_not_an_incident() -> None:
    bad = np.full(MINUTES, 1.0)  # 1 % errors at 99 %: burn rate 1.0
    assert postmortem_check("s/x", bad, TOTAL, EBR, POLICY, start_minute=0).incidents == []


def test_a_minute_without_events_burns_nothing() -> None:
    assert list(minute_burn_rates([0, 1], [0, 10], 0.1)) == [0.0, 1.0]


@given(st.lists(st.floats(0, 50), min_size=1, max_size=80), st.integers(0, 12))
def test_incidents_never_spend_more_than_all_bad_events(bad: list[float], gap: int) -> None:
    b = np.array(bad)
    total = np.full(b.size, 50.0)
    burn = minute_burn_rates(b, total, 0.1)
    budget = 0.1 * total.sum()
    found = find_incidents(burn, b, budget, start_minute=0, burn_threshold=1.0, merge_gap_minutes=gap)
    assert sum(i.budget_ratio for i in found) <= b.sum() / budget + 1e-9
    assert all(i.peak_burn_rate > 1.0 for i in found)
    assert sum(i.minutes for i in found) <= b.size
