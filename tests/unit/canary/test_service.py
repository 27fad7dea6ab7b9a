"""The file use case: config + data files in, one CanaryReport out; config errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.errors import SpecError
from headroom.service.canary import judge_file, load_canary_config, parse_canary_config

FIXTURES = Path(__file__).parents[2] / "fixtures" / "canary"


def test_the_config_file_sets_thresholds_weights_and_metric_rules() -> None:
    config = load_canary_config(FIXTURES / "config.yaml")
    assert (config.pass_score, config.marginal_score) == (90.0, 60.0)
    assert config.group_weights == {"errors": 75.0, "latency": 25.0}
    assert config.metric("http_errors").critical
    assert config.metric("latency_p99_ms").effect_measure == "cles"
    assert config.metric("unlisted").direction == "increase"


def test_a_significant_latency_rise_below_the_allowed_effect_passes() -> None:
    report = judge_file(FIXTURES / "run.csv", FIXTURES / "config.yaml")
    assert [m.classification for m in report.metrics] == ["pass", "pass"]
    assert (report.verdict, report.score) == ("pass", 100.0)
    assert report.metrics[1].p_value is not None
    assert report.metrics[1].p_value < 0.05
    assert "cles 0.5604 is below the allowed increase 0.6" in report.metrics[1].reason


def test_the_mode_argument_overrides_the_config() -> None:
    report = judge_file(FIXTURES / "run.csv", FIXTURES / "config.yaml", mode="kayenta")
    assert report.metrics[1].p_value is None  # Kayenta reports an interval, not a p-value
    assert report.metrics[1].reason.startswith("Kayenta Pass")


def test_a_bad_value_in_the_config_is_reported_with_its_line_and_field() -> None:
    text = "mode: headroom\nmetrics:\n  - name: lat\n    direction: upward\n"
    with pytest.raises(SpecError) as caught:
        parse_canary_config(text, "canary.yaml")
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.field) == ("canary.yaml", 4, "metrics.0.direction")
    assert "'upward'" in issue.message


def test_metrics_may_be_written_as_a_mapping_of_names() -> None:
    config = parse_canary_config("metrics:\n  lat: {direction: either}\n", "c.yaml")
    assert config.metric("lat").direction == "either"


def test_marginal_above_pass_is_refused() -> None:
    with pytest.raises(SpecError, match=r"marginal 90\.0 is above pass 80\.0"):
        parse_canary_config("pass: 80\nmarginal: 90\n", "c.yaml")
