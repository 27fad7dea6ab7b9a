"""The one SLO model every spec format is loaded into.

Pure and frozen. Loaders (``headroom_format.py``, ``openslo.py``, ``sloth.py``) parse their
own input types and map them here; after loading, nothing crossing a package boundary is
a ``dict[str, Any]`` (STYLE habit 3).

Objectives are exact ``Decimal`` values in (0, 1) and become a float once, in
``error_budget_ratio``: ``1 - 0.999`` is exactly ``0.001``, so a 30-day budget prints
as 43.2 minutes, not 43.20000000000004.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from headroom.spec.durations import format_duration
from headroom.spec.filters import FilterExpr, render_filter

__all__ = [
    "SLI",
    "SLO",
    "AlertingSpec",
    "Budgeting",
    "CalendarWindow",
    "ErrorBudgetPolicy",
    "EventsSLI",
    "Occurrences",
    "PrometheusHistogramSLI",
    "PrometheusRatioSLI",
    "PrometheusRawSLI",
    "RollingWindow",
    "SourceLocation",
    "SpecSet",
    "TierOverride",
    "Timeslices",
    "Window",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class SourceLocation(_Frozen):
    """Where a spec element was written, for error messages (``file:line``)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


# ---------------------------------------------------------------- windows


class RollingWindow(_Frozen):
    """A window that trails the evaluation instant: ``[at - duration, at)``."""

    kind: Literal["rolling"] = "rolling"
    duration_s: int = Field(gt=0)

    @property
    def text(self) -> str:
        return format_duration(self.duration_s)


class CalendarWindow(_Frozen):
    """A calendar period (``week`` from Monday, ``month``, ``quarter``) in a time zone (IANA name)."""

    kind: Literal["calendar"] = "calendar"
    unit: Literal["week", "month", "quarter"]
    timezone: str = "UTC"

    @property
    def text(self) -> str:
        return self.unit if self.timezone == "UTC" else f"{self.unit} ({self.timezone})"


Window = Annotated[RollingWindow | CalendarWindow, Field(discriminator="kind")]


# ---------------------------------------------------------------- budgeting


class Occurrences(_Frozen):
    """Budget in events: allowed bad events = (1 - objective) x total events in the window."""

    method: Literal["occurrences"] = "occurrences"


class Timeslices(_Frozen):
    """Budget in time: a slice is good when its SLI >= ``slice_target``.

    The budget is (1 - objective) x window, in minutes; each bad slice spends its length.
    A slice with no events is good (no traffic cannot breach an objective), as in OpenSLO
    and Nobl9.
    """

    method: Literal["timeslices"] = "timeslices"
    slice_s: int = Field(default=60, gt=0)
    slice_target: Decimal


Budgeting = Annotated[Occurrences | Timeslices, Field(discriminator="method")]


# ---------------------------------------------------------------- SLIs


class EventsSLI(_Frozen):
    """An SLI over the embedded store's event stream, selected by filters.

    Exactly one of ``good`` or ``bad`` is set; ``total`` selects which events count
    (all events of the stream when ``None``). ``indicator`` says what the ratio means,
    for display: availability, latency (good = latency under a threshold) or quality
    (AI answer quality: hallucination rate, task success).
    """

    kind: Literal["events"] = "events"
    events: str
    good: FilterExpr | None = None
    bad: FilterExpr | None = None
    total: FilterExpr | None = None
    indicator: Literal["availability", "latency", "quality", "ratio"] = "ratio"

    def fingerprint(self) -> str:
        """Canonical text of what this SLI counts; a changed filter changes it."""
        parts = [
            f"events={self.events}",
            f"good={render_filter(self.good)}" if self.good is not None else "",
            f"bad={render_filter(self.bad)}" if self.bad is not None else "",
            f"total={render_filter(self.total)}" if self.total is not None else "",
        ]
        return ";".join(p for p in parts if p)


class PrometheusRatioSLI(_Frozen):
    """Two PromQL queries with a ``{{window}}`` placeholder: errors (or good) over total."""

    kind: Literal["prometheus_ratio"] = "prometheus_ratio"
    error_query: str | None = None
    good_query: str | None = None
    total_query: str


