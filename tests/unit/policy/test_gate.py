"""The release gate on worked examples of the Workbook's error-budget policy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.errors import UsageError
from headroom.service.gate import evaluate_gate
from headroom.spec.model import ErrorBudgetPolicy
from tests.unit.policy.scenarios import AT, WINDOW_MINUTES, old_spend, slo, source_with


def _gate(bad: np.ndarray, change_type: str = "feature", *, approved: bool = False, policy=None):
    return evaluate_gate(
        [slo(policy=policy)],
        source_with(bad),
        AT,
        service="checkout",
        change_type=change_type,
        approved=approved,
    )


def test_an_overspent_budget_freezes_and_blocks_a_feature() -> None:
    decision = _gate(old_spend(1.05))
    assert decision.slos[0].remaining_ratio == pytest.approx(-0.05)
    assert decision.decision == "freeze"
    assert not decision.allowed
    assert "error budget exhausted: -5.0% left over 30d" in decision.reasons[1]


def test_a_security_fix_ships_during_a_freeze() -> None:
    decision = _gate(old_spend(1.05), "security")
    assert (decision.decision, decision.allowed) == ("freeze", True)


def test_a_reliability_fix_ships_during_a_freeze() -> None:
    assert _gate(old_spend(1.05), "fix").allowed


def test_twenty_percent_left_is_caution_and_passes_only_when_approved() -> None:
    unapproved = _gate(old_spend(0.80))
    approved = _gate(old_spend(0.80), approved=True)
    assert unapproved.slos[0].remaining_ratio == pytest.approx(0.20)
    assert (unapproved.decision, unapproved.allowed) == ("caution", False)
    assert (approved.decision, approved.allowed) == ("caution", True)
    assert "20.0% of the error budget left over 30d (caution below 25.0%)" in unapproved.reasons[1]


def test_a_firing_page_alert_means_caution_even_with_most_of_the_budget_left() -> None:
    bad = np.zeros(WINDOW_MINUTES)
    bad[-60:] = 20.0  # 2 % errors for the last hour: burn rate 20 > 14.4 over 1 h and 5 m
    decision = _gate(bad)
    assert decision.slos[0].remaining_ratio == pytest.approx(1 - 1200 / 43_200)
    assert decision.decision == "caution"
    assert decision.slos[0].firing_alerts == ["page-fast"]
    assert any("page-level burn alert firing: page-fast (page)" in r for r in decision.reasons)


def test_a_healthy_budget_is_go() -> None:
    decision = _gate(np.full(WINDOW_MINUTES, 0.1))
    assert decision.slos[0].remaining_ratio == pytest.approx(0.9)
    assert (decision.decision, decision.allowed) == ("go", True)
    assert decision.slos[0].recovery == []


def test_policy_thresholds_come_from_the_spec() -> None:
    strict = ErrorBudgetPolicy(caution_below_ratio=0.95)
    assert _gate(np.full(WINDOW_MINUTES, 0.1), policy=strict).decision == "caution"


def test_an_exempt_slo_is_reported_but_does_not_gate() -> None:
    decision = _gate(old_spend(1.05), policy=ErrorBudgetPolicy(exempt_slos=("availability",)))
    assert decision.decision == "go"
    assert decision.slos[0].decision == "freeze"
    assert not decision.slos[0].gating


def test_a_frozen_slo_says_when_the_budget_recovers() -> None:
    decision = _gate(old_spend(1.05))
    recovery = {(r.target_ratio, r.assumption): r for r in decision.slos[0].recovery}
    freeze_exit = recovery[(0.0, "no_new_errors")]
    # The overspend sits in window minutes 1000..1999, 45.36 bad a minute; back to >= 0 once
    # 2,160 of them (48 minutes) have left: at minute 1048 of the window from now.
    assert freeze_exit.recovers_in_s == pytest.approx(1048 * 60)
    assert any("back to 0.0% left at" in r for r in decision.reasons)


def test_an_unknown_service_is_a_usage_error_naming_the_services() -> None:
    with pytest.raises(UsageError, match="services there: checkout"):
        evaluate_gate([slo()], source_with(np.zeros(WINDOW_MINUTES)), AT, service="payments")


def test_an_unknown_change_type_is_a_usage_error_listing_the_types() -> None:
    with pytest.raises(UsageError, match="feature, fix, security"):
        _gate(np.zeros(WINDOW_MINUTES), "hotfix")


def test_the_pure_page_check_agrees_with_the_alerting_engine_on_a_fast_burn() -> None:
    from headroom.policy.gate import page_alerts_from_status
    from headroom.service.status import evaluate_status

    bad = np.zeros(WINDOW_MINUTES)
    bad[-60:] = 20.0
    (status,) = evaluate_status([slo()], source_with(bad), AT)
    firing = page_alerts_from_status(slo(), status, ErrorBudgetPolicy(), period_s=WINDOW_MINUTES * 60)
    assert [a.name for a in firing] == ["page-fast"]
    assert _gate(bad).slos[0].firing_alerts == ["page-fast"]


def test_the_budget_check_of_a_rollout_reports_a_freeze_as_exhausted() -> None:
    from headroom.service.rollout import gate_budget_check

    frozen = gate_budget_check([slo()], source_with(old_spend(1.05)), "checkout")(AT)
    healthy = gate_budget_check([slo()], source_with(np.full(WINDOW_MINUTES, 0.1)), "checkout")(AT)
    assert frozen.exhausted
    assert "error budget exhausted" in frozen.reason
    assert not healthy.exhausted
    assert healthy.inputs is not None
    assert healthy.inputs.remaining_budget_ratio == pytest.approx(0.9)
    assert healthy.inputs.expected_total_rate_per_s == pytest.approx(1000 / 60)


def test_a_security_fix_may_roll_out_during_a_freeze_without_being_rolled_back() -> None:
    from headroom.service.rollout import gate_budget_check

    check = gate_budget_check([slo()], source_with(old_spend(1.05)), "checkout", change_type="security")
    verdict = check(AT)
    assert verdict.allowed
    assert not verdict.exhausted


@given(st.floats(-2.0, 1.0), st.floats(-2.0, 1.0), st.booleans())
def test_less_budget_left_never_gives_a_better_decision(a: float, b: float, paging: bool) -> None:
    from headroom.policy.gate import slo_decision
    from headroom.policy.model import DECISION_ORDER, FiringAlert
    from headroom.service.status import evaluate_status

    (base,) = evaluate_status([slo()], source_with(np.zeros(WINDOW_MINUTES)), AT)
    alerts = (
        [FiringAlert(slo_id="checkout/availability", name="page-fast", severity="page")] if paging else []
    )
    policy = ErrorBudgetPolicy()

    def rank(ratio: float) -> int:
        status = base.model_copy(update={"budget": base.budget.model_copy(update={"remaining_ratio": ratio})})
        return DECISION_ORDER[slo_decision(status, alerts, policy)[0]]

    low, high = sorted((a, b))
    assert rank(low) >= rank(high)
    assert rank(high) >= (1 if paging else 0)
