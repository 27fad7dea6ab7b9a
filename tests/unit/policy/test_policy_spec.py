"""Parsing the policy: block of a headroom spec."""

from __future__ import annotations

from headroom.spec.locations import parse_yaml
from headroom.spec.model import ErrorBudgetPolicy
from headroom.spec.policy_spec import parse_policy


def _parse(text: str):
    (doc,), _ = parse_yaml(text, "slos.yaml")
    return parse_policy(doc.items["policy"], "slos.yaml")


def test_an_empty_policy_is_the_workbook_default() -> None:
    policy, issues = _parse("policy: {}\n")
    assert issues == []
    assert policy is not None
    assert policy.model_dump(exclude={"location"}) == ErrorBudgetPolicy().model_dump(exclude={"location"})
    assert (policy.caution_below_ratio, policy.freeze_exempt) == (0.25, ("fix", "security"))


def test_every_key_is_read_with_percentages_and_durations() -> None:
    policy, issues = _parse(
        """
policy:
  freeze_below: -5%
  caution_below: 0.4
  caution_on_page_alert: false
  change_types: [feature, fix, security, config]
  freeze_exempt: [security]
  caution_exempt: [config]
  exempt_slos: [latency]
  postmortem: {incident_budget: 10%, incident_burn_rate: 2, merge_gap: 30m}
"""
    )
    assert issues == []
    assert policy is not None
    assert policy.freeze_below_ratio == -0.05
    assert policy.caution_below_ratio == 0.4
    assert not policy.caution_on_page_alert
    assert policy.caution_exempt == ("config",)
    assert (policy.postmortem_incident_ratio, policy.incident_burn_rate) == (0.1, 2.0)
    assert policy.incident_merge_gap_minutes == 30
    assert policy.location is not None
    assert policy.location.line == 3  # the block starts on its first key


def test_every_problem_is_reported_with_its_line_and_fix() -> None:
    policy, issues = _parse(
        """
policy:
  caution_below: lots
  freeze_exempt: [hotfix]
  postmortem: {merge_gap: 90s}
  cautoin_on_page_alert: true
"""
    )
    assert policy is None
    text = "\n".join(str(i) for i in issues)
    assert "slos.yaml:3: policy.caution_below: 'lots' is not a percentage or ratio" in text
    assert "slos.yaml:5: policy.postmortem.merge_gap: '90s' is not a whole number of minutes" in text
    assert "did you mean 'caution_on_page_alert'?" in text


def test_an_exemption_outside_the_change_types_is_an_error() -> None:
    policy, issues = _parse("policy: {freeze_exempt: [hotfix]}\n")
    assert policy is None
    assert "hotfix not among change_types (feature, fix, security)" in str(issues[0])


def test_a_freeze_threshold_above_the_caution_threshold_is_an_error() -> None:
    policy, issues = _parse("policy: {freeze_below: 30%}\n")
    assert policy is None
    assert "freeze_below (30%) is above caution_below (25%)" in str(issues[0])


def test_the_headroom_loader_gives_every_slo_of_the_service_its_policy() -> None:
    from headroom.spec.load import parse_spec_texts

    text = """\
service: checkout
policy:
  caution_below: 40%
  exempt_slos: [latency]
slos:
  - name: availability
    objective: 99.9%
    sli: {events: checkout, good: status < 500}
  - name: latency
    objective: 99%
    sli: {events: checkout, good: latency_ms <= 300}
"""
    specset, issues = parse_spec_texts([("checkout.yaml", text)])
    assert specset is not None, issues
    assert [s.policy.caution_below_ratio if s.policy else None for s in specset.slos] == [0.4, 0.4]
    assert specset.slos[0].policy is not None
    assert specset.slos[0].policy.exempt_slos == ("latency",)


def test_a_bad_policy_in_a_spec_is_reported_by_the_loader_with_its_line() -> None:
    from headroom.spec.load import parse_spec_texts

    text = (
        "service: checkout\npolicy: {caution_below: 250%}\n"
        "slos:\n  - {name: a, objective: 99%, sli: {events: e}}\n"
    )
    specset, issues = parse_spec_texts([("checkout.yaml", text)])
    assert specset is None
    assert any("checkout.yaml:2: policy.caution_below: 250% is outside" in str(i) for i in issues)
