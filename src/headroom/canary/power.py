"""How much data a canary needs before a quiet result may count as a pass.

Two closed-form sample sizes, both per arm with equal allocation, for a **one-sided**
test of size ``alpha`` and power ``power``:

``two_proportion_sample_size`` (error counts)
    Fleiss, Levin & Paik, *Statistical Methods for Rates and Proportions*, 3rd ed.
    (2003), §4.2, the formula without continuity correction::

        n = (z_{1-alpha} sqrt(2 pbar (1 - pbar)) + z_{power} sqrt(p0 (1 - p0) + p1 (1 - p1)))^2 / (p1 - p0)^2
        pbar = (p0 + p1) / 2

    0.1% vs 0.2% errors at alpha 0.05 and power 0.8 needs 18,519 requests per arm (the
    figure quoted in the canary research; also 1% vs 2%: 1,826; 0.1% vs 0.15%: 61,748).

``rank_test_sample_size`` (samples, Mann-Whitney)
    Noether, "Sample size determination for some common nonparametric tests", JASA 82
    (1987) 645-647: ``N = (z_{1-alpha} + z_{power})^2 / (12 c (1 - c) (P - 1/2)^2)`` in
    total, with ``P = P(canary > baseline)`` the effect to detect and ``c = 1/2``; per arm
    ``N / 2 = (z_{1-alpha} + z_{power})^2 / (6 (P - 1/2)^2)``.

``effective_arm_size`` turns unequal arms into the equal-allocation size with the same
variance of a difference, ``2 / (1/n_b + 1/n_c)`` (harmonic mean), so a tiny canary next to
a huge baseline is judged by its real information.

Pure: numpy/scipy only.
"""

from __future__ import annotations

import math

from scipy.special import ndtri

__all__ = ["effective_arm_size", "rank_test_sample_size", "two_proportion_sample_size"]


def _check_levels(alpha: float, power: float) -> None:
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha={alpha} must be in (0, 0.5); write 0.05 for 5%")
    if not 0.5 < power < 1:
        raise ValueError(f"power={power} must be in (0.5, 1); write 0.8 for 80%")


def two_proportion_sample_size(
    baseline_error_ratio: float, canary_error_ratio: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Requests per arm for a one-sided two-proportion test to detect ``p0 -> p1`` (Fleiss §4.2)."""
    _check_levels(alpha, power)
    p0, p1 = baseline_error_ratio, canary_error_ratio
    if not (0 <= p0 < 1 and 0 < p1 < 1) or p0 == p1:
        raise ValueError(f"error ratios must differ and lie in [0, 1): got {p0} and {p1}")
    z_alpha = float(ndtri(1 - alpha))
    z_beta = float(ndtri(power))
    p_bar = (p0 + p1) / 2
    root = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar)) + z_beta * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))
    return math.ceil(root**2 / (p1 - p0) ** 2)


def rank_test_sample_size(cles: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Observations per arm for a one-sided Mann-Whitney test to detect ``P(X > Y) = cles`` (Noether 1987)."""
    _check_levels(alpha, power)
    if not 0 < cles < 1 or cles == 0.5:
        raise ValueError(f"cles={cles} must be in (0, 1) and differ from 0.5")
    z = float(ndtri(1 - alpha)) + float(ndtri(power))
    return math.ceil(z**2 / (6 * (cles - 0.5) ** 2))


def effective_arm_size(n_baseline: float, n_canary: float) -> float:
    """Equal-allocation size with the same ``1/n_b + 1/n_c`` (0 when an arm is empty)."""
    if n_baseline <= 0 or n_canary <= 0:
        return 0.0
    return 2.0 / (1.0 / n_baseline + 1.0 / n_canary)
