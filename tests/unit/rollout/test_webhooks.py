"""Signed webhooks and the judge-input JSON, against httpx's mock transport."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from headroom.canary.model import CountMetric, SampleMetric
from headroom.canary.rollout import (
    SIGNATURE_HEADER,
    FileCanaryData,
    HttpWebhooks,
    UrlCanaryData,
    WebhookPayload,
    canary_data_from_json,
    sign,
    verify_signature,
)
from headroom.errors import DataError, NotifyError, SourceError

SECRET = b"s3cret"
PAYLOAD = WebhookPayload(
    rollout="checkout-v42",
    run_id="r1",
    action="set_weight",
    weight=25,
    step=2,
    steps=4,
    phase="progressing",
    failed_checks=0,
    reason="step 2/4",
    timestamp=datetime(2026, 11, 1, tzinfo=UTC),
)


def test_the_signature_is_hmac_sha256_of_the_body_in_hex() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    assert sign(b"Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_a_receiver_verifies_the_signature_and_rejects_a_tampered_body() -> None:
    body = PAYLOAD.body()
    header = sign(SECRET, body)
    assert verify_signature(SECRET, body, header)
    assert not verify_signature(SECRET, body.replace(b"25", b"100"), header)
    assert not verify_signature(b"other", body, header)
    assert not verify_signature(SECRET, body, None)


def test_webhooks_post_the_signed_payload_to_the_action_url_and_the_event_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    hooks = HttpWebhooks(
        {"set_weight": "http://lb/weight", "event": "http://chat/events"},
        secret=SECRET,
        transport=httpx.MockTransport(handler),
    )
    hooks.send(PAYLOAD, delivery="r1-2")
    assert [str(r.url) for r in seen] == ["http://lb/weight", "http://chat/events"]
    for request in seen:
        assert verify_signature(SECRET, request.content, request.headers[SIGNATURE_HEADER])
        assert json.loads(request.content)["weight"] == 25
        assert request.headers["X-Headroom-Event"] == "set_weight"


def test_a_non_2xx_answer_is_a_notify_error_naming_the_url_and_status() -> None:
    hooks = HttpWebhooks(
        {"set_weight": "http://lb/weight"},
        secret=SECRET,
        transport=httpx.MockTransport(lambda r: httpx.Response(503, text="busy")),
    )
    with pytest.raises(NotifyError, match=r"http://lb/weight answered HTTP 503: busy"):
        hooks.send(PAYLOAD, delivery="r1-2")


def test_judge_input_reads_counts_and_samples() -> None:
    data = canary_data_from_json(
        {
            "metrics": [
                {
                    "name": "errors",
                    "baseline": {"good": 990, "total": 1000},
                    "canary": {"good": 99, "total": 100},
                },
                {"name": "p99_ms", "baseline": [120, None, 118], "canary": [121, 119]},
            ]
        },
        "test",
    )
    errors, latency = data.metrics
    assert isinstance(errors, CountMetric)
    assert errors.canary_bad == 1
    assert isinstance(latency, SampleMetric)
    assert latency.baseline.size == 3


def test_judge_input_with_more_good_than_total_names_the_metric() -> None:
    doc = {
        "metrics": [
            {"name": "errors", "baseline": {"good": 5, "total": 4}, "canary": {"good": 1, "total": 1}}
        ]
    }
    with pytest.raises(DataError, match=r"metrics\[0\] \(errors\).baseline: good 5 is more than total 4"):
        canary_data_from_json(doc, "test")


def test_the_metrics_url_gets_the_step_and_weight_filled_in() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200, json={"metrics": []})

    source = UrlCanaryData(
        "http://m/canary?step={step}&weight={weight}&since={since}", transport=httpx.MockTransport(handler)
    )
    at = datetime(2026, 11, 1, tzinfo=UTC)
    source.fetch(rollout="x", run_id="r", step=2, weight=25, since=at, until=at)
    assert urls == ["http://m/canary?step=2&weight=25&since=2026-11-01T00%3A00%3A00%2B00%3A00"]


def test_a_metrics_url_that_fails_is_a_source_error() -> None:
    source = UrlCanaryData("http://m/canary", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    at = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(SourceError, match="HTTP 500"):
        source.fetch(rollout="x", run_id="r", step=1, weight=5, since=at, until=at)


def test_a_metrics_url_may_answer_jsonl_rows_as_canary_judge_reads_them() -> None:
    rows = "\n".join(
        [
            '{"metric": "errors", "variant": "baseline", "good": 990, "total": 1000}',
            '{"metric": "errors", "variant": "canary", "good": 99, "total": 100}',
        ]
    )
    source = UrlCanaryData(
        "http://m/c", transport=httpx.MockTransport(lambda r: httpx.Response(200, text=rows))
    )
    at = datetime(2026, 11, 1, tzinfo=UTC)
    (metric,) = source.fetch(rollout="x", run_id="r", step=1, weight=5, since=at, until=at).metrics
    assert isinstance(metric, CountMetric)
    assert (metric.baseline_bad, metric.canary_bad) == (10, 1)


def test_files_per_step_may_be_csv_and_the_last_one_serves_later_steps(tmp_path: Path) -> None:
    first = tmp_path / "step1.csv"
    first.write_text("metric,variant,good,total\nerrors,baseline,990,1000\nerrors,canary,99,100\n")
    second = tmp_path / "step2.json"
    second.write_text(json.dumps({"metrics": [{"name": "p99", "baseline": [1, 2], "canary": [1, 2]}]}))
    source = FileCanaryData([first, second])
    at = datetime(2026, 11, 1, tzinfo=UTC)
    names = [
        source.fetch(rollout="x", run_id="r", step=step, weight=5, since=at, until=at).metrics[0].name
        for step in (1, 2, 3)
    ]
    assert names == ["errors", "p99", "p99"]


def test_a_failing_event_hook_does_not_fail_the_action_and_is_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if request.url.path == "/weight" else 500)

    hooks = HttpWebhooks(
        {"set_weight": "http://lb/weight", "event": "http://chat/events"},
        secret=SECRET,
        transport=httpx.MockTransport(handler),
    )
    hooks.send(PAYLOAD, delivery="r1-2")
    assert hooks.event_errors == ["set_weight webhook http://chat/events answered HTTP 500: "]
