"""Use case ``headroom rules``: spec files in, Prometheus rule file (and its promtool tests) out.

Loads the specs, generates with the pure ``headroom.rules`` package, and writes files.
SLOs without Prometheus rules (event-store SLIs, calendar windows) are skipped with a note
in :class:`RulesResult`, never an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from headroom import __version__
from headroom.errors import UsageError
from headroom.rules.promtool_tests import build_rule_tests, render_rule_tests
from headroom.rules.render import (
    RuleOptions,
    RuleSet,
    UnknownProfileError,
    build_rule_set,
    render_prometheus_rule,
    render_rule_file,
)
from headroom.spec.load import load_specs
from headroom.spec.model import SpecSet

__all__ = [
    "FORMATS",
    "RulesResult",
    "generate_rule_tests",
    "generate_rules",
    "rules_result",
    "write_rule_tests",
    "write_rules",
]

Format = Literal["prometheus", "prometheus-operator"]
FORMATS: tuple[str, ...] = ("prometheus", "prometheus-operator")
_GENERATOR = f"headroom {__version__}"


@dataclass(frozen=True)
class RulesResult:
    """The generated text, what was skipped and why, and where it was written (if it was)."""

    text: str
    notes: tuple[str, ...]
    group_count: int
    rule_count: int
    path: Path | None = None


def _options(profile: str | None, sloth_compatible: bool, fmt: str) -> RuleOptions:
    return RuleOptions(
        profile=profile,
        sloth_compatible=sloth_compatible,
        sloth_mode="cli-gen-k8s" if fmt == "prometheus-operator" else "cli-gen-prom",
        sloth_version=f"headroom-{__version__}",
    )


def _k8s_name(spec_set: SpecSet) -> str:
    services = spec_set.services
    base = services[0] if len(services) == 1 else "headroom"
    name = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-") or "headroom"
    return f"{name}-slos"[:253]


def _build(spec_set: SpecSet, options: RuleOptions) -> RuleSet:
    try:
        return build_rule_set(spec_set.slos, options)
    except UnknownProfileError as exc:
        raise UsageError(str(exc)) from exc


def rules_result(
    spec_paths: Sequence[Path | str],
    *,
    fmt: str = "prometheus",
    profile: str | None = None,
    sloth_compatible: bool = False,
    name: str | None = None,
    namespace: str | None = None,
) -> RulesResult:
    """Generate without writing: the text plus notes and counts."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is unknown; use one of: {', '.join(FORMATS)}")
    spec_set = load_specs(spec_paths)
    rule_set = _build(spec_set, _options(profile, sloth_compatible, fmt))
    if fmt == "prometheus":
        text = render_rule_file(rule_set, generator=_GENERATOR)
    else:
        text = render_prometheus_rule(
            rule_set, name=name or _k8s_name(spec_set), namespace=namespace, generator=_GENERATOR
        )
    rules = sum(len(g.rules) for g in rule_set.groups)
    return RulesResult(text, rule_set.notes, len(rule_set.groups), rules)


def generate_rules(
    spec_paths: Sequence[Path | str],
    *,
    fmt: str = "prometheus",
    profile: str | None = None,
    sloth_compatible: bool = False,
) -> str:
    """The rule file text for ``headroom rules SPEC [--format ...]``."""
    return rules_result(spec_paths, fmt=fmt, profile=profile, sloth_compatible=sloth_compatible).text


def _write(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so Prometheus never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_rules(
    spec_paths: Sequence[Path | str],
    output: Path | str,
    *,
    fmt: str = "prometheus",
    profile: str | None = None,
    sloth_compatible: bool = False,
    name: str | None = None,
    namespace: str | None = None,
) -> RulesResult:
    """Generate and write the rule file to ``output``; the result says what was skipped."""
    result = rules_result(
        spec_paths,
        fmt=fmt,
        profile=profile,
        sloth_compatible=sloth_compatible,
        name=name,
        namespace=namespace,
    )
    path = Path(output)
    _write(path, result.text)
    return RulesResult(result.text, result.notes, result.group_count, result.rule_count, path)


def generate_rule_tests(
    spec_paths: Sequence[Path | str],
    rules_file_name: str,
    *,
    profile: str | None = None,
    sloth_compatible: bool = False,
) -> str:
    """A ``promtool test rules`` file for the rules generated from the same specs.

    ``rules_file_name`` is the rule file's path as the test file should name it (relative to
    the test file's directory, as promtool resolves it).
    """
    spec_set = load_specs(spec_paths)
    options = _options(profile, sloth_compatible, "prometheus")
    _build(spec_set, options)
    return render_rule_tests(build_rule_tests(spec_set.slos, rules_file_name, options), generator=_GENERATOR)


def write_rule_tests(
    spec_paths: Sequence[Path | str],
    tests_dir: Path | str,
    rules_path: Path | str,
    *,
    profile: str | None = None,
    sloth_compatible: bool = False,
) -> Path:
    """Write ``<tests_dir>/<rules file stem>.test.yaml`` pointing at ``rules_path``; returns its path."""
    directory = Path(tests_dir)
    rules = Path(rules_path)
    relative = os.path.relpath(rules.resolve(), directory.resolve())
    text = generate_rule_tests(spec_paths, relative, profile=profile, sloth_compatible=sloth_compatible)
    path = directory / f"{rules.stem}.test.yaml"
    _write(path, text)
    return path
