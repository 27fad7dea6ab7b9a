"""SLOs to rule groups, and rule groups to YAML text.

Pure: no file I/O, no YAML library (the pure domain may not import ruamel). The emitter
below writes the small, fixed shape of a Prometheus rule file (mappings, sequences,
strings, numbers) the way Sloth's Go YAML encoder (go-yaml v2, a libyaml port) does,
so that Sloth-compatible output is byte-identical to Sloth's:

* sequences under a key are not indented (``groups:`` then ``- name:``), mappings by two;
* a string with a newline is a literal block (``|``, ``|-`` without a final newline,
  ``|+`` with several); a string that would read as a number, boolean or null is
  double-quoted (``"99.9"``); one starting with an indicator (``{``) is single-quoted;
* plain and single-quoted scalars fold at the first space past column 80, continuing
  two spaces deeper than their key (libyaml's ``best_width``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from headroom.rules import naming
from headroom.rules.alerts import AlertRule, alert_rules
from headroom.rules.recording import RecordingRule, meta_rules, period_rules, period_s, sli_rules
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO, CalendarWindow, EventsSLI
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile

__all__ = [
    "RuleGroup",
    "RuleOptions",
    "RuleSet",
    "UnknownProfileError",
    "YamlValue",
    "build_rule_set",
    "dump_yaml",
    "render_prometheus_rule",
    "render_rule_file",
    "resolve_profile",
    "rule_file_data",
    "skip_reason",
]

YamlValue: TypeAlias = "str | int | float | bool | Sequence[YamlValue] | Mapping[str, YamlValue] | None"

Rule: TypeAlias = RecordingRule | AlertRule


@dataclass(frozen=True)
class RuleGroup:
    """A Prometheus rule group: a name and rules evaluated in order."""

    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleSet:
    """Every group generated for a set of SLOs, and a note for each SLO that was skipped."""

    groups: tuple[RuleGroup, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleOptions:
    """How to generate.

    ``sloth_compatible`` leaves out everything headroom adds (the ``headroom_*`` labels, the
    ``tier`` label, the event-weighted period group), so the output is Sloth's, byte for
    byte. ``profile`` overrides every SLO's ``alerting.profile``. ``recordings`` and
    ``alerts`` mirror Sloth's ``--disable-recordings`` / ``--disable-alerts``.
    """

    profile: str | None = None
    profiles: Mapping[str, AlertProfile] = field(default_factory=lambda: dict(BUILTIN_PROFILES))
    sloth_compatible: bool = False
    recordings: bool = True
    alerts: bool = True
    sloth_mode: str = "cli-gen-prom"
    sloth_spec: str = "prometheus/v1"
    sloth_version: str = "headroom"


class UnknownProfileError(ValueError):
    """An SLO names an alert profile that does not exist; the message lists the known ones."""


def resolve_profile(slo: SLO, options: RuleOptions) -> AlertProfile:
    name = options.profile or slo.alerting.profile
    if name not in options.profiles:
        known = ", ".join(sorted(options.profiles))
        where = f"{slo.location}: " if slo.location else ""
        raise UnknownProfileError(
            f"{where}SLO {slo.id}: alert profile {name!r} is unknown; use one of: {known}"
        )
    return options.profiles[name]


def skip_reason(slo: SLO) -> str | None:
    """Why an SLO has no Prometheus rules, or ``None`` when it has them."""
    if isinstance(slo.sli, EventsSLI):
        return f"{slo.id}: skipped, its SLI reads headroom's event store, not Prometheus"
    if isinstance(slo.window, CalendarWindow):
        return f"{slo.id}: skipped, a calendar window ({slo.window.text}) has no Prometheus rule form"
    return None


def build_rule_set(slos: Sequence[SLO], options: RuleOptions | None = None) -> RuleSet:
    """Rule groups for every SLO with a Prometheus SLI and a rolling window, in spec order."""
    options = options or RuleOptions()
    extras = not options.sloth_compatible
    groups: list[RuleGroup] = []
    notes: list[str] = []
    for slo in slos:
        reason = skip_reason(slo)
        if reason:
            notes.append(reason)
            continue
        profile = resolve_profile(slo, options)
        windows = tuple(w for t in profile.tiers for w in (t.short_window_s, t.long_window_s))
        too_long = sorted({w for w in windows if w >= period_s(slo)})
        if too_long:
            notes.append(
                f"{slo.id}: the {profile.name} profile's {format_duration(too_long[0])} window "
                f"is not shorter than the {format_duration(period_s(slo))} period; "
                "choose a profile made for short periods"
            )
        if slo.alerting.min_events and options.alerts:
            notes.append(
                f"{slo.id}: alerting.min_events is not applied by the Prometheus rules (headroom alerts only)"
            )
        if options.recordings:
            groups.append(
                RuleGroup(
                    naming.group_name(naming.SLI_GROUP_PREFIX, slo.service, slo.name),
                    sli_rules(slo, windows, extras=extras),
                )
            )
            meta = meta_rules(
                slo,
                windows,
                extras=extras,
                sloth_mode=options.sloth_mode,
                sloth_spec=options.sloth_spec,
                sloth_version=options.sloth_version,
            )
            groups.append(RuleGroup(naming.group_name(naming.META_GROUP_PREFIX, slo.service, slo.name), meta))
            if extras:
                name = naming.group_name(naming.PERIOD_GROUP_PREFIX, slo.service, slo.name)
                groups.append(RuleGroup(name, period_rules(slo)))
        if options.alerts:
            alerts = alert_rules(slo, profile, extras=extras)
            if alerts:
                name = naming.group_name(naming.ALERTS_GROUP_PREFIX, slo.service, slo.name)
                groups.append(RuleGroup(name, alerts))
    return RuleSet(tuple(groups), tuple(notes))


# ---------------------------------------------------------------- rule data


def _rule_data(rule: Rule, *, sort_keys: bool) -> dict[str, YamlValue]:
    data: dict[str, YamlValue]
    if isinstance(rule, RecordingRule):
        data = {"record": rule.record, "expr": rule.expr}
        if rule.labels:
            data["labels"] = dict(rule.labels)
    else:
        data = {"alert": rule.alert, "expr": rule.expr}
        if rule.for_s:
            data["for"] = format_duration(rule.for_s)
        if rule.labels:
            data["labels"] = dict(rule.labels)
        if rule.annotations:
            data["annotations"] = dict(rule.annotations)
    return dict(sorted(data.items())) if sort_keys else data


def rule_file_data(rule_set: RuleSet, *, sort_keys: bool = False) -> dict[str, YamlValue]:
    """``{"groups": [...]}`` as plain data; Prometheus' field order unless ``sort_keys``."""
    groups: list[YamlValue] = [
        {"name": g.name, "rules": [_rule_data(r, sort_keys=sort_keys) for r in g.rules]}
        for g in rule_set.groups
    ]
    return {"groups": groups}


