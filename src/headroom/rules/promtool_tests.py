"""``promtool test rules`` files that prove generated rules fire when they should.

Pure. For each SLO we synthesise counter series at chosen burn rates and predict, with a
model that does not read the PromQL, which alerts fire:

fast burn
    errors at twice the fastest tier's factor: every tier fires (page and ticket).
slow burn
    between the two smallest factors: only the slowest tier fires (the ticket).
spike then recovery
    the fast burn for ``D`` minutes, then no errors: at ``D`` everything fires; later the
    short windows are clean, so the fast tiers reset while the slow ones still fire.
within budget
    half the smallest factor: nothing fires; the remaining budget is ``1 - burn rate``.

The model works on whole-minute counters, as ``promtool`` samples them: a window's error
ratio is ``(bad(t) - bad(t - W)) / (all(t) - all(t - W))``, computed both with the window's
left edge sample and without it (``rate()`` extrapolates both counters by the same factor,
so the ratio is one of these two). A tier is true when both its windows are above
``factor x EB``; an alert fires once its condition held for its ``for:``. Any decision that
lies within 25 % of a threshold is treated as unknowable, and such instants are not asserted.

Input series are derived from the SLI: ``metric{matchers}[{{window}}]`` selectors are read
from the queries, and label values are chosen to satisfy (or, for the good series, to
avoid) each matcher, then checked by matching them back. Counts are integers (events per
minute a power of ten), so counters never step backwards by a rounding error. An SLO whose
queries cannot be read that way is skipped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from headroom.rules import naming
from headroom.rules.alerts import AlertRule, alert_rules
from headroom.rules.promql import Matcher, Selector, le_spellings, parse_matchers, render, window_selectors
from headroom.rules.recording import SlothNumbers, base_labels, period_s, sli_windows_s
from headroom.rules.render import RuleOptions, YamlValue, dump_yaml, resolve_profile, skip_reason
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO, PrometheusHistogramSLI, PrometheusRatioSLI, PrometheusRawSLI

__all__ = ["RuleTests", "build_rule_tests", "render_rule_tests"]

Kind = Literal["bad", "good", "all"]
_MARGIN = 1.25
"""Decisions closer than this factor to a threshold are not asserted."""


@dataclass(frozen=True)
class RuleTests:
    """The test file as data, and a note for every SLO or scenario left out."""

    data: dict[str, YamlValue]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Series:
    metric: str
    labels: tuple[tuple[str, str], ...]
    kind: Kind


# ---------------------------------------------------------------- choosing label values


def _matches(sel: Selector, series: _Series) -> bool:
    if sel.metric != series.metric:
        return False
    labels = dict(series.labels)
    for m in sel.matchers:
        value = labels.get(m.name, "")
        ok = {
            "=": value == m.value,
            "!=": value != m.value,
            "=~": re.fullmatch(m.value, value) is not None,
            "!~": re.fullmatch(m.value, value) is None,
        }[m.op]
        if not ok:
            return False
    return True


def _alternatives(pattern: str) -> list[str]:
    """Top-level ``|`` branches of a regex, with one outer group removed."""
    body = pattern
    if body.startswith("(") and body.endswith(")") and _balanced(body[1:-1]):
        body = body[1:-1]
    parts, depth, current = [], 0, ""
    for ch in body:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _example(branch: str) -> str:
    """A string a simple regex branch probably matches (checked by the caller)."""
    out: list[str] = []
    i = 0
    while i < len(branch):
        ch = branch[i]
        if ch == "\\" and i + 1 < len(branch):
            nxt = branch[i + 1]
            out.append({"d": "0", "w": "a", "s": " "}.get(nxt, nxt))
            i += 2
            continue
        if ch == "[":
            end = branch.find("]", i + 1)
            inside = branch[i + 1 : end] if end > 0 else ""
            out.append(inside[0] if inside and inside[0] != "^" else "a")
            i = end + 1 if end > 0 else len(branch)
            continue
        if ch in "?*" and out:
            out.pop()
        elif ch == ".":
            out.append("0")
        elif ch not in "()^$+":
            out.append(ch)
        i += 1
    return "".join(out)


def _witness(pattern: str) -> str | None:
    candidates = [_example(b) for b in _alternatives(pattern)]
    candidates += [_example(b) for a in _alternatives(pattern) for b in _alternatives(a)]
    candidates += ["200", "0", "a", "headroom"]
    for candidate in candidates:
        try:
            if re.fullmatch(pattern, candidate):
                return candidate
        except re.error:
            return None
    return None


_OTHER_VALUES = ("headroom_synthetic", "200", "ok", "0", "x")


def _violating(m: Matcher) -> list[str]:
    if m.op in ("=", "=~"):
        return [v for v in _OTHER_VALUES if not _holds(m, v)]
    if m.op == "!=":
        return [m.value]
    witness = _witness(m.value)
    return [witness] if witness is not None else []


def _holds(m: Matcher, value: str) -> bool:
    return _matches(Selector("m", (m,)), _Series("m", ((m.name, value),), "all"))


def _labels_for(sel: Selector, kind: Kind, avoid: Selector | None = None) -> _Series | None:
    labels: dict[str, str] = {}
    for m in sel.matchers:
        if m.op == "=":
            labels[m.name] = m.value
        elif m.op == "=~":
            witness = _witness(m.value)
            if witness is None:
                return None
            labels[m.name] = witness
    for m in sel.matchers:
        if m.op in ("!=", "!~") and not _holds(m, labels.get(m.name, "")):
            options = [v for v in _OTHER_VALUES if _holds(m, v)]
            if not options:
                return None
            labels[m.name] = options[0]
    series = _Series(sel.metric, tuple(sorted(labels.items())), kind)
    if not _matches(sel, series):
        return None
    if avoid is None or not _matches(avoid, series):
        return series
    for m in avoid.matchers:
        for value in _violating(m):
            changed = _Series(sel.metric, tuple(sorted({**labels, m.name: value}.items())), kind)
            if _matches(sel, changed) and not _matches(avoid, changed):
                return changed
    return None


def _check(series: list[_Series], roles: list[tuple[Selector, Kind]]) -> bool:
    """Each selector must count exactly its role: bad, good, or all (= bad + good)."""
    for sel, role in roles:
        kinds = sorted(s.kind for s in series if _matches(sel, s))
        expected = [[role]] if role != "all" else [["all"], ["bad", "good"]]
        if kinds not in expected:
            return False
    return True


def _ratio_series(part: Selector, total: Selector, part_kind: Kind) -> list[_Series] | None:
    other: Kind = "good" if part_kind == "bad" else "bad"
    roles = [(part, part_kind), (total, "all")]
    attempts: list[list[_Series | None]] = []
    if part.metric == total.metric:
        both = _labels_for(Selector(part.metric, part.matchers + total.matchers), part_kind)
        attempts.append([both, _labels_for(total, other, avoid=part)])
    attempts.append([_labels_for(part, part_kind, avoid=total), _labels_for(total, "all", avoid=part)])
    for attempt in attempts:
        found = [s for s in attempt if s is not None]
        if len(found) == len(attempt) and _check(found, roles):
            return found
    return None


def _traffic(slo: SLO) -> list[_Series] | str:
    sli = slo.sli
    if isinstance(sli, PrometheusHistogramSLI):
        matchers = parse_matchers(sli.selector)
        if matchers is None:
            return f"cannot read the selector {sli.selector!r}"
        le = Matcher("le", "=", le_spellings(sli.threshold_s)[0])
        good_series = _labels_for(Selector(f"{sli.metric}_bucket", (*matchers, le)), "good")
        all_series = _labels_for(Selector(f"{sli.metric}_count", matchers), "all")
        if good_series is None or all_series is None:
            return f"cannot choose label values for {sli.selector!r}"
        return [good_series, all_series]
    if isinstance(sli, PrometheusRatioSLI):
        part_query = sli.error_query if sli.error_query is not None else sli.good_query
        kind: Kind = "bad" if sli.error_query is not None else "good"
        parts, totals = window_selectors(part_query or ""), window_selectors(sli.total_query)
        if not parts or not totals or len(parts) != 1 or len(totals) != 1:
            return "each query must hold exactly one metric{...}[{{window}}] selector"
        part, total = parts[0], totals[0]
    elif isinstance(sli, PrometheusRawSLI):
        found = window_selectors(sli.error_ratio_query)
        if not found or len(found) != 2:
            return "a raw query must be errors / total with two metric{...}[{{window}}] selectors"
        part, total = found
        head = sli.error_ratio_query[: sli.error_ratio_query.find(part.metric)]
        kind = "good" if re.search(r"1\s*-", head) else "bad"
    else:
        return f"a {sli.kind} SLI has no Prometheus rules"
    series = _ratio_series(part, total, kind)
    return series if series is not None else "cannot choose label values that split errors from the rest"


# ---------------------------------------------------------------- the burn model


@dataclass(frozen=True)
class _Scenario:
    name: str
    burn: Decimal
    bad_per_min: int
    all_per_min: int
    spike_min: int | None
    length_min: int

    def bad_at(self, minute: int) -> int:
        if self.spike_min is None:
            return self.bad_per_min * minute
        return self.bad_per_min * min(minute, self.spike_min)

    def all_at(self, minute: int) -> int:
        return self.all_per_min * minute


def _rates(burn: Decimal, budget: Decimal) -> tuple[int, int] | None:
    ratio = burn * budget
    if ratio > 1:
        return None
    for k in range(2, 10):
        scaled = ratio * 10**k
        if scaled == scaled.to_integral_value():
            return int(scaled), 10**k
    return None


def _window_ratio(sc: _Scenario, t: int, w: int, closed: bool) -> float | None:
    start = max(0, t - w if closed else t - w + 1)
    if t - start < 1:
        return None
    return (sc.bad_at(t) - sc.bad_at(start)) / (sc.all_at(t) - sc.all_at(start))


def _tier_state(sc: _Scenario, t: int, rule: AlertRule, budget: float) -> bool | None:
    """True, False, or None when the outcome is too close to call at minute ``t``."""
    states: list[bool | None] = []
    for tier in rule.tiers:
        threshold = tier.factor * budget
        decisions: set[bool | None] = set()
        for closed in (True, False):
            values = [
                _window_ratio(sc, t, w // 60, closed)
                for w in (tier.tier.short_window_s, tier.tier.long_window_s)
            ]
            if any(v is None for v in values):
                decisions.add(False)
            elif all(v is not None and v > threshold * _MARGIN for v in values):
                decisions.add(True)
            elif any(v is not None and v < threshold / _MARGIN for v in values):
                decisions.add(False)
            else:
                decisions.add(None)
        states.append(decisions.pop() if len(decisions) == 1 else None)
    if True in states:
        return True
    return None if None in states else False


class _Timeline:
    """Each alert's state minute by minute for one scenario, computed once and extended on demand."""

    def __init__(self, sc: _Scenario, rules: Sequence[AlertRule], budget: float) -> None:
        self._sc, self._rules, self._budget = sc, tuple(rules), budget
        self._states: list[list[bool | None]] = [[] for _ in self._rules]
        self._since: list[list[int | None]] = [[] for _ in self._rules]

    def _extend(self, until: int) -> None:
        for rule, states, since in zip(self._rules, self._states, self._since, strict=True):
            while len(states) <= until:
                t = len(states)
                state = _tier_state(self._sc, t, rule, self._budget)
                previous = since[-1] if since else None
                since.append((previous if previous is not None else t) if state else None)
                states.append(state)

    def firing(self, at: int) -> list[AlertRule] | None:
        """The alerts firing at minute ``at``, or ``None`` when that cannot be called."""
        self._extend(at)
        result = []
        for rule, states, since in zip(self._rules, self._states, self._since, strict=True):
            for_min = rule.for_s // 60
            if any(s is None for s in states[max(0, at - for_min - 2) : at + 1]):
                return None
            start = since[at]
            if start is not None and at - start >= for_min:
                result.append(rule)
        return result


