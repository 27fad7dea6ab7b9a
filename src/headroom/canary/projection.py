"""Blast radius: what promoting the canary would do to the remaining error budget (pure).

None of Kayenta, Flagger, Argo Rollouts or Keptn couples the canary verdict to the error
budget; this module does. With ``eps = 1 - objective`` (``error_budget_ratio``), window
``W`` (``window_s``), remaining window ``W_rem``, total request rate ``R`` and remaining budget
``B_rem`` as a fraction of the window's budget (``remaining_budget_ratio``):

* ``p_up`` = one-sided **Wilson score** upper bound on the canary error ratio at
  ``confidence`` (Wilson 1927; Agresti & Coull 1998 recommend it over the Wald interval).
  Wilson has a closed form and stays positive with zero errors:
  ``(p + z^2/2n + z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with ``z = Phi^-1(confidence)``.
* burn rate if promoted = ``p_up / eps`` (SRE Workbook ch. 5: 1.0 spends the budget
  exactly by the end of the window).
* projected remaining ratio at window end = ``B_rem - burn * W_rem / W``.
* time to exhaustion = ``(B_rem - reserve) * W / burn`` (``None`` when the burn is zero).
* canary spent ratio = canary errors / (``eps R W``), the share of the whole window's
  budget the canary has already used (every canary error counts: users saw it).

The projection fails when the promoted canary would take the budget below ``reserve_ratio``
before the window ends, or when the canary has already spent more than
``canary_allotment_ratio`` of the budget (default 2%, the Workbook's fast-burn page
threshold: 2% of the budget in one hour).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field
from scipy.special import ndtri

__all__ = ["BudgetInputs", "BudgetProjection", "project_blast_radius", "wilson_upper_bound"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BudgetInputs(_Frozen):
    """The SLO's budget state, handed to the judge by the service (which reads the store)."""

    error_budget_ratio: float = Field(gt=0, lt=1)
    remaining_budget_ratio: float
    window_s: float = Field(gt=0)
    remaining_window_s: float = Field(ge=0)
    expected_total_rate_per_s: float = Field(gt=0)
    metric: str | None = None
    """The count metric whose canary errors are projected; default: the first count metric."""
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    reserve_ratio: float = Field(default=0.0, ge=0, lt=1)
    canary_allotment_ratio: float = Field(default=0.02, gt=0, le=1)


class BudgetProjection(_Frozen):
    """The projection's numbers and its pass/fail with a one-line reason."""

    metric: str
    canary_errors: int
    canary_total: int
    canary_error_ratio: float | None
    canary_error_ratio_upper: float
    confidence: float
    burn_rate_if_promoted: float
    projected_remaining_ratio: float
    time_to_exhaustion_s: float | None
    remaining_window_s: float
    canary_spent_ratio: float
    canary_allotment_ratio: float
    reserve_ratio: float
    exhausts_budget: bool
    over_allotment: bool
    passed: bool
    reason: str


def wilson_upper_bound(errors: int, total: int, confidence: float = 0.95) -> float:
    """One-sided Wilson score upper bound on ``errors / total`` (1.0 when ``total`` is 0)."""
    if total <= 0:
        return 1.0
    if not 0 <= errors <= total:
        raise ValueError(f"errors={errors} must be within [0, total={total}]")
    z = float(ndtri(confidence))
    n = float(total)
    p = errors / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return min(1.0, (centre + half) / (1 + z2 / n))


def project_blast_radius(
    canary_errors: int,
    canary_total: int,
    *,
    error_budget_ratio: float,
    remaining_budget_ratio: float,
    window_s: float,
    remaining_window_s: float,
    expected_total_rate_per_s: float,
    confidence: float = 0.95,
    reserve_ratio: float = 0.0,
    canary_allotment_ratio: float = 0.02,
    metric: str = "",
) -> BudgetProjection:
    """Project the canary's error ratio onto 100% of traffic for the rest of the window.

    See the module docstring for every formula. ``remaining_budget_ratio`` may already be
    negative (budget overspent), in which case any promotion exhausts it.
    """
    if not 0 < error_budget_ratio < 1:
        raise ValueError(f"error_budget_ratio={error_budget_ratio} must be in (0, 1); 0.001 for 99.9%")
    if window_s <= 0 or remaining_window_s < 0 or expected_total_rate_per_s <= 0:
        raise ValueError("window_s and expected_total_rate_per_s must be > 0, remaining_window_s >= 0")
    upper = wilson_upper_bound(canary_errors, canary_total, confidence)
    point = canary_errors / canary_total if canary_total > 0 else None
    burn = upper / error_budget_ratio
    projected = remaining_budget_ratio - burn * remaining_window_s / window_s
    spendable = remaining_budget_ratio - reserve_ratio
    if spendable <= 0:
        time_to_exhaustion_s: float | None = 0.0
    elif burn > 0:
        time_to_exhaustion_s = spendable * window_s / burn
    else:
        time_to_exhaustion_s = None
    exhausts = projected < reserve_ratio
    spent = canary_errors / (error_budget_ratio * expected_total_rate_per_s * window_s)
    over = spent > canary_allotment_ratio
    reasons: list[str] = []
    if exhausts:
        reasons.append(
            f"promoting would burn at {burn:.3g}x (error ratio up to {upper:.3g} at {confidence:.0%}) "
            f"and leave {projected:.1%} of the budget at window end, below the {reserve_ratio:.1%} reserve"
        )
    if over:
        reasons.append(
            f"the canary already spent {spent:.2%} of the error budget, "
            f"over its {canary_allotment_ratio:.1%} allotment"
        )
    if not reasons:
        reasons.append(
            f"promoting would burn at {burn:.3g}x and leave {projected:.1%} of the budget at window end; "
            f"canary spent {spent:.2%} of {canary_allotment_ratio:.1%} allotted"
        )
    return BudgetProjection(
        metric=metric,
        canary_errors=canary_errors,
        canary_total=canary_total,
        canary_error_ratio=point,
        canary_error_ratio_upper=upper,
        confidence=confidence,
        burn_rate_if_promoted=burn,
        projected_remaining_ratio=projected,
        time_to_exhaustion_s=time_to_exhaustion_s,
        remaining_window_s=remaining_window_s,
        canary_spent_ratio=spent,
        canary_allotment_ratio=canary_allotment_ratio,
        reserve_ratio=reserve_ratio,
        exhausts_budget=exhausts,
        over_allotment=over,
        passed=not (exhausts or over),
        reason="; ".join(reasons),
    )
