"""The canary judge over HTTP: Argo's web provider reads the report, Flagger reads the status code."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from headroom.api import create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 under its test client; the httpx it warns about works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


def _doc(canary_good: int) -> dict[str, object]:
    return {
        "metrics": [
            {
                "name": "errors",
                "baseline": {"good": 999_000, "total": 1_000_000},
                "canary": {"good": canary_good, "total": 100_000},
            }
        ]
    }


@pytest.fixture
def metrics_url() -> Iterator[str]:
    """A metrics service on 127.0.0.1: /good answers a healthy canary, /bad a broken one."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            payload = json.dumps(_doc(99_900 if self.path == "/good" else 99_000)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_argo_posts_the_judge_input_and_reads_the_verdict() -> None:
    client = TestClient(create_app())
    response = client.post("/api/v1/canary/judge", json={"data": _doc(99_900)})
    assert response.status_code == 200
    assert response.json()["verdict"] == "pass"
    failing = client.post("/api/v1/canary/judge", json={"data": _doc(99_000), "config": {"pass": 90}})
    assert failing.status_code == 200
    assert failing.json()["verdict"] == "fail"


def test_argo_gets_a_judgement_of_an_allowed_data_url(metrics_url: str) -> None:
    client = TestClient(create_app(canary_data_url_prefixes=[metrics_url]))
    response = client.get("/api/v1/canary/judge", params={"data_url": f"{metrics_url}/good"})
    assert response.json()["verdict"] == "pass"


def test_a_data_url_outside_the_allowed_prefixes_is_refused() -> None:
    client = TestClient(create_app(canary_data_url_prefixes=["http://metrics.internal/"]))
    response = client.get("/api/v1/canary/judge", params={"data_url": "http://169.254.169.254/latest"})
    assert response.status_code == 400
    assert "not under an allowed prefix (http://metrics.internal/)" in response.json()["error"]


def test_the_flagger_webhook_is_200_for_a_passing_canary_and_409_for_a_failing_one(metrics_url: str) -> None:
    client = TestClient(create_app(canary_data_url_prefixes=[metrics_url]))

    def hook(path: str) -> dict[str, object]:
        return {
            "name": "checkout",
            "namespace": "prod",
            "phase": "Progressing",
            "metadata": {"data_url": metrics_url + path},
        }

    assert client.post("/api/v1/flagger/canary", json=hook("/good")).status_code == 200
    failing = client.post("/api/v1/flagger/canary", json=hook("/bad"))
    assert failing.status_code == 409
    assert failing.json()["verdict"] == "fail"


def test_a_flagger_webhook_without_a_data_url_says_what_to_set() -> None:
    response = TestClient(create_app()).post("/api/v1/flagger/canary", json={"name": "checkout"})
    assert response.status_code == 400
    assert "metadata.data_url is missing" in response.json()["error"]


def test_a_bad_judge_config_is_a_400_naming_the_field() -> None:
    response = TestClient(create_app()).post(
        "/api/v1/canary/judge", json={"data": _doc(99_900), "config": {"pass": 150}}
    )
    assert response.status_code == 400
    assert "canary config: pass" in response.json()["error"]


def test_more_routers_can_be_added_to_the_app() -> None:
    from fastapi import APIRouter

    extra = APIRouter()

    @extra.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    assert TestClient(create_app(routers=[extra])).get("/healthz").json() == {"status": "ok"}
