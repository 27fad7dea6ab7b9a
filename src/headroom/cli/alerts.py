"""``headroom alerts``, ``headroom evaluate`` and ``headroom backtest``: thin calls into the alert use cases.

Exit codes: 0 nothing fires, 1 an alert fires, 2 spec or usage error, 3 store or source
unavailable.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from headroom.alerting.notify import AlertmanagerNotifier, SlackNotifier, WebhookNotifier
from headroom.alerting.state import AlertRecord
from headroom.cli.common import (
    AtOption,
    OutputOption,
    ProfilesOption,
    PrometheusUrlOption,
    SpecArgument,
    StoreOption,
    alert_profiles,
    check_output,
    err_console,
    fail_on_errors,
    load_slos,
    out_console,
    parse_at,
    print_json,
    settings_from,
)
from headroom.service.alerts import evaluate_alerts, run_evaluation
from headroom.service.backtest import BacktestReport, run_backtest
from headroom.service.backtest_chart import write_backtest_chart
from headroom.store.alert_state import DuckDBAlertStateStore
from headroom.wiring import open_runtime

__all__ = ["alerts", "backtest", "evaluate", "register"]

ServiceOption = Annotated[str | None, typer.Option("--service", help="Only this service's SLOs.")]
_STATE_STYLE = {"firing": "red", "pending": "yellow", "resolved": "green", "inactive": "dim"}


def _pct(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value * 100:.{digits}g}%"


def _alert_table(records: list[AlertRecord], title: str) -> Table:
    table = Table(
        "service",
        "SLO",
        "tier",
        "severity",
        "state",
        "windows",
        "factor",
        "threshold",
        "long",
        "short",
        "since",
        "reason",
        title=title,
    )
    for r in records:
        style = _STATE_STYLE[r.state]
        table.add_row(
            r.service,
            r.slo,
            r.tier,
            r.severity,
            f"[{style}]{r.state}[/]",
            f"{r.long_window}/{r.short_window}" if r.long_window else "-",
            "-" if r.factor is None else f"{r.factor:.4g}",
            _pct(r.threshold),
            _pct(r.long_error_ratio),
            _pct(r.short_error_ratio),
            "-" if r.since is None else f"{r.since:%Y-%m-%d %H:%M}",
            r.reason,
        )
    return table


def alerts(
    specs: SpecArgument,
    at: AtOption = None,
    output: OutputOption = "table",
    service: ServiceOption = None,
    profiles: ProfilesOption = None,
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Every burn-rate, exhaustion and exhausted alert of every SLO at one instant (exit 1 if one fires)."""
    with fail_on_errors():
        check_output(output, ("table", "json"))
        when = parse_at(at)
        slos = load_slos(specs, service)
        catalog = alert_profiles(slos, profiles)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            records = evaluate_alerts(slos, rt.source, when, profiles=catalog)
        if output == "json":
            print_json(records)
        else:
            out_console.print(_alert_table(records, f"Alerts at {when:%Y-%m-%d %H:%M UTC}"))
    raise typer.Exit(1 if any(r.state == "firing" for r in records) else 0)


_AnyNotifier = WebhookNotifier | AlertmanagerNotifier | SlackNotifier


def _notifiers(
    webhook: str | None, secret: str | None, alertmanager: str | None, slack: str | None
) -> list[_AnyNotifier]:
    out: list[_AnyNotifier] = []
    if webhook:
        out.append(WebhookNotifier(webhook, secret=secret.encode() if secret else None))
    if alertmanager:
        out.append(AlertmanagerNotifier(alertmanager))
    if slack:
        out.append(SlackNotifier(slack))
    return out


