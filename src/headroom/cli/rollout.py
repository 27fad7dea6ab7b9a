"""``headroom rollout CONFIG`` drives a progressive rollout; ``headroom rollout status [RUN]`` shows runs.

A paused run (inconclusive for too long) waits for a human: ``headroom rollout CONFIG
--resume RUN`` analyses its step again, ``--abort RUN`` rolls it back.

Exit codes: 0 promoted, 1 rolled back or paused, 2 config or usage error, 3 the store, a
metrics source or the rollback webhook failed.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from headroom.canary.rollout_machine import Abort, Resume
from headroom.cli.common import (
    OutputOption,
    PrometheusUrlOption,
    StoreOption,
    check_output,
    err_console,
    fail_on_errors,
    load_slos,
    out_console,
    print_json,
    settings_from,
)
from headroom.errors import UsageError
from headroom.service.rollout import (
    RolloutResult,
    gate_budget_check,
    load_rollout_config,
    open_data_source,
    open_webhooks,
    run_rollout,
)
from headroom.store.rollouts import DuckDBRolloutStore, RolloutEntry, RolloutRun
from headroom.wiring import open_runtime

__all__ = ["register", "rollout"]


class _Printing:
    """Records in the store and prints each transition as it happens (text output)."""

    def __init__(self, store: DuckDBRolloutStore, *, echo: bool) -> None:
        self._store = store
        self._echo = echo

    def save_run(self, run: RolloutRun) -> None:
        self._store.save_run(run)

    def append(self, entry: RolloutEntry) -> None:
        self._store.append(entry)
        if self._echo:
            out_console.print(_entry_line(entry), markup=False)


def _entry_line(e: RolloutEntry) -> str:
    verdict = f" [{e.verdict}]" if e.verdict else ""
    return f"{e.at:%H:%M:%S} #{e.seq} {e.event}{verdict} -> {e.phase} at {e.weight}%: {e.why}"


def _resume(
    recorder: DuckDBRolloutStore, rollout_name: str, run_id: str | None, abort: bool
) -> tuple[RolloutRun, int, Resume | Abort] | None:
    if run_id is None:
        return None
    stored = recorder.run(run_id)
    if stored is None or stored.rollout != rollout_name:
        raise UsageError(
            f"no run {run_id!r} of rollout {rollout_name!r} in the store; see headroom rollout status"
        )
    return stored, len(recorder.entries(run_id)), Abort() if abort else Resume()


def _run(
    config_path: Path,
    output: str,
    store: Path | None,
    prometheus_url: str | None,
    *,
    resume_id: str | None = None,
    abort: bool = False,
) -> RolloutResult:
    config = load_rollout_config(config_path)
    settings = settings_from(store, prometheus_url)
    webhooks = open_webhooks(config, os.environ)
    data = open_data_source(config)
    recorder = DuckDBRolloutStore.open(settings.store_path)
    try:
        with open_runtime(settings) as rt:
            check = None
            if config.budget.spec:
                if not config.service:
                    raise UsageError(f"{config_path}: budget.spec needs service: <name> to know whose budget")
                specs = [p if p.is_absolute() else config.base_dir / p for p in config.budget.spec]
                check = gate_budget_check(
                    load_slos(specs),
                    rt.source,
                    config.service,
                    change_type=config.change_type,
                    approved=config.approved,
                )
            result = run_rollout(
                config,
                webhooks=webhooks,
                data=data,
                recorder=_Printing(recorder, echo=output == "text"),
                clock=lambda: datetime.now(UTC),
                sleep=time.sleep,
                budget_check=check,
                resume=_resume(recorder, config.rollout, resume_id, abort),
            )
            for problem in webhooks.event_errors:
                err_console.print(f"warning: event hook: {problem}", markup=False)
            return result
    finally:
        recorder.close()
        webhooks.close()
        data.close()


def _status(run_id: str | None, name: str | None, output: str, store: Path | None) -> None:
    recorder = DuckDBRolloutStore.open(settings_from(store).store_path)
    try:
        if run_id is None:
            runs = recorder.runs(name)
            if output == "json":
                print_json(runs)
                return
            table = Table("run", "rollout", "started", "phase", "weight", "failed checks", "reason")
            for r in runs:
                table.add_row(
                    r.run_id,
                    r.rollout,
                    f"{r.started_at:%Y-%m-%d %H:%M}",
                    r.phase,
                    f"{r.weight}%",
                    str(r.failed_checks),
                    r.reason,
                )
            out_console.print(table)
            return
        run = recorder.run(run_id)
        if run is None:
            raise UsageError(f"no rollout run {run_id!r} in {settings_from(store).store_path}")
        result = RolloutResult(run=run, entries=recorder.entries(run_id))
        if output == "json":
            print_json(result)
            return
        out_console.print(
            f"{run.rollout} run {run.run_id}: {run.phase} at {run.weight}% ({run.reason or '-'})"
        )
        for entry in result.entries:
            out_console.print(_entry_line(entry), markup=False)
    finally:
        recorder.close()


def rollout(
    target: Annotated[str, typer.Argument(help="A rollout config file, or 'status' to list runs.")],
    run_id: Annotated[str | None, typer.Argument(help="With status: one run's every decision.")] = None,
    name: Annotated[str | None, typer.Option("--rollout", help="With status: only this rollout.")] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue this paused run: analyse its step again.")
    ] = None,
    abort: Annotated[str | None, typer.Option("--abort", help="Roll this paused run back.")] = None,
    output: OutputOption = "text",
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Progressive rollout: set weights by webhook, judge the canary each step, promote or roll back."""
    code = 0
    with fail_on_errors():
        check_output(output, ("text", "json"))
        if target == "status":
            _status(run_id, name, output, store)
        else:
            if run_id is not None:
                raise UsageError(f"unexpected argument {run_id!r}; run: headroom rollout CONFIG")
            if resume and abort:
                raise UsageError("give --resume or --abort, not both")
            result = _run(
                Path(target),
                output,
                store,
                prometheus_url,
                resume_id=resume or abort,
                abort=abort is not None,
            )
            if output == "json":
                print_json(result)
            else:
                out_console.print(f"{result.run.rollout} run {result.run.run_id}: {result.run.phase}")
            code = result.exit_code
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``headroom rollout`` to the CLI."""
    app.command("rollout")(rollout)
