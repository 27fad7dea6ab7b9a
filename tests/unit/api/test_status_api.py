"""The status API and /metrics on hand-computed figures (``tests/unit/web/scenario.py``).

99.9 % over 30 days, 1,000 requests a minute, the last hour at 14.4x: 0.98 of the budget
left, 42.336 minutes, burn 1h 14.4, 6h 2.4, 1d 0.6, exhausted in 176,400 s.
"""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from headroom.api import create_app
from headroom.api.metrics import build_registry
from headroom.api.metrics import router as metrics_router
from headroom.api.routes_status import router as status_router
from headroom.errors import SourceError
from headroom.sources.memory import InMemorySource
from tests.unit.web.scenario import AT, SLOS, TestClient, client, source

AT_TEXT = "2025-03-22T21:20:00Z"


def test_the_scenario_instant_is_the_one_the_figures_were_computed_for() -> None:
    assert AT.strftime("%Y-%m-%dT%H:%M:%SZ") == AT_TEXT


def test_healthz_answers_without_reading_the_source() -> None:
    assert client().get("/healthz").json() == {
        "status": "ok",
        "version": "0.1.0",
        "slos": 3,
        "source": "memory",
    }


def test_the_slo_catalogue_lists_ids_objectives_windows_and_budgeting() -> None:
    body = client().get("/api/v1/slos").json()
    assert [s["id"] for s in body] == ["checkout/availability", "checkout/latency", "payments/api"]
    assert body[0] == {
        "id": "checkout/availability",
        "service": "checkout",
        "slo": "availability",
        "description": "checkout availability",
        "objective": 0.999,
        "window": "30d",
        "budgeting": "occurrences",
        "alert_profile": "sre-workbook",
    }


def test_an_hour_at_14_4x_leaves_98_percent_of_the_budget() -> None:
    body = client().get("/api/v1/status/checkout/availability").json()
    assert body["budget"]["remaining_ratio"] == pytest.approx(0.98, abs=1e-12)
    assert body["budget"]["remaining_minutes"] == pytest.approx(42.336)
    assert body["burn_rates"]["1h"] == pytest.approx(14.4)
    assert body["burn_rates"]["6h"] == pytest.approx(2.4)
    assert body["burn_rates"]["1d"] == pytest.approx(0.6)
    assert body["time_to_exhaustion_s"] == pytest.approx(176_400)
    assert body["at"] == AT_TEXT


def test_status_lists_every_slo_and_filters_by_service() -> None:
    c = client()
    assert [s["slo"] for s in c.get("/api/v1/status").json()] == ["availability", "latency", "api"]
    assert [s["slo"] for s in c.get("/api/v1/status", params={"service": "payments"}).json()] == ["api"]


def test_an_slo_without_data_has_null_figures_with_reasons() -> None:
    body = client().get("/api/v1/status/payments/api").json()
    assert body["sli"] is None
    assert body["budget"]["remaining_ratio"] is None
    assert body["null_reasons"]["sli"] == "no events in the SLO window"


def test_at_pins_the_evaluation_instant_as_rfc3339_or_epoch_seconds() -> None:
    c = client()
    day_before = c.get("/api/v1/status/checkout/availability", params={"at": "2025-03-21T21:20:00Z"}).json()
    assert day_before["budget"]["remaining_ratio"] == 1.0
    assert day_before["time_to_exhaustion_s"] is None
    epoch = c.get("/api/v1/status/checkout/availability", params={"at": str(int(AT.timestamp()))}).json()
    assert epoch["at"] == AT_TEXT


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (
            "yesterday",
            "at='yesterday' is not a time; write RFC 3339 like at=2026-11-01T00:00:00Z or epoch seconds",
        ),
        (
            "2025-03-22T21:20:00",
            "at='2025-03-22T21:20:00' has no time zone; add Z for UTC, e.g. at=2025-03-22T21:20:00Z",
        ),
    ],
)
def test_a_bad_at_is_a_400_naming_the_parameter_and_the_fix(at: str, message: str) -> None:
    for path in ("/api/v1/status", "/api/v1/report", "/api/v1/slos/checkout/availability/burndown"):
        response = client().get(path, params={"at": at})
        assert response.status_code == 400
        assert response.json() == {"error": message, "kind": "UsageError"}


def test_an_unknown_slo_is_a_404_listing_the_known_ids() -> None:
    for path in ("/api/v1/status/checkout/nope", "/api/v1/slos/checkout/nope/burndown"):
        response = client().get(path)
        assert response.status_code == 404
        assert response.json() == {
            "error": "no SLO checkout/nope in the loaded specs; known SLOs: "
            "checkout/availability, checkout/latency, payments/api",
            "kind": "NotFound",
        }


def test_an_unknown_service_is_a_404_listing_the_services() -> None:
    response = client().get("/api/v1/status", params={"service": "search"})
    assert response.status_code == 404
    assert (
        response.json()["error"]
        == "no SLOs for service 'search' in the loaded specs; services: checkout, payments"
    )


def test_the_report_groups_by_service_and_names_nothing_at_risk() -> None:
    body = client().get("/api/v1/report", params={"at": AT_TEXT}).json()
    assert list(body["services"]) == ["checkout", "payments"]
    assert (body["exhausted"], body["at_risk"]) == ([], [])