def evaluate(
    specs: SpecArgument,
    notify: Annotated[
        bool, typer.Option("--notify", help="Send what changed to the configured notifiers.")
    ] = False,
    webhook_url: Annotated[str | None, typer.Option("--webhook-url", envvar="HEADROOM_WEBHOOK_URL")] = None,
    webhook_secret: Annotated[
        str | None,
        typer.Option("--webhook-secret", envvar="HEADROOM_WEBHOOK_SECRET", help="HMAC-SHA256 key."),
    ] = None,
    alertmanager_url: Annotated[
        str | None, typer.Option("--alertmanager-url", envvar="HEADROOM_ALERTMANAGER_URL")
    ] = None,
    slack_url: Annotated[str | None, typer.Option("--slack-url", envvar="HEADROOM_SLACK_URL")] = None,
    at: AtOption = None,
    output: OutputOption = "table",
    service: ServiceOption = None,
    profiles: ProfilesOption = None,
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """One stateful evaluation: advance alert states, notify each change once (exit 1 if firing)."""
    with fail_on_errors():
        check_output(output, ("table", "json"))
        when = parse_at(at)
        slos = load_slos(specs, service)
        catalog = alert_profiles(slos, profiles)
        notifiers = _notifiers(webhook_url, webhook_secret, alertmanager_url, slack_url) if notify else []
        if notify and not notifiers:
            err_console.print(
                "[yellow]warning[/]: --notify without --webhook-url, --alertmanager-url or --slack-url"
            )
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            state = DuckDBAlertStateStore.open(rt.settings.store_path)
            try:
                run = run_evaluation(slos, rt.source, state, notifiers, when, profiles=catalog)
            finally:
                state.close()
                for n in notifiers:
                    n.close()
        if output == "json":
            print_json(run.records)
        else:
            out_console.print(_alert_table(run.records, f"Alerts at {when:%Y-%m-%d %H:%M UTC}"))
            for t in run.transitions:
                out_console.print(f"{t.kind}: {t.record.key}", markup=False)
        for key, name, error in run.flush.failed:
            err_console.print(f"delivery of {key} to {name} failed (will retry): {error}", markup=False)
        for problem in run.refresh_errors:
            err_console.print(f"refresh failed: {problem}", markup=False)
    raise typer.Exit(1 if run.firing else 0)


def _backtest_table(report: BacktestReport) -> Table:
    table = Table(
        "profile",
        "tier",
        "severity",
        "spans",
        "events",
        "detected",
        "precision",
        "recall",
        "median detection",
        "median reset",
        title=f"Backtest {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC "
        f"(significant: > {report.significant_share * 100:g}% of a period's budget)",
    )
    for p in report.profiles:
        for s in p.summary:
            table.add_row(
                p.profile,
                s.tier,
                s.severity or "-",
                str(s.spans),
                str(s.events),
                str(s.detected),
                _pct(s.precision),
                _pct(s.recall),
                "-" if s.median_detection_s is None else str(timedelta(seconds=round(s.median_detection_s))),
                "-" if s.median_reset_s is None else str(timedelta(seconds=round(s.median_reset_s))),
            )
    return table


def backtest(
    specs: SpecArgument,
    start: Annotated[
        str | None, typer.Option("--from", help="Start (RFC 3339); default: 30 days before --to.")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (RFC 3339); default: now.")] = None,
    profile: Annotated[
        list[str] | None, typer.Option("--profile", help="Profile(s) to compare (default: each SLO's own).")
    ] = None,
    share: Annotated[
        float, typer.Option("--significant", help="Budget share that makes an event significant.")
    ] = 0.02,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw a PNG timeline here.")] = None,
    output: OutputOption = "table",
    profiles: ProfilesOption = None,
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Replay stored history minute by minute: firing spans, detection and reset times, precision, recall."""
    with fail_on_errors():
        check_output(output, ("table", "json"))
        to = parse_at(end)
        frm = parse_at(start) if start else to - timedelta(days=30)
        slos = load_slos(specs)
        catalog = alert_profiles(slos, profiles)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            report = run_backtest(
                slos, rt.source, frm, to, profile_names=profile or (), profiles=catalog, share=share
            )
            if chart is not None:
                write_backtest_chart(report, slos, rt.source, chart)
        if output == "json":
            print_json(report)
        else:
            out_console.print(_backtest_table(report))


def register(app: typer.Typer) -> None:
    """Add ``alerts``, ``evaluate`` and ``backtest`` to the CLI."""
    app.command("alerts")(alerts)
    app.command("evaluate")(evaluate)
    app.command("backtest")(backtest)
