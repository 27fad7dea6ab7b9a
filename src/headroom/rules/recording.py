"""Recording rules for one SLO: SLI error ratios per window, metadata, and the period budget.

Pure. Three groups, as Sloth generates them (``internal/plugin/slo/core/sli_rules_v1``,
``metadata_rules_v1``, v0.16.0), plus one of headroom's:

``sloth-slo-sli-recordings-<service>-<slo>``
    ``slo:sli_error:ratio_rate<W>`` for every window a burn-rate pair of the alert profile
    uses, and for the period. The period rule is Sloth's "optimised" one, the mean of the
    recorded shortest-window ratios: ``sum_over_time(r5m[30d]) / count_over_time(r5m[30d])``.
    Every 5-minute slice weighs the same whatever its traffic: the OpenSLO
    *RatioTimeslices* method, labelled so (``headroom_budgeting="ratio-timeslices"``).
``sloth-slo-meta-recordings-<service>-<slo>``
    objective, error budget, period in days, current (shortest-window) and period burn
    rates, remaining budget ``1 - period_burn_rate``, and the ``sloth_slo_info`` series.
``headroom-slo-period-recordings-<service>-<slo>`` (headroom's, omitted in Sloth mode)
    ``headroom:sli_error:ratio_increase<period>``: bad events / all events over the whole
    period (event-weighted, OpenSLO *Occurrences*, headroom's default budgeting), and the
    burn rate and remaining budget from it. For a ratio SLI the user's ``rate(x[period])``
    queries are used as they are: ``rate = increase / range`` and the range cancels in the
    ratio, so the quotient of rates equals the quotient of increases.

Sloth computes the error budget from the percent objective in binary floating point,
``(100 - 99.9) / 100 = 0.0009999999999999432``, and the objective as ``99.9 / 100 =
0.9990000000000001``; :class:`SlothNumbers` reproduces that for the rendered rules only.
headroom's own budget math elsewhere stays exact (``SLO.error_budget_ratio``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from headroom.rules import naming
from headroom.rules.promql import (
    Aggregate,
    Binary,
    Block,
    Call,
    Expr,
    Matcher,
    Matching,
    Number,
    Paren,
    Range,
    Raw,
    Selector,
    format_go_float,
    format_go_float_f,
    le_matcher,
    render,
    substitute_window,
)
from headroom.spec.durations import format_duration
from headroom.spec.model import (
    SLO,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
)

__all__ = [
    "Labels",
    "RecordingRule",
    "SlothNumbers",
    "base_labels",
    "id_selector",
    "meta_rules",
    "period_rules",
    "period_s",
    "sli_expr",
    "sli_rules",
    "sli_windows_s",
]

Labels = tuple[tuple[str, str], ...]
"""Label pairs sorted by name: rendering order is part of the output."""

_DAY_S = 86400


@dataclass(frozen=True)
class RecordingRule:
    """``record: <name>`` with its PromQL text and sorted labels."""

    record: str
    expr: str
    labels: Labels


@dataclass(frozen=True)
class SlothNumbers:
    """The floats Sloth prints for an objective, computed in Sloth's order.

    ``objective_percent`` is ``float(objective x 100)`` from the exact Decimal (99.9);
    ``objective_ratio = percent / 100`` and ``error_budget_ratio = (100 - percent) / 100``.
    """

    objective_percent: float

    @classmethod
    def of(cls, objective: Decimal) -> SlothNumbers:
        return cls(float(objective * 100))

    @property
    def objective_ratio(self) -> float:
        return self.objective_percent / 100

    @property
    def error_budget_ratio(self) -> float:
        return (100 - self.objective_percent) / 100

    @property
    def objective_label(self) -> str:
        """``sloth_objective`` label text: ``99.9``, ``95``."""
        return format_go_float_f(self.objective_percent)


def period_s(slo: SLO) -> int:
    """The rolling period in seconds; calendar windows have no rule form (the caller skips them)."""
    if not isinstance(slo.window, RollingWindow):
        raise ValueError(f"SLO {slo.id} has a calendar window; Prometheus rules need a rolling one")
    return slo.window.duration_s


def _merge(*layers: dict[str, str] | Labels) -> Labels:
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update(dict(layer))
    return tuple(sorted(merged.items()))


def base_labels(slo: SLO, *, extras: bool) -> Labels:
    """Spec labels, then Sloth's id labels over them, then (with ``extras``) ``headroom_slo``."""
    ids = {
        naming.SLOTH_ID: naming.sloth_id(slo.service, slo.name),
        naming.SLOTH_SERVICE: slo.service,
        naming.SLOTH_SLO: slo.name,
    }
    mine = {naming.HEADROOM_SLO: slo.id} if extras else {}
    return _merge(slo.labels, ids, mine)


