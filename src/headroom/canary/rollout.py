"""Rollout adapters: signed webhooks (httpx) and where each step's judge input comes from.

**Webhooks.** Each action of a rollout is a ``POST`` of a JSON ``WebhookPayload`` to
the URL configured for it (``set_weight``, ``promote``, ``rollback``; ``event`` gets
every action). The body is signed with HMAC-SHA256 over its exact bytes with a shared
secret, sent as ``X-Headroom-Signature: sha256=<hex>`` (GitHub's scheme), with
``X-Headroom-Event: <action>`` and ``X-Headroom-Delivery: <run_id>-<seq>``. A receiver
recomputes the digest over the raw body and compares in constant time
(``verify_signature``). Any 2xx answer is success; anything else, or no answer within
the timeout, raises ``NotifyError``.

**Judge input.** One JSON document per analysis (``docs/rollout.md``)::

    {"metrics": [
      {"name": "errors", "baseline": {"good": 99890, "total": 100000},
                         "canary":   {"good": 4994,  "total": 5000}},
      {"name": "latency_p99_ms", "baseline": [120, 118, 131], "canary": [122, 119, 127]}]}

from a URL (``GET``, placeholders ``{rollout} {run_id} {step} {weight} {since} {until}``
filled in and URL-encoded), from one file per step, or from a command's stdout. A URL or
command may also answer JSONL rows, and a file may be ``.csv`` or ``.jsonl``, in the format
of ``headroom canary judge`` (``canary/data_files.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx
import numpy as np
from pydantic import BaseModel, ConfigDict

from headroom.canary.data_files import load_canary_data, parse_canary_rows
from headroom.canary.model import CanaryData, CountMetric, SampleMetric
from headroom.errors import DataError, NotifyError, SourceError

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "CommandCanaryData",
    "FileCanaryData",
    "HttpWebhooks",
    "UrlCanaryData",
    "WebhookAction",
    "WebhookPayload",
    "canary_data_from_json",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Headroom-Signature"
EVENT_HEADER = "X-Headroom-Event"
DELIVERY_HEADER = "X-Headroom-Delivery"

WebhookAction = Literal["set_weight", "promote", "rollback"]


def sign(secret: bytes, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``, the value of ``X-Headroom-Signature``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of the raw ``body`` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())


class WebhookPayload(BaseModel):
    """The JSON body of every rollout webhook (field order is the wire order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rollout: str
    run_id: str
    action: WebhookAction
    weight: int
    step: int
    steps: int
    phase: str
    failed_checks: int
    reason: str
    timestamp: datetime

    def body(self) -> bytes:
        """The exact bytes sent and signed."""
        return self.model_dump_json().encode()


class HttpWebhooks:
    """Sends signed rollout webhooks over HTTP; ``transport`` is injectable for tests."""

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        secret: bytes,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._urls = dict(urls)
        self._secret = secret
        self._client = httpx.Client(timeout=timeout_s, transport=transport)
        self.event_errors: list[str] = []

    def close(self) -> None:
        self._client.close()

    def send(self, payload: WebhookPayload, *, delivery: str) -> None:
        """POST ``payload`` to its action's URL, then to ``event`` when set.

        A failure of the action's URL raises NotifyError (the rollout counts it). The
        ``event`` hook only informs (chat, audit): its failures never fail the action and are
        kept in ``event_errors``, as Flagger's post-rollout and event hooks are only logged.
        An action without a URL is a no-op (e.g. the pipeline promotes by itself).
        """
        url = self._urls.get(payload.action)
        if url is not None:
            self._post(url, payload, delivery)
        event_url = self._urls.get("event")
        if event_url is not None:
            try:
                self._post(event_url, payload, delivery)
            except NotifyError as error:
                self.event_errors.append(str(error))

    def _post(self, url: str, payload: WebhookPayload, delivery: str) -> None:
        body = payload.body()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            EVENT_HEADER: payload.action,
            DELIVERY_HEADER: delivery,
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise NotifyError(f"{payload.action} webhook {url}: no answer ({error})") from error
        if not 200 <= response.status_code < 300:
            raise NotifyError(
                f"{payload.action} webhook {url} answered HTTP {response.status_code}: {response.text[:200]}"
            )


# ---------------------------------------------------------------- judge input


def _counts(node: Any, where: str) -> tuple[int, int]:
    if not isinstance(node, dict) or set(node) != {"good", "total"}:
        raise DataError(f"{where}: expected {{'good': n, 'total': n}}, got {json.dumps(node)[:80]}")
    good, total = node["good"], node["total"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in (good, total)):
        raise DataError(f"{where}: good and total must be counts >= 0, got good={good!r} total={total!r}")
    if good > total:
        raise DataError(f"{where}: good {good} is more than total {total}")
    return int(good), int(total)


def _samples(node: Any, where: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if not isinstance(node, list) or not all(
        (isinstance(v, int | float) and not isinstance(v, bool)) or v is None for v in node
    ):
        raise DataError(f"{where}: expected a list of numbers (null for a missing point)")
    return np.array([np.nan if v is None else float(v) for v in node], dtype=np.float64)


def canary_data_from_json(doc: Any, where: str) -> CanaryData:
    """The judge input from its JSON document (module docstring); DataError names the metric."""
    if not isinstance(doc, dict) or not isinstance(doc.get("metrics"), list):
        raise DataError(f"{where}: expected a JSON object with a 'metrics' list")
    metrics: list[SampleMetric | CountMetric] = []
    for i, item in enumerate(doc["metrics"]):
        at = f"{where}: metrics[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise DataError(f"{at}: expected an object with a 'name', 'baseline' and 'canary'")
        name = item["name"]
        base, can = item.get("baseline"), item.get("canary")
        if isinstance(base, dict):
            bg, bt = _counts(base, f"{at} ({name}).baseline")
            cg, ct = _counts(can, f"{at} ({name}).canary")
            metrics.append(CountMetric(name, bg, bt, cg, ct))
        else:
            metrics.append(
                SampleMetric(
                    name, _samples(base, f"{at} ({name}).baseline"), _samples(can, f"{at} ({name}).canary")
                )
            )
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        raise DataError(f"{where}: metric names must be unique, got {names}")
    return CanaryData(metrics=tuple(metrics))


def _parse(text: str | bytes, where: str) -> CanaryData:
    """The JSON document of the module docstring, or JSONL rows as ``headroom canary judge`` reads."""
    raw = text.decode() if isinstance(text, bytes) else text
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, dict) and "metrics" in doc:
        return canary_data_from_json(doc, where)
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(
                f'{where}:{number}: not JSON ({error.msg}); answer {{"metrics": [...]}} '
                "or one JSON object per line"
            ) from error
        if not isinstance(obj, dict):
            raise DataError(
                f'{where}:{number}: expected a JSON object such as {{"metric": ..., "variant": ...}}'
            )
        rows.append((number, obj))
    return parse_canary_rows(rows, where)


def _fill(template: str, values: Mapping[str, str], *, encode: bool) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", quote(value, safe="") if encode else value)
    return out


def _values(
    rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
) -> dict[str, str]:
    return {
        "rollout": rollout,
        "run_id": run_id,
        "step": str(step),
        "weight": str(weight),
        "since": since.isoformat(),
        "until": until.isoformat(),
    }


class UrlCanaryData:
    """Judge input from an HTTP ``GET`` of a URL template (module docstring)."""

    def __init__(
        self, url: str, *, timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._url = url
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, *, rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
    ) -> CanaryData:
        url = _fill(self._url, _values(rollout, run_id, step, weight, since, until), encode=True)
        try:
            response = self._client.get(url)
        except httpx.HTTPError as error:
            raise SourceError(f"canary metrics {url}: no answer ({error})") from error
        if response.status_code != 200:
            raise SourceError(
                f"canary metrics {url} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        return _parse(response.content, url)


class FileCanaryData:
    """Judge input from one JSON file per step (the last file serves any later analysis)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        if not paths:
            raise ValueError("FileCanaryData needs at least one file")
        self._paths = list(paths)

    def close(self) -> None:
        return None

    def fetch(
        self, *, rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
    ) -> CanaryData:
        path = self._paths[min(step, len(self._paths)) - 1]
        if path.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
            return load_canary_data(path)
        try:
            text = path.read_text()
        except OSError as error:
            raise DataError(f"{path}: cannot read the canary data ({error.strerror})") from error
        return _parse(text, str(path))


class CommandCanaryData:
    """Judge input from a command's stdout; arguments may hold the URL placeholders."""

    def __init__(self, argv: Sequence[str], *, timeout_s: float = 60.0, cwd: Path | None = None) -> None:
        self._argv = list(argv)
        self._timeout_s = timeout_s
        self._cwd = cwd

    def close(self) -> None:
        return None

    def fetch(
        self, *, rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
    ) -> CanaryData:
        values = _values(rollout, run_id, step, weight, since, until)
        argv = [_fill(a, values, encode=False) for a in self._argv]
        try:
            done = subprocess.run(
                argv, capture_output=True, timeout=self._timeout_s, check=False, cwd=self._cwd
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SourceError(f"canary data command {argv[0]!r} did not run: {error}") from error
        if done.returncode != 0:
            raise SourceError(
                f"canary data command {argv[0]!r} exited {done.returncode}: {done.stderr.decode()[:200]}"
            )
        return _parse(done.stdout, f"output of {argv[0]}")
