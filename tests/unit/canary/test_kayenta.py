"""Kayenta mode agrees with every label Kayenta's own ClassifierSuite and ScorerSuite assert."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from headroom.canary.config import CanaryConfig, MetricConfig
from headroom.canary.judge import judge_canary
from headroom.canary.kayenta import (
    ScoredMetric,
    classify_metric,
    handle_nans,
    mean_inequality_label,
    remove_outliers_iqr,
    score_label,
    weighted_sum_score,
)
from headroom.canary.model import CanaryData, SampleMetric
from tests.unit.canary.fixtures import CLASSIFIER_CASES, ISSUE_CASES, MANN_WHITNEY_CASES, case


def _classify(c: dict[str, Any]) -> tuple[str, bool]:
    if c["classifier"] == "mean_inequality":
        return mean_inequality_label(c["canary"], c["baseline"], c["direction"]), False
    out = classify_metric(
        c["canary"],
        c["baseline"],
        direction=c["direction"],
        nan_strategy=c["nan_strategy"],
        critical=c["critical"],
        effect_measure=c["effect_measure"],
        allowed_increase=c["allowed_increase"],
        allowed_decrease=c["allowed_decrease"],
        critical_increase=c["critical_increase"],
        critical_decrease=c["critical_decrease"],
        tolerance=c["tolerance"],
        confidence_level=c["confidence_level"],
    )
    return out.label, out.critical


@pytest.mark.parametrize(
    "c", [c for c in CLASSIFIER_CASES if c["expected_label"] is not None], ids=lambda c: c["test"]
)
def test_every_label_kayentas_classifier_suite_asserts_is_reproduced(c: dict[str, Any]) -> None:
    label, critical = _classify(c)
    assert label == c["expected_label"]
    if c["expected_critical"] is not None:
        assert critical == c["expected_critical"]


def test_the_suite_has_33_labelled_mann_whitney_cases_and_36_asserted_labels() -> None:
    assert sum(c["expected_label"] is not None for c in MANN_WHITNEY_CASES) == 33
    assert sum(c["expected_label"] is not None for c in CLASSIFIER_CASES) == 36


def test_no_data_on_both_sides_of_a_critical_metric_is_critical_nodata() -> None:
    label, critical = _classify(case(CLASSIFIER_CASES, "test", "Mann-Whitney Missing Data: Reason String"))
    assert (label, critical) == ("Nodata", True)


@pytest.mark.parametrize("c", ISSUE_CASES, ids=lambda c: c["id"])
def test_issue_reported_cases_get_the_label_kayentas_compiled_judge_gives(c: dict[str, Any]) -> None:
    out = classify_metric(
        c["canary"],
        c["baseline"],
        direction=c["direction"],
        allowed_increase=c["allowed_increase"],
        allowed_decrease=c["allowed_decrease"],
        tolerance=c["tolerance"],
        confidence_level=c["confidence_level"],
    )
    assert out.label == c["kayenta_label"]


def test_the_zero_baseline_of_spinnaker_5622_passes_because_the_lower_bound_clamps_to_zero() -> None:
    c = case(ISSUE_CASES, "id", "spinnaker-5622")
    out = classify_metric(c["canary"], c["baseline"], direction="increase")
    assert out.label == "Pass"
    assert out.interval is not None
    assert out.interval.low == 0.0  # min(canary) - max(baseline)


def test_kayenta_labels_depend_on_units_because_the_root_tolerance_is_absolute() -> None:
    c = case(CLASSIFIER_CASES, "test", "Mann-Whitney Classifier Test - CLES Effect Size: Pass")
    x, y = np.array(c["canary"]), np.array(c["baseline"])
    # Production settings (tolerance 0.25, confidence 0.98, meanRatio 1.0), research §2.4.
    assert classify_metric(x, y).label == "High"
    assert classify_metric(x * 10, y * 10).label == "Pass"


def test_nan_remove_drops_and_replace_zeroes() -> None:
    values = [1.0, float("nan"), 3.0]
    assert handle_nans(values, "remove").tolist() == [1.0, 3.0]
    assert handle_nans(values, "replace").tolist() == [1.0, 0.0, 3.0]


def test_the_iqr_detector_drops_a_far_point_and_keeps_the_rest() -> None:
    values = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 1000.0])
    # Q1 = 12.25, Q3 = 16.75, fences 12.25 - 13.5 and 16.75 + 13.5 = 30.25 vs P99 = 912.18.
    kept = remove_outliers_iqr(values, 3.0)
    assert kept.tolist() == values[:-1].tolist()


def test_outlier_removal_keeps_a_tail_within_the_p99_fence() -> None:
    values = np.array([1.0] * 20 + [2.0])
    # IQR = 0, so the P1/P99 clause (reduceSensitivity) sets the fences: P99 = 1.8 < 2.0.
    assert remove_outliers_iqr(values, 3.0).tolist() == [1.0] * 20


def _scored(*items: tuple[str, str, bool]) -> list[ScoredMetric]:
    return [ScoredMetric(group, label, critical) for group, label, critical in items]  # type: ignore[arg-type]


def test_scorer_suite_one_pass_one_high_scores_50() -> None:
    assert weighted_sum_score(_scored(("g", "Pass", False), ("g", "High", False)), {}) == 50.0


def test_scorer_suite_pass_high_low_scores_33_33() -> None:
    results = _scored(("g", "Pass", False), ("g", "High", False), ("g", "Low", False))
    assert weighted_sum_score(results, {}) == 33.33


def test_scorer_suite_weights_75_25_with_the_light_group_failing_score_75() -> None:
    results = _scored(("g1", "Pass", False), ("g2", "High", False))
    assert weighted_sum_score(results, {"g1": 75, "g2": 25}) == 75.0


def test_scorer_suite_weights_15_85_with_a_third_passing_score_5() -> None:
    results = _scored(
        ("g1", "Pass", False), ("g1", "High", False), ("g1", "Low", False), ("g2", "High", False)
    )
    assert weighted_sum_score(results, {"g1": 15, "g2": 85}) == 5.0


def test_scorer_suite_a_critical_high_forces_zero() -> None:
    assert weighted_sum_score(_scored(("g", "Pass", False), ("g", "High", True)), {}) == 0.0


def test_scorer_suite_a_nodata_group_next_to_a_passing_group_scores_100() -> None:
    results = _scored(("g1", "Nodata", False), ("g2", "Pass", False), ("g2", "Pass", False))
    assert weighted_sum_score(results, {}) == 100.0


def test_nodata_on_half_of_the_metrics_forces_zero() -> None:
    assert weighted_sum_score(_scored(("g1", "Nodata", False), ("g2", "Pass", False)), {}) == 0.0


def test_a_nodata_fail_metric_counts_against_its_group() -> None:
    results = _scored(("g", "Pass", False), ("g", "NodataFailMetric", False), ("g", "Pass", False))
    assert weighted_sum_score(results, {}) == 66.67


def test_unweighted_groups_share_what_the_weights_leave() -> None:
    results = _scored(("a", "Pass", False), ("b", "High", False), ("c", "Pass", False))
    # a = 50 configured; b and c share the other 50: 100*0.5 + 0*0.25 + 100*0.25 = 75.
    assert weighted_sum_score(results, {"a": 50}) == 75.0


@pytest.mark.parametrize(
    ("score", "label"), [(95.0, "pass"), (94.99, "marginal"), (75.0, "marginal"), (74.9, "fail")]
)
def test_threshold_classifier_uses_greater_or_equal(score: float, label: str) -> None:
    assert score_label(score, 95.0, 75.0) == label


@pytest.mark.parametrize(
    "c", [c for c in MANN_WHITNEY_CASES if c["expected_label"] is not None], ids=lambda c: c["test"]
)
def test_the_judge_in_kayenta_mode_reports_every_asserted_label(c: dict[str, Any]) -> None:
    rules = MetricConfig(
        name="m",
        direction=c["direction"],
        nan_strategy=c["nan_strategy"],
        critical=c["critical"],
        effect_measure=c["effect_measure"],
        allowed_increase=c["allowed_increase"],
        allowed_decrease=c["allowed_decrease"],
        critical_increase=c["critical_increase"],
        critical_decrease=c["critical_decrease"],
    )
    config = CanaryConfig(
        mode="kayenta", tolerance=c["tolerance"], confidence_level=c["confidence_level"], metrics=(rules,)
    )
    metric = SampleMetric("m", np.array(c["baseline"], dtype=float), np.array(c["canary"], dtype=float))
    report = judge_canary(CanaryData((metric,)), config)
    assert report.metrics[0].classification == c["expected_label"].lower()
    if c["expected_critical"]:
        assert report.score == 0.0
        assert report.verdict == "fail"
