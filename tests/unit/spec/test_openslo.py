"""OpenSLO v1: ratio metrics, windows, budgeting methods, references and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from headroom.spec.filters import parse_filter
from headroom.spec.load import load_specs, parse_spec_texts
from headroom.spec.model import (
    CalendarWindow,
    EventsSLI,
    Occurrences,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    Timeslices,
)
from tests.unit.spec.helpers import FIXTURES, errors, load_text, warnings

_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api
spec:
  service: api
  indicator:
    metadata: {{name: api-sli}}
    spec:
      ratioMetric:
        good:
          metricSource:
            type: {source_type}
            spec: {{query: 'sum(rate(ok_total[{{{{window}}}}]))'}}
        total:
          metricSource:
            type: Prometheus
            spec: {{query: 'sum(rate(all_total[{{{{window}}}}]))'}}
  timeWindow:
    - {window}
  budgetingMethod: {method}
  objectives:
    - {objective}
"""


def _slo(
    source_type: str = "Prometheus",
    window: str = "{duration: 28d, isRolling: true}",
    method: str = "Occurrences",
    objective: str = "{target: 0.999}",
) -> str:
    return _SLO.format(source_type=source_type, window=window, method=method, objective=objective)


def test_a_prometheus_ratio_slo_with_occurrences_loads_exactly() -> None:
    spec_set = load_specs([FIXTURES / "openslo_ratio.yaml"])
    api, _ = spec_set.slos
    assert api.id == "api/api-availability"
    assert api.objective == Decimal("0.999")
    assert api.window == RollingWindow(duration_s=28 * 86400)
    assert api.budgeting == Occurrences()
    assert api.sli == PrometheusRatioSLI(
        good_query='sum(rate(http_requests_total{job="api",code!~"5.."}[{{window}}]))',
        total_query='sum(rate(http_requests_total{job="api"}[{{window}}]))',
    )
    assert api.labels == {"team": "payments,sre"}
    assert api.description == "Share of API requests served without a 5xx"


def test_an_indicator_ref_resolves_to_a_headroom_events_sli_with_a_calendar_month() -> None:
    _, checkout = load_specs([FIXTURES / "openslo_ratio.yaml"]).slos
    assert checkout.id == "checkout/checkout-errors"
    assert checkout.objective == Decimal("0.995")
    assert checkout.window == CalendarWindow(unit="month", timezone="Europe/Berlin")
    assert checkout.sli == EventsSLI(events="checkout", bad=parse_filter("status >= 500"))


def test_kinds_headroom_does_not_use_are_noted_not_refused() -> None:
    spec_set, issues = parse_spec_texts([("o.yaml", (FIXTURES / "openslo_ratio.yaml").read_text())])
    assert spec_set is not None
    assert [(i.severity, i.line) for i in issues] == [("info", 72)]


def test_timeslices_objectives_become_one_slo_each_named_by_display_name() -> None:
    spec_set, issues = parse_spec_texts([("t.yaml", (FIXTURES / "openslo_timeslices.yaml").read_text())])
    assert spec_set is not None
    internal, sla, main_page = spec_set.slos
    assert internal.name == "web-availability-internal-objective"
    assert sla.name == "web-availability-sla"
    assert internal.window == CalendarWindow(unit="week", timezone="America/New_York")
    assert internal.budgeting == Timeslices(slice_s=60, slice_target=Decimal("0.99"))
    assert sla.budgeting == Timeslices(slice_s=300, slice_target=Decimal("0.95"))
    assert (internal.objective, sla.objective) == (Decimal("0.995"), Decimal("0.99"))
    assert main_page.sli == PrometheusRawSLI(
        error_ratio_query="sum(rate(errors_total[{{window}}])) / sum(rate(requests_total[{{window}}]))"
    )
    assert main_page.budgeting == Timeslices(slice_s=60, slice_target=Decimal("0.99"))
    assert [i.field for i in warnings(issues)] == ["[1].spec.objectives[0]", "[1].spec.objectives[0].op"]
    assert "RatioTimeslices" in warnings(issues)[0].message


def test_an_indicator_ref_may_point_into_another_file() -> None:
    text = (FIXTURES / "openslo_ratio.yaml").read_text()
    slo_part, sli_part = text.split("kind: SLI", 1)
    sli_file = "apiVersion: openslo/v1\nkind: SLI" + sli_part
    spec_set, issues = parse_spec_texts(
        [("slos.yaml", slo_part.rsplit("---", 1)[0]), ("slis.yaml", sli_file)]
    )
    assert errors(issues) == []
    assert spec_set is not None
    assert [s.id for s in spec_set.slos] == ["api/api-availability", "checkout/checkout-errors"]


