"""The two budget alerts that ride with every SLO, judged from its ``SLOStatus``.

Pure.

``exhaustion`` (with ``alerting.exhaustion_horizon``)
    fires while the budget would run out within the horizon at the current burn rate::

        0 < time_to_exhaustion_s < horizon_s,
        time_to_exhaustion_s = remaining_ratio x period_s / burn_rate(1 h)   (budget/exhaustion.py)

    An already exhausted budget is the other alert's business.
``exhausted``
    fires while ``remaining_ratio <= 0``.

Neither is in the SRE Workbook (it defines time to exhaustion only as ``period / burn
rate``, table 5-4); they follow Honeycomb's exhaustion-time and Sloth's budget-exhausted
alerts.
"""

from __future__ import annotations

from headroom.alerting.profiles_resolve import ResolvedTier
from headroom.budget.status import SLOStatus
from headroom.spec.durations import format_duration

__all__ = ["budget_condition"]


def budget_condition(tier: ResolvedTier, status: SLOStatus | None) -> tuple[bool, str]:
    """Whether a budget tier's condition holds, and why (module docstring)."""
    if status is None:
        return False, "no budget status"
    remaining = status.budget.remaining_ratio
    if remaining is None:
        return False, status.null_reasons.get("budget", "no events in the SLO window")
    if tier.kind == "exhausted":
        if remaining <= 0:
            return True, f"budget exhausted (remaining {remaining:.6g})"
        return False, f"budget remaining {remaining:.6g}"
    tte = status.time_to_exhaustion_s
    horizon = format_duration(tier.horizon_s)
    if tte is None:
        return False, status.null_reasons.get("time_to_exhaustion_s", "not burning")
    if remaining <= 0:
        return False, "budget already exhausted (see the exhausted alert)"
    if tte < tier.horizon_s:
        return True, f"budget runs out in {tte:.0f} s, within {horizon}"
    return False, f"budget runs out in {tte:.0f} s, beyond {horizon}"
