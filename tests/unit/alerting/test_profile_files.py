"""Custom alert profiles from YAML, and the errors they can hold (with lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.alerting.profile_files import load_profile_files, parse_profile_text
from headroom.alerting.profiles_resolve import resolve_tiers, validate_alerting
from headroom.errors import SpecError
from tests.unit.alerting.helpers import slo

FIXTURES = Path(__file__).parents[2] / "fixtures" / "alerting"


def test_the_example_file_loads_next_to_the_builtin_profiles() -> None:
    profiles = load_profile_files([FIXTURES / "profiles.yaml"])
    assert {"sre-workbook", "four-tier", "payments-strict", "pyrra-like"} <= set(profiles)
    strict = profiles["payments-strict"]
    assert [t.long_window_s for t in strict.tiers] == [3600, 21600, 43200, 259200]


def test_factors_stated_for_28_days_are_14_7_2_1_on_a_28_day_slo() -> None:
    profiles = load_profile_files([FIXTURES / "profiles.yaml"])
    tiers = resolve_tiers(slo(days=28, profile="pyrra-like"), profiles)
    assert [t.factor for t in tiers if t.kind == "burn_rate"] == pytest.approx([14, 7, 2, 1], rel=1e-12)
    assert [t.for_s for t in tiers if t.kind == "burn_rate"] == [120, 900, 3600, 10800]


def test_a_custom_profile_validates_against_an_slo() -> None:
    profiles = load_profile_files([FIXTURES / "profiles.yaml"])
    assert validate_alerting([slo(profile="payments-strict")], profiles) == []


def test_every_error_in_a_profile_file_is_reported_with_its_line() -> None:
    with pytest.raises(SpecError) as info:
        load_profile_files([FIXTURES / "bad-profiles.yaml"])
    found = {(i.line, i.field) for i in info.value.issues}
    assert (4, "alert_profiles[0].tiers[0].short_window") in found
    assert (5, "alert_profiles[0].tiers[1].factor") in found
    assert (6, "alert_profiles[0].tiers[2].short_window") in found
    assert (7, "alert_profiles[0].tiers[3].budget_pct") in found


def test_a_builtin_name_cannot_be_redefined() -> None:
    text = (
        "alert_profiles:\n  - name: sre-workbook\n    tiers:\n"
        "      - {name: a, severity: page, budget_percent: 2, long_window: 1h, short_window: 5m}\n"
    )
    profiles, issues = parse_profile_text(text, "p.yaml")
    assert profiles == {}
    assert [(i.line, i.message) for i in issues] == [(2, "'sre-workbook' is a built-in profile")]