def test_a_missing_indicator_ref_is_an_error_with_a_suggestion() -> None:
    text = _slo().replace("  indicator:\n", "  indicatorRef: api-sl\n  unused:\n")
    text = text.split("  unused:")[0] + "  timeWindow:" + text.split("  timeWindow:")[1]
    text += "---\napiVersion: openslo/v1\nkind: SLI\nmetadata: {name: api-sli}\nspec: {ratioMetric: {}}\n"
    (issue,) = errors(load_text(text)[1])
    assert "no SLI named 'api-sl'" in issue.message
    assert issue.fix.startswith("did you mean 'api-sli'?")


def test_target_percent_reads_exactly() -> None:
    spec_set, _ = load_text(_slo(objective="{targetPercent: 99.95}"))
    assert spec_set is not None
    assert spec_set.slos[0].objective == Decimal("0.9995")


def test_a_threshold_metric_is_refused_with_the_reason() -> None:
    text = _slo().replace(
        "ratioMetric:", "thresholdMetric:\n        metricSource: {type: Prometheus, spec: {}}\n      x:"
    )
    issue = errors(load_text(text)[1])[0]
    assert "thresholdMetric is not supported" in issue.message


def test_an_unsupported_metric_source_type_names_the_supported_ones() -> None:
    (issue,) = errors(load_text(_slo(source_type="Datadog"))[1])
    assert issue.message == "metric source type 'Datadog' is not supported"
    assert issue.fix == "supported types: Prometheus, headroom"


def test_a_query_without_the_window_placeholder_explains_how_to_add_it() -> None:
    text = _slo().replace("ok_total[{{window}}]", "ok_total[5m]")
    (issue,) = errors(load_text(text)[1])
    assert issue.field.endswith("good.metricSource.spec.query")
    assert "add {{window}}" in issue.fix


@pytest.mark.parametrize(("duration", "unit"), [("1w", "week"), ("1M", "month"), ("1Q", "quarter")])
def test_calendar_windows_take_their_unit_from_the_duration(duration: str, unit: str) -> None:
    window = f"{{duration: {duration}, isRolling: false, calendar: {{timeZone: Asia/Tokyo}}}}"
    spec_set, _ = load_text(_slo(window=window))
    assert spec_set is not None
    assert spec_set.slos[0].window == CalendarWindow(unit=unit, timezone="Asia/Tokyo")


def test_a_one_minute_calendar_window_is_refused_suggesting_one_month() -> None:
    (issue,) = errors(load_text(_slo(window="{duration: 1m, isRolling: false}"))[1])
    assert issue.fix == "write 1M for a calendar month (1m is one minute)"


def test_a_rolling_window_in_months_has_no_fixed_length() -> None:
    (issue,) = errors(load_text(_slo(window="{duration: 1M, isRolling: true}"))[1])
    assert "no fixed length" in issue.message


def test_timeslices_without_a_time_slice_target_is_an_error() -> None:
    _, issues = load_text(_slo(method="Timeslices", objective="{target: 0.99, timeSliceWindow: 1m}"))
    assert [i.field for i in errors(issues)] == ["spec.objectives[0].timeSliceTarget"]


def test_a_time_slice_window_given_as_a_number_is_minutes() -> None:
    objective = "{target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 5}"
    spec_set, _ = load_text(_slo(method="Timeslices", objective=objective))
    assert spec_set is not None
    assert spec_set.slos[0].budgeting == Timeslices(slice_s=300, slice_target=Decimal("0.9"))


def test_a_time_slice_target_that_is_not_a_number_is_an_error_not_a_crash() -> None:
    objective = "{target: 0.99, timeSliceTarget: .nan, timeSliceWindow: 1m}"
    (issue,) = errors(load_text(_slo(method="Timeslices", objective=objective))[1])
    assert issue.field == "spec.objectives[0].timeSliceTarget"


def test_an_unknown_metadata_key_is_reported_once() -> None:
    text = _slo().replace("  name: api\n", "  name: api\n  namespace: prod\n", 1)
    issues = errors(load_text(text)[1])
    assert [(i.line, i.field) for i in issues] == [(5, "metadata.namespace")]