def _header(generator: str) -> str:
    return f"---\n# Code generated by {generator}.\n# DO NOT EDIT.\n\n"


def render_rule_file(rule_set: RuleSet, *, generator: str = "headroom") -> str:
    """A Prometheus rule file (``rule_files:``), readable by ``promtool check rules``."""
    return _header(generator) + dump_yaml(rule_file_data(rule_set))


def render_prometheus_rule(
    rule_set: RuleSet, *, name: str, namespace: str | None = None, generator: str = "headroom"
) -> str:
    """The same groups in a prometheus-operator ``PrometheusRule`` (``monitoring.coreos.com/v1``).

    Keys are sorted, as Kubernetes tooling writes them (and as Sloth's CRD output is).
    """
    metadata: dict[str, YamlValue] = {
        "labels": {"app.kubernetes.io/component": "SLO", "app.kubernetes.io/managed-by": "headroom"},
        "name": name,
    }
    if namespace:
        metadata["namespace"] = namespace
    document: dict[str, YamlValue] = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": rule_file_data(rule_set, sort_keys=True),
    }
    return _header(generator) + dump_yaml(document)


# ---------------------------------------------------------------- YAML emitter

_BEST_WIDTH = 80
_INDENT = 2
_NULL_BOOL = re.compile(
    r"~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
)
_NUMBER = re.compile(
    r"[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
    r"|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[bB][01_]+|[-+]?0[oO]?[0-7_]+"
    r"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    r"|\d{4}-\d\d?-\d\d?.*"
)
_LEADING_INDICATORS = set("#,[]{}&*!|>'\"%@`")


