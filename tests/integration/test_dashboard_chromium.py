"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against uvicorn.

The app is the one ``headroom serve`` builds, on the hand-computed scenario of
``tests/unit/web/scenario.py``, served by uvicorn on 127.0.0.1:<free port> in a thread.
The browser must render the SVG charts with the expected series and points, show the
API's figures, follow links from the overview to a detail page keeping ``?at=``, and
fetch nothing from anywhere but the server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from headroom.service.alerts import evaluate_alerts
from headroom.service.formatting import fmt_percent, fmt_rate
from tests.conftest import require_binary
from tests.integration.prometheus_fixture import free_port
from tests.unit.web.scenario import AT, SLOS, make_app, source

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AT_TEXT = AT.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def server_url() -> Iterator[str]:
    """The served app on 127.0.0.1:<free port>, stopped after the test."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        make_app(), host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="headroom-uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_the_dashboard_renders_the_api_figures_and_charts_in_chromium(
    server_url: str, tmp_path: Path
) -> None:
    require_binary(CHROMIUM)
    from playwright.sync_api import sync_playwright

    statuses = {s["slo"]: s for s in httpx.get(f"{server_url}/api/v1/status", params={"at": AT_TEXT}).json()}
    chart = httpx.get(
        f"{server_url}/api/v1/slos/checkout/availability/burndown", params={"at": AT_TEXT}
    ).json()
    hosts: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
            page.goto(f"{server_url}/?at={AT_TEXT}")

            rows = page.locator("tr.slo-row")
            assert rows.count() == 3
            availability = page.locator('tr[data-slo="checkout/availability"]')
            remaining = statuses["availability"]["budget"]["remaining_ratio"]
            assert availability.locator('[data-field="remaining_ratio"] .pill').inner_text() == fmt_percent(
                remaining
            )
            assert availability.locator('[data-field="burn_rates.1h"]').inner_text() == fmt_rate(
                statuses["availability"]["burn_rates"]["1h"]
            )
            # Sparklines: 30 d every 6 h is 121 points, 28 d is 113; payments has no data.
            points = [
                page.locator(f'tr[data-slo="{slo}"] svg.sparkline path.series').get_attribute("data-points")
                for slo in ("checkout/availability", "checkout/latency", "payments/api")
            ]
            assert points == ["121", "113", "0"]
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

            availability.locator("a.slo-link").click()
            page.wait_for_url(f"{server_url}/slo/checkout/availability?at=*")
            burndown = page.locator("svg#burndown")
            assert burndown.get_attribute("role") == "img"
            assert burndown.locator("title").text_content() == "Burn-down of checkout/availability"
            box = burndown.bounding_box()
            assert box is not None
            assert box["width"] > 600
            assert box["height"] > 150
            series = burndown.locator("path.series")
            assert series.count() == 1
            assert series.get_attribute("data-points") == str(len(chart["times"])) == "721"
            assert burndown.locator("g.now text").text_content() == f"now {fmt_percent(remaining)}"

            rates = page.locator("svg#burnrates path.series")
            assert [rates.nth(i).get_attribute("data-series") for i in range(rates.count())] == [
                "1h",
                "6h",
                "1d",
            ]
            assert {rates.nth(i).get_attribute("data-points") for i in range(3)} == {"721"}
            factors = page.locator("svg#burnrates g.threshold")
            assert [factors.nth(i).get_attribute("data-factor") for i in range(factors.count())] == [
                "14.4",
                "6.0",
                "3.0",
                "1.0",
            ]
            assert page.locator('.tile [data-field="remaining_ratio"]').inner_text() == fmt_percent(remaining)
            assert page.locator('.tile [data-field="time_to_exhaustion_s"]').inner_text() == "2d 1h"
            # The 1h burn is 14.4 to the float (14.399999999999999), not above it: nothing fires.
            records = evaluate_alerts(SLOS[:1], source(), AT)
            assert page.locator("tr.alert-row .state").all_inner_texts() == [r.state for r in records]
            # Pointing at the "now" dot reads out the last instant's figures.
            dot = burndown.locator("g.now circle").bounding_box()
            assert dot is not None
            page.mouse.move(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
            readout = page.locator("figure.hoverable .readout").first
            assert readout.is_visible()
            assert readout.inner_text() == (
                f"2025-03-22 21:20 UTC · {fmt_percent(remaining)} left · 1h 14.4x · 6h 2.40x · 1d 0.60x"
            )
            assert burndown.locator("line.hover-guide").get_attribute("visibility") == "visible"
            page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
        finally:
            browser.close()
    assert _is_png(tmp_path / "overview.png")
    assert _is_png(tmp_path / "detail.png")
    assert hosts == {urlsplit(server_url).netloc}, f"the pages fetched from {hosts}"


def test_an_unknown_slo_is_a_404_page_listing_the_known_ones_in_chromium(server_url: str) -> None:
    require_binary(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            response = page.goto(f"{server_url}/slo/checkout/nope")
            assert response is not None
            assert response.status == 404
            message = page.locator(".message").inner_text()
            assert "checkout/availability, checkout/latency, payments/api" in message
        finally:
            browser.close()


def test_headroom_serve_answers_from_an_ingested_store_in_its_own_process(tmp_path: Path) -> None:
    """The real command: ingest counts into a store, then ``headroom serve`` it as a subprocess.

    30 minutes with 1 bad request of 1,000, then 30 clean ones: 30 bad events of the 60 a
    99.9 % SLO allows for 60,000 requests, so half of the budget is left.
    """
    import subprocess
    import sys

    from typer.testing import CliRunner

    from headroom.cli.main import app as cli

    spec = Path(__file__).parents[1] / "fixtures" / "spec" / "minimal.yaml"
    store = tmp_path / "h.duckdb"
    rows = ["timestamp,slo,good,total"]
    for minute in range(60):
        stamp = f"2026-11-01T10:{minute:02d}:00Z"
        rows.append(f"{stamp},checkout/availability,{999 if minute < 30 else 1000},1000")
    (tmp_path / "counts.csv").write_text("\n".join(rows) + "\n")
    ingested = CliRunner().invoke(
        cli, ["ingest", str(spec), str(tmp_path / "counts.csv"), "--counts", "--store", str(store)]
    )
    assert ingested.exit_code == 0, ingested.output

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "headroom.cli", "serve", str(spec), "--store", str(store)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"headroom serve did not start: {(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        at = {"at": "2026-11-01T11:00:00Z"}
        status = httpx.get(f"{url}/api/v1/status/checkout/availability", params=at).json()
        assert status["budget"]["remaining_ratio"] == pytest.approx(0.5)
        assert status["events"] == {"good": 59_970.0, "total": 60_000.0}
        page = httpx.get(f"{url}/slo/checkout/availability", params=at).text
        assert '<span class="pill healthy" title="budget healthy">50.0%</span>' in page
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
