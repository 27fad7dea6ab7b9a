"""Recording rules: SLI shapes per SLI kind, windows, labels, metadata numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from headroom.rules.recording import SlothNumbers, base_labels, meta_rules, period_rules, sli_expr, sli_rules
from headroom.spec.model import PrometheusHistogramSLI, PrometheusRatioSLI, PrometheusRawSLI
from headroom.spec.profiles import BUILTIN_PROFILES
from tests.unit.rules.sloth_slos import slo

WORKBOOK = tuple(
    w for t in BUILTIN_PROFILES["sre-workbook"].tiers for w in (t.short_window_s, t.long_window_s)
)
FOUR_TIER = tuple(w for t in BUILTIN_PROFILES["four-tier"].tiers for w in (t.short_window_s, t.long_window_s))


def test_sli_rules_cover_every_workbook_window_then_the_period() -> None:
    rules = sli_rules(slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]")), WORKBOOK, extras=False)
    assert [r.record for r in rules] == [
        f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
    ]
    assert [dict(r.labels)["sloth_window"] for r in rules][-1] == "30d"


def test_four_tier_profile_records_the_four_day_window() -> None:
    rules = sli_rules(slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]")), FOUR_TIER, extras=False)
    assert [r.record.removeprefix("slo:sli_error:ratio_rate") for r in rules] == [
        "5m",
        "30m",
        "1h",
        "2h",
        "6h",
        "1d",
        "4d",
        "30d",
    ]


def test_a_28_day_period_is_written_as_four_weeks() -> None:
    rules = sli_rules(
        slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]"), days=28), WORKBOOK, extras=False
    )
    assert rules[-1].record == "slo:sli_error:ratio_rate4w"
    assert "[4w]" in rules[-1].expr


def test_good_query_sli_is_one_minus_good_over_total_in_sloths_openslo_layout() -> None:
    sli = PrometheusRatioSLI(good_query="good[{{window}}]", total_query="all[{{window}}]")
    assert sli_expr(slo(sli), "5m") == (
        "(\n  1 - (\n    (\n      good[5m]\n    )\n    /\n    (\n      all[5m]\n    )\n  )\n)"
    )


def test_histogram_sli_is_one_minus_the_fast_fraction() -> None:
    sli = PrometheusHistogramSLI(
        metric="http_request_duration_seconds", selector='job="api"', threshold_s=0.3
    )
    assert sli_expr(slo(sli), "1h") == (
        "1 - (\n"
        '  sum(rate(http_request_duration_seconds_bucket{job="api",le=~"0\\\\.3|0\\\\.30"}[1h]))\n'
        "  /\n"
        '  sum(rate(http_request_duration_seconds_count{job="api"}[1h]))\n'
        ")"
    )


def test_histogram_period_rule_counts_events_with_increase_and_matches_both_le_spellings() -> None:
    sli = PrometheusHistogramSLI(metric="d", threshold_s=1.0)
    text = sli_expr(slo(sli), "30d", event_function="increase")
    assert 'sum(increase(d_bucket{le=~"1|1\\\\.0"}[30d]))' in text
    assert "sum(increase(d_count[30d]))" in text


def test_spec_labels_cannot_override_sloths_identity_labels() -> None:
    s = slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]")).model_copy(
        update={"labels": {"sloth_id": "forged", "team": "a"}}
    )
    labels = dict(base_labels(s, extras=True))
    assert labels == {
        "headroom_slo": "svc/s",
        "sloth_id": "svc-s",
        "sloth_service": "svc",
        "sloth_slo": "s",
        "team": "a",
    }
    assert list(labels) == sorted(labels)


def test_metadata_rules_print_sloths_numbers() -> None:
    rules = {
        r.record: r
        for r in meta_rules(
            slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]"), objective="0.999"),
            WORKBOOK,
            extras=False,
            sloth_mode="cli-gen-prom",
            sloth_spec="prometheus/v1",
            sloth_version="v",
        )
    }
    assert rules["slo:objective:ratio"].expr == "vector(0.9990000000000001)"
    assert rules["slo:error_budget:ratio"].expr == "vector(1-0.9990000000000001)"
    assert rules["slo:time_period:days"].expr == "vector(30)"
    assert dict(rules["sloth_slo_info"].labels)["sloth_objective"] == "99.9"
    assert "slo:sli_error:ratio_rate5m{" in rules["slo:current_burn_rate:ratio"].expr
    assert "slo:sli_error:ratio_rate30d{" in rules["slo:period_burn_rate:ratio"].expr


def test_sloths_error_budget_keeps_its_float_artifact_while_the_model_stays_exact() -> None:
    numbers = SlothNumbers.of(Decimal("0.999"))
    assert repr(numbers.error_budget_ratio) == "0.0009999999999999432"
    assert slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]")).error_budget_ratio == 0.001


@given(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("0.99999"), places=5))
def test_sloths_error_budget_is_within_a_few_ulps_of_the_exact_one(objective: Decimal) -> None:
    numbers = SlothNumbers.of(objective)
    exact = float(1 - objective)
    assert abs(numbers.error_budget_ratio - exact) <= 1e-12 * max(exact, 1e-9) + 1e-15
    assert float(numbers.objective_label) == float(objective * 100)


def test_event_weighted_period_rules_use_the_whole_period_and_are_labelled_occurrences() -> None:
    sli = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
    increase, burn, remaining = period_rules(slo(sli))
    assert increase.record == "headroom:sli_error:ratio_increase30d"
    assert increase.expr == "(sum(rate(e[30d])))\n/\n(sum(rate(t[30d])))\n"
    assert dict(increase.labels)["headroom_budgeting"] == "occurrences"
    assert "sloth_window" not in dict(increase.labels)
    assert burn.expr.startswith("headroom:sli_error:ratio_increase30d{")
    assert remaining.expr.startswith("1 - headroom:period_burn_rate:ratio{")
