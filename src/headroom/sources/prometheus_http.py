"""The Prometheus HTTP API, as the Prometheus SLI source needs it.

One ``httpx.Client`` (one connection pool) per source. Queries are form-encoded POSTs, so
a batched query of any length fits (Prometheus, Thanos and Mimir accept POST on
``/api/v1/query`` and ``/api/v1/query_range``); ``/api/v1/label/<name>/values`` is a GET,
the only method Prometheus 2.x serves it on.

Failures become one ``SourceError`` that quotes the URL, the query, the HTTP status,
Prometheus' own ``errorType``/``error`` text and the fix; never a traceback. Transport
errors, timeouts and HTTP 429/500/502/503/504 are retried with exponential backoff
(``backoff_s x 2^attempt``); a 400 (bad query) or 422 (execution error) is not, because
asking again cannot change the answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from headroom.errors import SourceError

__all__ = ["PrometheusHTTP", "QueryRejectedError", "RangeSeries", "Sample"]

#: Statuses worth asking again: rate limiting, and the gateway/overload family. Prometheus
#: answers 503 for a query timeout or cancellation (web/api/v1 ``errorTimeout``).
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_SNIPPET_CHARS = 300


@dataclass(frozen=True)
class Sample:
    """One series of an instant-vector answer: its labels and value (NaN and Inf kept)."""

    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True)
class RangeSeries:
    """One series of a range (matrix) answer: labels, then timestamps (s) and values."""

    labels: Mapping[str, str]
    times_s: tuple[float, ...]
    values: tuple[float, ...]


class QueryRejectedError(SourceError):
    """Prometheus rejected a query (HTTP 400/422): the query is wrong, not the server.

    ``error_type`` and ``detail`` are Prometheus' ``errorType`` and ``error``; the source
    catches this to name the SLO whose query is at fault before re-raising.
    """

    def __init__(self, message: str, *, error_type: str, detail: str, query: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.detail = detail
        self.query = query


def _short(text: str, limit: int = _SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _float(text: Any) -> float:
    """A Prometheus sample value: ``"1.5"``, ``"NaN"``, ``"+Inf"``, ``"-Inf"``."""
    return float(text) if isinstance(text, str | int | float) else math.nan


class PrometheusHTTP:
    """A small client of the Prometheus query API with timeouts, retries and clear errors."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 30.0,
        retries: int = 2,
        backoff_s: float = 0.25,
        bearer_token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SourceError(
                f"Prometheus URL {base_url!r} has no scheme; write it as http://host:9090 "
                "(or https://..., with Mimir's /prometheus prefix where it has one)"
            )
        if retries < 0 or timeout_s <= 0:
            raise SourceError(
                f"Prometheus source: retries must be >= 0 and timeout_s > 0 (got {retries}, {timeout_s})"
            )
        if bearer_token is not None and basic_auth is not None:
            raise SourceError("Prometheus source: give bearer_token or basic_auth, not both")
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout_s)
        self._timeout = httpx.Timeout(timeout_s)
        self._retries = retries
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._headers = {"Accept": "application/json", **(headers or {})}
        if bearer_token is not None:
            self._headers["Authorization"] = f"Bearer {bearer_token}"
        self._auth = httpx.BasicAuth(*basic_auth) if basic_auth is not None else None
        self._sent = 0
        self._sent_lock = threading.Lock()

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._sent

    def close(self) -> None:
        """Close the connection pool, if this object created it."""
        if self._owns_client:
            self._client.close()

    # ------------------------------------------------------------------ API calls

    def instant(self, query: str, at_s: float) -> list[Sample]:
        """``/api/v1/query`` at ``at_s``; a scalar answer becomes one unlabelled sample."""
        data = self._call("/api/v1/query", {"query": query, "time": _fmt_time(at_s)}, query)
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list) and len(result) == 2:
            return [Sample({}, _float(result[1]))]
        if kind != "vector" or not isinstance(result, list):
            raise self._malformed("/api/v1/query", query, f"resultType {kind!r}, expected a vector")
        return [
            Sample(dict(item.get("metric", {})), _float(item.get("value", [0, "NaN"])[1])) for item in result
        ]

    def range(self, query: str, start_s: float, end_s: float, step_s: int) -> list[RangeSeries]:
        """``/api/v1/query_range`` over ``[start_s, end_s]`` at ``step_s``."""
        params = {"query": query, "start": _fmt_time(start_s), "end": _fmt_time(end_s), "step": str(step_s)}
        data = self._call("/api/v1/query_range", params, query)
        if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise self._malformed("/api/v1/query_range", query, f"resultType {data.get('resultType')!r}")
        out: list[RangeSeries] = []
        for item in data["result"]:
            points = item.get("values", [])
            out.append(
                RangeSeries(
                    dict(item.get("metric", {})),
                    tuple(float(p[0]) for p in points),
                    tuple(_float(p[1]) for p in points),
                )
            )
        return out

    def label_values(self, label: str, matchers: Sequence[str], start_s: float, end_s: float) -> list[str]:
        """``/api/v1/label/<label>/values`` of the series matching any of ``matchers``."""
        params: dict[str, str | list[str]] = {
            "match[]": list(matchers),
            "start": _fmt_time(start_s),
            "end": _fmt_time(end_s),
        }
        # GET: Prometheus 2.x serves label values on GET only; one selector keeps the URL short.
        data = self._call(f"/api/v1/label/{label}/values", params, " or ".join(matchers), method="GET")
        if not isinstance(data, list):
            raise self._malformed(f"/api/v1/label/{label}/values", " ".join(matchers), "expected a list")
        return [str(v) for v in data]

    # ------------------------------------------------------------------ plumbing

    def _call(
        self, path: str, params: Mapping[str, str | list[str]], query: str, method: str = "POST"
    ) -> Any:
        url = f"{self.base_url}{path}"
        last: str = ""
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                with self._sent_lock:
                    self._sent += 1
                auth = self._auth or httpx.USE_CLIENT_DEFAULT
                if method == "GET":
                    response = self._client.get(
                        url, params=params, headers=self._headers, auth=auth, timeout=self._timeout
                    )
                else:
                    response = self._client.post(
                        url, data=params, headers=self._headers, auth=auth, timeout=self._timeout
                    )
            except httpx.TimeoutException:
                last = f"did not answer within {self._timeout.read} s"
                continue
            except httpx.TransportError as exc:
                last = f"could not be reached ({type(exc).__name__}: {_short(str(exc)) or 'no detail'})"
                continue
            if response.status_code in _RETRY_STATUSES:
                last = self._describe(response)
                continue
            return self._payload(response, url, query)
        attempts = self._retries + 1
        raise SourceError(
            f"Prometheus at {url} {last} (tried {attempts} time{'s' if attempts > 1 else ''})\n"
            f"  query: {_short(query)}\n"
            f"  fix: check that the URL is right and Prometheus is up (curl {self.base_url}/-/ready); "
            "for slow queries raise timeout_s or the server's --query.timeout"
        )

    def _describe(self, response: httpx.Response) -> str:
        body = _json(response)
        if isinstance(body, dict) and body.get("status") == "error":
            return (
                f"answered HTTP {response.status_code} {body.get('errorType', '')}: {body.get('error', '')}"
            )
        return f"answered HTTP {response.status_code}: {_short(response.text, 200)}"

    def _payload(self, response: httpx.Response, url: str, query: str) -> Any:
        body = _json(response)
        if isinstance(body, dict) and body.get("status") == "error":
            error_type, detail = str(body.get("errorType", "")), str(body.get("error", ""))
            raise QueryRejectedError(
                f"Prometheus at {url} rejected a query: HTTP {response.status_code} {error_type}: {detail}\n"
                f"  query: {_short(query)}\n"
                "  fix: correct the PromQL in the SLO's sli block "
                "(run the query in the Prometheus UI to see it fail)",
                error_type=error_type,
                detail=detail,
                query=query,
            )
        if response.status_code in (401, 403):
            raise SourceError(
                f"Prometheus at {url} refused access: HTTP {response.status_code}: "
                f"{_short(response.text, 200)}\n"
                "  fix: pass bearer_token or basic_auth "
                "(and X-Scope-OrgID in headers for Mimir/Cortex tenants)"
            )
        if response.status_code != 200 or not isinstance(body, dict) or body.get("status") != "success":
            raise SourceError(
                f"Prometheus at {url} answered HTTP {response.status_code} with "
                f"{'an unexpected body' if body is not None else 'a non-JSON body'}: "
                f"{_short(response.text, 200)}\n"
                f"  query: {_short(query)}\n"
                "  fix: the URL should be the Prometheus root (http://host:9090) or an API-compatible prefix "
                "(Mimir: http://host/prometheus)"
            )
        return body.get("data")

    def _malformed(self, path: str, query: str, what: str) -> SourceError:
        return SourceError(
            f"Prometheus at {self.base_url}{path} gave an answer headroom cannot read ({what})\n"
            f"  query: {_short(query)}\n  fix: is the URL a Prometheus-compatible API?"
        )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _fmt_time(at_s: float) -> str:
    """Unix seconds as Prometheus reads them; whole seconds without a fraction."""
    return str(int(at_s)) if float(at_s).is_integer() else repr(float(at_s))