def id_selector(slo: SLO, record: str) -> Selector:
    """``<record>{sloth_id="...", sloth_service="...", sloth_slo="..."}``."""
    values = {
        naming.SLOTH_ID: naming.sloth_id(slo.service, slo.name),
        naming.SLOTH_SERVICE: slo.service,
        naming.SLOTH_SLO: slo.name,
    }
    return Selector(record, tuple(Matcher(k, "=", values[k]) for k in naming.ID_LABELS))


def _histogram_expr(sli: PrometheusHistogramSLI, window: str, function: str) -> Expr:
    """``1 - (sum(f(m_bucket{sel,le=...}[W])) / sum(f(m_count{sel}[W])))``."""

    def summed(suffix: str, matchers: tuple[Matcher, ...]) -> Expr:
        selector = Selector(f"{sli.metric}{suffix}", matchers, sli.selector, ",")
        return Aggregate("sum", Call(function, (Range(selector, window),)))

    good = summed("_bucket", (le_matcher(sli.threshold_s),))
    ratio = Binary("/", good, summed("_count", ()), multiline=True)
    return Binary("-", Number(1), Block(ratio))


def sli_expr(slo: SLO, window: str, *, event_function: str = "rate") -> str:
    """The error-ratio PromQL of a Prometheus SLI over ``window``, in Sloth's text shapes.

    * errors/total: ``(<error query>)`` newline ``/`` newline ``(<total query>)``;
    * good/total: ``1 - ((good) / (total))`` in the block layout Sloth gives OpenSLO ratios;
    * raw: ``(<query>)``;
    * histogram: ``1 - (sum(rate(m_bucket{le}[W])) / sum(rate(m_count[W])))``, with
      ``event_function`` (``increase`` for the period rule) in place of ``rate``.
    """
    sli = slo.sli
    if isinstance(sli, PrometheusRatioSLI):
        total = Raw(substitute_window(sli.total_query, window))
        if sli.error_query is not None:
            errors = Raw(substitute_window(sli.error_query, window))
            return render(Binary("/", Paren(errors), Paren(total), multiline=True)) + "\n"
        if sli.good_query is None:
            raise ValueError(f"SLO {slo.id}: a ratio SLI needs error_query or good_query")
        good = Raw(substitute_window(sli.good_query, window))
        ratio = Block(Binary("/", Block(good), Block(total), multiline=True))
        return render(Block(Binary("-", Number(1), ratio)))
    if isinstance(sli, PrometheusRawSLI):
        return render(Paren(Raw(substitute_window(sli.error_ratio_query, window))))
    if isinstance(sli, PrometheusHistogramSLI):
        return render(_histogram_expr(sli, window, event_function))
    raise ValueError(f"SLO {slo.id}: a {sli.kind} SLI has no Prometheus rules")


def sli_windows_s(slo: SLO, tier_windows_s: tuple[int, ...]) -> tuple[int, ...]:
    """Distinct burn-rate windows, ascending, without the period itself."""
    period = period_s(slo)
    return tuple(sorted({w for w in tier_windows_s if w != period}))