# ---------------------------------------------------------------- writing the tests


def _num(value: float) -> str:
    return repr(float(value))


def _close(expr: str, value: float) -> str:
    tolerance = 1e-6 * max(1.0, abs(value))
    return f"abs({expr} - {_num(value)}) < bool {_num(tolerance)}"


def _label_text(labels: dict[str, str], metric: str = "") -> str:
    return render(
        Selector(metric, tuple(Matcher(k, "=", v) for k, v in sorted(labels.items())), separator=",")
    )


def _id_matchers(slo: SLO) -> str:
    return f'{{{naming.SLOTH_ID}="{naming.sloth_id(slo.service, slo.name)}"}}'


@dataclass(frozen=True)
class _Context:
    slo: SLO
    rules: tuple[AlertRule, ...]
    extras: bool
    unique_name: bool
    budget: float
    shortest_window_s: int

    def labels(self, **extra: str) -> dict[str, str]:
        return {**dict(base_labels(self.slo, extras=self.extras)), **extra}

    def annotations(self, rule: AlertRule) -> dict[str, str] | None:
        rendered = {}
        for key, value in rule.annotations:
            text = value.replace("{{$labels.sloth_service}}", self.slo.service)
            text = text.replace("{{$labels.sloth_slo}}", self.slo.name)
            if "{{" in text:
                return None
            rendered[key] = text
        return rendered


