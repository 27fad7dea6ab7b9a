"""Sample sizes: the research's two-proportion figures, then Noether's rank-test formula."""

from __future__ import annotations

import pytest

from headroom.canary.power import effective_arm_size, rank_test_sample_size, two_proportion_sample_size


@pytest.mark.parametrize(
    ("p0", "p1", "per_arm"),
    [
        (0.001, 0.002, 18_519),
        (0.001, 0.0015, 61_748),
        (0.01, 0.02, 1_826),
        (0.01, 0.012, 33_629),
        (0.0001, 0.0005, 23_177),
    ],
)
def test_two_proportion_sample_sizes_match_the_research_table(p0: float, p1: float, per_arm: int) -> None:
    assert two_proportion_sample_size(p0, p1, alpha=0.05, power=0.8) == per_arm


def test_0_1_vs_0_2_percent_errors_needs_18519_requests_per_arm_worked_by_hand() -> None:
    # z_0.95 = 1.644854, z_0.8 = 0.841621, pbar = 0.0015:
    # (1.644854 sqrt(2 * 0.0015 * 0.9985) + 0.841621 sqrt(0.000999 + 0.001996))^2 / 0.001^2
    # = (0.0900268 + 0.0460589)^2 / 1e-6 = 18518.3 -> 18,519.
    assert two_proportion_sample_size(0.001, 0.002) == 18_519


def test_more_power_needs_more_requests() -> None:
    assert two_proportion_sample_size(0.001, 0.002, power=0.9) > two_proportion_sample_size(0.001, 0.002)


def test_noether_needs_104_per_arm_to_detect_p_0_6() -> None:
    # (1.644854 + 0.841621)^2 / (6 * 0.1^2) = 6.18256 / 0.06 = 103.04 -> 104.
    assert rank_test_sample_size(0.6) == 104


def test_rank_test_sample_size_is_symmetric_around_one_half() -> None:
    assert rank_test_sample_size(0.4) == rank_test_sample_size(0.6)


def test_the_effective_arm_size_of_unequal_arms_is_their_harmonic_mean() -> None:
    assert effective_arm_size(100_000, 1_000) == pytest.approx(2 / (1 / 100_000 + 1 / 1_000))
    assert effective_arm_size(0, 1_000) == 0.0


@pytest.mark.parametrize(("alpha", "power"), [(0.0, 0.8), (0.05, 0.4), (0.6, 0.8)])
def test_levels_outside_their_range_are_refused(alpha: float, power: float) -> None:
    with pytest.raises(ValueError, match="must be in"):
        two_proportion_sample_size(0.001, 0.002, alpha, power)
