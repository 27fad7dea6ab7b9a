"""The ``headroom`` command line: thin commands, each one service call and a rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from headroom import __version__
from headroom.alerting.profile_files import load_profile_files
from headroom.alerting.profiles_resolve import validate_alerting
from headroom.cli.common import (
    AtOption,
    OutputOption,
    ProfilesOption,
    PrometheusUrlOption,
    SpecArgument,
    StoreOption,
    check_output,
    err_console,
    fail_on_errors,
    load_slos,
    out_console,
    parse_at,
    print_json,
    settings_from,
)
from headroom.cli.status_view import status_table
from headroom.errors import SpecError
from headroom.service.demo import DEMO_END, DEMO_SPECS, run_demo
from headroom.service.ingest import ingest_files
from headroom.service.report import build_report, render_markdown
from headroom.service.status import evaluate_status
from headroom.spec.load import validate_specs
from headroom.store.ledger import IngestReport
from headroom.wiring import open_runtime, open_store

__all__ = ["app", "main"]

app = typer.Typer(
    name="headroom",
    help="Error budgets from SLO specs: status, alerts, backtests, release gates and canary analysis.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print headroom's version."""
    out_console.print(__version__)


@app.command()
def validate(specs: SpecArgument, profiles: ProfilesOption = None) -> None:
    """Check spec files; report every problem with file, line, field and fix (exit 2 on errors).

    Alerting is checked too: tiers that can never fire, short windows far from 1/12 of the long one.
    """
    with fail_on_errors():
        specset, issues = validate_specs(specs)
        if specset is None:
            raise SpecError(issues)
        issues += validate_alerting(list(specset.slos), load_profile_files(list(profiles or [])))
        if any(i.severity == "error" for i in issues):
            raise SpecError(issues)
        for issue in issues:
            label = "[yellow]warning[/]" if issue.severity == "warning" else "[blue]note[/]"
            err_console.print(f"{label}: ", end="", markup=True)
            err_console.print(str(issue), markup=False)
        out_console.print(f"{len(specset.slos)} SLO(s) in {len(specs)} file(s): valid.")


@app.command()
def ingest(
    spec: Annotated[Path, typer.Argument(help="Spec whose SLOs the events feed.")],
    files: Annotated[list[Path], typer.Argument(help="CSV, JSONL or Parquet files.")],
    events: Annotated[str | None, typer.Option("--events", help="Event stream the files hold.")] = None,
    counts: Annotated[
        bool, typer.Option("--counts", help="Files hold pre-aggregated rows: timestamp, slo, good, total.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Aggregate raw events (or load counts) into the embedded store; re-ingesting a file adds nothing."""
    with fail_on_errors():
        slos = load_slos([spec])
        with open_store(settings_from(store)) as db, _progress() as progress:
            task = progress.add_task("ingest", total=None)
            reports = ingest_files(
                db,
                slos,
                files,
                events=events,
                counts=counts,
                progress=lambda n: progress.update(task, completed=n),
            )
        for r in reports:
            out_console.print(_ingest_line(r), markup=False)


@app.command()
def status(
    specs: SpecArgument,
    at: AtOption = None,
    output: OutputOption = "table",
    service: Annotated[str | None, typer.Option("--service", help="Only this service's SLOs.")] = None,
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """Error budget of every SLO: SLI, budget left, burn rates, time to exhaustion, forecast."""
    with fail_on_errors():
        check_output(output, ("table", "json"))
        when = parse_at(at)
        slos = load_slos(specs, service)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            statuses = evaluate_status(slos, rt.source, when)
        if output == "json":
            print_json(statuses)
        else:
            out_console.print(status_table(statuses, f"Error budgets at {when:%Y-%m-%d %H:%M UTC}"))


@app.command()
def report(
    specs: SpecArgument,
    at: AtOption = None,
    output: Annotated[str, typer.Option("--output", "-o", help="markdown or json.")] = "markdown",
    store: StoreOption = None,
    prometheus_url: PrometheusUrlOption = None,
) -> None:
    """A Markdown (or JSON) budget report per service, for reviews and postmortems."""
    with fail_on_errors():
        check_output(output, ("markdown", "json"))
        when = parse_at(at)
        slos = load_slos(specs)
        with open_runtime(settings_from(store, prometheus_url)) as rt:
            built = build_report(evaluate_status(slos, rt.source, when), when)
        if output == "json":
            print_json(built)
        else:
            typer.echo(render_markdown(built))


@app.command()
def demo(
    examples: Annotated[Path, typer.Option("--examples", help="Folder of example specs.")] = Path("examples"),
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the demo event files go.")] = Path(
        ".demo"
    ),
    store: StoreOption = None,
) -> None:
    """Generate a month of demo traffic for examples/, ingest it, and print the status table."""
    with fail_on_errors():
        settings = settings_from(store)
        with open_store(settings) as db, _progress() as progress:
            task = progress.add_task("demo data", total=None)
            result = run_demo(db, examples, data_dir, progress=lambda n: progress.update(task, completed=n))
        for r in result.ingests:
            out_console.print(_ingest_line(r), markup=False)
        out_console.print(
            status_table(result.statuses, f"Error budgets at {DEMO_END:%Y-%m-%d %H:%M UTC} (demo)")
        )
        specs = " ".join(str(examples / name) for name in DEMO_SPECS)
        out_console.print(
            "\nExplore: [bold]headroom status "
            f"{specs} --at {DEMO_END:%Y-%m-%dT%H:%M:%SZ}[/] (store: {settings.store_path})",
        )


def _ingest_line(report: IngestReport) -> str:
    """One line per ingested file: what was added, what was already there."""
    parts = [f"{report.path}: {report.rows:,} rows"]
    if report.ingested:
        parts.append(f"{report.minutes:,} minute buckets for {', '.join(report.ingested)}")
    if report.skipped:
        parts.append(f"already ingested for {', '.join(report.skipped)} (skipped)")
    return "; ".join(parts)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def main() -> None:
    """Entry point of the ``headroom`` script."""
    app()


from headroom.cli import alerts as _alerts  # noqa: E402
from headroom.cli import canary as _canary  # noqa: E402
from headroom.cli import gate as _gate  # noqa: E402
from headroom.cli import rollout as _rollout  # noqa: E402
from headroom.cli import rules as _rules  # noqa: E402
from headroom.cli import serve as _serve  # noqa: E402

for _module in (_alerts, _rules, _gate, _canary, _rollout, _serve):
    _module.register(app)
