"""The rollout state machine, driven by verdicts directly (no judge, no webhooks, no clock)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.canary.rollout_machine import (
    TERMINAL_PHASES,
    Abort,
    Analyse,
    Check,
    Checked,
    Pause,
    Promote,
    Promoted,
    Resume,
    RollBack,
    RolledBack,
    RolloutPlan,
    RolloutState,
    SetWeight,
    Start,
    Transition,
    WebhookFailed,
    WeightSet,
    advance,
)

PLAN = RolloutPlan(steps=(5, 25, 50, 100), interval_s=300, warmup_s=60, threshold=2, max_extensions=1)


def drive(plan: RolloutPlan, checks: list[Check]) -> tuple[RolloutState, list[object]]:
    """Feed each Analyse the next check, acknowledge every webhook; stop at a pause or the end."""
    pending = list(checks)
    t = advance(plan, RolloutState(), Start())
    actions: list[object] = []
    while t.action is not None:
        actions.append(t.action)
        if isinstance(t.action, Pause):
            break
        if isinstance(t.action, SetWeight):
            t = advance(plan, t.state, WeightSet())
        elif isinstance(t.action, Analyse):
            if not pending:
                break
            t = advance(plan, t.state, Checked(check=pending.pop(0)))
        elif isinstance(t.action, Promote):
            t = advance(plan, t.state, Promoted())
        elif isinstance(t.action, RollBack):
            t = advance(plan, t.state, RolledBack())
    return t.state, actions


def ok() -> Check:
    return Check(verdict="pass")


def test_four_passing_steps_set_each_weight_then_promote() -> None:
    state, actions = drive(PLAN, [ok()] * 4)
    assert state.phase == "succeeded"
    assert [a.weight for a in actions if isinstance(a, SetWeight)] == [5, 25, 50, 100]
    assert isinstance(actions[-1], Promote)
    assert not any(isinstance(a, RollBack) for a in actions)


def test_each_step_waits_the_warm_up_plus_the_interval_before_judging() -> None:
    _, actions = drive(PLAN, [ok()])
    first = next(a for a in actions if isinstance(a, Analyse))
    assert (first.weight, first.wait_s) == (5, 360)


def test_failed_checks_accumulate_across_steps_and_roll_back_at_the_threshold() -> None:
    checks = [ok(), Check(verdict="fail"), ok(), Check(verdict="fail")]
    state, actions = drive(PLAN, checks)
    assert state.phase == "rolled_back"
    assert state.failed_checks == 2
    assert "2 failed check(s) reached the threshold of 2" in state.reason
    assert [a.weight for a in actions if isinstance(a, SetWeight)] == [5, 25, 50]
    assert not any(isinstance(a, Promote) for a in actions)


def test_a_failed_check_below_the_threshold_analyses_again_at_the_same_weight() -> None:
    t = advance(PLAN, RolloutState(), Start())
    t = advance(PLAN, t.state, WeightSet())
    t = advance(PLAN, t.state, Checked(check=Check(verdict="fail")))
    assert t.action == Analyse(weight=5, step_index=0, wait_s=300)
    assert t.state.failed_checks == 1


def test_inconclusive_extends_the_step_then_pauses_and_never_promotes() -> None:
    state, actions = drive(PLAN, [ok(), Check(verdict="inconclusive"), Check(verdict="inconclusive"), ok()])
    assert state.phase == "paused"
    assert state.weight == 25
    assert isinstance(actions[-1], Pause)
    assert not any(isinstance(a, Promote) for a in actions)
    extended = [a for a in actions if isinstance(a, Analyse) and a.weight == 25]
    assert [a.wait_s for a in extended] == [360, 300]


def test_a_resumed_rollout_analyses_the_same_step_again() -> None:
    state, _ = drive(PLAN, [Check(verdict="inconclusive")] * 2)
    t = advance(PLAN, state, Resume())
    assert t.action == Analyse(weight=5, step_index=0, wait_s=300)
    assert t.state.extensions == 0


def test_a_marginal_verdict_extends_by_default_and_fails_when_the_plan_says_so() -> None:
    strict = PLAN.model_copy(update={"marginal": "fail", "threshold": 1})
    assert drive(PLAN, [Check(verdict="marginal")] * 2)[0].phase == "paused"
    assert drive(strict, [Check(verdict="marginal")])[0].phase == "rolled_back"


def test_an_exhausted_budget_rolls_back_even_when_the_canary_passes() -> None:
    state, actions = drive(PLAN, [ok(), Check(verdict="pass", budget_exhausted=True)])
    assert state.phase == "rolled_back"
    assert "error budget is exhausted" in state.reason
    assert isinstance(actions[-1], RollBack)


def test_a_failing_weight_webhook_counts_as_a_failed_check_and_is_retried() -> None:
    t = advance(PLAN, RolloutState(), Start())
    t = advance(PLAN, t.state, WebhookFailed(action="set_weight", error="HTTP 503"))
    assert t.action == SetWeight(weight=5, step_index=0, wait_s=300)
    t = advance(PLAN, t.state, WebhookFailed(action="set_weight", error="HTTP 503"))
    assert isinstance(t.action, RollBack)


def test_a_failed_rollback_webhook_ends_in_rollback_failed() -> None:
    t = advance(PLAN, RolloutState(), Start())
    t = advance(PLAN, t.state, Abort())
    t = advance(PLAN, t.state, WebhookFailed(action="rollback", error="connection refused"))
    assert t.state.phase == "rollback_failed"
    assert t.action is None


def test_a_finished_rollout_takes_no_more_events() -> None:
    state, _ = drive(PLAN, [ok()] * 4)
    with pytest.raises(ValueError, match="succeeded"):
        advance(PLAN, state, Start())


def test_step_weights_must_increase() -> None:
    with pytest.raises(ValueError, match="must increase"):
        RolloutPlan(steps=(50, 25), interval_s=60)


verdicts = st.sampled_from(["pass", "marginal", "fail", "inconclusive"])


@given(st.lists(st.tuples(verdicts, st.booleans()), max_size=30))
def test_promotion_only_ever_follows_a_pass_at_the_last_step(checks: list[tuple[str, bool]]) -> None:
    plan = PLAN
    t: Transition = advance(plan, RolloutState(), Start())
    for verdict, exhausted in checks:
        while isinstance(t.action, SetWeight):
            t = advance(plan, t.state, WeightSet())
        if t.action is None or not isinstance(t.action, Analyse):
            break
        before = t.state
        t = advance(plan, before, Checked(check=Check(verdict=verdict, budget_exhausted=exhausted)))  # type: ignore[arg-type]
        if isinstance(t.action, Promote):
            assert verdict == "pass"
            assert not exhausted
            assert before.step_index == len(plan.steps) - 1
        if exhausted:
            assert isinstance(t.action, RollBack)
        if verdict in ("inconclusive", "marginal") and not exhausted:
            assert t.state.weight == before.weight
        assert t.state.failed_checks <= plan.threshold
        assert t.state.phase not in TERMINAL_PHASES or t.action is None


def test_a_start_the_gate_blocks_ends_at_once_without_an_action() -> None:
    t = advance(PLAN, RolloutState(), Start(blocked_reason="the error budget is frozen"))
    assert (t.state.phase, t.action) == ("blocked", None)
    assert t.state.reason == "not started: the error budget is frozen"
