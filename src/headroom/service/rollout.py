"""Use case: drive a progressive rollout, judging the canary at each step, rolling back on failure.

The rollout's decisions are the pure state machine's (``canary/rollout_machine.py``);
this driver performs its actions: it calls the signed webhooks (``canary/rollout.py``),
waits with an injected ``sleep`` and reads the time from an injected ``clock`` (tests
never wait), fetches each analysis' judge input, asks the judge (``judge_canary``) and
the error-budget gate, and records every transition in the store. ``docs/rollout.md``
documents the config file and the webhook payloads.

Judge input that cannot be fetched or parsed makes that check *inconclusive* (the step
is extended, then paused; it never promotes). The error budget is *exhausted* when the
release gate says ``freeze`` for the rollout's service: the rollout then rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from headroom.canary.config import CanaryConfig
from headroom.canary.judge import judge_canary
from headroom.canary.model import CanaryData, CanaryReport
from headroom.canary.projection import BudgetInputs
from headroom.canary.rollout import (
    CommandCanaryData,
    FileCanaryData,
    HttpWebhooks,
    UrlCanaryData,
    WebhookAction,
    WebhookPayload,
)
from headroom.canary.rollout_machine import (
    Abort,
    Analyse,
    Check,
    Checked,
    Event,
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
from headroom.errors import DataError, NotifyError, SourceError, SpecError, SpecIssue, UsageError
from headroom.service.canary import load_canary_config
from headroom.service.canary_budget import budget_inputs
from headroom.service.gate import evaluate_gate
from headroom.service.status import evaluate_status
from headroom.sources.base import SLISource
from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.model import SLO
from headroom.store.rollouts import RolloutEntry, RolloutRun

__all__ = [
    "BudgetCheck",
    "BudgetVerdict",
    "CanaryDataSource",
    "RolloutConfig",
    "RolloutRecorder",
    "RolloutResult",
    "WebhookSender",
    "gate_budget_check",
    "load_rollout_config",
    "open_data_source",
    "open_webhooks",
    "run_rollout",
]


# ---------------------------------------------------------------- config


def _duration(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return parse_duration_s(str(value))
    except DurationError as error:
        raise ValueError(f"{value!r} is not a duration; write e.g. 30s, 5m, 1h ({error})") from error


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DataConfig(_Config):
    """Where each analysis reads the judge input: exactly one of ``url``, ``files``, ``command``."""

    url: str | None = None
    files: tuple[Path, ...] = ()
    command: tuple[str, ...] = ()
    timeout_s: int = Field(default=30, gt=0, alias="timeout")

    @field_validator("timeout_s", mode="before")
    @classmethod
    def _timeout(cls, value: Any) -> int:
        return _duration(value)


class WebhooksConfig(_Config):
    """Webhook URLs per action and the environment variable holding the HMAC secret."""

    set_weight: str | None = None
    promote: str | None = None
    rollback: str | None = None
    event: str | None = None
    secret_env: str = "HEADROOM_WEBHOOK_SECRET"
    timeout_s: int = Field(default=10, gt=0, alias="timeout")

    @field_validator("timeout_s", mode="before")
    @classmethod
    def _timeout(cls, value: Any) -> int:
        return _duration(value)


class BudgetConfig(_Config):
    """Spec files whose SLOs for the rollout's service are checked at every analysis."""

    spec: tuple[Path, ...] = ()


