"""The functional core stays pure: no I/O libraries, no clock, no environment.

import-linter (``make check``) holds the layer order; this test reads the pure modules'
source and also catches what an import contract cannot see: ``datetime.now()``,
``time.time()``, ``os.environ``, ``open(...)``, ``print(...)``.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import headroom

SRC = Path(headroom.__file__).parent
PURE_PACKAGES = ("budget", "rules", "policy")
PURE_MODULES = (
    "spec/model.py",
    "spec/filters.py",
    "spec/durations.py",
    "spec/profiles.py",
    "alerting/mwmb.py",
    "alerting/state.py",
    "alerting/backtest.py",
    "alerting/profiles_resolve.py",
    "alerting/exhaustion_alerts.py",
    "canary/judge.py",
    "canary/kayenta.py",
    "canary/projection.py",
    "canary/mannwhitney.py",
    "canary/rollout_machine.py",
    "canary/model.py",
    "canary/config.py",
    "canary/rank_tests.py",
    "canary/power.py",
    "sources/promql_window.py",
    "sources/prometheus_answers.py",
)
#: Pure modules of the sources package that other pure modules may use: the port and query text.
PURE_PORTS = {"headroom.sources.base", "headroom.sources.promql_window"}
FORBIDDEN_IMPORTS = {
    "duckdb",
    "httpx",
    "fastapi",
    "ruamel",
    "rich",
    "typer",
    "uvicorn",
    "requests",
    "socket",
    "subprocess",
}
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "monotonic"),
    ("date", "today"),
}


def _pure_files() -> list[Path]:
    files = [p for pkg in PURE_PACKAGES for p in sorted((SRC / pkg).glob("*.py"))]
    files += [SRC / m for m in PURE_MODULES if (SRC / m).exists()]
    return files


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_modules_do_no_io_and_read_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_IMPORTS:
                problems.append(f"imports {node.module}")
            layer_above = node.module.startswith(
                ("headroom.store", "headroom.sources", "headroom.service", "headroom.cli")
            )
            if layer_above and node.module not in PURE_PORTS:
                problems.append(f"imports {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"open", "print", "input"}:
                problems.append(f"calls {func.id}() at line {node.lineno}")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in FORBIDDEN_CALLS
            ):
                problems.append(f"reads the clock ({func.value.id}.{func.attr}) at line {node.lineno}")
        elif isinstance(node, ast.Attribute) and node.attr == "environ":
            problems.append(f"reads the environment at line {node.lineno}")
    assert problems == [], f"{path.relative_to(SRC)} is meant to be pure: {problems}"


def _modules() -> list[str]:
    modules = pkgutil.walk_packages([str(SRC)], prefix="headroom.")
    return sorted(m.name for m in modules if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_every_public_name_in_all_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        return
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ names what it does not define: {missing}"