def _printable(ch: str) -> bool:
    code = ord(ch)
    return ch == "\n" or 0x20 <= code <= 0x7E or code == 0x85 or (0xA0 <= code <= 0xFFFD and code != 0xFEFF)


def _style(text: str) -> str:
    """``plain``, ``single``, ``double`` or ``literal``, choosing as go-yaml v2 does."""
    if text == "" or _NULL_BOOL.fullmatch(text) or _NUMBER.fullmatch(text):
        return "double"
    if not all(_printable(c) for c in text) or " \n" in text:
        return "double"
    if "\n" in text:
        # a block cannot start with a break or a space without an indentation hint, nor be only breaks
        awkward = text.endswith(" ") or text[0] in " \n" or not text.strip()
        return "double" if awkward else "literal"
    plain = not (
        text[0] in _LEADING_INDICATORS
        or (text[0] in "-?:" and (len(text) == 1 or text[1] == " "))
        or text.startswith(("---", "..."))
        or text[0] == " "
        or text[-1] == " "
        or ": " in text
        or text.endswith(":")
        or " #" in text
    )
    return "plain" if plain else "single"


def _fold(text: str, column: int, indent: int, *, single: bool) -> str:
    """Write ``text`` from ``column``, breaking at a space once past the best width (libyaml)."""
    out: list[str] = []
    spaces = False
    for i, ch in enumerate(text):
        if ch == " ":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            inner = (0 < i < len(text) - 1) if single else True
            if not spaces and column > _BEST_WIDTH and nxt != " " and inner:
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            piece = "''" if single and ch == "'" else ch
            out.append(piece)
            column += len(piece)
            spaces = False
    return "".join(out)


def _scalar(value: _Scalar, column: int, indent: int) -> str:
    """A scalar written after ``column`` characters; continuation lines at ``indent``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    style = _style(value)
    if style == "plain":
        return _fold(value, column, indent, single=False)
    if style == "single":
        return "'" + _fold(value, column + 1, indent, single=True) + "'"
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    header = "|"
    if not value.endswith("\n"):
        header += "-"
    elif value.endswith("\n\n"):
        header += "+"
    body = value[:-1] if value.endswith("\n") else value
    lines = [(" " * indent + line) if line else "" for line in body.split("\n")]
    return header + "\n" + "\n".join(lines)


_Scalar: TypeAlias = str | int | float | bool | None


def _as_scalar(value: YamlValue) -> _Scalar:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} as YAML; use a list or a dict")


def _key(key: str) -> str:
    return key if _style(key) == "plain" else json.dumps(key, ensure_ascii=False)


def _emit(value: YamlValue, indent: int, out: list[str]) -> None:
    """Append the lines of a block mapping or sequence whose entries start at ``indent``."""
    pad = " " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            head = f"{pad}{_key(key)}:"
            if isinstance(item, Mapping | list | tuple) and item:
                out.append(head)
                _emit(item, indent if not isinstance(item, Mapping) else indent + _INDENT, out)
            elif isinstance(item, Mapping | list | tuple):
                out.append(f"{head} {'{}' if isinstance(item, Mapping) else '[]'}")
            else:
                out.append(f"{head} {_scalar(_as_scalar(item), len(head) + 1, indent + _INDENT)}")
        return
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, Mapping | list | tuple) and item:
                lines: list[str] = []
                _emit(item, indent + _INDENT, lines)
                lines[0] = f"{pad}- {lines[0][indent + _INDENT :]}"
                out.extend(lines)
            elif isinstance(item, Mapping | list | tuple):
                out.append(f"{pad}- {'{}' if isinstance(item, Mapping) else '[]'}")
            else:
                out.append(f"{pad}- {_scalar(_as_scalar(item), indent + 2, indent + _INDENT)}")
        return
    raise TypeError(f"a YAML document must be a mapping or a sequence, not {type(value).__name__}")


def dump_yaml(value: YamlValue) -> str:
    """Block-style YAML text of plain data, deterministic, in go-yaml v2's layout."""
    out: list[str] = []
    _emit(value, 0, out)
    return "\n".join(out) + "\n"
