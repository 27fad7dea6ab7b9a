"""YAML documents as small located trees: every key, item and scalar knows its line.

The loaders need two things plain ``yaml.safe_load`` throws away: the line of each key
(errors say ``slos.yaml:14``) and the exact text of each scalar (``objective: 0.999``
becomes ``Decimal("0.999")`` from the text, never via a float). So we stop ruamel.yaml
after *composing* (YAML 1.2, the round-trip resolver) and convert its node graph into
three frozen types, :class:`YScalar`, :class:`YMap` and :class:`YSeq`.

Anchors and aliases resolve to the same subtree; ``<<`` merge keys are applied (keys
written in the mapping win). A duplicated key is reported as an issue, not silently
overwritten. Lines are 1-based, as editors show them.

No file I/O here: :func:`parse_yaml` takes the text; ``load.py`` reads files.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from headroom.errors import SpecIssue

__all__ = [
    "Issues",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "describe",
    "field_path",
    "get_bool",
    "get_map",
    "get_scalar",
    "get_seq",
    "get_str",
    "get_str_map",
    "parse_yaml",
    "suggest",
]

_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class YScalar:
    """A scalar with its YAML type (``str int float bool null``), its exact text and line."""

    kind: str
    text: str
    line: int
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return self.kind == "null"

    def decimal(self) -> Decimal | None:
        """The exact number written, or None when the scalar is not a number."""
        if self.kind not in ("int", "float"):
            return None
        raw = self.text.replace("_", "").strip()
        special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
        raw = special.get(raw.lower(), raw)
        try:
            return (
                Decimal(raw) if self.kind == "float" or raw.lstrip("+-").isdigit() else Decimal(int(raw, 0))
            )
        except (InvalidOperation, ValueError):
            return None

    def value(self) -> str | int | float | bool | None:
        """The plain Python value (numbers as int or float) for labels, filters and flags."""
        if self.kind == "null":
            return None
        if self.kind == "bool":
            return self.text.lower() == "true"
        if self.kind in ("int", "float"):
            number = self.decimal()
            if number is None:
                return self.text
            return int(number) if self.kind == "int" else float(number)
        return self.text


@dataclass(frozen=True)
class YMap:
    """A mapping with string keys, in written order; ``key_lines`` holds each key's line."""

    items: dict[str, YNode]
    key_lines: dict[str, int]
    line: int

    def __contains__(self, key: object) -> bool:
        return key in self.items

    def get(self, key: str) -> YNode | None:
        return self.items.get(key)

    def line_of(self, key: str) -> int:
        """Line of ``key`` when present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)

    def keys(self) -> Iterable[str]:
        return self.items.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)


@dataclass(frozen=True)
class YSeq:
    """A sequence; each item carries its own line."""

    items: tuple[YNode, ...]
    line: int

    def __iter__(self) -> Iterator[YNode]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


YNode: TypeAlias = YScalar | YMap | YSeq


def describe(node: YNode) -> str:
    """A short human name for what a node is, for 'expected a mapping but found ...'."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    if node.is_null:
        return "nothing"
    text = node.text if len(node.text) <= 40 else node.text[:37] + "..."
    return f"{node.kind} {text!r}" if node.kind == "str" else f"{node.kind} {text}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """``did you mean 'x'? `` (with the trailing space) or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


@dataclass
class Issues:
    """Collects issues for one file; loaders append, nobody raises mid-way."""

    file: str
    found: list[SpecIssue] = field(default_factory=list)

    def error(self, line: int | None, field_path: str, message: str, fix: str = "") -> None:
        self.found.append(SpecIssue(self.file, line, field_path, message, fix, "error"))

    def warning(self, line: int | None, field_path: str, message: str, fix: str = "") -> None:
        self.found.append(SpecIssue(self.file, line, field_path, message, fix, "warning"))

    def info(self, line: int | None, field_path: str, message: str, fix: str = "") -> None:
        self.found.append(SpecIssue(self.file, line, field_path, message, fix, "info"))

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.found)

    def check_keys(
        self, node: YMap, path: str, allowed: Iterable[str], *, required: Iterable[str] = ()
    ) -> bool:
        """Report unknown keys (with a suggestion) and missing required ones; True when clean.

        A required key that an unknown key looks like a misspelling of is not reported
        again as missing: one mistake, one issue.
        """
        allowed_list = list(allowed)
        ok = True
        misspelt: set[str] = set()
        for key in node:
            if key not in allowed_list:
                ok = False
                close = difflib.get_close_matches(key, allowed_list, n=1, cutoff=0.6)
                misspelt.update(close)
                hint = suggest(key, allowed_list)
                self.error(
                    node.line_of(key),
                    _join(path, key),
                    f"unknown key {key!r}",
                    f"{hint}allowed keys here: {', '.join(allowed_list)}",
                )
        for key in required:
            if key not in node.items and key not in misspelt:
                ok = False
                self.error(node.line, _join(path, key), f"missing required key {key!r}", f"add {key}: ...")
        return ok


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _tag(node: Node) -> str:
    tag: Any = node.tag
    text = str(getattr(tag, "value", tag) or "")
    return text[len(_TAG) :] if text.startswith(_TAG) else text


def _convert(node: Node, issues: Issues, path: str, memo: dict[int, YNode]) -> YNode:
    if id(node) in memo:
        return memo[id(node)]
    out: YNode
    if isinstance(node, ScalarNode):
        kind = _tag(node)
        if kind not in ("str", "int", "float", "bool", "null"):
            kind = "str"
        out = YScalar(kind, str(node.value), _line(node), quoted=node.style in ("'", '"'))
    elif isinstance(node, SequenceNode):
        out = YSeq(
            tuple(_convert(item, issues, f"{path}[{i}]", memo) for i, item in enumerate(node.value)),
            _line(node),
        )
    elif isinstance(node, MappingNode):
        out = _convert_map(node, issues, path, memo)
    else:  # pragma: no cover - ruamel only composes these three node kinds
        raise TypeError(f"unexpected YAML node {type(node).__name__}")
    memo[id(node)] = out
    return out


