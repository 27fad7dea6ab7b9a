"""Notifiers: deliver an ``AlertMessage`` over HTTP. Adapters named for their technology.

Each takes an optional ``httpx.BaseTransport`` (tests pass ``httpx.MockTransport``) and
raises ``NotifyError`` unless the receiver answered 2xx, so the outbox keeps the message.

``WebhookNotifier``
    POSTs the ``AlertMessage`` JSON. Headers: ``X-Headroom-Dedup-Key`` and, with a secret,
    ``X-Headroom-Signature: sha256=<hex HMAC-SHA256 of the body>`` (GitHub's scheme).
``AlertmanagerNotifier``
    POSTs ``[{labels, annotations, startsAt, endsAt, generatorURL}]`` to ``/api/v2/alerts``.
    Labels: ``alertname`` (``SLOBurnRate``, ``SLOBudgetExhaustion``, ``SLOBudgetExhausted``),
    ``service``, ``slo``, ``tier``, ``severity`` and the SLO's own labels. A firing alert is
    sent with ``endsAt`` = now + ``ttl_s`` and refreshed by every evaluation while it fires
    (as Prometheus does), so it lapses if headroom stops; a resolved one has ``endsAt``
    at the resolve time, in the past.
``SlackNotifier``
    POSTs ``{"text": ..., "blocks": [...]}`` to a Slack-compatible incoming webhook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from headroom.alerting.outbox import AlertMessage
from headroom.errors import NotifyError

__all__ = ["AlertmanagerNotifier", "SlackNotifier", "WebhookNotifier", "alertmanager_alert"]

_TIMEOUT_S = 10.0
_ALERTNAMES = {
    "burn_rate": "SLOBurnRate",
    "exhaustion": "SLOBudgetExhaustion",
    "exhausted": "SLOBudgetExhausted",
}


def _client(transport: httpx.BaseTransport | None, timeout_s: float) -> httpx.Client:
    return httpx.Client(transport=transport, timeout=timeout_s)


def _post(client: httpx.Client, name: str, url: str, body: bytes, headers: dict[str, str]) -> None:
    try:
        response = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    except httpx.HTTPError as exc:
        raise NotifyError(f"{name}: cannot reach {url}: {exc}; the message stays in the outbox") from exc
    if not response.is_success:
        answer = f"{response.status_code} {response.text[:200]!r}"
        raise NotifyError(f"{name}: {url} answered {answer}; the message stays in the outbox")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


class WebhookNotifier:
    """Generic JSON webhook (module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "webhook",
        secret: bytes | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = _TIMEOUT_S,
    ) -> None:
        self.url = url
        self._name = name
        self._secret = secret
        self._client = _client(transport, timeout_s)

    @property
    def name(self) -> str:
        return self._name

    def send(self, message: AlertMessage, now: datetime) -> None:
        body = message.model_dump_json().encode()
        headers = {"X-Headroom-Dedup-Key": message.dedup_key}
        if self._secret is not None:
            digest = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
            headers["X-Headroom-Signature"] = f"sha256={digest}"
        _post(self._client, self._name, self.url, body, headers)

    def close(self) -> None:
        self._client.close()


def alertmanager_alert(message: AlertMessage, now: datetime, ttl_s: float) -> dict[str, Any]:
    """One Alertmanager v2 ``postableAlert`` for ``message`` (module docstring)."""
    labels = {"alertname": _ALERTNAMES.get(message.kind, "SLOAlert"), **message.labels}
    annotations = {"summary": message.summary, "description": message.reason, **message.annotations}
    resolved = message.status == "resolved"
    ends = (message.ends_at or now) if resolved else now + timedelta(seconds=ttl_s)
    alert: dict[str, Any] = {
        "labels": dict(sorted(labels.items())),
        "annotations": dict(sorted(annotations.items())),
        "startsAt": _iso(message.starts_at or message.fired_at or now),
        "endsAt": _iso(ends),
    }
    if message.generator_url:
        alert["generatorURL"] = message.generator_url
    return alert


class AlertmanagerNotifier:
    """Alertmanager API v2 (module docstring); a firing alert's ``endsAt`` is ``now + ttl_s``."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str = "alertmanager",
        ttl_s: float = 3600.0,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = _TIMEOUT_S,
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v2/alerts"
        self._name = name
        self.ttl_s = ttl_s
        self._client = _client(transport, timeout_s)

    @property
    def name(self) -> str:
        return self._name

    def send(self, message: AlertMessage, now: datetime) -> None:
        self._post_alerts([alertmanager_alert(message, now, self.ttl_s)])

    def refresh(self, firing: Sequence[AlertMessage], now: datetime) -> None:
        """Re-post still-firing alerts with a new ``endsAt`` (idempotent in Alertmanager)."""
        if firing:
            self._post_alerts([alertmanager_alert(m, now, self.ttl_s) for m in firing])

    def _post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        _post(self._client, self._name, self.url, json.dumps(alerts).encode(), {})

    def close(self) -> None:
        self._client.close()


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.4g}%"


class SlackNotifier:
    """Slack-compatible incoming webhook (module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "slack",
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = _TIMEOUT_S,
    ) -> None:
        self.url = url
        self._name = name
        self._client = _client(transport, timeout_s)

    @property
    def name(self) -> str:
        return self._name

    @staticmethod
    def payload(message: AlertMessage) -> dict[str, Any]:
        icon = ":rotating_light:" if message.status == "firing" else ":white_check_mark:"
        fields = [
            f"*Severity*: {message.severity}",
            f"*Tier*: {message.tier}",
            f"*Threshold*: {_fmt_ratio(message.threshold)}",
            f"*Budget consumed*: {_fmt_ratio(message.budget_consumed_ratio)}",
        ]
        if message.long_window:
            fields.append(f"*{message.long_window}*: {_fmt_ratio(message.long_error_ratio)}")
            fields.append(f"*{message.short_window}*: {_fmt_ratio(message.short_error_ratio)}")
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{icon} {message.summary}"}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        ]
        runbook = message.annotations.get("runbook_url")
        if runbook:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{runbook}|Runbook>"}]}
            )
        return {"text": f"{icon} {message.summary}", "blocks": blocks}

    def send(self, message: AlertMessage, now: datetime) -> None:
        _post(self._client, self._name, self.url, json.dumps(self.payload(message)).encode(), {})

    def close(self) -> None:
        self._client.close()
