"""headroom's own format: worked examples first, then one property per rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.spec.filters import parse_filter
from headroom.spec.load import load_specs
from headroom.spec.model import (
    CalendarWindow,
    EventsSLI,
    Occurrences,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    TierOverride,
    Timeslices,
)
from tests.unit.spec.helpers import FIXTURES, errors, load_text, only_slo, warnings


def _slo_text(
    objective: str = "99.9%", window: str = "30d", sli: str = "good: status < 500", extra: str = ""
) -> str:
    return (
        "service: checkout\nslos:\n  - name: availability\n"
        f"    objective: {objective}\n    window: {window}\n"
        f"    sli:\n      events: checkout\n      {sli}\n{extra}"
    )


# ---------------------------------------------------------------- the minimal spec


def test_the_minimal_spec_loads_with_exact_objectives_30_day_windows_and_filters() -> None:
    spec_set = load_specs([FIXTURES / "minimal.yaml"])
    availability, latency = spec_set.slos
    assert (availability.id, latency.id) == ("checkout/availability", "checkout/latency")
    assert availability.objective == Decimal("0.999")
    assert latency.objective == Decimal("0.99")
    assert availability.window == RollingWindow(duration_s=30 * 86400)
    assert latency.window == RollingWindow(duration_s=2_592_000)
    assert availability.sli == EventsSLI(events="checkout", good=parse_filter("status < 500"))
    assert latency.sli == EventsSLI(
        events="checkout", good=parse_filter("latency_ms <= 300"), total=parse_filter("status < 500")
    )
    assert availability.budgeting == Occurrences()
    assert availability.error_budget_ratio == 0.001
    assert str(availability.location).endswith("minimal.yaml:3")
    assert latency.location is not None
    assert latency.location.line == 9
    assert spec_set.files == (str(FIXTURES / "minimal.yaml"),)


# ---------------------------------------------------------------- objectives


@pytest.mark.parametrize("written", ["0.999", '"0.999"', "99.9%", '"99.9%"', "'99.9 %'"])
def test_every_objective_form_reads_as_the_same_exact_decimal(written: str) -> None:
    (slo,) = only_slo(_slo_text(objective=written)).slos
    assert slo.objective == Decimal("0.999")
    assert str(slo.objective) == "0.999"


def test_an_objective_with_many_digits_is_not_rounded_through_a_float() -> None:
    (slo,) = only_slo(_slo_text(objective="0.99950000000000000001")).slos
    assert slo.objective == Decimal("0.99950000000000000001")


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99.999"), places=3))
def test_a_percent_objective_is_exactly_a_hundredth_of_its_text(percent: Decimal) -> None:
    spec_set, issues = load_text(_slo_text(objective=f"{percent}%"))
    assert errors(issues) == []
    assert spec_set is not None
    assert spec_set.slos[0].objective == percent / 100


def test_an_objective_of_1_5_is_refused_with_the_fix() -> None:
    _, issues = load_text(_slo_text(objective="1.5"))
    (issue,) = errors(issues)
    assert (issue.line, issue.field) == (4, "slos[0].objective")
    assert (
        str(issue) == 'slos.yaml:4: slos[0].objective: objective 1.5 is not in (0, 1); write 0.999 or "99.9%"'
    )


def test_a_percent_written_without_the_sign_gets_its_own_fraction_as_the_fix() -> None:
    (issue,) = errors(load_text(_slo_text(objective="99.95"))[1])
    assert issue.fix == 'write 0.9995 or "99.95%"'


@pytest.mark.parametrize("written", ["0", "1", "100%", "-0.5", "nine", ".nan"])
def test_objectives_outside_zero_to_one_or_not_numbers_are_errors(written: str) -> None:
    _, issues = load_text(_slo_text(objective=written))
    assert [i.field for i in errors(issues)] == ["slos[0].objective"]


def test_an_objective_of_five_nines_loads_with_a_warning_about_its_tiny_budget() -> None:
    spec_set, issues = load_text(_slo_text(objective="99.999%"))
    assert spec_set is not None
    (warning,) = warnings(issues)
    assert "25.9 s per 30 days" in warning.message


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("written", "window"),
    [
        ("28d", RollingWindow(duration_s=28 * 86400)),
        ("4w", RollingWindow(duration_s=28 * 86400)),
        ("7d", RollingWindow(duration_s=7 * 86400)),
        ("month", CalendarWindow(unit="month")),
        ("week", CalendarWindow(unit="week")),
        ("quarter", CalendarWindow(unit="quarter")),
        (
            "{calendar: month, timezone: Europe/Berlin}",
            CalendarWindow(unit="month", timezone="Europe/Berlin"),
        ),
        ("{rolling: 30d}", RollingWindow(duration_s=30 * 86400)),
    ],
)
def test_windows_read_as_rolling_durations_or_calendar_periods(written: str, window: object) -> None:
    (slo,) = only_slo(_slo_text(window=written)).slos
    assert slo.window == window


def test_a_missing_window_defaults_to_30_days() -> None:
    text = "service: a\nslos:\n  - name: b\n    objective: 0.99\n    sli: {events: e, good: ok}\n"
    assert only_slo(text).slos[0].window == RollingWindow(duration_s=2_592_000)


def test_an_unknown_time_zone_is_an_error_suggesting_the_closest_name() -> None:
    (issue,) = errors(load_text(_slo_text(window="{calendar: month, timezone: Europe/Pariss}"))[1])
    assert issue.field == "slos[0].window.timezone"
    assert "did you mean 'Europe/Paris'?" in issue.fix


@pytest.mark.parametrize(
    "written", ["fortnight", "{calendar: fortnight}", "30", "{calendar: month, rolling: 30d}"]
)
def test_a_window_that_is_neither_a_duration_nor_a_period_is_an_error(written: str) -> None:
    _, issues = load_text(_slo_text(window=written))
    assert [i.field.split(".")[1] for i in errors(issues)] == ["window"]


@pytest.mark.parametrize(
    ("written", "warned"), [("12h", True), ("180d", True), ("1d", False), ("90d", False)]
)
def test_windows_under_a_day_or_over_90_days_load_with_a_warning(written: str, warned: bool) -> None:
    spec_set, issues = load_text(_slo_text(window=written))
    assert spec_set is not None
    assert bool(warnings(issues)) is warned


# ---------------------------------------------------------------- budgeting


def test_timeslices_budgeting_reads_slice_length_and_target() -> None:
    extra = "    budgeting: {method: timeslices, slice: 5m, slice_target: 95%}\n"
    (slo,) = only_slo(_slo_text(extra=extra)).slos
    assert slo.budgeting == Timeslices(slice_s=300, slice_target=Decimal("0.95"))


def test_timeslices_without_a_slice_target_is_an_error_showing_the_full_form() -> None:
    (issue,) = errors(load_text(_slo_text(extra="    budgeting: timeslices\n"))[1])
    assert "slice_target" in issue.fix


def test_occurrences_written_out_is_the_default() -> None:
    (slo,) = only_slo(_slo_text(extra="    budgeting: occurrences\n")).slos
    assert slo.budgeting == Occurrences()


# ---------------------------------------------------------------- SLIs


def test_a_bad_filter_over_a_total_filter_is_a_quality_ratio() -> None:
    (slo,) = only_slo(
        _slo_text(sli="bad: hallucinated\n      total: evaluated\n      indicator: quality")
    ).slos
    assert slo.sli == EventsSLI(
        events="checkout",
        bad=parse_filter("hallucinated"),
        total=parse_filter("evaluated"),
        indicator="quality",
    )


def test_latency_sugar_is_a_good_filter_at_or_under_the_threshold() -> None:
    (slo,) = only_slo(
        _slo_text(sli="latency: {field: latency_ms, threshold: 300}\n      total: status < 500")
    ).slos
    assert slo.sli == EventsSLI(
        events="checkout",
        good=parse_filter("latency_ms <= 300"),
        total=parse_filter("status < 500"),
        indicator="latency",
    )


def test_good_and_bad_together_is_an_error() -> None:
    (issue,) = errors(load_text(_slo_text(sli="good: ok\n      bad: not ok"))[1])
    assert "exactly one of good:, bad: or latency:" in issue.message


def test_a_filter_syntax_error_names_the_spec_line_and_the_filter_column() -> None:
    (issue,) = errors(load_text(_slo_text(sli="good: status <> 500"))[1])
    assert (issue.line, issue.field) == (8, "slos[0].sli.good")
    assert "at column 9 of the filter" in issue.message


@pytest.mark.parametrize("placeholder", ["{{window}}", "{{ window }}", "{{.window}}", "{{ .window }}"])
def test_prometheus_queries_store_the_window_placeholder_in_one_spelling(placeholder: str) -> None:
    sli = (
        "sli:\n      prometheus:\n"
        f"        error_query: sum(rate(errors_total[{placeholder}]))\n"
        f"        total_query: sum(rate(requests_total[{placeholder}]))\n"
    )
    text = "service: api\nslos:\n  - name: errors\n    objective: 0.999\n    " + sli
    (slo,) = only_slo(text).slos
    assert slo.sli == PrometheusRatioSLI(
        error_query="sum(rate(errors_total[{{window}}]))", total_query="sum(rate(requests_total[{{window}}]))"
    )


@pytest.mark.parametrize(
    ("body", "sli"),
    [
        (
            "good_query: sum(rate(ok_total[{{window}}]))\n"
            "        total_query: sum(rate(all_total[{{window}}]))",
            PrometheusRatioSLI(
                good_query="sum(rate(ok_total[{{window}}]))", total_query="sum(rate(all_total[{{window}}]))"
            ),
        ),
        (
            "error_ratio_query: avg_over_time(err_ratio[{{window}}])",
            PrometheusRawSLI(error_ratio_query="avg_over_time(err_ratio[{{window}}])"),
        ),
        (
            "histogram: http_request_duration_seconds\n"
            "        selector: '{job=\"api\"}'\n        threshold: 0.3",
            PrometheusHistogramSLI(
                metric="http_request_duration_seconds", selector='job="api"', threshold_s=0.3
            ),
        ),
    ],
)
def test_each_prometheus_sli_form_maps_to_its_model(body: str, sli: object) -> None:
    head = "service: api\nslos:\n  - name: x\n    objective: 0.99\n"
    text = f"{head}    sli:\n      prometheus:\n        {body}\n"
    assert only_slo(text).slos[0].sli == sli


def test_a_prometheus_query_without_the_window_placeholder_is_an_error_with_the_fix() -> None:
    text = (
        "service: api\nslos:\n  - name: x\n    objective: 0.99\n    sli:\n      prometheus:\n"
        "        error_ratio_query: avg_over_time(err_ratio[5m])\n"
    )
    (issue,) = errors(load_text(text)[1])
    assert issue.line == 7
    assert "{{window}}" in issue.fix


# ---------------------------------------------------------------- alerting, labels, services


def test_an_alerting_block_maps_every_field() -> None:
    extra = (
        "    alerting:\n      name: CheckoutBurn\n      profile: four-tier\n      min_events: 50\n"
        "      runbook: https://runbooks.example/checkout\n      labels: {team: payments}\n"
        "      annotations: {summary: too fast}\n      exhaustion_horizon: 3d\n"
        "      tiers:\n        warning: {severity: chat, labels: {route: slack}}\n"
        "        critical-1h: {disabled: true}\n"
    )
    alerting = only_slo(_slo_text(extra=extra)).slos[0].alerting
    assert alerting.name == "CheckoutBurn"
    assert alerting.profile == "four-tier"
    assert alerting.min_events == 50
    assert alerting.runbook_url == "https://runbooks.example/checkout"
    assert alerting.labels == {"team": "payments"}
    assert alerting.annotations == {"summary": "too fast"}
    assert alerting.exhaustion_horizon_s == 3 * 86400
    assert alerting.tiers == {
        "warning": TierOverride(severity="chat", labels={"route": "slack"}),
        "critical-1h": TierOverride(disabled=True),
    }


def test_a_tier_the_profile_does_not_have_is_an_error_with_a_suggestion() -> None:
    extra = "    alerting:\n      tiers:\n        pgae: {disabled: true}\n"
    (issue,) = errors(load_text(_slo_text(extra=extra))[1])
    assert issue.line == 11
    assert "did you mean 'page'?" in issue.fix


def test_an_alert_profile_that_is_not_built_in_is_only_a_warning() -> None:
    spec_set, issues = load_text(_slo_text(extra="    alerting: {profile: my-team}\n"))
    assert spec_set is not None
    assert spec_set.slos[0].alerting.profile == "my-team"
    assert [i.field for i in warnings(issues)] == ["slos[0].alerting.profile"]


def test_service_labels_merge_under_slo_labels() -> None:
    text = _slo_text(extra="    labels: {tier: '2', owner: sre}\n").replace(
        "slos:", "labels: {team: payments, tier: 1}\nslos:", 1
    )
    assert only_slo(text).slos[0].labels == {"team": "payments", "tier": "2", "owner": "sre"}


def test_a_label_name_prometheus_would_reject_is_an_error() -> None:
    (issue,) = errors(load_text(_slo_text(extra="    labels: {team-name: x}\n"))[1])
    assert issue.field == "slos[0].labels.team-name"


def test_several_services_load_from_a_services_list_and_from_several_documents() -> None:
    one = "service: a\nslos: [{name: x, objective: 0.99, sli: {events: e, good: ok}}]\n"
    two = one.replace("service: a", "service: b")
    listed = "services:\n" + "".join("  - " + t.replace("\n", "\n    ", 1) for t in (one, two))
    assert [s.id for s in only_slo(listed).slos] == ["a/x", "b/x"]
    assert [s.id for s in only_slo(one + "---\n" + two).slos] == ["a/x", "b/x"]


def test_an_unknown_key_suggests_the_closest_one_and_lists_the_allowed_keys() -> None:
    text = _slo_text().replace("objective:", "objectiv:")
    (issue,) = errors(load_text(text)[1])
    assert issue.message == "unknown key 'objectiv'"
    assert issue.fix.startswith("did you mean 'objective'? allowed keys here: name, description, objective")


def test_the_budget_alert_tiers_can_be_overridden_under_any_profile() -> None:
    extra = "    alerting:\n      profile: four-tier\n"
    extra += "      tiers: {exhausted: {disabled: true}, exhaustion: {severity: chat}}\n"
    tiers = only_slo(_slo_text(extra=extra)).slos[0].alerting.tiers
    assert tiers == {"exhausted": TierOverride(disabled=True), "exhaustion": TierOverride(severity="chat")}


@pytest.mark.parametrize("written", ["1.5", ".nan", "0", "-.inf"])
def test_a_slice_target_outside_zero_to_one_is_an_error_not_a_crash(written: str) -> None:
    extra = f"    budgeting: {{method: timeslices, slice_target: {written}}}\n"
    (issue,) = errors(load_text(_slo_text(extra=extra))[1])
    assert issue.field == "slos[0].budgeting.slice_target"