def _convert_map(node: MappingNode, issues: Issues, path: str, memo: dict[int, YNode]) -> YMap:
    items: dict[str, YNode] = {}
    key_lines: dict[str, int] = {}
    merged: dict[str, YNode] = {}
    merged_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and _tag(key_node) == "merge":
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                converted = _convert(source, issues, path, memo)
                if isinstance(converted, YMap):
                    for k, v in converted.items.items():
                        merged.setdefault(k, v)
                        merged_lines.setdefault(k, converted.key_lines[k])
            continue
        if not isinstance(key_node, ScalarNode):
            issues.error(_line(key_node), path, "a mapping key must be a plain word", "quote the key")
            continue
        key = str(key_node.value)
        value = _convert(value_node, issues, _join(path, key), memo)
        if key in items:
            issues.error(
                _line(key_node),
                _join(path, key),
                f"key {key!r} appears twice (first on line {key_lines[key]})",
                "keep one of them",
            )
            continue
        if isinstance(value, YScalar) and value.is_null:
            value = YScalar("null", value.text, _line(key_node))
        items[key] = value
        key_lines[key] = _line(key_node)
    for k, v in merged.items():
        if k not in items:
            items[k] = v
            key_lines[k] = merged_lines[k]
    return YMap(items, key_lines, _line(node))


def parse_yaml(text: str, file: str) -> tuple[list[YNode], list[SpecIssue]]:
    """Every YAML document of ``text`` (``---`` separated) as a located tree.

    Empty documents are skipped. A syntax error yields no documents and one issue with
    the line and column where the parser stopped.
    """
    issues = Issues(file)
    yaml = YAML(typ="rt")
    try:
        nodes: Any = list(yaml.compose_all(io.StringIO(text)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        column = f" (column {int(mark.column) + 1})" if mark is not None else ""
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        issues.error(line, "", f"YAML syntax error{column}: {problem}", "fix the YAML syntax near this line")
        return [], issues.found
    except YAMLError as exc:
        issues.error(None, "", f"YAML error: {exc}", "fix the YAML syntax")
        return [], issues.found
    docs: list[YNode] = []
    for node in nodes:
        if node is None:
            continue
        converted = _convert(node, issues, "", {})
        if isinstance(converted, YScalar) and converted.is_null:
            continue
        docs.append(converted)
    return docs, issues.found


# ---------------------------------------------------------------- typed field readers


def field_path(path: str, key: str) -> str:
    """``slos[0]`` + ``objective`` -> ``slos[0].objective``."""
    return _join(path, key)


def get_scalar(issues: Issues, node: YMap, key: str, path: str, *, required: bool = False) -> YScalar | None:
    """The scalar under ``key``; None (and an issue when required or not a scalar) otherwise."""
    value = node.get(key)
    where = _join(path, key)
    if value is None or (isinstance(value, YScalar) and value.is_null):
        if required:
            issues.error(node.line_of(key), where, f"missing required key {key!r}", f"add {key}: ...")
        return None
    if not isinstance(value, YScalar):
        issues.error(node.line_of(key), where, f"expected a single value but found {describe(value)}")
        return None
    return value


def get_str(issues: Issues, node: YMap, key: str, path: str, *, required: bool = False) -> str | None:
    """A scalar under ``key`` as text (numbers keep their written form)."""
    scalar = get_scalar(issues, node, key, path, required=required)
    return None if scalar is None else scalar.text


def get_bool(issues: Issues, node: YMap, key: str, path: str) -> bool | None:
    scalar = get_scalar(issues, node, key, path)
    if scalar is None:
        return None
    if scalar.kind != "bool":
        issues.error(
            node.line_of(key), _join(path, key), f"expected true or false but found {describe(scalar)}"
        )
        return None
    return scalar.text.lower() == "true"


def get_map(issues: Issues, node: YMap, key: str, path: str, *, required: bool = False) -> YMap | None:
    value = node.get(key)
    where = _join(path, key)
    if value is None or (isinstance(value, YScalar) and value.is_null):
        if required:
            issues.error(
                node.line_of(key), where, f"missing required key {key!r}", f"add {key}: with its fields"
            )
        return None
    if not isinstance(value, YMap):
        issues.error(node.line_of(key), where, f"expected a mapping but found {describe(value)}")
        return None
    return value


def get_seq(issues: Issues, node: YMap, key: str, path: str, *, required: bool = False) -> YSeq | None:
    value = node.get(key)
    where = _join(path, key)
    if value is None or (isinstance(value, YScalar) and value.is_null):
        if required:
            issues.error(node.line_of(key), where, f"missing required key {key!r}", f"add {key}: as a list")
        return None
    if not isinstance(value, YSeq):
        issues.error(
            node.line_of(key), where, f"expected a list but found {describe(value)}", "write it as a list"
        )
        return None
    return value


def get_str_map(issues: Issues, node: YMap, key: str, path: str) -> dict[str, str]:
    """A mapping of text to text (labels, annotations); scalars keep their written text."""
    value = get_map(issues, node, key, path)
    out: dict[str, str] = {}
    if value is None:
        return out
    for k, item in value.items.items():
        where = f"{_join(path, key)}.{k}"
        if not isinstance(item, YScalar) or item.is_null:
            issues.error(value.line_of(k), where, f"expected a text value but found {describe(item)}")
            continue
        out[k] = item.text
    return out
