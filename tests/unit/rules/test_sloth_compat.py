"""headroom's rules against Sloth v0.16.0's golden output for its base example.

In Sloth mode the file is Sloth's byte for byte (after the header comment). In headroom's
default mode the differences are exactly the documented additions: ``headroom_*`` and
``tier`` labels, and the event-weighted period group.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from headroom.rules.render import RuleOptions, build_rule_set, render_rule_file
from headroom.spec.profiles import AlertProfile, AlertTier
from tests.unit.rules.sloth_slos import SLOTH, sloth_base_slos

GOLDEN = "v0.0.0-golden"


def _body(text: str) -> str:
    return text[text.index("groups:") :]


def _load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize(
    ("golden", "days", "alerts", "recordings"),
    [
        ("out-30d.yaml", 30, True, True),
        ("out-28d.yaml", 28, True, True),
        ("out-30d-no-alerts.yaml", 30, False, True),
        ("out-30d-no-recordings.yaml", 30, True, False),
    ],
)
def test_sloth_mode_output_is_byte_identical_to_sloths_golden_file(
    golden: str, days: int, alerts: bool, recordings: bool
) -> None:
    options = RuleOptions(sloth_compatible=True, sloth_version=GOLDEN, alerts=alerts, recordings=recordings)
    text = render_rule_file(build_rule_set(sloth_base_slos(days), options))
    assert _body(text) == _body((SLOTH / golden).read_text())


def test_a_custom_7_day_window_catalog_matches_sloths_output_as_a_profile() -> None:
    # Sloth's test catalog windows/7d.yaml (fixture windows-7d.yaml) as a headroom profile
    hour, day = 3600, 86400
    profile = AlertProfile(
        name="sloth-7d",
        tiers=(
            AlertTier(
                name="page-quick", severity="page", budget_percent=8, long_window_s=hour, short_window_s=300
            ),
            AlertTier(
                name="page-slow",
                severity="page",
                budget_percent=12.5,
                long_window_s=6 * hour,
                short_window_s=1800,
            ),
            AlertTier(
                name="ticket-quick",
                severity="ticket",
                budget_percent=20,
                long_window_s=day,
                short_window_s=2 * hour,
            ),
            AlertTier(
                name="ticket-slow",
                severity="ticket",
                budget_percent=42,
                long_window_s=3 * day,
                short_window_s=6 * hour,
            ),
        ),
    )
    options = RuleOptions(
        profile="sloth-7d", profiles={"sloth-7d": profile}, sloth_compatible=True, sloth_version=GOLDEN
    )
    text = render_rule_file(build_rule_set(sloth_base_slos(7), options))
    assert _body(text) == _body((SLOTH / "out-7d.yaml").read_text())
    assert "(1.4000000000000001 * 0.0009999999999999432)" in text


_HEADROOM_LABELS = re.compile(r"^(headroom_.*|tier)$")


def _strip_headroom(doc: Any) -> Any:
    groups = [g for g in doc["groups"] if not g["name"].startswith("headroom-")]
    for group in groups:
        for rule in group["rules"]:
            labels = rule.get("labels", {})
            for key in [k for k in labels if _HEADROOM_LABELS.match(k)]:
                del labels[key]
    return {"groups": groups}


def _summary(doc: Any) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    return [
        (
            group["name"],
            rule.get("record") or rule["alert"],
            " ".join(rule["expr"].split()),
            tuple(sorted(rule.get("labels", {}).items())),
        )
        for group in doc["groups"]
        for rule in group["rules"]
    ]


@pytest.mark.parametrize(("golden", "days"), [("out-30d.yaml", 30), ("out-28d.yaml", 28)])
def test_headroom_mode_differs_from_sloth_only_by_its_own_labels_and_group(golden: str, days: int) -> None:
    text = render_rule_file(build_rule_set(sloth_base_slos(days), RuleOptions(sloth_version=GOLDEN)))
    ours, theirs = _strip_headroom(_load(text)), _load((SLOTH / golden).read_text())
    assert [g["name"] for g in ours["groups"]] == [g["name"] for g in theirs["groups"]]
    assert _summary(ours) == _summary(theirs)
    alerts = [r for g in ours["groups"] for r in g["rules"] if "alert" in r]
    assert [r["annotations"] for r in alerts] == [
        r["annotations"] for g in theirs["groups"] for r in g["rules"] if "alert" in r
    ]


def test_headroom_mode_adds_the_event_weighted_period_group_and_labels() -> None:
    doc = _load(render_rule_file(build_rule_set(sloth_base_slos(), RuleOptions())))
    names = [g["name"] for g in doc["groups"]]
    assert "headroom-slo-period-recordings-svc01-slo1" in names
    period = next(g for g in doc["groups"] if g["name"] == "headroom-slo-period-recordings-svc01-slo1")
    assert [r["record"] for r in period["rules"]] == [
        "headroom:sli_error:ratio_increase30d",
        "headroom:period_burn_rate:ratio",
        "headroom:period_error_budget_remaining:ratio",
    ]
    assert period["rules"][0]["labels"]["headroom_budgeting"] == "occurrences"
    sli = next(g for g in doc["groups"] if g["name"] == "sloth-slo-sli-recordings-svc01-slo1")
    assert sli["rules"][-1]["labels"]["headroom_budgeting"] == "ratio-timeslices"
    alerts = next(g for g in doc["groups"] if g["name"] == "sloth-slo-alerts-svc01-slo1")
    assert [r["labels"]["tier"] for r in alerts["rules"]] == [
        "page-fast,page-slow",
        "ticket-fast,ticket-slow",
    ]


def test_golden_fixtures_are_the_rendered_sloth_files() -> None:
    # guards the fixture copies: rendered (no Go template syntax left) and from Sloth v0.16.0
    for path in sorted(Path(SLOTH).glob("out-*.yaml")):
        text = path.read_text()
        assert "{{ .version }}" not in text
        assert f"Code generated by Sloth ({GOLDEN})" in text
