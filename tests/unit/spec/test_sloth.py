"""Sloth prometheus/v1: percent objectives, both SLI kinds, alert overrides, Sloth's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from headroom.spec.load import load_specs
from headroom.spec.model import (
    AlertingSpec,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    TierOverride,
)
from tests.unit.spec.helpers import FIXTURES, errors, load_text, warnings

_ONE = """\
version: "prometheus/v1"
service: svc01
slos:
  - name: slo1
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(http_requests_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total[{{{{.window}}}}]))
    alerting:
      name: {name}
"""


def _one(objective: str = "99.9", name: str = "Svc01Burn") -> str:
    return _ONE.format(objective=objective, name=name)


def test_a_sloth_spec_with_both_sli_kinds_and_alert_overrides_loads() -> None:
    availability, latency = load_specs([FIXTURES / "sloth.yaml"]).slos
    assert availability.id == "svc01/requests-availability"
    assert availability.objective == Decimal("0.999")
    assert availability.window == RollingWindow(duration_s=30 * 86400)
    assert availability.labels == {"owner": "myteam", "category": "availability"}
    assert availability.sli == PrometheusRatioSLI(
        error_query='sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{window}}]))',
        total_query='sum(rate(http_request_duration_seconds_count{job="myservice"}[{{window}}]))',
    )
    assert availability.alerting == AlertingSpec(
        name="MyServiceHighErrorRate",
        labels={"category": "availability"},
        annotations={"summary": "High error rate on 'myservice' requests responses"},
        tiers={
            "page": TierOverride(labels={"severity": "pageteam", "routing_key": "myteam"}),
            "ticket": TierOverride(labels={"severity": "slack", "slack_channel": "#alerts-myteam"}),
        },
    )
    assert latency.objective == Decimal("0.95")
    assert isinstance(latency.sli, PrometheusRawSLI)
    assert latency.sli.error_ratio_query.startswith("1 - (\n  sum(rate(http_request_duration_seconds_bucket")
    assert latency.sli.error_ratio_query.count("[{{window}}]") == 2
    assert latency.alerting.name is None
    assert latency.alerting.tiers == {
        "page": TierOverride(disabled=True),
        "ticket": TierOverride(disabled=True),
    }


@pytest.mark.parametrize(("written", "exact"), [("99.9", "0.999"), ("95", "0.95"), ("99.95", "0.9995")])
def test_percent_objectives_become_exact_fractions(written: str, exact: str) -> None:
    spec_set, _ = load_text(_one(objective=written))
    assert spec_set is not None
    assert spec_set.slos[0].objective == Decimal(exact)


@pytest.mark.parametrize(
    ("written", "message"), [("101", "not in (0, 100]"), ("0", "not in (0, 100]"), ("100", "no error budget")]
)
def test_objectives_sloth_or_headroom_refuse_are_errors(written: str, message: str) -> None:
    (issue,) = errors(load_text(_one(objective=written))[1])
    assert issue.line == 5
    assert message in issue.message


def test_an_alert_name_is_required_unless_both_alerts_are_disabled() -> None:
    (issue,) = errors(load_text(_one(name="''"))[1])
    assert issue.field == "slos[0].alerting.name"


def test_sloth_names_follow_sloths_pattern() -> None:
    (issue,) = errors(load_text(_one().replace("name: slo1", "name: slo_"))[1])
    assert issue.field == "slos[0].name"


def test_identical_error_and_total_queries_are_an_error() -> None:
    text = _one().replace('{code=~"5.."}', "")
    (issue,) = errors(load_text(text)[1])
    assert "the same query" in issue.message


def test_sli_plugins_are_refused_with_a_fix() -> None:
    text = (
        _one().replace("      events:\n", "      plugin: {id: x}\n      unused:\n").split("      unused:")[0]
    )
    text += "    alerting: {name: X}\n"
    (issue,) = errors(load_text(text)[1])
    assert issue.message == "Sloth SLI plugins are not supported"


def test_unknown_keys_are_warnings_because_sloth_itself_ignores_them() -> None:
    text = _one() + "      pageAlert: {disable: true}\n"
    spec_set, issues = load_text(text)
    assert spec_set is not None
    (warning,) = warnings(issues)
    assert warning.fix.startswith("did you mean 'page_alert'?")
