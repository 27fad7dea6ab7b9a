"""The progressive rollout as a pure state machine: (plan, state, event) -> (state, action).

Pure: no clock, no I/O. The driver (``service/rollout.py``) performs each action (call
a webhook, wait and judge the canary) and feeds back exactly one event; the machine
answers with the next state and at most one action. Terminal states have no action.

Semantics (Flagger's ``advanceCanary`` and Argo Rollouts' analysis, research §3-§4)::

    Start                       -> SetWeight(steps[0])
    Start(blocked)              -> blocked: the release gate stops this change; no traffic moves
    WeightSet                   -> Analyse(wait = warmup + interval)
    Checked(budget exhausted)   -> RollBack                     (whatever the verdict)
    Checked(pass), not last     -> SetWeight(next step)
    Checked(pass), last step    -> Promote
    Checked(fail)               -> failed_checks += 1 (cumulative for the run, as Flagger);
                                   >= threshold -> RollBack, else Analyse(interval) at the same weight
    Checked(inconclusive)       -> extensions += 1 (per step);
    Checked(marginal)              <= max_extensions -> Analyse(interval): the step is extended,
                                   >  max_extensions -> Pause (a human resumes or aborts, as Argo)
                                   An inconclusive check never promotes and never advances.
    WebhookFailed(set_weight | promote)
                                -> counts as a failed check; >= threshold -> RollBack, else retry
    Promoted                    -> succeeded
    RolledBack                  -> rolled_back;  WebhookFailed(rollback) -> rollback_failed
    Resume (paused)             -> Analyse(interval) at the same step, extensions reset
    Abort (not terminal)        -> RollBack

``marginal: fail`` in the plan makes a marginal verdict count as a failed check instead
(Kayenta's multi-interval rule that every interval must score above marginal).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "TERMINAL_PHASES",
    "Abort",
    "Action",
    "Analyse",
    "Check",
    "Checked",
    "Event",
    "Pause",
    "Phase",
    "Promote",
    "Promoted",
    "Resume",
    "RollBack",
    "RolledBack",
    "RolloutPlan",
    "RolloutState",
    "SetWeight",
    "Start",
    "Transition",
    "Verdict",
    "WebhookFailed",
    "WeightSet",
    "advance",
]

Verdict = Literal["pass", "marginal", "fail", "inconclusive"]
Phase = Literal[
    "pending",
    "blocked",
    "progressing",
    "promoting",
    "paused",
    "succeeded",
    "rolling_back",
    "rolled_back",
    "rollback_failed",
]
TERMINAL_PHASES: frozenset[str] = frozenset({"blocked", "succeeded", "rolled_back", "rollback_failed"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RolloutPlan(_Frozen):
    """The ramp and the analysis rules (the ``rollout:`` config, parsed at the edge).

    Defaults: ``threshold`` 1 failed check rolls back (Flagger's default); two extensions
    of an inconclusive step before pausing; a marginal verdict extends like an
    inconclusive one (Argo's Kayenta provider maps marginal to Inconclusive).
    """

    steps: tuple[int, ...] = Field(min_length=1)
    interval_s: int = Field(gt=0)
    warmup_s: int = Field(default=0, ge=0)
    threshold: int = Field(default=1, ge=1)
    max_extensions: int = Field(default=2, ge=0)
    marginal: Literal["extend", "fail"] = "extend"

    @field_validator("steps")
    @classmethod
    def _increasing(cls, steps: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 < w <= 100 for w in steps):
            raise ValueError(f"step weights {list(steps)} must be percentages in (0, 100]")
        if any(b <= a for a, b in pairwise(steps)):
            raise ValueError(f"step weights {list(steps)} must increase, e.g. [5, 25, 50, 100]")
        return steps


class RolloutState(_Frozen):
    """Where a rollout is. ``step_index`` -1 before the first weight is set."""

    phase: Phase = "pending"
    step_index: int = -1
    weight: int = 0
    failed_checks: int = 0
    extensions: int = 0
    checks: int = 0
    reason: str = ""


class Check(_Frozen):
    """One analysis at one step: the judge's verdict and whether the error budget is spent."""

    verdict: Verdict
    budget_exhausted: bool = False
    score: float | None = None
    reasons: tuple[str, ...] = ()


# ---------------------------------------------------------------- events


class Start(_Frozen):
    """Begin; ``blocked_reason`` set when the release gate does not let this change ship now."""

    kind: Literal["start"] = "start"
    blocked_reason: str | None = None


class WeightSet(_Frozen):
    kind: Literal["weight_set"] = "weight_set"


class Checked(_Frozen):
    kind: Literal["checked"] = "checked"
    check: Check


class Promoted(_Frozen):
    kind: Literal["promoted"] = "promoted"


class RolledBack(_Frozen):
    kind: Literal["rolled_back"] = "rolled_back"


class WebhookFailed(_Frozen):
    kind: Literal["webhook_failed"] = "webhook_failed"
    action: Literal["set_weight", "promote", "rollback"]
    error: str


class Resume(_Frozen):
    kind: Literal["resume"] = "resume"


class Abort(_Frozen):
    kind: Literal["abort"] = "abort"
    reason: str = "aborted by an operator"


Event = Annotated[
    Start | WeightSet | Checked | Promoted | RolledBack | WebhookFailed | Resume | Abort,
    Field(discriminator="kind"),
]

# ---------------------------------------------------------------- actions


class SetWeight(_Frozen):
    kind: Literal["set_weight"] = "set_weight"
    weight: int
    step_index: int
    wait_s: int = 0


class Analyse(_Frozen):
    kind: Literal["analyse"] = "analyse"
    weight: int
    step_index: int
    wait_s: int


class Promote(_Frozen):
    kind: Literal["promote"] = "promote"
    wait_s: int = 0


class RollBack(_Frozen):
    kind: Literal["rollback"] = "rollback"
    reason: str


class Pause(_Frozen):
    kind: Literal["pause"] = "pause"
    reason: str


Action = Annotated[SetWeight | Analyse | Promote | RollBack | Pause, Field(discriminator="kind")]


class Transition(_Frozen):
    """The next state, the action to perform (None when the rollout stops) and a one-line why."""

    state: RolloutState
    action: SetWeight | Analyse | Promote | RollBack | Pause | None
    why: str


def _rollback(state: RolloutState, reason: str) -> Transition:
    nxt = state.model_copy(update={"phase": "rolling_back", "reason": reason})
    return Transition(state=nxt, action=RollBack(reason=reason), why=reason)


def _failed(plan: RolloutPlan, state: RolloutState, what: str, retry: Transition) -> Transition:
    failed = state.failed_checks + 1
    counted = state.model_copy(update={"failed_checks": failed})
    if failed >= plan.threshold:
        return _rollback(
            counted, f"{what}: {failed} failed check(s) reached the threshold of {plan.threshold}"
        )
    return Transition(
        state=counted.model_copy(update={"phase": retry.state.phase}),
        action=retry.action,
        why=f"{what}: failed check {failed} of {plan.threshold}; {retry.why}",
    )


def _analyse(plan: RolloutPlan, state: RolloutState, wait_s: int, why: str) -> Transition:
    action = Analyse(weight=state.weight, step_index=state.step_index, wait_s=wait_s)
    return Transition(state=state.model_copy(update={"phase": "progressing"}), action=action, why=why)


def _set_step(plan: RolloutPlan, state: RolloutState, index: int, wait_s: int = 0) -> Transition:
    weight = plan.steps[index]
    nxt = state.model_copy(
        update={"phase": "progressing", "step_index": index, "weight": weight, "extensions": 0}
    )
    return Transition(
        state=nxt,
        action=SetWeight(weight=weight, step_index=index, wait_s=wait_s),
        why=f"step {index + 1}/{len(plan.steps)}: route {weight}% of traffic to the canary",
    )


def _on_check(plan: RolloutPlan, state: RolloutState, check: Check) -> Transition:
    state = state.model_copy(update={"checks": state.checks + 1})
    where = f"step {state.step_index + 1}/{len(plan.steps)} at {state.weight}%"
    if check.budget_exhausted:
        return _rollback(state, f"{where}: the error budget is exhausted")
    verdict = check.verdict
    if verdict == "marginal" and plan.marginal == "fail":
        verdict = "fail"
    if verdict == "pass":
        if state.step_index + 1 < len(plan.steps):
            moved = _set_step(plan, state, state.step_index + 1)
            return moved.model_copy(update={"why": f"{where}: the canary passed; {moved.why}"})
        nxt = state.model_copy(update={"phase": "promoting"})
        return Transition(
            state=nxt, action=Promote(), why=f"{where}: the canary passed the last step; promote"
        )
    if verdict == "fail":
        retry = _analyse(plan, state, plan.interval_s, f"analyse again at {state.weight}%")
        return _failed(plan, state, f"{where}: the canary failed", retry)
    extensions = state.extensions + 1
    extended = state.model_copy(update={"extensions": extensions})
    if extensions > plan.max_extensions:
        reason = (
            f"{where}: {verdict} {extensions} time(s), more than the {plan.max_extensions} "
            "extension(s) allowed; paused for a human to resume or abort"
        )
        return Transition(
            state=extended.model_copy(update={"phase": "paused", "reason": reason}),
            action=Pause(reason=reason),
            why=reason,
        )
    return _analyse(
        plan,
        extended,
        plan.interval_s,
        f"{where}: {verdict}; step extended by one interval ({extensions} of {plan.max_extensions})",
    )


def advance(plan: RolloutPlan, state: RolloutState, event: Event) -> Transition:
    """The transition for ``event`` in ``state`` (module docstring); ValueError when it does not apply."""
    phase = state.phase
    if phase in TERMINAL_PHASES:
        raise ValueError(f"the rollout is {phase}; it takes no more events")
    if isinstance(event, Abort):
        return _rollback(state, event.reason)
    if isinstance(event, Start) and phase == "pending":
        if event.blocked_reason is not None:
            reason = f"not started: {event.blocked_reason}"
            nxt = state.model_copy(update={"phase": "blocked", "reason": reason})
            return Transition(state=nxt, action=None, why=reason)
        return _set_step(plan, state, 0)
    if isinstance(event, WeightSet) and phase == "progressing":
        return _analyse(
            plan,
            state,
            plan.warmup_s + plan.interval_s,
            f"warm up {plan.warmup_s}s, then analyse {plan.interval_s}s at {state.weight}%",
        )
    if isinstance(event, Checked) and phase == "progressing":
        return _on_check(plan, state, event.check)
    if isinstance(event, Promoted) and phase == "promoting":
        nxt = state.model_copy(update={"phase": "succeeded", "reason": "promoted"})
        return Transition(state=nxt, action=None, why="promoted: the canary is the new stable version")
    if isinstance(event, RolledBack) and phase == "rolling_back":
        return Transition(
            state=state.model_copy(update={"phase": "rolled_back"}),
            action=None,
            why=f"rolled back: {state.reason}",
        )
    if isinstance(event, Resume) and phase == "paused":
        resumed = state.model_copy(update={"extensions": 0, "reason": ""})
        return _analyse(plan, resumed, plan.interval_s, f"resumed at {state.weight}%")
    if isinstance(event, WebhookFailed):
        return _on_webhook_failure(plan, state, event)
    raise ValueError(f"event {event.kind!r} does not apply to a rollout that is {phase}")


def _on_webhook_failure(plan: RolloutPlan, state: RolloutState, event: WebhookFailed) -> Transition:
    if event.action == "rollback" and state.phase == "rolling_back":
        reason = f"{state.reason}; the rollback webhook failed: {event.error}"
        nxt = state.model_copy(update={"phase": "rollback_failed", "reason": reason})
        return Transition(state=nxt, action=None, why=reason)
    if event.action == "set_weight" and state.phase == "progressing":
        retry = _set_step(plan, state, state.step_index, wait_s=plan.interval_s)
        return _failed(plan, state, f"the set_weight webhook failed ({event.error})", retry)
    if event.action == "promote" and state.phase == "promoting":
        retry = Transition(state=state, action=Promote(wait_s=plan.interval_s), why="retry the promotion")
        return _failed(plan, state, f"the promote webhook failed ({event.error})", retry)
    raise ValueError(f"a failed {event.action} webhook does not apply to a rollout that is {state.phase}")
