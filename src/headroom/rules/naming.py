"""Every rule, group and label name headroom writes into Prometheus, in one place.

Pure. The ``slo:*`` record names, the ``sloth_*`` labels and the group names are Sloth's
(``pkg/common/conventions``, v0.16.0), kept identical so that Sloth's Grafana dashboards
(grafana.com 14348, 14643) and ``sloth server`` read headroom's rules unchanged. Names
headroom adds start with ``headroom`` so they can never collide with Sloth's.
"""

from __future__ import annotations

__all__ = [
    "ALERTS_GROUP_PREFIX",
    "CURRENT_BURN_RATE_RECORD",
    "DEFAULT_ALERT_NAME",
    "ERROR_BUDGET_RECORD",
    "EVENT_WEIGHTED_PERIOD_BURN_RATE_RECORD",
    "EVENT_WEIGHTED_PERIOD_REMAINING_RECORD",
    "HEADROOM_BUDGETING",
    "HEADROOM_SLO",
    "ID_LABELS",
    "META_GROUP_PREFIX",
    "OBJECTIVE_RECORD",
    "PERIOD_BURN_RATE_RECORD",
    "PERIOD_GROUP_PREFIX",
    "PERIOD_REMAINING_RECORD",
    "SLI_GROUP_PREFIX",
    "SLOTH_ID",
    "SLOTH_INFO_RECORD",
    "SLOTH_OBJECTIVE",
    "SLOTH_SERVICE",
    "SLOTH_SEVERITY",
    "SLOTH_SLO",
    "SLOTH_WINDOW",
    "TIER",
    "TIME_PERIOD_RECORD",
    "event_weighted_sli_record",
    "group_name",
    "sli_record",
    "sloth_id",
]

# ---- labels (Sloth's) ----
SLOTH_ID = "sloth_id"
"""``<service>-<slo>``: the identity Sloth's dashboards group by."""
SLOTH_SERVICE = "sloth_service"
SLOTH_SLO = "sloth_slo"
SLOTH_WINDOW = "sloth_window"
"""Window of an SLI recording (``5m`` ... ``30d``); alert expressions drop it with ``max(...) without``."""
SLOTH_SEVERITY = "sloth_severity"
SLOTH_OBJECTIVE = "sloth_objective"
ID_LABELS = (SLOTH_ID, SLOTH_SERVICE, SLOTH_SLO)
"""Sorted: the matchers on every ``slo:*`` reference, as Sloth writes them."""

# ---- labels (headroom's) ----
HEADROOM_SLO = "headroom_slo"
"""headroom's SLO id, ``<service>/<slo>``, as ``headroom status`` prints it."""
HEADROOM_BUDGETING = "headroom_budgeting"
"""How a period error ratio weighs events: ``occurrences`` (event-weighted) or ``ratio-timeslices``."""
TIER = "tier"
"""The profile tier(s) an alert stands for (``page-fast``, or ``page-fast,page-slow`` when OR-ed)."""

# ---- records (Sloth's) ----
OBJECTIVE_RECORD = "slo:objective:ratio"
ERROR_BUDGET_RECORD = "slo:error_budget:ratio"
TIME_PERIOD_RECORD = "slo:time_period:days"
CURRENT_BURN_RATE_RECORD = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE_RECORD = "slo:period_burn_rate:ratio"
PERIOD_REMAINING_RECORD = "slo:period_error_budget_remaining:ratio"
SLOTH_INFO_RECORD = "sloth_slo_info"

# ---- records (headroom's) ----
EVENT_WEIGHTED_PERIOD_BURN_RATE_RECORD = "headroom:period_burn_rate:ratio"
"""Burn rate over the period from the event-weighted error ratio (headroom's default budgeting)."""
EVENT_WEIGHTED_PERIOD_REMAINING_RECORD = "headroom:period_error_budget_remaining:ratio"
"""``1 - headroom:period_burn_rate:ratio``; negative when overspent, as Sloth's."""

DEFAULT_ALERT_NAME = "ErrorBudgetBurn"
"""Alert name when a spec gives none (Pyrra's default); the ``sloth_id`` label tells SLOs apart."""

# ---- groups (Sloth's, plus one of headroom's) ----
SLI_GROUP_PREFIX = "sloth-slo-sli-recordings"
META_GROUP_PREFIX = "sloth-slo-meta-recordings"
ALERTS_GROUP_PREFIX = "sloth-slo-alerts"
PERIOD_GROUP_PREFIX = "headroom-slo-period-recordings"


def sloth_id(service: str, slo_name: str) -> str:
    """Sloth's SLO id: ``<service>-<slo>``."""
    return f"{service}-{slo_name}"


def sli_record(window: str) -> str:
    """``slo:sli_error:ratio_rate<window>``, window in Prometheus duration text (``5m``, ``4w``)."""
    return f"slo:sli_error:ratio_rate{window}"


def event_weighted_sli_record(window: str) -> str:
    """``headroom:sli_error:ratio_increase<window>``: bad events / all events over the period."""
    return f"headroom:sli_error:ratio_increase{window}"


def group_name(prefix: str, service: str, slo_name: str) -> str:
    """``<prefix>-<service>-<slo>``, e.g. ``sloth-slo-alerts-svc01-slo1``."""
    return f"{prefix}-{service}-{slo_name}"
