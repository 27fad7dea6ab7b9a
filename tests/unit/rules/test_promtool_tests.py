"""The promtool test generator: synthetic series from SLI queries, and the predicted alerts.

That the predictions are right is proven by real promtool in
``tests/integration/test_promtool_rules.py``; here we pin what is generated.
"""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from headroom.rules.promtool_tests import build_rule_tests, render_rule_tests
from headroom.rules.render import RuleOptions
from headroom.spec.model import (
    SLO,
    AlertingSpec,
    EventsSLI,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
)
from tests.unit.rules.sloth_slos import slo, sloth_base_slos


def _tests(slos: list[SLO], **options: Any) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    result = build_rule_tests(slos, "rules.yaml", RuleOptions(**options))
    doc = YAML(typ="safe", pure=True).load(render_rule_tests(result))
    assert doc["rule_files"] == ["rules.yaml"]
    return doc["tests"], result.notes


def _series(case: dict[str, Any]) -> dict[str, str]:
    return {s["series"]: s["values"] for s in case["input_series"]}


def test_sloth_example_gets_the_four_scenarios_with_the_workbook_outcomes() -> None:
    tests, notes = _tests(sloth_base_slos()[:1])
    assert notes == ()
    names = [t["name"] for t in tests]
    assert names == [
        "svc01/slo1: fast burn at 28.8x the budget rate: fires page, ticket",
        "svc01/slo1: spike then recovery: 28.8x for 30m fires page, ticket; at 68m fires ticket",
        "svc01/slo1: slow burn at 2x the budget rate: fires ticket",
        "svc01/slo1: within budget at 0.5x the budget rate: nothing fires",
    ]


def test_errors_and_the_rest_are_split_by_a_label_the_error_query_selects() -> None:
    fast = _tests(sloth_base_slos()[:1])[0][0]
    assert _series(fast) == {
        'http_request_duration_seconds_count{code="500",job="myservice"}': "0+288x61",
        'http_request_duration_seconds_count{job="myservice"}': "0+9712x61",
    }


def test_the_spike_keeps_the_error_counter_flat_after_recovery() -> None:
    spike = _tests(sloth_base_slos()[:1])[0][1]
    assert list(_series(spike).values()) == ["0+288x30 8640+0x38", "0+9712x30 301360+10000x38"]
    assert [a["eval_time"] for a in spike["alert_rule_test"]] == ["30m", "68m"]


def test_expected_alerts_carry_the_series_and_rule_labels_and_rendered_annotations() -> None:
    fast = _tests(sloth_base_slos()[:1])[0][0]
    page = fast["alert_rule_test"][0]["exp_alerts"][0]
    assert page["exp_labels"]["sloth_severity"] == "page"
    assert page["exp_labels"]["sloth_id"] == "svc01-slo1"
    assert page["exp_labels"]["alert03k1"] == "alert03v1"
    assert page["exp_annotations"]["title"] == "(page) svc01 slo1 SLO error budget burn rate is too fast."


def test_values_are_asserted_with_a_tolerance_and_their_leaked_window_label() -> None:
    fast = _tests(sloth_base_slos()[:1])[0][0]
    exprs = {e["expr"].split("{")[0]: e for e in fast["promql_expr_test"]}
    burn = exprs["abs(slo:current_burn_rate:ratio"]
    assert "- 28.80000000000" in burn["expr"]
    assert "< bool" in burn["expr"]
    assert 'sloth_window="5m"' in burn["exp_samples"][0]["labels"]
    assert burn["exp_samples"][0]["value"] == 1


def test_separate_error_and_total_metrics_get_one_series_each() -> None:
    sli = PrometheusRatioSLI(
        error_query="sum(rate(errors_total[{{window}}]))", total_query="sum(rate(requests_total[{{window}}]))"
    )
    fast = _tests([slo(sli)])[0][0]
    assert _series(fast) == {"errors_total": "0+288x61", "requests_total": "0+10000x61"}


def test_good_queries_make_a_good_series_and_a_bad_one() -> None:
    sli = PrometheusRatioSLI(
        good_query='sum(rate(jobs_total{result="ok"}[{{window}}]))',
        total_query="sum(rate(jobs_total[{{window}}]))",
    )
    fast = _tests([slo(sli)])[0][0]
    # the bad series simply lacks the label the good query selects
    assert _series(fast) == {'jobs_total{result="ok"}': "0+9712x61", "jobs_total": "0+288x61"}


