"""Notifier payloads over httpx.MockTransport: webhook (HMAC), Alertmanager v2, Slack."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest

from headroom.alerting.mwmb import TierEvaluation
from headroom.alerting.notify import AlertmanagerNotifier, SlackNotifier, WebhookNotifier
from headroom.alerting.outbox import AlertMessage, message_for
from headroom.alerting.profiles_resolve import resolve_tiers
from headroom.alerting.state import advance
from headroom.errors import NotifyError
from tests.unit.alerting.helpers import T0, slo


def _messages() -> tuple[AlertMessage, AlertMessage]:
    tier = resolve_tiers(slo(runbook_url="https://runbooks/checkout"))[0]
    name = ("checkout", "availability", tier)
    firing_ev = TierEvaluation(*name, True, "above", 0.5, 0.6, 1000, 100, 0.03, 7200.0)
    quiet_ev = TierEvaluation(*name, False, "below", 0.0, 0.0, 1000, 100, 0.04, None)
    record, fired = advance(None, firing_ev, T0)
    _, resolved = advance(record, quiet_ev, T0 + timedelta(minutes=30))
    assert fired is not None
    assert resolved is not None
    return message_for(fired, "https://headroom/slo/x"), message_for(resolved)


class _Capture:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status)


def test_webhook_posts_the_message_json_with_dedup_key_and_hmac_signature() -> None:
    firing, _ = _messages()
    cap = _Capture()
    WebhookNotifier("https://hooks/x", secret=b"s3cret", transport=httpx.MockTransport(cap)).send(firing, T0)
    (req,) = cap.requests
    body = json.loads(req.content)
    assert body["status"] == "firing"
    assert body["labels"]["tier"] == "page-fast"
    assert body["threshold"] == 14.4 * 0.001
    assert body["budget_consumed_at_firing"] == 0.03
    assert req.headers["X-Headroom-Dedup-Key"] == firing.dedup_key
    expected = hmac.new(b"s3cret", req.content, hashlib.sha256).hexdigest()
    assert req.headers["X-Headroom-Signature"] == f"sha256={expected}"


def test_a_non_2xx_answer_raises_notify_error_naming_the_status() -> None:
    firing, _ = _messages()
    hook = WebhookNotifier("https://hooks/x", transport=httpx.MockTransport(_Capture(500)))
    with pytest.raises(NotifyError, match="500"):
        hook.send(firing, T0)


def test_an_unreachable_receiver_raises_notify_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NotifyError, match="cannot reach"):
        WebhookNotifier("https://hooks/x", transport=httpx.MockTransport(refuse)).send(_messages()[0], T0)


def test_alertmanager_gets_labels_annotations_and_a_future_ends_at_while_firing() -> None:
    firing, _ = _messages()
    cap = _Capture()
    AlertmanagerNotifier("http://am:9093/", ttl_s=600, transport=httpx.MockTransport(cap)).send(firing, T0)
    (req,) = cap.requests
    assert str(req.url) == "http://am:9093/api/v2/alerts"
    (alert,) = json.loads(req.content)
    assert alert["labels"] == {
        "alertname": "SLOBurnRate",
        "service": "checkout",
        "severity": "page",
        "slo": "availability",
        "tier": "page-fast",
    }
    assert alert["annotations"]["runbook_url"] == "https://runbooks/checkout"
    assert alert["startsAt"] == "2026-03-01T00:00:00Z"
    assert alert["endsAt"] == "2026-03-01T00:10:00Z"
    assert alert["generatorURL"] == "https://headroom/slo/x"


def test_alertmanager_resolves_with_ends_at_at_the_resolve_time() -> None:
    _, resolved = _messages()
    cap = _Capture()
    notifier = AlertmanagerNotifier("http://am:9093", transport=httpx.MockTransport(cap))
    notifier.send(resolved, T0 + timedelta(minutes=31))
    (alert,) = json.loads(cap.requests[0].content)
    assert alert["endsAt"] == "2026-03-01T00:30:00Z"
    assert alert["startsAt"] == "2026-03-01T00:00:00Z"


def test_slack_gets_text_and_blocks_with_the_runbook() -> None:
    firing, _ = _messages()
    cap = _Capture()
    SlackNotifier("https://hooks.slack/x", transport=httpx.MockTransport(cap)).send(firing, T0)
    body = json.loads(cap.requests[0].content)
    assert body["text"].startswith(":rotating_light: [FIRING] checkout/availability page-fast (page)")
    assert body["blocks"][-1]["elements"][0]["text"] == "<https://runbooks/checkout|Runbook>"
    assert "*1h*: 50%" in [f["text"] for f in body["blocks"][1]["fields"]]
