"""``headroom rules``: compile SLO specs into Prometheus recording and alerting rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from headroom.cli.common import SpecArgument, err_console, fail_on_errors, out_console
from headroom.errors import UsageError
from headroom.service.rules import rules_result, write_rule_tests, write_rules

__all__ = ["register", "rules"]


def rules(
    specs: SpecArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Rule file to write (default: stdout).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="prometheus (a rule file) or prometheus-operator (a PrometheusRule)."),
    ] = "prometheus",
    profile: Annotated[str | None, typer.Option("--profile", help="Alert profile for every SLO.")] = None,
    sloth_compatible: Annotated[
        bool,
        typer.Option("--sloth-compatible", help="Only the rules Sloth generates, named as Sloth names them."),
    ] = False,
    tests: Annotated[
        Path | None, typer.Option("--tests", help="Also write a promtool unit-test file into this folder.")
    ] = None,
) -> None:
    """Recording rules (SLIs over every alert window, budget metadata) and burn-rate alerts."""
    with fail_on_errors():
        if fmt not in ("prometheus", "prometheus-operator"):
            raise UsageError(f"--format {fmt!r} is not one of prometheus, prometheus-operator")
        if tests is not None and output is None:
            raise UsageError("--tests needs --output FILE: the tests load the rule file by its path")
        if output is None:
            result = rules_result(specs, fmt=fmt, profile=profile, sloth_compatible=sloth_compatible)
            typer.echo(result.text, nl=False)
        else:
            result = write_rules(specs, output, fmt=fmt, profile=profile, sloth_compatible=sloth_compatible)
            out_console.print(f"wrote {result.rule_count} rules in {result.group_count} groups to {output}")
            if tests is not None:
                path = write_rule_tests(
                    specs, tests, output, profile=profile, sloth_compatible=sloth_compatible
                )
                out_console.print(f"wrote promtool tests to {path} (run: promtool test rules {path})")
        for note in result.notes:
            err_console.print(f"note: {note}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)
