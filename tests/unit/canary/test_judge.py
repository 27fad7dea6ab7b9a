"""The headroom judge: worked cases first (shift, zero baseline, quiet canary, critical veto,
group weights), then invariants (swapping arms mirrors High/Low, scaling keeps the label)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from headroom.canary.config import CanaryConfig, MetricConfig
from headroom.canary.judge import judge_canary
from headroom.canary.model import CanaryData, CountMetric, SampleMetric
from headroom.canary.projection import BudgetInputs
from headroom.canary.rank_tests import mann_whitney_p_values
from tests.unit.canary.fixtures import CLASSIFIER_CASES, ISSUE_CASES, case

RNG_SEED = 20240601


def _samples(name: str, baseline: Any, canary: Any) -> SampleMetric:
    return SampleMetric(name, np.asarray(baseline, dtype=float), np.asarray(canary, dtype=float))


def _judge(*metrics: SampleMetric | CountMetric, **config: Any) -> Any:
    return judge_canary(CanaryData(tuple(metrics)), CanaryConfig(**config))


def test_a_one_millisecond_latency_shift_is_high_and_fails_the_canary() -> None:
    rng = np.random.default_rng(RNG_SEED)
    report = _judge(_samples("latency_ms", rng.normal(10, 1, 300), rng.normal(11, 1, 300)))
    m = report.metrics[0]
    assert m.classification == "high"
    assert m.p_value is not None
    assert m.p_value < 1e-6
    assert m.interval is not None
    assert 0.7 < m.interval[0] < 1.0 < m.interval[1] < 1.3
    assert report.verdict == "fail"
    assert report.score == 0.0


def test_equal_distributions_with_enough_samples_pass() -> None:
    rng = np.random.default_rng(RNG_SEED)
    report = _judge(_samples("latency_ms", rng.normal(10, 1, 500), rng.normal(10, 1, 500)))
    assert report.metrics[0].classification == "pass"
    assert report.verdict == "pass"
    assert report.score == 100.0


def test_the_zero_baseline_of_spinnaker_5622_fails_in_headroom_mode() -> None:
    c = case(ISSUE_CASES, "id", "spinnaker-5622")
    report = _judge(_samples("http_307", c["baseline"], c["canary"]))
    assert report.metrics[0].classification == "high"
    assert report.metrics[0].p_value == pytest.approx(0.0075, abs=1e-4)
    assert report.verdict == "fail"


def test_the_zero_baseline_of_spinnaker_5622_passes_in_kayenta_mode_as_kayenta_does() -> None:
    c = case(ISSUE_CASES, "id", "spinnaker-5622")
    report = _judge(_samples("http_307", c["baseline"], c["canary"]), mode="kayenta")
    assert report.metrics[0].classification == "pass"
    assert report.metrics[0].interval is not None
    assert report.metrics[0].interval[0] == 0.0
    assert report.verdict == "pass"


def test_the_bimodal_canary_of_spinnaker_6278_fails_in_headroom_mode_and_passes_in_kayenta_mode() -> None:
    c = case(ISSUE_CASES, "id", "spinnaker-6278")
    metric = _samples("latency", c["baseline"], c["canary"])
    assert _judge(metric).metrics[0].classification == "high"
    rules = MetricConfig(name="latency", direction="either", allowed_increase=1.05)
    assert _judge(metric, mode="kayenta", metrics=(rules,)).metrics[0].classification == "pass"


def test_an_all_zero_baseline_against_a_failing_canary_is_caught_by_fishers_exact_test() -> None:
    report = _judge(CountMetric("http_errors", 10_000, 10_000, 970, 1_000))
    m = report.metrics[0]
    assert m.classification == "high"
    assert "Fisher's exact test" in m.reason
    assert m.p_value == pytest.approx(
        stats.fisher_exact([[30, 970], [0, 10_000]], alternative="greater").pvalue
    )
    assert m.effect is None  # p_canary / p_baseline is undefined with no baseline errors
    assert report.verdict == "fail"


def test_large_counts_use_the_pooled_z_test() -> None:
    # 200/100,000 vs 100/100,000: p = 0.0015,
    # z = 0.001 / sqrt(0.0015 * 0.9985 * 2e-5) = 0.001 / 1.73076e-4 = 5.7778.
    m = _judge(CountMetric("errors", 99_900, 100_000, 99_800, 100_000)).metrics[0]
    assert m.classification == "high"
    assert m.statistic == pytest.approx(5.7778, abs=1e-4)
    assert m.p_value == pytest.approx(stats.norm.sf(5.7778), rel=1e-3)
    assert m.effect == pytest.approx(2.0)


def test_a_quiet_canary_is_inconclusive_and_says_it_needs_18519_requests_per_arm() -> None:
    report = _judge(CountMetric("errors", 999, 1_000, 999, 1_000))
    m = report.metrics[0]
    assert m.classification == "inconclusive"
    assert "needs 18,519 requests per arm" in m.reason
    assert report.verdict == "inconclusive"


def test_a_clean_canary_with_enough_requests_passes() -> None:
    m = _judge(CountMetric("errors", 99_900, 100_000, 49_950, 50_000)).metrics[0]
    assert m.classification == "pass"
    assert "enough requests" in m.reason


def test_too_few_samples_are_inconclusive_rather_than_a_silent_pass() -> None:
    report = _judge(_samples("latency", [10, 11, 12], [10, 11, 12.5]))
    assert report.metrics[0].classification == "inconclusive"
    assert report.verdict == "inconclusive"


def test_no_canary_data_is_nodata_and_the_run_inconclusive() -> None:
    report = _judge(_samples("latency", [10, 11, 12], []))
    assert report.metrics[0].classification == "nodata"
    assert report.verdict == "inconclusive"


def test_the_decrease_direction_fails_a_drop_and_ignores_a_rise() -> None:
    rng = np.random.default_rng(RNG_SEED)
    baseline, canary = rng.normal(100, 5, 300), rng.normal(90, 5, 300)
    down = MetricConfig(name="throughput", direction="decrease")
    assert (
        _judge(_samples("throughput", baseline, canary), metrics=(down,)).metrics[0].classification == "low"
    )
    assert (
        _judge(_samples("throughput", canary, baseline), metrics=(down,)).metrics[0].classification == "pass"
    )
    assert _judge(_samples("throughput", baseline, canary)).metrics[0].classification == "pass"  # increase


def test_a_failing_critical_metric_vetoes_a_run_whose_other_metrics_pass() -> None:
    rng = np.random.default_rng(RNG_SEED)
    ok = [_samples(f"ok{i}", rng.normal(10, 1, 300), rng.normal(10, 1, 300)) for i in range(9)]
    bad = CountMetric("errors", 99_900, 100_000, 99_800, 100_000)
    plain = _judge(*ok, bad)
    assert (plain.verdict, plain.score) == ("marginal", 90.0)
    critical = _judge(*ok, bad, metrics=(MetricConfig(name="errors", critical=True),))
    assert (critical.verdict, critical.score) == ("fail", 0.0)
    assert critical.metrics[-1].critical
    assert any("critical metric errors is high" in r for r in critical.reasons)


def test_group_weights_75_25_with_the_light_group_failing_score_75_marginal() -> None:
    good = CountMetric("availability", 99_900, 100_000, 99_900, 100_000)
    bad = CountMetric("latency_slo", 99_900, 100_000, 99_800, 100_000)
    rules = (MetricConfig(name="availability", group="a"), MetricConfig(name="latency_slo", group="b"))
    report = _judge(good, bad, metrics=rules, group_weights={"a": 75, "b": 25})
    assert (report.score, report.verdict) == (75.0, "marginal")


def test_nan_samples_are_removed_by_default_and_zeroed_on_request() -> None:
    baseline = [10.0, float("nan"), 11.0, 12.0, 10.5, 11.5]
    canary = [10.2, 11.1, float("nan"), float("nan"), 11.9, 10.4]
    removed = _judge(_samples("lat", baseline, canary)).metrics[0]
    assert (removed.samples.baseline, removed.samples.canary) == (5, 4)
    replace = MetricConfig(name="lat", nan_strategy="replace")
    kept = _judge(_samples("lat", baseline, canary), metrics=(replace,)).metrics[0]
    assert (kept.samples.baseline, kept.samples.canary) == (6, 6)


def test_the_report_keeps_the_json_contract_shape() -> None:
    report = _judge(CountMetric("errors", 99_900, 100_000, 99_800, 100_000))
    data = report.model_dump(mode="json")
    assert list(data) == ["verdict", "score", "metrics", "budget", "reasons"]
    assert list(data["metrics"][0]) == [
        "name",
        "classification",
        "statistic",
        "p_value",
        "interval",
        "effect",
        "samples",
        "critical",
        "reason",
    ]
    assert data["metrics"][0]["samples"] == {"baseline": 100_000, "canary": 100_000}
    assert data["budget"] is None


def test_a_budget_projection_that_exhausts_the_budget_fails_a_statistically_clean_canary() -> None:
    budget = BudgetInputs(
        error_budget_ratio=0.001,
        remaining_budget_ratio=0.05,
        window_s=30 * 86_400,
        remaining_window_s=15 * 86_400,
        expected_total_rate_per_s=100.0,
    )
    # 0.2% errors on both arms: no regression, but a 2x+ burn with 5% of the budget left.
    metric = CountMetric("errors", 99_800, 100_000, 99_800, 100_000)
    report = judge_canary(CanaryData((metric,)), CanaryConfig(), budget)
    assert report.metrics[0].classification == "pass"
    assert report.budget is not None
    assert report.budget.exhausts_budget
    assert report.verdict == "fail"


def test_headroom_mode_agrees_with_every_high_and_low_of_kayentas_suite_and_never_invents_one() -> None:
    for c in [c for c in CLASSIFIER_CASES if c["classifier"] == "mann_whitney" and c["expected_label"]]:
        alpha = 1 - c["confidence_level"]
        rules = MetricConfig(
            name="m",
            direction=c["direction"],
            nan_strategy=c["nan_strategy"],
            effect_measure=c["effect_measure"],
            allowed_increase=c["allowed_increase"],
            allowed_decrease=c["allowed_decrease"],
        )
        config = {
            "alpha": alpha if c["direction"] == "either" else alpha / 2,
            "min_samples": 1,
            "metrics": (rules,),
        }
        got = _judge(_samples("m", c["baseline"], c["canary"]), **config).metrics[0].classification
        expected = c["expected_label"].lower()
        if expected in ("high", "low"):
            assert got == expected, c["test"]
        else:
            # Where Kayenta passes, headroom passes or, with 2 to 30 points, says it lacks power.
            assert got in ("pass", "inconclusive", "nodata"), c["test"]


def test_own_mann_whitney_p_values_equal_scipys_asymptotic_test() -> None:
    rng = np.random.default_rng(RNG_SEED)
    x, y = np.round(rng.normal(1, 2, 400), 1), np.round(rng.normal(0.8, 2, 350), 1)
    u, greater, less = mann_whitney_p_values(x, y)
    assert u == stats.mannwhitneyu(x, y).statistic
    assert greater == pytest.approx(
        stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic").pvalue
    )
    assert less == pytest.approx(stats.mannwhitneyu(x, y, alternative="less", method="asymptotic").pvalue)


_latencies = st.lists(st.integers(1, 10_000), min_size=12, max_size=60)


@given(_latencies, _latencies)
def test_swapping_baseline_and_canary_mirrors_high_and_low(baseline: list[int], canary: list[int]) -> None:
    either = (MetricConfig(name="m", direction="either"),)
    forward = _judge(_samples("m", baseline, canary), metrics=either, min_samples=1).metrics[0].classification
    backward = (
        _judge(_samples("m", canary, baseline), metrics=either, min_samples=1).metrics[0].classification
    )
    mirror = {"high": "low", "low": "high", "pass": "pass", "inconclusive": "inconclusive"}
    assert backward == mirror[forward]


@given(_latencies, _latencies, st.sampled_from([1e-3, 0.37, 3.0, 1e3, 1e6]))
def test_scaling_both_arms_by_a_positive_constant_keeps_the_classification(
    baseline: list[int], canary: list[int], factor: float
) -> None:
    before = _judge(_samples("m", baseline, canary), min_samples=1).metrics[0]
    scaled = _samples("m", np.array(baseline) * factor, np.array(canary) * factor)
    after = _judge(scaled, min_samples=1).metrics[0]
    assert after.classification == before.classification
    assert after.p_value == before.p_value


def test_kayenta_mode_zeroes_the_score_when_half_the_metrics_have_no_data() -> None:
    rng = np.random.default_rng(RNG_SEED)
    ok = _samples("ok", rng.normal(10, 1, 50), rng.normal(10, 1, 50))
    empty = _samples("empty", [1.0, 2.0], [])
    report = _judge(ok, empty, mode="kayenta")
    assert [m.classification for m in report.metrics] == ["pass", "nodata"]
    assert (report.score, report.verdict) == (0.0, "fail")
    assert any("half or more of the metrics have no data" in r for r in report.reasons)


def test_kayenta_mode_fails_the_run_on_a_critical_metric_without_data() -> None:
    rng = np.random.default_rng(RNG_SEED)
    ok = [_samples(f"ok{i}", rng.normal(10, 1, 50), rng.normal(10, 1, 50)) for i in range(3)]
    empty = _samples("errors", [0.0, 0.1], [])
    report = _judge(*ok, empty, mode="kayenta", metrics=(MetricConfig(name="errors", critical=True),))
    assert (report.score, report.verdict) == (0.0, "fail")
    assert report.reasons[1] == "critical metric errors is nodata: score forced to 0"


def test_kayenta_mode_judges_counts_with_headroom_test_and_says_so() -> None:
    m = _judge(CountMetric("errors", 10_000, 10_000, 970, 1_000), mode="kayenta").metrics[0]
    assert m.classification == "high"
    assert m.reason.startswith("counts are judged by headroom's test in Kayenta mode")


def test_outlier_removal_drops_a_single_spike_before_the_rank_test() -> None:
    rng = np.random.default_rng(RNG_SEED)
    canary = np.append(rng.normal(10, 1, 200), 10_000.0)
    rules = (MetricConfig(name="lat", outlier_strategy="remove"),)
    m = _judge(_samples("lat", rng.normal(10, 1, 200), canary), metrics=rules).metrics[0]
    assert m.samples.canary == 200