def sli_rules(slo: SLO, tier_windows_s: tuple[int, ...], *, extras: bool) -> tuple[RecordingRule, ...]:
    """``slo:sli_error:ratio_rate<W>`` for each tier window, then the period (mean of the shortest)."""
    labels = base_labels(slo, extras=extras)
    windows = sli_windows_s(slo, tier_windows_s)
    rules = [
        RecordingRule(
            naming.sli_record(format_duration(w)),
            sli_expr(slo, format_duration(w)),
            _merge(labels, {naming.SLOTH_WINDOW: format_duration(w)}),
        )
        for w in windows
    ]
    period = format_duration(period_s(slo))
    shortest = id_selector(slo, naming.sli_record(format_duration(windows[0])))
    mean = Binary(
        "/",
        Call("sum_over_time", (Range(shortest, period),)),
        Call("count_over_time", (Range(shortest, period),)),
        Matching("ignoring", (naming.SLOTH_WINDOW,), space=True),
        multiline=True,
    )
    period_labels = {naming.SLOTH_WINDOW: period}
    if extras:
        period_labels[naming.HEADROOM_BUDGETING] = "ratio-timeslices"
    rules.append(RecordingRule(naming.sli_record(period), render(mean) + "\n", _merge(labels, period_labels)))
    return tuple(rules)


def _burn_rate(slo: SLO, sli_record: str) -> str:
    on_ids = Matching("on", (naming.SLOTH_ID, naming.SLOTH_SLO, naming.SLOTH_SERVICE), "group_left")
    expr = Binary(
        "/",
        id_selector(slo, sli_record),
        id_selector(slo, naming.ERROR_BUDGET_RECORD),
        on_ids,
        multiline=True,
    )
    return render(expr) + "\n"


def meta_rules(
    slo: SLO,
    tier_windows_s: tuple[int, ...],
    *,
    extras: bool,
    sloth_mode: str,
    sloth_spec: str,
    sloth_version: str,
) -> tuple[RecordingRule, ...]:
    """Sloth's seven metadata rules, in Sloth's order and with Sloth's float texts."""
    labels = base_labels(slo, extras=extras)
    numbers = SlothNumbers.of(slo.objective)
    objective = format_go_float(numbers.objective_ratio)
    shortest = format_duration(sli_windows_s(slo, tier_windows_s)[0])
    period = format_duration(period_s(slo))
    remaining = Binary("-", Number(1), id_selector(slo, naming.PERIOD_BURN_RATE_RECORD))
    days = format_go_float(period_s(slo) / _DAY_S)
    info = _merge(
        labels,
        {
            "sloth_mode": sloth_mode,
            naming.SLOTH_OBJECTIVE: numbers.objective_label,
            "sloth_spec": sloth_spec,
            "sloth_version": sloth_version,
        },
    )
    return (
        RecordingRule(naming.OBJECTIVE_RECORD, f"vector({objective})", labels),
        RecordingRule(naming.ERROR_BUDGET_RECORD, f"vector(1-{objective})", labels),
        RecordingRule(naming.TIME_PERIOD_RECORD, f"vector({days})", labels),
        RecordingRule(naming.CURRENT_BURN_RATE_RECORD, _burn_rate(slo, naming.sli_record(shortest)), labels),
        RecordingRule(naming.PERIOD_BURN_RATE_RECORD, _burn_rate(slo, naming.sli_record(period)), labels),
        RecordingRule(naming.PERIOD_REMAINING_RECORD, render(remaining), labels),
        RecordingRule(naming.SLOTH_INFO_RECORD, "vector(1)", info),
    )


def period_rules(slo: SLO) -> tuple[RecordingRule, ...]:
    """headroom's event-weighted period error ratio, burn rate and remaining budget."""
    labels = _merge(base_labels(slo, extras=True), {naming.HEADROOM_BUDGETING: "occurrences"})
    period = format_duration(period_s(slo))
    sli = naming.event_weighted_sli_record(period)
    remaining = Binary("-", Number(1), id_selector(slo, naming.EVENT_WEIGHTED_PERIOD_BURN_RATE_RECORD))
    return (
        RecordingRule(sli, sli_expr(slo, period, event_function="increase"), labels),
        RecordingRule(naming.EVENT_WEIGHTED_PERIOD_BURN_RATE_RECORD, _burn_rate(slo, sli), labels),
        RecordingRule(naming.EVENT_WEIGHTED_PERIOD_REMAINING_RECORD, render(remaining), labels),
    )