def _alert_checks(ctx: _Context, at: int, firing: list[AlertRule]) -> tuple[str, dict[str, YamlValue]]:
    name = ctx.rules[0].alert
    annotations = [ctx.annotations(r) for r in firing]
    if ctx.unique_name and all(a is not None for a in annotations):
        alerts: list[YamlValue] = [
            {"exp_labels": dict(sorted({**ctx.labels(), **dict(r.labels)}.items())), "exp_annotations": a}
            for r, a in zip(firing, annotations, strict=True)
        ]
        return "alert_rule_test", {"eval_time": f"{at}m", "alertname": name, "exp_alerts": alerts}
    slo_id = ctx.labels()[naming.SLOTH_ID]
    selector = f'ALERTS{{alertname="{name}", alertstate="firing", {naming.SLOTH_ID}="{slo_id}"}}'
    samples: list[YamlValue] = [
        {
            "labels": _label_text(
                {**ctx.labels(), **dict(r.labels), "alertname": name, "alertstate": "firing"}, "ALERTS"
            ),
            "value": 1,
        }
        for r in firing
    ]
    return "promql_expr_test", {"expr": selector, "eval_time": f"{at}m", "exp_samples": samples}


def _value_check(expr: str, at: int, value: float, labels: dict[str, str]) -> dict[str, YamlValue]:
    return {
        "expr": _close(expr, value),
        "eval_time": f"{at}m",
        "exp_samples": [{"labels": _label_text(labels), "value": 1}],
    }