class PrometheusRawSLI(_Frozen):
    """One PromQL query with a ``{{window}}`` placeholder that returns the error ratio (0..1)."""

    kind: Literal["prometheus_raw"] = "prometheus_raw"
    error_ratio_query: str


class PrometheusHistogramSLI(_Frozen):
    """A latency SLI from a Prometheus histogram: good = ``<metric>_bucket{le=threshold}``.

    ``metric`` is the histogram's base name (without ``_bucket``), ``selector`` the label
    matchers without braces (``job="api", code!~"5.."``), and ``threshold_s`` the bucket
    bound in seconds; rules and queries match ``le`` by number, so ``0.3`` and ``0.30``
    (and ``1`` / ``1.0``) select the same bucket.
    """

    kind: Literal["prometheus_histogram"] = "prometheus_histogram"
    metric: str
    selector: str = ""
    threshold_s: float = Field(gt=0)


SLI = Annotated[
    EventsSLI | PrometheusRatioSLI | PrometheusRawSLI | PrometheusHistogramSLI, Field(discriminator="kind")
]


# ---------------------------------------------------------------- alerting


class TierOverride(_Frozen):
    """Per-tier control of an alert profile: disable it, rename its severity, add labels."""

    disabled: bool = False
    severity: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class AlertingSpec(_Frozen):
    """How an SLO alerts. ``profile`` names a window catalog (``sre-workbook`` by default).

    ``min_events`` is the low-traffic guard: a burn-rate pair does not fire while either
    window holds fewer events than this (SRE Workbook ch. 5, "Low-traffic services").
    """

    name: str | None = None
    profile: str = "sre-workbook"
    min_events: int = Field(default=0, ge=0)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    runbook_url: str | None = None
    tiers: dict[str, TierOverride] = Field(default_factory=dict)
    exhaustion_horizon_s: int | None = Field(default=None, gt=0)


# ---------------------------------------------------------------- error-budget policy


class ErrorBudgetPolicy(_Frozen):
    """A service's error-budget policy, the release gate's rules (``policy:`` in a headroom spec).

    Modelled on the SRE Workbook's example error-budget policy (appendix B): a budget
    overspent over the window freezes releases except reliability and security fixes;
    less than ``caution_below_ratio`` left, or a page-level burn alert firing, asks for an
    explicit approval; otherwise go. A single incident that spends more than
    ``postmortem_incident_ratio`` of the window's budget requires a postmortem. The rules
    are applied by ``headroom.policy.gate``; ``docs/gate.md`` documents the defaults.
    """

    freeze_below_ratio: float = 0.0
    caution_below_ratio: float = 0.25
    caution_on_page_alert: bool = True
    page_severities: tuple[str, ...] = ("page", "critical")
    change_types: tuple[str, ...] = ("feature", "fix", "security")
    freeze_exempt: tuple[str, ...] = ("fix", "security")
    caution_exempt: tuple[str, ...] = ()
    exempt_slos: tuple[str, ...] = ()
    postmortem_incident_ratio: float = Field(default=0.20, gt=0)
    incident_burn_rate: float = Field(default=1.0, gt=0)
    incident_merge_gap_minutes: int = Field(default=10, ge=0)
    location: SourceLocation | None = None


# ---------------------------------------------------------------- SLO


class SLO(_Frozen):
    """One service level objective: what is counted, the target, the window, the budgeting."""

    service: str
    name: str
    objective: Decimal = Field(gt=0, lt=1)
    window: Window
    sli: SLI
    budgeting: Budgeting = Field(default_factory=Occurrences)
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    alerting: AlertingSpec = Field(default_factory=AlertingSpec)
    location: SourceLocation | None = None
    policy: ErrorBudgetPolicy | None = None

    @property
    def id(self) -> str:
        """Stable identity across loads: ``service/name``."""
        return f"{self.service}/{self.name}"

    @property
    def error_budget_ratio(self) -> float:
        """1 - objective, converted to float once from the exact Decimal."""
        return float(Decimal(1) - self.objective)


class SpecSet(_Frozen):
    """Everything one or more spec files declared, in file order."""

    slos: tuple[SLO, ...]
    files: tuple[str, ...] = ()

    def by_id(self, slo_id: str) -> SLO:
        for slo in self.slos:
            if slo.id == slo_id:
                return slo
        raise KeyError(slo_id)

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.service for s in self.slos))
