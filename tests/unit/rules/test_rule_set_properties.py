"""Invariants of generated rule sets over many objectives, periods and profiles."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from headroom.rules.alerts import AlertRule
from headroom.rules.recording import RecordingRule
from headroom.rules.render import RuleOptions, build_rule_set, render_rule_file, rule_file_data
from headroom.spec.model import AlertingSpec, PrometheusRatioSLI
from headroom.spec.profiles import BUILTIN_PROFILES
from tests.unit.rules.sloth_slos import slo

SLI = PrometheusRatioSLI(error_query="sum(rate(e[{{window}}]))", total_query="sum(rate(t[{{window}}]))")
_THRESHOLD = re.compile(r"> \(([^ ]+) \* ([^ )]+)\)\)")


@settings(max_examples=40)
@given(
    objective=st.decimals(min_value=Decimal("0.9"), max_value=Decimal("0.9999"), places=4),
    days=st.sampled_from([14, 28, 30, 90]),
    profile=st.sampled_from(sorted(BUILTIN_PROFILES)),
    extras=st.booleans(),
)
def test_every_rule_set_is_well_formed(objective: Decimal, days: int, profile: str, extras: bool) -> None:
    s = slo(SLI, objective=str(objective), days=days, alerting=AlertingSpec(name="A", profile=profile))
    rule_set = build_rule_set([s], RuleOptions(sloth_compatible=not extras))
    names = [g.name for g in rule_set.groups]
    assert len(names) == len(set(names)) == (4 if extras else 3)
    records = [r for g in rule_set.groups for r in g.rules if isinstance(r, RecordingRule)]
    alerts = [r for g in rule_set.groups for r in g.rules if isinstance(r, AlertRule)]
    tiers = BUILTIN_PROFILES[profile].tiers
    windows = {w for t in tiers for w in (t.short_window_s, t.long_window_s)}
    assert len(records) == len(windows) + 1 + 7 + (3 if extras else 0)
    for rule in (*records, *alerts):
        assert [k for k, _ in rule.labels] == sorted(k for k, _ in rule.labels)
    # every threshold is factor x Sloth's budget, and the factor is the profile's for this period
    budget = (100 - float(objective * 100)) / 100
    thresholds = [m for a in alerts for m in _THRESHOLD.findall(a.expr)]
    assert len(thresholds) == 2 * len(tiers)
    for factor_text, budget_text in thresholds:
        assert float(budget_text) == budget
        assert float(factor_text) > 0
    doc: Any = YAML(typ="safe", pure=True).load(render_rule_file(rule_set))
    assert doc == rule_file_data(rule_set)


@given(scale=st.integers(min_value=1, max_value=12))
def test_factors_scale_with_the_period(scale: int) -> None:
    week = slo(SLI, days=7 * scale)
    [page, _] = [r for g in build_rule_set([week]).groups for r in g.rules if isinstance(r, AlertRule)]
    factors = [t.factor for t in page.tiers]
    one_week = [14.4 * 7 / 30, 6 * 7 / 30]
    assert factors == [pytest.approx(f * scale, rel=1e-12) for f in one_week]
