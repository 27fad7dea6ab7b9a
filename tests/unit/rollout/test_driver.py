"""The rollout driver: real judge, fake webhooks, data and clock; the store in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.errors import SpecError, UsageError
from headroom.service.rollout import BudgetVerdict, RolloutConfig, load_rollout_config, run_rollout
from headroom.store.rollouts import DuckDBRolloutStore
from tests.unit.rollout.fakes import START, FakeClock, FakeWebhooks, StepData, broken

CONFIG = RolloutConfig.model_validate(
    {
        "rollout": "checkout-v42",
        "service": "checkout",
        "steps": [5, 25, 50, 100],
        "interval": "5m",
        "warmup": "1m",
        "threshold": 2,
        "max_extensions": 1,
        "data": {"url": "http://m/canary?step={step}"},
    }
)


def _run(data: StepData, hooks: FakeWebhooks | None = None, **kw: object):
    clock = FakeClock()
    store = DuckDBRolloutStore.open(":memory:")
    hooks = hooks or FakeWebhooks()
    result = run_rollout(
        CONFIG, webhooks=hooks, data=data, recorder=store, clock=clock, sleep=clock.sleep, run_id="r1", **kw
    )
    return result, hooks, clock, store


def test_a_healthy_canary_is_promoted_after_every_step() -> None:
    result, hooks, clock, store = _run(StepData({}))
    assert result.run.phase == "succeeded"
    assert result.exit_code == 0
    assert hooks.calls == [
        ("set_weight", 5),
        ("set_weight", 25),
        ("set_weight", 50),
        ("set_weight", 100),
        ("promote", 100),
    ]
    assert clock.slept_s == [360, 360, 360, 360]
    assert store.run("r1") == result.run
    assert [e.event for e in store.entries("r1")][:3] == ["start", "weight_set", "checked"]


def test_a_failing_canary_is_rolled_back_once_the_failed_checks_reach_the_threshold() -> None:
    result, hooks, _, store = _run(StepData({2: broken()}))
    assert result.run.phase == "rolled_back"
    assert result.exit_code == 1
    assert hooks.calls == [("set_weight", 5), ("set_weight", 25), ("rollback", 0)]
    verdicts = [e.verdict for e in store.entries("r1") if e.verdict]
    assert verdicts == ["pass", "fail", "fail"]
    assert "errors is high" in store.entries("r1")[-2].why


def test_missing_judge_input_extends_the_step_then_pauses_without_promoting() -> None:
    result, hooks, _, _ = _run(StepData({1: None}))
    assert result.run.phase == "paused"
    assert ("promote", 100) not in hooks.calls
    assert hooks.calls == [("set_weight", 5)]
    assert "no judge input" in result.entries[-1].why


def test_an_exhausted_budget_rolls_back_a_passing_canary() -> None:
    ok = BudgetVerdict(False, "ok")
    spent = iter([ok, ok, BudgetVerdict(True, "checkout/availability: -5.0% left")])  # start, step 1, step 2
    result, hooks, _, _ = _run(StepData({}), budget_check=lambda at: next(spent))
    assert result.run.phase == "rolled_back"
    assert "step 2/4 at 25%: the error budget is exhausted" in result.run.reason
    assert hooks.calls == [("set_weight", 5), ("set_weight", 25), ("rollback", 0)]


def test_a_change_the_gate_blocks_never_moves_traffic() -> None:
    frozen = BudgetVerdict(True, "checkout/availability: error budget exhausted", allowed=False)
    result, hooks, _, store = _run(StepData({}), budget_check=lambda at: frozen)
    assert result.run.phase == "blocked"
    assert result.exit_code == 1
    assert hooks.calls == []
    assert store.entries("r1")[0].why == "not started: checkout/availability: error budget exhausted"


def test_a_rollback_webhook_that_fails_ends_in_rollback_failed_with_exit_code_3() -> None:
    result, _, _, _ = _run(StepData({1: broken()}), FakeWebhooks(failing=("rollback",)))
    assert result.run.phase == "rollback_failed"
    assert result.exit_code == 3


def test_the_store_lists_runs_newest_first() -> None:
    _, _, _, store = _run(StepData({}))
    (run,) = store.runs("checkout-v42")
    assert (run.run_id, run.started_at) == ("r1", START)


def test_a_config_with_two_data_sources_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rollout.yaml"
    path.write_text("rollout: x\ninterval: 5m\ndata: {url: 'http://m', files: [a.json]}\n")
    with pytest.raises(SpecError, match="name exactly one source"):
        load_rollout_config(path)


def test_a_config_with_decreasing_steps_says_how_to_write_them(tmp_path: Path) -> None:
    path = tmp_path / "rollout.yaml"
    path.write_text("rollout: x\ninterval: 5m\nsteps: [50, 10]\ndata: {url: 'http://m'}\n")
    with pytest.raises(SpecError) as caught:
        load_rollout_config(path)
    assert "must increase" in str(caught.value)


def test_the_example_rollout_config_loads() -> None:
    config = load_rollout_config(Path(__file__).resolve().parents[3] / "examples" / "rollout.yaml")
    assert config.plan().steps == (5, 25, 50, 100)
    assert (config.warmup_s, config.interval_s, config.threshold) == (120, 600, 2)
    assert config.judge.metric("http_errors").critical


def test_the_embedded_store_has_the_rollout_tables_from_its_schema_steps(tmp_path: Path) -> None:
    import duckdb

    from headroom.store.duckdb_store import DuckDBStore

    path = tmp_path / "h.duckdb"
    DuckDBStore(path).close()
    con = duckdb.connect(str(path))
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    assert {"rollout_runs", "rollout_events"} <= tables


def test_a_paused_run_resumes_at_its_step_and_continues_its_record() -> None:
    from headroom.canary.rollout_machine import Abort, Resume

    paused, hooks, clock, store = _run(StepData({1: None}))
    assert paused.run.phase == "paused"
    seq = len(store.entries("r1"))
    resumed = run_rollout(
        CONFIG,
        webhooks=hooks,
        data=StepData({}),
        recorder=store,
        clock=clock,
        sleep=clock.sleep,
        resume=(paused.run, seq, Resume()),
    )
    assert resumed.run.phase == "succeeded"
    assert resumed.run.run_id == "r1"
    assert resumed.entries[0].event == "resume"
    assert [e.seq for e in store.entries("r1")] == list(range(1, len(store.entries("r1")) + 1))
    with pytest.raises(UsageError, match="only a paused run"):
        run_rollout(
            CONFIG,
            webhooks=hooks,
            data=StepData({}),
            recorder=store,
            clock=clock,
            sleep=clock.sleep,
            resume=(resumed.run, 99, Abort()),
        )


def test_an_aborted_paused_run_rolls_back() -> None:
    from headroom.canary.rollout_machine import Abort

    paused, hooks, clock, store = _run(StepData({1: None}))
    aborted = run_rollout(
        CONFIG,
        webhooks=hooks,
        data=StepData({}),
        recorder=store,
        clock=clock,
        sleep=clock.sleep,
        resume=(paused.run, len(store.entries("r1")), Abort()),
    )
    assert aborted.run.phase == "rolled_back"
    assert hooks.calls[-1] == ("rollback", 0)


def test_the_judge_input_is_asked_for_the_analysis_interval_without_the_warm_up() -> None:
    from datetime import timedelta

    seen: list[tuple[object, object]] = []

    class Recording(StepData):
        def fetch(self, *, rollout, run_id, step, weight, since, until):  # type: ignore[no-untyped-def]
            seen.append((since, until))
            return super().fetch(
                rollout=rollout, run_id=run_id, step=step, weight=weight, since=since, until=until
            )

    _run(Recording({}))
    first_since, first_until = seen[0]
    assert first_until == START + timedelta(minutes=6)
    assert first_since == START + timedelta(minutes=1)