class RolloutConfig(_Config):
    """A rollout config file (``docs/rollout.md``; ``examples/rollout.yaml``)."""

    rollout: str = Field(min_length=1)
    service: str | None = None
    change_type: str = "feature"
    approved: bool = False
    steps: tuple[int, ...] = (5, 25, 50, 100)
    interval_s: int = Field(alias="interval")
    warmup_s: int = Field(default=0, alias="warmup")
    threshold: int = Field(default=1, ge=1)
    max_extensions: int = Field(default=2, ge=0)
    marginal: Literal["extend", "fail"] = "extend"
    judge: CanaryConfig = Field(default_factory=CanaryConfig)
    data: DataConfig
    webhooks: WebhooksConfig = Field(default_factory=WebhooksConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    base_dir: Path = Path()

    @field_validator("interval_s", "warmup_s", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> int:
        return _duration(value)

    def plan(self) -> RolloutPlan:
        return RolloutPlan(
            steps=self.steps,
            interval_s=self.interval_s,
            warmup_s=self.warmup_s,
            threshold=self.threshold,
            max_extensions=self.max_extensions,
            marginal=self.marginal,
        )


def load_rollout_config(path: Path) -> RolloutConfig:
    """Read and validate a rollout config; every problem at once, as SpecError issues."""
    try:
        text = path.read_text()
    except OSError as error:
        raise UsageError(f"{path}: cannot read the rollout config ({error.strerror})") from error
    try:
        raw = YAML(typ="safe").load(text)
    except YAMLError as error:
        raise SpecError(
            [SpecIssue(str(path), None, "", f"YAML syntax error: {error}", "fix the YAML")]
        ) from error
    if not isinstance(raw, dict):
        raise SpecError([SpecIssue(str(path), None, "", "expected a mapping", "start with rollout: <name>")])
    judge = raw.get("judge")
    if isinstance(judge, str):  # a canary config file, as `headroom canary judge --config` reads
        judge_path = Path(judge)
        raw = {
            **raw,
            "judge": load_canary_config(judge_path if judge_path.is_absolute() else path.parent / judge),
        }
    try:
        config = RolloutConfig.model_validate({**raw, "base_dir": path.parent})
        config.plan()
    except ValidationError as error:
        issues = [
            SpecIssue(str(path), None, ".".join(str(p) for p in e["loc"]), e["msg"], _fix(e["loc"]))
            for e in error.errors()
        ]
        raise SpecError(issues) from error
    sources = [bool(config.data.url), bool(config.data.files), bool(config.data.command)]
    if sum(sources) != 1:
        raise SpecError(
            [
                SpecIssue(
                    str(path),
                    None,
                    "data",
                    "name exactly one source",
                    "write data: {url: ...}, files or command",
                )
            ]
        )
    return config


def _fix(loc: tuple[int | str, ...]) -> str:
    key = str(loc[0]) if loc else ""
    return {
        "steps": "write increasing percentages, e.g. steps: [5, 25, 50, 100]",
        "interval": "write a duration, e.g. interval: 5m",
        "warmup": "write a duration, e.g. warmup: 1m",
        "data": "write data: {url: http://...}, data: {files: [...]} or data: {command: [...]}",
        "judge": "see docs/canary.md, section Configuration, for the judge's fields",
    }.get(key, "see docs/rollout.md")


# ---------------------------------------------------------------- ports


class WebhookSender(Protocol):
    def send(self, payload: WebhookPayload, *, delivery: str) -> None: ...


class CanaryDataSource(Protocol):
    def fetch(
        self, *, rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
    ) -> CanaryData: ...


class RolloutRecorder(Protocol):
    def save_run(self, run: RolloutRun) -> None: ...

    def append(self, entry: RolloutEntry) -> None: ...


@dataclass(frozen=True)
class BudgetVerdict:
    """The error budget at one instant, as the release gate sees this change.

    ``allowed``: the gate lets the change ship (checked once, before any traffic moves).
    ``exhausted``: the budget is frozen and the change is not exempt (roll back).
    ``inputs``: what the judge's blast-radius projection works with.
    """

    exhausted: bool
    reason: str
    inputs: BudgetInputs | None = None
    allowed: bool = True


BudgetCheck = Callable[[datetime], BudgetVerdict]


def open_webhooks(config: RolloutConfig, environ: Mapping[str, str]) -> HttpWebhooks:
    """The HTTP webhook sender of a config; the secret comes from ``webhooks.secret_env``."""
    hooks = config.webhooks
    secret = environ.get(hooks.secret_env)
    if not secret:
        raise UsageError(
            f"the webhook secret is not set: export {hooks.secret_env}=<shared secret> "
            "(the receivers verify X-Headroom-Signature with it)"
        )
    urls = {
        k: v
        for k, v in (
            ("set_weight", hooks.set_weight),
            ("promote", hooks.promote),
            ("rollback", hooks.rollback),
            ("event", hooks.event),
        )
        if v
    }
    return HttpWebhooks(urls, secret=secret.encode(), timeout_s=hooks.timeout_s)


def open_data_source(config: RolloutConfig) -> UrlCanaryData | FileCanaryData | CommandCanaryData:
    data = config.data
    if data.url:
        return UrlCanaryData(data.url, timeout_s=data.timeout_s)
    if data.files:
        return FileCanaryData([p if p.is_absolute() else config.base_dir / p for p in data.files])
    return CommandCanaryData(data.command, timeout_s=data.timeout_s, cwd=config.base_dir)


def gate_budget_check(
    slos: Sequence[SLO],
    source: SLISource,
    service: str,
    *,
    change_type: str = "feature",
    approved: bool = False,
) -> BudgetCheck:
    """Budget check from the release gate for this change to ``service``.

    Exhausted when the gate says freeze and the change type is not exempt (a security fix
    may roll out during a freeze); not allowed when the gate would block the change. The
    judge's projection gets the service's SLO with the least budget left.
    """

    def check(at: datetime) -> BudgetVerdict:
        decision = evaluate_gate(
            slos, source, at, service=service, change_type=change_type, approved=approved
        )
        mine = [s for s in slos if s.service == service]
        statuses = evaluate_status(mine, source, at)
        inputs: BudgetInputs | None = None
        known = [
            (st.budget.remaining_ratio, slo, st)
            for slo, st in zip(mine, statuses, strict=True)
            if st.budget.remaining_ratio is not None and st.events.total
        ]
        if known:
            _, slo, st = min(known, key=lambda x: x[0])
            inputs = budget_inputs(slo, st, at)
        why = decision.reasons[1] if len(decision.reasons) > 1 else decision.reasons[0]
        return BudgetVerdict(
            exhausted=decision.decision == "freeze" and not decision.allowed,
            reason=why,
            inputs=inputs,
            allowed=decision.allowed,
        )

    return check


# ---------------------------------------------------------------- driver


class RolloutResult(BaseModel):
    """A finished (or paused) run and every transition it took: ``rollout --output json``."""

    model_config = ConfigDict(frozen=True)

    run: RolloutRun
    entries: list[RolloutEntry]

    @property
    def exit_code(self) -> int:
        """0 promoted, 1 blocked by the gate, rolled back or paused, 3 the rollback webhook failed."""
        return {"succeeded": 0, "rollback_failed": 3}.get(self.run.phase, 1)


class _Run:
    def __init__(
        self, config: RolloutConfig, run_id: str, recorder: RolloutRecorder, clock: Callable[[], datetime]
    ) -> None:
        self.config = config
        self.plan = config.plan()
        self.run_id = run_id
        self.recorder = recorder
        self.clock = clock
        self.started = clock()
        self.seq = 0
        self.entries: list[RolloutEntry] = []

    def record(
        self, event: str, t: Transition, *, verdict: str | None = None, report: str | None = None
    ) -> None:
        self.seq += 1
        s = t.state
        entry = RolloutEntry(
            run_id=self.run_id,
            seq=self.seq,
            at=self.clock(),
            event=event,
            action=None if t.action is None else t.action.kind,
            phase=s.phase,
            step=s.step_index + 1,
            weight=s.weight,
            verdict=verdict,
            why=t.why,
            report_json=report,
        )
        self.entries.append(entry)
        self.recorder.append(entry)
        self.recorder.save_run(self.run_row(s))

    def run_row(self, s: RolloutState) -> RolloutRun:
        return RolloutRun(
            run_id=self.run_id,
            rollout=self.config.rollout,
            service=self.config.service,
            started_at=self.started,
            updated_at=self.clock(),
            phase=s.phase,
            weight=s.weight,
            failed_checks=s.failed_checks,
            reason=s.reason,
            plan_json=self.plan.model_dump_json(),
            state_json=s.model_dump_json(),
        )

    def payload(self, action: WebhookAction, s: RolloutState, weight: int, reason: str) -> WebhookPayload:
        return WebhookPayload(
            rollout=self.config.rollout,
            run_id=self.run_id,
            action=action,
            weight=weight,
            step=s.step_index + 1,
            steps=len(self.plan.steps),
            phase=s.phase,
            failed_checks=s.failed_checks,
            reason=reason,
            timestamp=self.clock(),
        )


def _send(webhooks: WebhookSender, run: _Run, payload: WebhookPayload) -> str | None:
    try:
        webhooks.send(payload, delivery=f"{run.run_id}-{run.seq + 1}")
    except NotifyError as error:
        return str(error)
    return None


def _analyse(
    run: _Run,
    action: Analyse,
    data: CanaryDataSource,
    sleep: Callable[[float], None],
    budget_check: BudgetCheck | None,
    judge: Callable[[CanaryData, CanaryConfig, BudgetInputs | None], CanaryReport],
) -> tuple[Check, str | None]:
    sleep(action.wait_s)
    until = run.clock()
    since = until - timedelta(seconds=min(action.wait_s, run.plan.interval_s))  # the warm-up is not judged
    budget = budget_check(until) if budget_check is not None else None
    try:
        canary = data.fetch(
            rollout=run.config.rollout,
            run_id=run.run_id,
            step=action.step_index + 1,
            weight=action.weight,
            since=since,
            until=until,
        )
    except (SourceError, DataError) as error:
        reason = f"no judge input: {error}"
        return Check(
            verdict="inconclusive", budget_exhausted=bool(budget and budget.exhausted), reasons=(reason,)
        ), None
    report = judge(canary, run.config.judge, budget.inputs if budget else None)
    reasons = list(report.reasons)
    if budget is not None and budget.exhausted:
        reasons.append(f"error budget: {budget.reason}")
    check = Check(
        verdict=report.verdict,
        budget_exhausted=bool(budget and budget.exhausted),
        score=report.score,
        reasons=tuple(reasons),
    )
    return check, report.model_dump_json()


def run_rollout(
    config: RolloutConfig,
    *,
    webhooks: WebhookSender,
    data: CanaryDataSource,
    recorder: RolloutRecorder,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    budget_check: BudgetCheck | None = None,
    judge: Callable[[CanaryData, CanaryConfig, BudgetInputs | None], CanaryReport] = judge_canary,
    run_id: str | None = None,
    resume: tuple[RolloutRun, int, Resume | Abort] | None = None,
) -> RolloutResult:
    """Drive one rollout from its first weight to promotion, rollback or a pause (module docstring).

    ``resume`` continues a paused run: its stored row, how many transitions it recorded, and
    ``Resume()`` (analyse the same step again) or ``Abort()`` (roll back).
    """
    if resume is None:
        run = _Run(config, run_id or uuid.uuid4().hex[:12], recorder, clock)
        gate = budget_check(run.started) if budget_check is not None else None
        blocked = gate.reason if gate is not None and not gate.allowed else None
        t = advance(run.plan, RolloutState(), Start(blocked_reason=blocked))
        run.record("start", t)
    else:
        stored, seq, command = resume
        state = RolloutState.model_validate_json(stored.state_json)
        if state.phase != "paused":
            raise UsageError(
                f"run {stored.run_id} is {state.phase}; only a paused run can be resumed or aborted"
            )
        run = _Run(config, stored.run_id, recorder, clock)
        run.started, run.seq = stored.started_at, seq
        t = advance(run.plan, state, command)
        run.record(command.kind, t)
    while t.action is not None and not isinstance(t.action, Pause):
        action, state = t.action, t.state
        verdict: str | None = None
        report: str | None = None
        event: Event
        if isinstance(action, SetWeight):
            if action.wait_s:
                sleep(action.wait_s)
            error = _send(webhooks, run, run.payload("set_weight", state, action.weight, t.why))
            event = WeightSet() if error is None else WebhookFailed(action="set_weight", error=error)
        elif isinstance(action, Analyse):
            check, report = _analyse(run, action, data, sleep, budget_check, judge)
            verdict = check.verdict
            event = Checked(check=check)
        elif isinstance(action, Promote):
            if action.wait_s:
                sleep(action.wait_s)
            error = _send(webhooks, run, run.payload("promote", state, 100, t.why))
            event = Promoted() if error is None else WebhookFailed(action="promote", error=error)
        else:
            assert isinstance(action, RollBack)
            error = _send(webhooks, run, run.payload("rollback", state, 0, action.reason))
            event = RolledBack() if error is None else WebhookFailed(action="rollback", error=error)
        t = advance(run.plan, state, event)
        if isinstance(event, Checked):
            detail = "; ".join(event.check.reasons[:3])
            t = t.model_copy(update={"why": f"{t.why} ({detail})" if detail else t.why})
        run.record(event.kind, t, verdict=verdict, report=report)
    final = run.run_row(t.state)
    return RolloutResult(run=final, entries=run.entries)
