"""Use case: judge a canary from files (data CSV/JSONL plus an optional YAML/JSON config).

``judge_file`` is what ``headroom canary judge`` and the API call: load, then the one pure
``judge_canary``. Config errors come back as one ``SpecError`` naming file, line and field.

Config file (YAML or JSON; every key optional)::

    mode: headroom            # or kayenta
    pass: 95
    marginal: 75
    alpha: 0.05
    power: 0.8
    group_weights: {errors: 60, latency: 40}
    metrics:
      - name: http_errors
        group: errors
        critical: true
      - name: latency_p99_ms
        group: latency
        direction: increase
        effect_measure: meanRatio
        allowed_increase: 1.1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from headroom.canary.config import CanaryConfig
from headroom.canary.data_files import load_canary_data
from headroom.canary.judge import judge_canary
from headroom.canary.model import CanaryReport
from headroom.canary.projection import BudgetInputs
from headroom.errors import SpecError, SpecIssue
from headroom.spec.locations import YMap, YNode, YScalar, YSeq, parse_yaml

__all__ = ["judge_file", "load_canary_config", "parse_canary_config"]


def _plain(node: YNode) -> Any:
    if isinstance(node, YScalar):
        return node.value()
    if isinstance(node, YSeq):
        return [_plain(item) for item in node]
    return {key: _plain(value) for key, value in node.items.items()}


def _line_of(root: YNode, loc: tuple[int | str, ...]) -> int | None:
    node: YNode | None = root
    line = root.line
    for part in loc:
        if isinstance(node, YMap) and isinstance(part, str) and part in node:
            line = node.line_of(part)
            node = node.get(part)
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            node = node.items[part]
            line = node.line
        else:
            break
    return line


def parse_canary_config(text: str, file: str) -> CanaryConfig:
    """Parse a canary config's text (YAML or JSON); raises ``SpecError`` with every problem."""
    docs, issues = parse_yaml(text, file)
    if issues:
        raise SpecError(issues)
    if not docs:
        return CanaryConfig()
    root = docs[0]
    if not isinstance(root, YMap):
        raise SpecError(
            [
                SpecIssue(
                    file,
                    root.line,
                    "",
                    "the canary config must be a mapping",
                    "start with e.g. 'mode: headroom'",
                )
            ]
        )
    raw = _plain(root)
    metrics = raw.get("metrics")
    if isinstance(metrics, dict):  # also accept {name: {...}}
        raw["metrics"] = [{"name": name, **(rules or {})} for name, rules in metrics.items()]
        root_metrics = root.get("metrics")
        if isinstance(root_metrics, YMap):
            root = YMap(
                {**root.items, "metrics": YSeq(tuple(root_metrics.items.values()), root_metrics.line)},
                root.key_lines,
                root.line,
            )
    try:
        return CanaryConfig.model_validate(raw)
    except ValidationError as error:
        found = []
        for e in error.errors():
            loc = tuple(e["loc"])
            field = ".".join(str(p) for p in loc)
            found.append(
                SpecIssue(
                    file,
                    _line_of(root, loc),
                    field,
                    f"{e['msg']} (got {e.get('input')!r})" if loc else str(e["msg"]),
                    "see docs/canary.md for the allowed keys and values",
                )
            )
        raise SpecError(found) from error


def load_canary_config(path: str | Path) -> CanaryConfig:
    """Read and parse a canary config file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(
            [
                SpecIssue(
                    str(p), None, "", f"cannot read the canary config ({error.strerror})", "check the path"
                )
            ]
        ) from error
    return parse_canary_config(text, str(p))


def judge_file(
    data_path: str | Path,
    config_path: str | Path | None = None,
    budget: BudgetInputs | None = None,
    *,
    mode: str | None = None,
) -> CanaryReport:
    """Load the canary data (and config), then judge it; ``mode`` overrides the config's mode."""
    config = load_canary_config(config_path) if config_path is not None else CanaryConfig()
    if mode is not None:
        config = CanaryConfig.model_validate({**config.model_dump(by_alias=True), "mode": mode})
    data = load_canary_data(data_path)
    return judge_canary(data, config, budget)
