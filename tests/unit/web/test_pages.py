"""The dashboard's pages, as HTML from the TestClient (the browser test is in tests/integration)."""

from __future__ import annotations

import json
import re

from headroom.api import create_app
from headroom.errors import SourceError
from headroom.service.formatting import fmt_percent
from headroom.sources.memory import InMemorySource
from headroom.web import router as web_router
from tests.unit.web.scenario import AT, SLOS, TestClient, client

AT_TEXT = "2025-03-22T21:20:00Z"


def test_the_overview_shows_one_row_per_slo_with_its_figures_and_a_sparkline() -> None:
    html = client().get("/").text
    assert html.count('class="slo-row"') == 3
    assert html.count('<svg class="sparkline"') == 3
    assert '<span class="pill healthy" title="budget healthy">98.0%</span>' in html
    assert '<span class="pill unknown" title="budget unknown">—</span>' in html
    assert ">14.4x<" in html
    assert ">2d 1h<" in html
    assert "Evaluated at" in html
    assert "2025-03-22 21:20 UTC" in html


def test_overview_links_carry_the_pinned_instant() -> None:
    html = client().get("/", params={"at": AT_TEXT}).text
    assert 'href="/slo/checkout/availability?at=2025-03-22T21%3A20%3A00Z"' in html


def test_the_detail_page_has_both_charts_the_figures_and_the_alert_states() -> None:
    html = client().get("/slo/checkout/availability").text
    assert '<svg class="chart burndown" id="burndown"' in html
    assert '<svg class="chart burnrates" id="burnrates"' in html
    assert 'aria-labelledby="burndown-title burndown-desc"' in html
    assert 'data-series="remaining_ratio" data-points="721"' in html
    for window in ("1h", "6h", "1d"):
        assert f'data-series="{window}" data-points="721"' in html
    assert html.count('<g class="threshold') == 4
    assert f"now {fmt_percent(0.98)}" in html
    assert "42.3 min" in html
    assert html.count('class="alert-row') == 5


def test_the_chart_description_reads_the_figures_for_screen_readers() -> None:
    html = client().get("/slo/checkout/availability").text
    desc = re.search(r'<desc id="burndown-desc">([^<]*)</desc>', html)
    assert desc is not None
    assert desc.group(1) == (
        "Error budget left across the 30d window: 100.0% at the window start, 98.0% now; lowest 98.0%."
    )


def test_an_slo_without_data_still_renders_its_page() -> None:
    response = client().get("/slo/payments/api")
    assert response.status_code == 200
    assert 'data-series="remaining_ratio" data-points="0"' in response.text


def test_an_unknown_slo_is_a_404_page_listing_the_known_ones() -> None:
    response = client().get("/slo/checkout/nope")
    assert response.status_code == 404
    assert "known SLOs: checkout/availability, checkout/latency, payments/api" in response.text


def test_a_bad_at_is_a_400_page_naming_the_parameter_and_the_fix() -> None:
    for path in ("/", "/slo/checkout/availability"):
        response = client().get(path, params={"at": "yesterday"})
        assert response.status_code == 400
        assert "at=&#39;yesterday&#39; is not a time; write RFC 3339" in response.text


def test_pages_fetch_nothing_from_outside_the_server() -> None:
    c = client()
    for path in ("/", "/slo/checkout/availability", "/slo/checkout/nope"):
        html = c.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            assert c.get(url).status_code == 200


def test_static_files_are_served_with_their_types_and_nothing_else() -> None:
    c = client()
    assert c.get("/static/dashboard.css").headers["content-type"].startswith("text/css")
    assert c.get("/static/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert c.get("/static/../app.py").status_code == 404
    assert c.get("/static/nope.css").status_code == 404
    assert c.get("/favicon.ico").headers["content-type"] == "image/svg+xml"


def test_request_text_is_escaped_in_pages() -> None:
    html = client().get("/slo/<script>/x").text
    assert "<script>/x" not in html
    assert "&lt;script&gt;/x" in html


def test_the_detail_page_carries_the_formatted_figures_of_every_instant_for_the_hover_readout() -> None:
    html = client().get("/slo/checkout/availability").text
    found = re.search(r'<script type="application/json" id="chart-points">(.*?)</script>', html, re.S)
    assert found is not None
    points = json.loads(found.group(1))
    assert len(points["x"]) == len(points["labels"]) == 721
    assert points["x"] == sorted(points["x"])
    assert points["labels"][-1] == "2025-03-22 21:20 UTC · 98.0% left · 1h 14.4x · 6h 2.40x · 1d 0.60x"


class _FailingSource(InMemorySource):
    def lookback_counts(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise SourceError("prometheus at http://127.0.0.1:1 is unreachable; is it running?")


def test_an_unreachable_source_is_a_503_page_with_its_message() -> None:
    app = create_app(slos=SLOS, source=_FailingSource(), clock=lambda: AT, routers=[web_router])
    for path in ("/", "/slo/checkout/availability"):
        response = TestClient(app).get(path)
        assert response.status_code == 503
        assert "prometheus at http://127.0.0.1:1 is unreachable; is it running?" in response.text
