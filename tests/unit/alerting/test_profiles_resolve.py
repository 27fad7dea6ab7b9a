"""Resolving an SLO's alert profile into tiers, and the validation warnings."""

from __future__ import annotations

import pytest

from headroom.alerting.profiles_resolve import nominal_period_s, resolve_tiers, validate_alerting
from headroom.spec.model import CalendarWindow, TierOverride
from headroom.spec.profiles import AlertProfile, AlertTier
from tests.unit.alerting.helpers import DAY_S, slo


def test_workbook_factors_over_30_days_are_14_4_6_3_1() -> None:
    tiers = resolve_tiers(slo(days=30))
    assert [t.factor for t in tiers if t.kind == "burn_rate"] == [14.4, 6.0, 3.0, 1.0]


def test_workbook_factors_are_recomputed_for_28_days() -> None:
    factors = [t.factor for t in resolve_tiers(slo(days=28)) if t.kind == "burn_rate"]
    assert factors[0] == 13.44
    assert factors[1:] == pytest.approx([5.6, 2.8, 0.9333333333333333], rel=1e-15)


def test_threshold_is_factor_times_error_budget() -> None:
    page = resolve_tiers(slo(objective="0.999"))[0]
    assert page.threshold == 14.4 * 0.001
    assert (page.long_window_s, page.short_window_s) == (3600, 300)


def test_four_tier_profile_has_factors_14_7_2_1_and_for_durations() -> None:
    tiers = [t for t in resolve_tiers(slo(profile="four-tier")) if t.kind == "burn_rate"]
    assert [t.factor for t in tiers] == pytest.approx([14, 7, 2, 1], rel=1e-12)
    assert [t.for_s for t in tiers] == [120, 900, 3600, 10800]


def test_every_tier_carries_tier_severity_service_and_slo_labels() -> None:
    tiers = resolve_tiers(slo(labels={"team": "payments"}))
    page = tiers[0]
    assert page.labels == {
        "service": "checkout",
        "severity": "page",
        "slo": "availability",
        "team": "payments",
        "tier": "page-fast",
    }


def test_a_severity_override_disables_every_tier_of_that_severity() -> None:
    tiers = resolve_tiers(slo(tiers={"ticket": TierOverride(disabled=True)}))
    assert [t.name for t in tiers] == ["page-fast", "page-slow"]


def test_a_tier_name_override_wins_over_a_severity_override() -> None:
    tiers = resolve_tiers(
        slo(
            tiers={
                "page": TierOverride(severity="critical"),
                "page-slow": TierOverride(severity="warning", labels={"route": "slack"}),
            }
        )
    )
    by_name = {t.name: t for t in tiers}
    assert by_name["page-fast"].severity == "critical"
    assert by_name["page-slow"].severity == "warning"
    assert by_name["page-slow"].labels["severity"] == "warning"
    assert by_name["page-slow"].labels["route"] == "slack"


def test_exhaustion_tier_exists_only_with_a_horizon_and_exhausted_tier_by_default() -> None:
    assert [t.name for t in resolve_tiers(slo())][-1] == "exhausted"
    with_horizon = resolve_tiers(slo(horizon_s=3 * DAY_S))
    assert [t.kind for t in with_horizon][-2:] == ["exhaustion", "exhausted"]
    assert with_horizon[-2].horizon_s == 3 * DAY_S


def test_runbook_url_becomes_an_annotation() -> None:
    assert resolve_tiers(slo(runbook_url="https://runbooks/x"))[0].annotations == {
        "runbook_url": "https://runbooks/x"
    }


def test_calendar_month_alerts_on_a_nominal_30_days() -> None:
    assert nominal_period_s(CalendarWindow(unit="month")) == 30 * DAY_S
    assert resolve_tiers(slo(calendar="month"))[0].factor == 14.4


def test_unknown_profile_is_a_spec_error_naming_the_choices() -> None:
    issues = validate_alerting([slo(profile="nope")])
    assert len(issues) == 1
    assert issues[0].severity == "error"
    assert "'nope'" in issues[0].message
    assert "sre-workbook" in issues[0].fix


def test_a_pair_that_can_never_fire_at_90_percent_is_warned() -> None:
    issues = validate_alerting([slo(objective="0.9")])
    assert [i.field for i in issues] == ["checkout/availability.alerting.page-fast"]
    assert issues[0].severity == "warning"
    assert "can never fire" in issues[0].message
    assert "1.44" in issues[0].message


def test_a_disabled_pair_is_not_warned() -> None:
    assert validate_alerting([slo(objective="0.9", tiers={"page-fast": TierOverride(disabled=True)})]) == []


def test_a_short_window_far_from_one_twelfth_is_warned() -> None:
    odd = AlertProfile(
        name="odd",
        tiers=(
            AlertTier(name="p", severity="page", budget_percent=2, long_window_s=3600, short_window_s=1800),
        ),
    )
    issues = validate_alerting([slo(profile="odd")], {"odd": odd})
    assert len(issues) == 1
    assert "not about 1/12" in issues[0].message
    assert "5m" in issues[0].fix


def test_builtin_profiles_raise_no_warning_at_99_9() -> None:
    assert validate_alerting([slo(), slo(profile="four-tier")]) == []


def test_an_override_key_that_matches_nothing_is_an_error() -> None:
    issues = validate_alerting([slo(tiers={"pgae": TierOverride(disabled=True)})])
    assert [i.severity for i in issues] == ["error"]
    assert "pgae" in issues[0].message


def test_a_name_override_can_re_enable_a_tier_its_severity_disabled() -> None:
    tiers = resolve_tiers(
        slo(tiers={"ticket": TierOverride(disabled=True), "exhausted": TierOverride(disabled=False)})
    )
    assert [t.name for t in tiers] == ["page-fast", "page-slow", "exhausted"]
