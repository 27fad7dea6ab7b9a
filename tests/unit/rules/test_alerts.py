"""Alert rules: factors, OR-ed severities, per-tier alerts, overrides, annotations."""

from __future__ import annotations

from headroom.rules.alerts import alert_rules, effective_tiers
from headroom.spec.model import AlertingSpec, PrometheusRawSLI, TierOverride
from headroom.spec.profiles import BUILTIN_PROFILES
from tests.unit.rules.sloth_slos import slo

RAW = PrometheusRawSLI(error_ratio_query="x[{{window}}]")
WORKBOOK = BUILTIN_PROFILES["sre-workbook"]
FOUR_TIER = BUILTIN_PROFILES["four-tier"]


def test_workbook_factors_over_30_days_are_14_4_6_3_1() -> None:
    assert [t.factor for t in effective_tiers(slo(RAW), WORKBOOK)] == [14.4, 6.0, 3.0, 1.0]


def test_tiers_of_one_severity_are_or_ed_into_one_alert() -> None:
    page, ticket = alert_rules(slo(RAW), WORKBOOK, extras=True)
    assert dict(page.labels)["sloth_severity"] == "page"
    assert page.expr.count("\nor\n") == 1
    assert "(14.4 * 0.0009999999999999432)" in page.expr
    assert "(6 * 0.0009999999999999432)" in page.expr
    assert dict(ticket.labels)["tier"] == "ticket-fast,ticket-slow"
    assert page.for_s == 0


def test_four_tier_profile_makes_one_alert_per_tier_with_its_for() -> None:
    rules = alert_rules(slo(RAW), FOUR_TIER, extras=True)
    assert [(dict(r.labels)["tier"], r.for_s) for r in rules] == [
        ("critical-1h", 120),
        ("critical-6h", 900),
        ("warning-1d", 3600),
        ("warning-4d", 10800),
    ]
    assert all("\nor\n" not in r.expr for r in rules)
    assert [r.tiers[0].factor for r in rules] == [14.0, 7.0, 2.0, 1.0]
    assert "(14 * 0.0009999999999999432)" in rules[0].expr


def test_a_disabled_severity_removes_its_alert_and_a_disabled_tier_only_its_pair() -> None:
    alerting = AlertingSpec(
        name="A", tiers={"ticket": TierOverride(disabled=True), "page-slow": TierOverride(disabled=True)}
    )
    rules = alert_rules(slo(RAW, alerting=alerting), WORKBOOK, extras=True)
    assert len(rules) == 1
    assert dict(rules[0].labels)["tier"] == "page-fast"
    assert "ratio_rate30m" not in rules[0].expr


def test_every_tier_disabled_means_no_alert_rules() -> None:
    alerting = AlertingSpec(
        tiers={"page": TierOverride(disabled=True), "ticket": TierOverride(disabled=True)}
    )
    assert alert_rules(slo(RAW, alerting=alerting), WORKBOOK, extras=True) == ()


def test_a_tier_override_wins_over_its_severitys_override() -> None:
    alerting = AlertingSpec(
        name="A",
        tiers={
            "ticket": TierOverride(severity="warning", labels={"route": "chat"}),
            "ticket-slow": TierOverride(severity="info", labels={"route": "email"}),
        },
    )
    rules = alert_rules(slo(RAW, alerting=alerting), WORKBOOK, extras=True)
    labels = [dict(r.labels) for r in rules]
    assert [(x["sloth_severity"], x["tier"], x.get("route")) for x in labels] == [
        ("page", "page-fast,page-slow", None),
        ("warning", "ticket-fast", "chat"),
        ("info", "ticket-slow", "email"),
    ]
    assert "(warning) {{$labels.sloth_service}}" in dict(rules[1].annotations)["title"]


def test_annotations_default_to_sloths_and_carry_the_runbook() -> None:
    alerting = AlertingSpec(name="A", annotations={"summary": "mine"}, runbook_url="https://r.example/x")
    page = alert_rules(slo(RAW, alerting=alerting), WORKBOOK, extras=False)[0]
    annotations = dict(page.annotations)
    assert annotations["summary"] == "mine"
    assert annotations["runbook_url"] == "https://r.example/x"
    assert (
        annotations["title"]
        == "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."
    )


def test_an_slo_without_an_alert_name_gets_the_default_one() -> None:
    rules = alert_rules(slo(RAW, alerting=AlertingSpec()), WORKBOOK, extras=False)
    assert {r.alert for r in rules} == {"ErrorBudgetBurn"}


def test_sloth_mode_alerts_carry_no_headroom_labels() -> None:
    for rule in alert_rules(slo(RAW), WORKBOOK, extras=False):
        assert set(dict(rule.labels)) == {"sloth_severity"}


def test_alert_windows_are_compared_after_dropping_the_window_label() -> None:
    page = alert_rules(slo(RAW), WORKBOOK, extras=False)[0]
    assert page.expr.count("without (sloth_window)") == 4
    assert (
        'max(slo:sli_error:ratio_rate5m{sloth_id="svc-s", sloth_service="svc", sloth_slo="s"} > ' in page.expr
    )