def test_regex_and_negative_matchers_get_values_that_match_them() -> None:
    sli = PrometheusRatioSLI(
        error_query='sum(rate(r{code=~"5..|429",env!="dev"}[{{window}}]))',
        total_query='sum(rate(r{env!="dev",code!~"1.."}[{{window}}]))',
    )
    fast = _tests([slo(sli)])[0][0]
    assert _series(fast) == {'r{code="500"}': "0+288x61", "r": "0+9712x61"}


def test_histograms_count_good_events_in_the_threshold_bucket() -> None:
    sli = PrometheusHistogramSLI(metric="d", selector='job="api"', threshold_s=1.0)
    fast = _tests([slo(sli)])[0][0]
    assert _series(fast) == {'d_bucket{job="api",le="1"}': "0+9712x61", 'd_count{job="api"}': "0+10000x61"}


def test_a_raw_query_written_as_one_minus_good_over_total_is_read_that_way() -> None:
    sli = PrometheusRawSLI(
        error_ratio_query='1 - sum(rate(x{ok="1"}[{{window}}])) / sum(rate(x[{{window}}]))'
    )
    fast = _tests([slo(sli)])[0][0]
    assert _series(fast) == {'x{ok="1"}': "0+9712x61", "x": "0+288x61"}


def test_queries_it_cannot_read_are_skipped_with_a_note() -> None:
    sli = PrometheusRawSLI(error_ratio_query="my:recorded:ratio_rate{{window}}")
    tests, notes = _tests([slo(sli)])
    assert tests == []
    assert notes == (
        "svc/s: cannot synthesise input series (a raw query must be errors / total with two "
        "metric{...}[{{window}}] selectors); write its promtool tests by hand",
    )


def test_slos_without_prometheus_rules_get_no_tests_and_no_extra_note() -> None:
    assert _tests([slo(EventsSLI(events="e"))]) == ([], ())


def test_a_tier_that_can_never_fire_is_reported() -> None:
    sli = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
    tests, notes = _tests([slo(sli, objective="0.9")])
    assert any("fastest tier can never fire" in n for n in notes)
    assert [t["name"].split(":")[1].strip() for t in tests] == [
        "slow burn at 2x the budget rate",
        "within budget at 0.5x the budget rate",
    ]


def test_a_shared_alert_name_is_checked_through_alerts_filtered_by_slo() -> None:
    sli = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
    one = slo(sli)
    two = one.model_copy(update={"name": "t"})
    tests, _ = _tests([one, two])
    fast = tests[0]
    assert "alert_rule_test" not in fast
    alerts = [e for e in fast["promql_expr_test"] if e["expr"].startswith("ALERTS")]
    assert alerts[0]["expr"] == 'ALERTS{alertname="A", alertstate="firing", sloth_id="svc-s"}'
    assert len(alerts[0]["exp_samples"]) == 2


def test_templated_user_annotations_are_checked_through_alerts() -> None:
    sli = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
    s = slo(sli, alerting=AlertingSpec(name="A", annotations={"value": "{{ $value }}"}))
    fast = _tests([s])[0][0]
    assert "alert_rule_test" not in fast


def test_sloth_mode_tests_expect_no_headroom_labels() -> None:
    fast = _tests(sloth_base_slos()[:1], sloth_compatible=True)[0][0]
    labels = fast["alert_rule_test"][0]["exp_alerts"][0]["exp_labels"]
    assert not [k for k in labels if k.startswith("headroom") or k == "tier"]
    assert all("headroom" not in e["expr"] for e in fast["promql_expr_test"])


@pytest.mark.parametrize("profile", ["sre-workbook", "four-tier"])
def test_every_profile_gets_all_four_scenarios(profile: str) -> None:
    sli = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
    tests, notes = _tests([slo(sli, alerting=AlertingSpec(name="A", profile=profile))])
    assert notes == ()
    assert [t["name"].split(":")[1].split(" at ")[0].strip() for t in tests] == [
        "fast burn",
        "spike then recovery",
        "slow burn",
        "within budget",
    ]
