"""``headroom canary judge``: canary versus baseline, with the budget's blast radius."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from headroom.canary.model import CanaryReport
from headroom.cli.common import (
    AtOption,
    OutputOption,
    PrometheusUrlOption,
    StoreOption,
    check_output,
    fail_on_errors,
    load_slos,
    out_console,
    parse_at,
    print_json,
    settings_from,
)
from headroom.errors import UsageError
from headroom.service.canary import judge_file
from headroom.service.canary_budget import judge_against_budget
from headroom.service.formatting import fmt_percent
from headroom.wiring import open_runtime

__all__ = ["canary_app", "register"]

canary_app = typer.Typer(help="Canary analysis: judge a canary against its baseline and the error budget.")

_STYLE = {"pass": "green", "marginal": "yellow", "fail": "red", "inconclusive": "magenta"}
_EXIT = {"pass": 0, "marginal": 1, "fail": 1, "inconclusive": 1}


def render_report(report: CanaryReport) -> None:
    out_console.print(f"[bold {_STYLE[report.verdict]}]{report.verdict.upper()}[/] score {report.score:.1f}")
    table = Table(
        "metric", "classification", "statistic", "p-value / interval", "effect", "samples", "reason"
    )
    for m in report.metrics:
        evidence = (
            f"{m.p_value:.3g}"
            if m.p_value is not None
            else (f"[{m.interval[0]:.4g}, {m.interval[1]:.4g}]" if m.interval else "—")
        )
        table.add_row(
            m.name + (" (critical)" if m.critical else ""),
            m.classification,
            "—" if m.statistic is None else f"{m.statistic:.4g}",
            evidence,
            "—" if m.effect is None else f"{m.effect:.4g}",
            f"{m.samples.baseline} / {m.samples.canary}",
            m.reason,
        )
    out_console.print(table)
    if report.budget is not None:
        b = report.budget
        out_console.print(
            f"budget: canary error ratio <= {fmt_percent(b.canary_error_ratio_upper, 3)} "
            f"({b.confidence:.0%} bound); if promoted, {b.burn_rate_if_promoted:.2f}x burn leaves "
            f"{fmt_percent(b.projected_remaining_ratio)} at window end: {b.reason}",
            markup=False,
        )
    for reason in report.reasons:
        out_console.print(f"  - {reason}", markup=False)


@canary_app.command("judge")
def judge(
    data: Annotated[
        Path, typer.Option("--data", help="CSV or JSONL: metric,variant,value or metric,variant,good,total.")
    ],
    config: Annotated[Path | None, typer.Option("--config", help="Judge config (YAML or JSON).")] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="Spec of the SLO whose budget the canary spends.")
    ] = None,
    slo: Annotated[
        str | None, typer.Option("--slo", help="SLO (service/name) for the blast-radius projection.")
    ] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="headroom (default) or kayenta.")] = None,
    at: AtOption = None,
    output: OutputOption = "table",
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Exit 0 when the canary passes; 1 when it fails, is marginal or inconclusive; 2 on bad input."""
    with fail_on_errors():
        check_output(output, ("table", "json"))
        if (spec is None) != (slo is None):
            raise UsageError(
                "--spec and --slo go together: the SLO names whose budget the canary would spend"
            )
        if spec is not None and slo is not None:
            slos = load_slos([spec])
            with open_runtime(settings_from(store, prometheus_url)) as rt:
                report = judge_against_budget(
                    data, config, slos=slos, slo_name=slo, source=rt.source, at=parse_at(at), mode=mode
                )
        else:
            report = judge_file(data, config, mode=mode)
        if output == "json":
            print_json(report)
        else:
            render_report(report)
    raise typer.Exit(_EXIT[report.verdict])


def register(app: typer.Typer) -> None:
    app.add_typer(canary_app, name="canary")
