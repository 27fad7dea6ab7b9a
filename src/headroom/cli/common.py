"""What every command shares: options, the evaluation instant, error handling, output.

The CLI is the one place (with the API) that catches broadly: a ``HeadroomError`` prints
its message, which already names the file, line or field and the fix, and exits with its
code (0 ok / go, 1 wait or firing, 2 spec or usage error, 3 store or source unavailable).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from headroom.alerting.profile_files import load_profile_files
from headroom.alerting.profiles_resolve import validate_alerting
from headroom.errors import HeadroomError, SpecError, UsageError
from headroom.settings import Settings
from headroom.spec.load import load_specs
from headroom.spec.model import SLO
from headroom.spec.profiles import AlertProfile

__all__ = [
    "AtOption",
    "OutputOption",
    "ProfilesOption",
    "PrometheusUrlOption",
    "SpecArgument",
    "StoreOption",
    "alert_profiles",
    "err_console",
    "fail_on_errors",
    "load_slos",
    "out_console",
    "parse_at",
    "print_json",
    "settings_from",
]

T = TypeVar("T")

#: Piped output (CI logs, files) is not cut to 80 columns: tables keep their columns.
out_console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 170)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

SpecArgument = Annotated[list[Path], typer.Argument(help="Spec file(s): headroom YAML, OpenSLO v1 or Sloth.")]
StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Embedded store file [env HEADROOM_STORE; ./headroom.duckdb].")
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Evaluate as of this instant (RFC 3339 or epoch seconds); default: now."),
]
OutputOption = Annotated[str, typer.Option("--output", "-o", help="table or json.")]
ProfilesOption = Annotated[
    list[Path] | None, typer.Option("--profiles", help="YAML file(s) of custom alert_profiles (repeatable).")
]
PrometheusUrlOption = Annotated[
    str | None,
    typer.Option("--prometheus-url", help="Read SLIs from this Prometheus [env HEADROOM_PROMETHEUS_URL]."),
]


def settings_from(store: Path | None = None, prometheus_url: str | None = None) -> Settings:
    """Settings for this process: the environment, overridden by the command's options."""
    return Settings.from_env(os.environ, store_path=store, prometheus_url=prometheus_url)


def parse_at(text: str | None) -> datetime:
    """The evaluation instant: RFC 3339 (``2026-11-01T00:00:00Z``), epoch seconds, or now."""
    if text is None or text == "now":
        return datetime.now(UTC)
    raw = text.strip()
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at {text!r} is not a time; write RFC 3339 like 2026-11-01T00:00:00Z or epoch seconds"
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(f"--at {text!r} has no time zone; add Z for UTC, e.g. {raw}Z")
    return parsed.astimezone(UTC)


def check_output(output: str, choices: Sequence[str]) -> str:
    if output not in choices:
        raise UsageError(f"--output {output!r} is not one of {', '.join(choices)}")
    return output


def load_slos(paths: Sequence[Path], service: str | None = None) -> list[SLO]:
    """Every SLO of the spec files (all errors at once), optionally of one service."""
    slos = list(load_specs(paths).slos)
    if service is not None:
        chosen = [s for s in slos if s.service == service]
        if not chosen:
            known = ", ".join(sorted({s.service for s in slos})) or "none"
            raise UsageError(
                f"no SLOs for service {service!r} in {', '.join(map(str, paths))}; services: {known}"
            )
        return chosen
    return slos


def alert_profiles(slos: Sequence[SLO], files: Sequence[Path] | None) -> dict[str, AlertProfile]:
    """Built-in plus custom alert profiles for these SLOs; spec errors raise, warnings print."""
    profiles = load_profile_files(list(files or []))
    issues = validate_alerting(list(slos), profiles)
    if any(i.severity == "error" for i in issues):
        raise SpecError(issues)
    for issue in issues:
        err_console.print("[yellow]warning[/]: ", end="", markup=True)
        err_console.print(str(issue), markup=False)
    return profiles


def print_json(payload: BaseModel | Sequence[BaseModel] | dict[str, Any] | list[Any]) -> None:
    """JSON on stdout: the same pydantic models the HTTP API returns."""
    if isinstance(payload, BaseModel):
        text = payload.model_dump_json(indent=2)
    elif isinstance(payload, list | tuple) and all(isinstance(p, BaseModel) for p in payload):
        text = "[" + ",".join(p.model_dump_json(indent=2) for p in payload) + "]"
        text = json.dumps(json.loads(text), indent=2)
    else:
        text = json.dumps(payload, indent=2, default=str)
    sys.stdout.write(text + "\n")


@contextmanager
def fail_on_errors() -> Iterator[None]:
    """Print a HeadroomError as its message (every spec issue on its own line) and exit with its code."""
    try:
        yield
    except SpecError as error:
        for issue in error.issues:
            style = "yellow" if issue.severity == "warning" else "red"
            err_console.print(f"[{style}]{issue.severity}[/]: ", end="", markup=True)
            err_console.print(str(issue), markup=False)
        raise typer.Exit(error.exit_code) from None
    except HeadroomError as error:
        err_console.print("[red]error[/]: ", end="", markup=True)
        err_console.print(str(error), markup=False)
        raise typer.Exit(error.exit_code) from None


def run(fn: Callable[[], T]) -> T:
    with fail_on_errors():
        return fn()
