"""The gate over HTTP in the shapes Argo Rollouts' web provider and Flagger webhooks expect."""

from __future__ import annotations

import warnings

import numpy as np
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 under its test client; the httpx it warns about works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from headroom.api import create_app
from tests.unit.policy.scenarios import AT, WINDOW_MINUTES, old_spend, slo, source_with


def _client(bad: np.ndarray) -> TestClient:
    return TestClient(create_app(slos=[slo()], source=source_with(bad), clock=lambda: AT))


def test_argo_reads_decision_go_from_a_get_on_a_healthy_budget() -> None:
    response = _client(np.full(WINDOW_MINUTES, 0.1)).get("/api/v1/gate", params={"service": "checkout"})
    assert response.status_code == 200
    body = response.json()
    assert (body["decision"], body["allowed"]) == ("go", True)
    assert abs(body["slos"][0]["remaining_ratio"] - 0.9) < 1e-9


def test_a_frozen_budget_is_still_200_for_argo_with_the_decision_in_the_body() -> None:
    response = _client(old_spend(1.05)).post(
        "/api/v1/gate", json={"service": "checkout", "change_type": "feature"}
    )
    assert response.status_code == 200
    assert response.json()["decision"] == "freeze"


def test_the_flagger_webhook_answers_403_when_the_policy_blocks_the_change() -> None:
    hook = {"name": "checkout", "namespace": "prod", "phase": "Progressing", "metadata": {}}
    response = _client(old_spend(1.05)).post("/api/v1/flagger/gate", json=hook)
    assert response.status_code == 403
    assert response.json()["reasons"][0].startswith("freeze: feature changes are blocked")


def test_the_flagger_webhook_answers_200_for_a_security_fix_named_in_metadata() -> None:
    hook = {
        "name": "checkout-canary",
        "namespace": "prod",
        "phase": "Progressing",
        "checksum": "abc",
        "metadata": {"service": "checkout", "change_type": "security"},
    }
    assert _client(old_spend(1.05)).post("/api/v1/flagger/gate", json=hook).status_code == 200


def test_an_approved_caution_passes_the_flagger_webhook() -> None:
    hook = {"name": "checkout", "metadata": {"approved": "true"}}
    client = _client(old_spend(0.80))
    assert client.post("/api/v1/flagger/gate", json={"name": "checkout"}).status_code == 403
    assert client.post("/api/v1/flagger/gate", json=hook).status_code == 200


def test_an_unknown_service_is_a_400_naming_the_services() -> None:
    response = _client(np.zeros(WINDOW_MINUTES)).get("/api/v1/gate", params={"service": "payments"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "service 'payments' has no SLOs in the spec; services there: checkout",
        "kind": "UsageError",
    }


def test_the_evaluation_instant_can_be_given() -> None:
    response = _client(np.zeros(WINDOW_MINUTES)).get(
        "/api/v1/gate", params={"service": "checkout", "at": AT.isoformat()}
    )
    assert response.json()["at"].startswith(AT.strftime("%Y-%m-%dT%H:%M"))