def test_the_burndown_series_ends_at_the_status_figures() -> None:
    body = client().get("/api/v1/slos/checkout/availability/burndown").json()
    assert body["step_minutes"] == 60
    assert len(body["times"]) == len(body["remaining_ratio"]) == 721
    assert body["times"][0] == "2025-02-20T21:20:00Z"
    assert body["times"][-1] == AT_TEXT
    assert body["remaining_ratio"][0] == 1.0
    assert body["remaining_ratio"][-2] == 1.0
    assert body["remaining_ratio"][-1] == pytest.approx(0.98, abs=1e-12)
    assert body["burn_rates"]["1h"][-1] == pytest.approx(14.4)
    assert body["burn_rates"]["6h"][-1] == pytest.approx(2.4)
    assert body["burn_rates"]["1d"][-1] == pytest.approx(0.6)
    assert [t["factor"] for t in body["thresholds"]] == pytest.approx([14.4, 6, 3, 1])


def test_the_burndown_resolution_follows_max_points() -> None:
    body = client().get("/api/v1/slos/checkout/availability/burndown", params={"max_points": 200}).json()
    assert (body["step_minutes"], len(body["times"])) == (360, 121)


def test_openapi_documents_every_status_route() -> None:
    paths = client().get("/openapi.json").json()["paths"]
    for path in (
        "/healthz",
        "/api/v1/slos",
        "/api/v1/status",
        "/api/v1/status/{service}/{slo}",
        "/api/v1/report",
        "/api/v1/slos/{service}/{slo}/burndown",
        "/metrics",
    ):
        assert path in paths
    assert client().get("/docs").status_code == 200


def test_metrics_expose_the_remaining_ratio_of_an_hour_at_14_4x() -> None:
    text = client().get("/metrics").text
    assert 'headroom_slo_error_budget_remaining_ratio{service="checkout",slo="availability"} 0.98\n' in text
    assert 'headroom_slo_objective_ratio{service="checkout",slo="availability"} 0.999\n' in text
    assert (
        'headroom_slo_error_budget_remaining_minutes{service="checkout",slo="availability"} 42.336\n' in text
    )
    assert 'headroom_slo_burn_rate{service="checkout",slo="availability",window="6h"} 2.4\n' in text
    assert 'headroom_slo_burn_rate{service="checkout",slo="availability",window="1d"} 0.6\n' in text
    assert 'headroom_slo_time_to_exhaustion_seconds{service="checkout",slo="availability"} 176400' in text
    assert "headroom_evaluation_success 1.0\n" in text
    assert "headroom_evaluation_duration_seconds_count 1.0\n" in text


def test_metrics_omit_absent_figures_instead_of_exporting_nan_or_zero() -> None:
    lines = client().get("/metrics").text.splitlines()
    payments = [line for line in lines if 'service="payments"' in line]
    assert payments == ['headroom_slo_objective_ratio{service="payments",slo="api"} 0.995']
    assert not any("NaN" in line for line in lines)
    # A quiet SLO burns at 0 and so never runs out: no time-to-exhaustion sample.
    assert not any(
        line.startswith('headroom_slo_time_to_exhaustion_seconds{service="checkout",slo="latency"')
        for line in lines
    )


def test_counts_are_never_labels() -> None:
    for line in client().get("/metrics").text.splitlines():
        if line.startswith("headroom_slo_"):
            labels = line[line.index("{") + 1 : line.index("}")]
            assert {part.split("=")[0] for part in labels.split(",")} <= {"service", "slo", "window"}


def test_each_app_has_its_own_registry_and_scrapes_evaluate_at_the_injected_clock() -> None:
    first, second = client(), client()
    first.get("/metrics")
    first.get("/metrics")
    assert "headroom_evaluation_duration_seconds_count 3.0\n" in first.get("/metrics").text
    assert "headroom_evaluation_duration_seconds_count 1.0\n" in second.get("/metrics").text


def test_an_app_without_a_given_registry_builds_one_on_the_first_scrape() -> None:
    app = create_app(slos=SLOS, source=source(), clock=lambda: AT, routers=[status_router, metrics_router])
    text = TestClient(app).get("/metrics").text
    assert 'headroom_slo_error_budget_remaining_ratio{service="checkout",slo="availability"} 0.98\n' in text
    assert isinstance(app.state.metrics_registry, CollectorRegistry)


class _FailingSource(InMemorySource):
    def lookback_counts(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise SourceError("prometheus at http://127.0.0.1:1 is unreachable")


def test_a_failing_source_reports_failure_in_metrics_and_503_in_the_api() -> None:
    failing = _FailingSource()
    app = create_app(
        slos=SLOS,
        source=failing,
        clock=lambda: AT,
        routers=[status_router, metrics_router],
        metrics_registry=build_registry(SLOS, failing, lambda: AT),
    )
    c = TestClient(app)
    text = c.get("/metrics").text
    assert "headroom_evaluation_success 0.0\n" in text
    assert "headroom_slo_error_budget_remaining_ratio{" not in text
    response = c.get("/api/v1/status")
    assert response.status_code == 503
    assert response.json()["kind"] == "SourceError"


def test_a_server_without_a_source_says_how_to_start_one() -> None:
    response = TestClient(create_app(slos=SLOS, routers=[status_router])).get("/api/v1/status")
    assert response.status_code == 400
    assert "start it with a store or --prometheus-url" in response.json()["error"]
