"""``headroom gate``: may this change ship now? Exit 0 go, 1 wait, 2 usage or data error, 3 store/source."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from headroom.cli.common import (
    AtOption,
    OutputOption,
    ProfilesOption,
    PrometheusUrlOption,
    SpecArgument,
    StoreOption,
    alert_profiles,
    check_output,
    fail_on_errors,
    load_slos,
    out_console,
    parse_at,
    print_json,
    settings_from,
)
from headroom.policy.model import GateDecision
from headroom.service.gate import evaluate_gate
from headroom.wiring import open_runtime

__all__ = ["gate", "register", "render_gate"]

_STYLE = {"go": "green", "caution": "yellow", "freeze": "red"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_gate(decision: GateDecision) -> None:
    """The decision, its reasons and one row per SLO, for people (CI logs)."""
    verdict = "ALLOWED" if decision.allowed else "BLOCKED"
    style = _STYLE[decision.decision]
    out_console.print(
        f"[bold {style}]{decision.decision.upper()}[/]: {decision.change_type} change to "
        f"{decision.service} is [bold]{verdict}[/] at {decision.at:%Y-%m-%d %H:%M UTC}"
    )
    for reason in decision.reasons:
        out_console.print(f"  - {reason}", markup=False)
    table = Table("SLO", "decision", "budget left", "burn 1h", "alerts", "recovers (no new errors)")
    for s in decision.slos:
        back = next((r for r in s.recovery if r.assumption == "no_new_errors" and r.recovers_at), None)
        table.add_row(
            s.slo + ("" if s.gating else " (exempt)"),
            f"[{_STYLE[s.decision]}]{s.decision}[/]",
            _pct(s.remaining_ratio),
            "-" if s.burn_rate_1h is None else f"{s.burn_rate_1h:.2f}",
            ", ".join(s.firing_alerts) or "-",
            "-" if back is None or back.recovers_at is None else f"{back.recovers_at:%Y-%m-%d %H:%M}",
        )
    out_console.print(table)


def gate(
    specs: SpecArgument,
    service: Annotated[str, typer.Option("--service", help="The service the change is for.")],
    change_type: Annotated[
        str, typer.Option("--change-type", help="feature, fix or security (the policy's change types).")
    ] = "feature",
    approved: Annotated[
        bool, typer.Option("--approved", help="The change is approved explicitly (passes a caution).")
    ] = False,
    profiles: ProfilesOption = None,
    at: AtOption = None,
    output: OutputOption = "text",
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Release gate from the error-budget policy: go (exit 0), caution or freeze (exit 1 unless allowed)."""
    with fail_on_errors():
        check_output(output, ("text", "json"))
        when = parse_at(at)
        slos = load_slos(specs)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            decision = evaluate_gate(
                slos,
                rt.source,
                when,
                service=service,
                change_type=change_type,
                approved=approved,
                profiles=alert_profiles(slos, profiles),
            )
        if output == "json":
            print_json(decision)
        else:
            render_gate(decision)
    raise typer.Exit(0 if decision.allowed else 1)


def register(app: typer.Typer) -> None:
    """Add ``headroom gate`` to the CLI."""
    app.command("gate")(gate)
