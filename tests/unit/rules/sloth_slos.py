"""Sloth's base example (``tests/fixtures/rules/sloth/in.yaml``) built as model objects.

Built by hand rather than loaded, so the rules tests do not depend on the spec loader;
``test_service_rules.py`` checks the loader path end to end.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from headroom.spec.model import (
    SLO,
    AlertingSpec,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    TierOverride,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
SLOTH = FIXTURES / "sloth"
DAY_S = 86400

ERRORS = 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{window}}]))'
TOTAL = 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{window}}]))'


def sloth_base_slos(period_days: int = 30) -> list[SLO]:
    """``svc01/slo1`` (events SLI, 99.9, alerts) and ``svc01/slo02`` (raw SLI, 95, alerts disabled)."""
    window = RollingWindow(duration_s=period_days * DAY_S)
    return [
        SLO(
            service="svc01",
            name="slo1",
            objective=Decimal("0.999"),
            window=window,
            sli=PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL),
            labels={"global01k1": "global01v1", "global02k1": "global02v1"},
            alerting=AlertingSpec(
                name="myServiceAlert",
                labels={"alert01k1": "alert01v1"},
                annotations={"alert02k1": "alert02k2"},
                tiers={
                    "page": TierOverride(labels={"alert03k1": "alert03v1"}),
                    "ticket": TierOverride(labels={"alert04k1": "alert04v1"}),
                },
            ),
        ),
        SLO(
            service="svc01",
            name="slo02",
            objective=Decimal("0.95"),
            window=window,
            sli=PrometheusRawSLI(error_ratio_query=f"{ERRORS}\n/\n{TOTAL}\n"),
            labels={"global01k1": "global01v1", "global03k1": "global03v1"},
            alerting=AlertingSpec(
                tiers={"page": TierOverride(disabled=True), "ticket": TierOverride(disabled=True)}
            ),
        ),
    ]


def slo(
    sli: object, *, objective: str = "0.999", days: int = 30, alerting: AlertingSpec | None = None
) -> SLO:
    """A one-off SLO of service ``svc`` named ``s`` for focused tests."""
    return SLO(
        service="svc",
        name="s",
        objective=Decimal(objective),
        window=RollingWindow(duration_s=days * DAY_S),
        sli=sli,  # type: ignore[arg-type]
        alerting=alerting or AlertingSpec(name="A"),
    )