def _test_case(
    ctx: _Context,
    sc: _Scenario,
    traffic: list[_Series],
    checks: list[tuple[int, list[AlertRule]]],
    values: list[dict[str, YamlValue]],
) -> dict[str, YamlValue]:
    series: list[YamlValue] = []
    for s in traffic:
        per_min = {"bad": sc.bad_per_min, "all": sc.all_per_min, "good": sc.all_per_min - sc.bad_per_min}[
            s.kind
        ]
        if sc.spike_min is None or s.kind == "all":
            text = f"0+{per_min}x{sc.length_min}"
        else:
            # after the spike every event is good: the bad counter stays, the good one gains all
            rest = sc.length_min - sc.spike_min
            step = sc.all_per_min if s.kind == "good" else 0
            text = f"0+{per_min}x{sc.spike_min} {per_min * sc.spike_min + step}+{step}x{rest - 1}"
        series.append({"series": _label_text(dict(s.labels), s.metric), "values": text})
    case: dict[str, YamlValue] = {
        "name": f"{ctx.slo.id}: {sc.name}",
        "interval": "1m",
        "input_series": series,
    }
    alert_tests: list[YamlValue] = []
    expr_tests: list[YamlValue] = list(values)
    for at, firing in checks if ctx.rules else []:
        key, check = _alert_checks(ctx, at, firing)
        (alert_tests if key == "alert_rule_test" else expr_tests).append(check)
    if alert_tests:
        case["alert_rule_test"] = alert_tests
    if expr_tests:
        case["promql_expr_test"] = expr_tests
    return case


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _quantize(value: Decimal) -> Decimal:
    return max(value.quantize(Decimal("0.01")), Decimal("0.01"))


