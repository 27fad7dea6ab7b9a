"""The postmortem trigger: did one incident spend too much of the window's budget?

Pure, vectorised. The SRE Workbook's example error-budget policy (appendix B): "If a
single incident consumes more than 20% of error budget over four weeks, then the team
must conduct a postmortem."

An **incident** is a contiguous run of minutes whose burn rate exceeds
``incident_burn_rate`` (1.0 by default: faster than the budget allows), where runs
separated by fewer than ``incident_merge_gap_minutes`` quiet minutes are merged into one
(a flapping outage is one incident, not five). Its cost is every bad event (or bad
minute) from its first to its last minute, gaps included, as a share of the window's
whole budget::

    occurrences:  minute burn = (bad / total) / (1 - objective)  (0 in a minute without events)
                  budget      = (1 - objective) x total events in the window
    timeslices:   minute burn = 1 / (1 - objective) in a bad slice's minutes, else 0
                  budget      = (1 - objective) x window minutes
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray, prefix_sums
from headroom.budget.windows import minute_to_datetime
from headroom.policy.model import Incident, PostmortemCheck
from headroom.spec.model import ErrorBudgetPolicy

__all__ = ["find_incidents", "minute_burn_rates", "postmortem_check"]


def minute_burn_rates(
    bad: npt.ArrayLike, total: npt.ArrayLike, error_budget_ratio: float, *, timeslices: bool = False
) -> FloatArray:
    """Burn rate of each minute (module docstring); a minute without events burns 0."""
    bad_a = np.asarray(bad, dtype=np.float64)
    if timeslices:
        return bad_a / error_budget_ratio
    total_a = np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total_a > 0, bad_a / np.where(total_a > 0, total_a, 1.0), 0.0)
    return ratio / error_budget_ratio


def find_incidents(
    burn: FloatArray,
    spend: FloatArray,
    budget: float,
    *,
    start_minute: int,
    burn_threshold: float,
    merge_gap_minutes: int,
) -> list[Incident]:
    """Incidents in a per-minute burn series; ``spend`` is each minute's cost in budget units."""
    hot = burn > burn_threshold
    if not hot.any() or budget <= 0:
        return []
    edges = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    gaps = starts[1:] - ends[:-1]
    new_group = np.concatenate(([True], gaps >= max(merge_gap_minutes, 1)))
    group_starts = starts[new_group]
    group_ends = ends[np.concatenate((new_group[1:], [True]))]
    spent = prefix_sums(spend)
    cost = (spent[group_ends] - spent[group_starts]) / budget
    peaks = np.maximum.reduceat(burn, group_starts)
    return [
        Incident(
            start=minute_to_datetime(start_minute + int(s)),
            end=minute_to_datetime(start_minute + int(e)),
            minutes=int(e - s),
            budget_ratio=float(c),
            peak_burn_rate=float(p),
        )
        for s, e, c, p in zip(group_starts, group_ends, cost, peaks, strict=True)
    ]


def postmortem_check(
    slo_id: str,
    bad: npt.ArrayLike,
    total: npt.ArrayLike,
    error_budget_ratio: float,
    policy: ErrorBudgetPolicy,
    *,
    start_minute: int,
    timeslices: bool = False,
) -> PostmortemCheck:
    """Incidents of one SLO's window and whether any spent more than the policy's share."""
    bad_a = np.asarray(bad, dtype=np.float64)
    total_a = np.asarray(total, dtype=np.float64)
    burn = minute_burn_rates(bad_a, total_a, error_budget_ratio, timeslices=timeslices)
    budget = error_budget_ratio * (bad_a.shape[0] if timeslices else float(total_a.sum()))
    incidents = find_incidents(
        burn,
        bad_a,
        budget,
        start_minute=start_minute,
        burn_threshold=policy.incident_burn_rate,
        merge_gap_minutes=policy.incident_merge_gap_minutes,
    )
    over = [i for i in incidents if i.budget_ratio > policy.postmortem_incident_ratio]
    return PostmortemCheck(
        slo_id=slo_id,
        threshold_ratio=policy.postmortem_incident_ratio,
        required=bool(over),
        incidents=sorted(incidents, key=lambda i: -i.budget_ratio),
    )