def _describe(firing: list[AlertRule]) -> str:
    if not firing:
        return "nothing fires"
    return "fires " + ", ".join(dict(r.labels).get(naming.SLOTH_SEVERITY, "?") for r in firing)


def _scenarios_for(ctx: _Context, traffic: list[_Series], notes: list[str]) -> list[dict[str, YamlValue]]:
    slo = ctx.slo
    budget = Decimal(1) - slo.objective
    factors = sorted({Decimal(repr(t.factor)) for r in ctx.rules for t in r.tiers})
    max_for_min = max((r.for_s // 60 for r in ctx.rules), default=0)
    cases: list[dict[str, YamlValue]] = []
    plans: list[tuple[str, Decimal, int | None]] = []
    if factors:
        fast = _quantize(factors[-1] * 2)
        if fast * budget > 1:
            fast = _quantize(Decimal(1) / budget - Decimal("0.005"))
        if fast < factors[-1] * Decimal(_MARGIN):
            notes.append(
                f"{slo.id}: the fastest tier can never fire (factor x error budget >= 1); no fast-burn test"
            )
        else:
            plans.append(("fast burn", fast, None))
            plans.append(("spike then recovery", fast, max(30, max_for_min + 10)))
        if len(factors) > 1:
            slow = _quantize((factors[0] + factors[1]) / 2)
            plans.append(("slow burn", slow, None))
        plans.append(("within budget", _quantize(factors[0] / 2), None))
    else:
        plans.append(("within budget", Decimal("0.5"), None))
    for title, burn, spike in plans:
        rates = _rates(burn, budget)
        if rates is None:
            notes.append(f"{slo.id}: no whole-number traffic gives {_text(burn)}x; {title} test left out")
            continue
        bad, total = rates
        case = _plan_case(ctx, traffic, title, burn, bad, total, spike, max_for_min)
        if case is None:
            notes.append(f"{slo.id}: {title}: every instant is too close to a threshold to assert; left out")
        else:
            cases.append(case)
    return cases


def _plan_case(
    ctx: _Context,
    traffic: list[_Series],
    title: str,
    burn: Decimal,
    bad: int,
    total: int,
    spike: int | None,
    max_for_min: int,
) -> dict[str, YamlValue] | None:
    slo = ctx.slo
    ratio = bad / total
    eval_at = max(60, max_for_min + 10) if spike is None else spike
    probe = _Scenario(title, burn, bad, total, spike, eval_at + 1)
    values: list[dict[str, YamlValue]] = []
    checks: list[tuple[int, list[AlertRule]]] = []
    first = _Timeline(probe, ctx.rules, ctx.budget).firing(eval_at)
    if first is None:
        return None
    checks.append((eval_at, first))
    end = eval_at
    period = format_duration(period_s(slo))
    shortest = format_duration(ctx.shortest_window_s)
    ids = _id_matchers(slo)
    if spike is None:
        values.append(
            _value_check(
                f"{naming.sli_record(shortest)}{ids}", eval_at, ratio, ctx.labels(sloth_window=shortest)
            )
        )
        values.append(
            _value_check(
                f"{naming.CURRENT_BURN_RATE_RECORD}{ids}",
                eval_at,
                ratio / ctx.budget,
                ctx.labels(sloth_window=shortest),
            )
        )
        sloth_remaining = ctx.labels(sloth_window=period)
        if ctx.extras:
            sloth_remaining[naming.HEADROOM_BUDGETING] = "ratio-timeslices"
        values.append(
            _value_check(
                f"{naming.PERIOD_REMAINING_RECORD}{ids}", eval_at, 1 - ratio / ctx.budget, sloth_remaining
            )
        )
        if ctx.extras:
            values.append(
                _value_check(
                    f"{naming.EVENT_WEIGHTED_PERIOD_REMAINING_RECORD}{ids}",
                    eval_at,
                    1 - ratio / ctx.budget,
                    ctx.labels(**{naming.HEADROOM_BUDGETING: "occurrences"}),
                )
            )
        name = f"{title} at {_text(burn)}x the budget rate: {_describe(first)}"
    else:
        horizon = spike + max((t.tier.long_window_s // 60 for r in ctx.rules for t in r.tiers), default=60)
        probe = _Scenario(title, burn, bad, total, spike, horizon + 1)
        later = _recovery_instant(probe, spike, horizon, first, ctx)
        if later is None:
            return None
        at, firing = later
        checks.append((at, firing))
        end = at
        if ctx.extras:
            spent = probe.bad_at(at) / probe.all_at(at)
            values.append(
                _value_check(
                    f"{naming.EVENT_WEIGHTED_PERIOD_REMAINING_RECORD}{ids}",
                    at,
                    1 - spent / ctx.budget,
                    ctx.labels(**{naming.HEADROOM_BUDGETING: "occurrences"}),
                )
            )
        name = f"{title}: {_text(burn)}x for {spike}m {_describe(first)}; at {at}m {_describe(firing)}"
    scenario = _Scenario(name, burn, bad, total, spike, end + 1)
    return _test_case(ctx, scenario, traffic, checks, values)


def _recovery_instant(
    sc: _Scenario, spike: int, horizon: int, during: list[AlertRule], ctx: _Context
) -> tuple[int, list[AlertRule]] | None:
    """Middle of the first run of minutes where some alerts have reset and some still fire."""
    run: list[tuple[int, list[AlertRule]]] = []
    timeline = _Timeline(sc, ctx.rules, ctx.budget)
    for t in range(spike + 1, horizon + 1):
        if len(run) > 20:
            break
        firing = timeline.firing(t)
        good = firing is not None and 0 < len(firing) < len(during) and all(r in during for r in firing)
        if good and firing is not None and (not run or run[-1][1] == firing):
            run.append((t, firing))
        elif run:
            break
    if len(run) < 3:
        return None
    return run[min(10, len(run) // 2)]


def build_rule_tests(
    slos: Sequence[SLO], rules_file_name: str, options: RuleOptions | None = None
) -> RuleTests:
    """A ``promtool test rules`` document for the rules :func:`build_rule_set` makes from ``slos``."""
    options = options or RuleOptions()
    extras = not options.sloth_compatible
    notes: list[str] = []
    contexts: list[_Context] = []
    names: list[str] = []
    for slo in slos:
        if skip_reason(slo):
            continue
        rules = alert_rules(slo, resolve_profile(slo, options), extras=extras) if options.alerts else ()
        names += list(dict.fromkeys(r.alert for r in rules))
        budget = SlothNumbers.of(slo.objective).error_budget_ratio
        profile = resolve_profile(slo, options)
        windows = tuple(w for t in profile.tiers for w in (t.short_window_s, t.long_window_s))
        shortest = sli_windows_s(slo, windows)[0]
        contexts.append(_Context(slo, rules, extras, True, budget, shortest))
    tests: list[YamlValue] = []
    for ctx in contexts:
        if not options.recordings:
            notes.append(f"{ctx.slo.id}: no recording rules generated, so no tests")
            continue
        unique = not ctx.rules or names.count(ctx.rules[0].alert) == 1
        ctx = _Context(ctx.slo, ctx.rules, ctx.extras, unique, ctx.budget, ctx.shortest_window_s)
        traffic = _traffic(ctx.slo)
        if isinstance(traffic, str):
            notes.append(
                f"{ctx.slo.id}: cannot synthesise input series ({traffic}); write its promtool tests by hand"
            )
            continue
        tests += _scenarios_for(ctx, traffic, notes)
    data: dict[str, YamlValue] = {
        "rule_files": [rules_file_name],
        "evaluation_interval": "1m",
        "tests": tests,
    }
    return RuleTests(data, tuple(notes))


def render_rule_tests(tests: RuleTests, *, generator: str = "headroom") -> str:
    """The test file text; run it with ``promtool test rules <file>``."""
    header = (
        f"# Code generated by {generator}: promtool unit tests for the generated SLO rules.\n"
        "# Run: promtool test rules <this file>. DO NOT EDIT.\n\n"
    )
    return header + dump_yaml(tests.data)
