"""PrometheusSource against a fake Prometheus (httpx.MockTransport): requests, answers, failures."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import numpy as np
import pytest

from headroom.budget.windows import BURN_RATE_WINDOWS_S, epoch_minute, window_span
from headroom.errors import SourceError
from headroom.service.status import evaluate_status
from headroom.sources.prometheus import PrometheusSource
from headroom.spec.filters import parse_filter
from headroom.spec.model import (
    SLO,
    CalendarWindow,
    EventsSLI,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    SourceLocation,
    Timeslices,
)

AT = datetime(2026, 11, 1, 12, 34, 56, 789000, tzinfo=UTC)
T_S = epoch_minute(AT) * 60
URL = "http://prometheus.test:9090"
LOOKBACKS = list(BURN_RATE_WINDOWS_S.values())
_TAG = re.compile(r'label_replace\((.*?), "headroom_key", "([^"]+)", "", ""\)', re.DOTALL)
_WINDOW = re.compile(r"\[(\d+)([smhdw])\]")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

Answer = Callable[[str, str], "float | list[float] | None"]


def _window_s(expr: str) -> int:
    match = _WINDOW.search(expr)
    assert match is not None, expr
    return int(match.group(1)) * _UNIT_S[match.group(2)]


def steady(key: str, expr: str) -> float | list[float] | None:
    """10 requests/s, 0.1 % errors, whatever the window."""
    window_s = _window_s(expr)
    if key.endswith("t"):
        return 10.0 * window_s
    if key.endswith("e"):
        return 0.01 * window_s
    if key.endswith("g"):
        return 9.99 * window_s
    if key.endswith("r"):
        return 0.001
    return None


class FakePrometheus:
    """Answers tagged instant queries part by part with ``answer(key, expr)`` (None = no series)."""

    def __init__(self, answer: Answer = steady, le_values: list[str] | None = None) -> None:
        self.answer = answer
        self.le_values = le_values or ["0.1", "0.25", "1.0", "+Inf"]
        self.requests: list[httpx.Request] = []
        self.forms: list[dict[str, list[str]]] = []
        self.status_script: list[int] = []

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        form = (
            parse_qs(request.content.decode())
            if request.method == "POST"
            else parse_qs(request.url.query.decode())
        )
        self.forms.append(form)
        if self.status_script:
            status = self.status_script.pop(0)
            if status != 200:
                return httpx.Response(
                    status, json={"status": "error", "errorType": "unavailable", "error": "busy"}
                )
        path = request.url.path
        if path.endswith("/label/le/values"):
            return httpx.Response(200, json={"status": "success", "data": self.le_values})
        if path.endswith("/api/v1/query"):
            return httpx.Response(200, json=self._vector(form["query"][0]))
        if path.endswith("/api/v1/query_range"):
            return httpx.Response(200, json=self._matrix(form))
        return httpx.Response(404, text="404 page not found")

    def _vector(self, query: str) -> dict[str, object]:
        result = []
        for expr, key in _TAG.findall(query):
            value = self.answer(key, expr)
            values = [] if value is None else value if isinstance(value, list) else [value]
            for n, v in enumerate(values):
                metric = {"headroom_key": key, **({"instance": str(n)} if len(values) > 1 else {})}
                result.append({"metric": metric, "value": [T_S, _text(v)]})
        return {"status": "success", "data": {"resultType": "vector", "result": result}}

    def _matrix(self, form: dict[str, list[str]]) -> dict[str, object]:
        start, end, step = (int(form[k][0]) for k in ("start", "end", "step"))
        result = []
        for expr, key in _TAG.findall(form["query"][0]):
            points = []
            for t in range(start, end + 1, step):
                value = self.answer(key, f"{expr}@{t}")
                if isinstance(value, float):
                    points.append([t, _text(value)])
            if points:
                result.append({"metric": {"headroom_key": key}, "values": points})
        return {"status": "success", "data": {"resultType": "matrix", "result": result}}

    def query_times(self) -> list[str]:
        return [
            f["time"][0]
            for r, f in zip(self.requests, self.forms, strict=True)
            if r.url.path.endswith("/query")
        ]


def _text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def _slo(name: str, sli: object, **kw: object) -> SLO:
    base: dict[str, object] = {
        "service": "api",
        "name": name,
        "objective": Decimal("0.999"),
        "window": RollingWindow(duration_s=30 * 86400),
        "sli": sli,
    }
    base.update(kw)
    return SLO.model_validate(base)


RATIO = PrometheusRatioSLI(
    error_query='sum(increase(http_requests_total{code=~"5.."}[{{window}}]))',
    total_query="sum(increase(http_requests_total[{{window}}]))",
)
HISTOGRAM = PrometheusHistogramSLI(
    metric="http_request_duration_seconds", selector='job="api"', threshold_s=0.25
)


def _source(fake: FakePrometheus, **kw: object) -> PrometheusSource:
    sleeps: list[float] = []
    kw.setdefault("sleep", sleeps.append)
    return PrometheusSource(URL, client=fake.client(), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- counts and instants


def test_every_query_of_one_evaluation_is_sent_with_the_same_minute_aligned_time() -> None:
    fake = FakePrometheus()
    slos = [
        _slo("availability", RATIO, window=CalendarWindow(unit="month")),
        _slo("latency", HISTOGRAM, objective=Decimal("0.99")),
        _slo("slices", RATIO, budgeting=Timeslices(slice_s=300, slice_target=Decimal("0.95"))),
    ]
    evaluate_status(slos, _source(fake), AT)
    times = fake.query_times()
    assert len(times) >= 3
    assert set(times) == {str(T_S)}
    assert T_S == 1793536440


def test_a_steady_service_gives_exact_counts_for_every_window() -> None:
    counts = _source(FakePrometheus()).lookback_counts([_slo("a", RATIO)], AT, LOOKBACKS)
    assert counts.total[0].tolist() == [10.0 * w for w in LOOKBACKS]
    assert counts.good[0].tolist() == pytest.approx([9.99 * w for w in LOOKBACKS], rel=1e-12)
    assert counts.missing == {}


def test_good_and_total_of_a_window_always_travel_in_the_same_query() -> None:
    fake = FakePrometheus()
    slos = [_slo(f"s{i}", RATIO) for i in range(10)]
    _source(fake, max_parts_per_query=5).lookback_counts(slos, AT, LOOKBACKS)
    assert len(fake.requests) == 35  # 70 windows, two per query (5 parts cannot hold three pairs)
    for form in fake.forms:
        keys = [key for _expr, key in _TAG.findall(form["query"][0])]
        assert len(keys) <= 5
        assert {k[:-1] for k in keys if k.endswith("e")} == {k[:-1] for k in keys if k.endswith("t")}


def test_one_query_can_hold_every_window_of_many_slos() -> None:
    fake = FakePrometheus()
    _source(fake, max_parts_per_query=1000).lookback_counts(
        [_slo(f"s{i}", RATIO) for i in range(50)], AT, LOOKBACKS
    )
    assert len(fake.requests) == 1
    assert len(_TAG.findall(fake.forms[0]["query"][0])) == 700


def test_a_series_that_returns_nothing_is_missing_with_its_query_never_an_sli_of_zero() -> None:
    fake = FakePrometheus(lambda key, expr: None if key.endswith("t") else steady(key, expr))
    slo = _slo("a", RATIO)
    counts = _source(fake).lookback_counts([slo], AT, LOOKBACKS)
    assert np.isnan(counts.total).all()
    assert counts.missing[0] == "[5m] no data from sum(sum(increase(http_requests_total[5m])))"
    (status,) = evaluate_status([slo], _source(fake), AT)
    assert status.sli is None
    assert status.null_reasons["sli"] == "no events in the SLO window"


def test_a_missing_good_series_is_no_data_not_a_zero_good_count() -> None:
    sli = PrometheusRatioSLI(
        good_query='sum(increase(x{code="201"}[{{window}}]))', total_query=RATIO.total_query
    )
    fake = FakePrometheus(lambda key, expr: None if key.endswith("g") else steady(key, expr))
    counts = _source(fake).lookback_counts([_slo("a", sli)], AT, [3600])
    assert math.isnan(counts.good[0, 0])
    assert counts.missing[0] == '[1h] no data from sum(sum(increase(x{code="201"}[1h])))'


def test_an_absent_error_series_with_traffic_counts_zero_errors() -> None:
    fake = FakePrometheus(lambda key, expr: None if key.endswith("e") else steady(key, expr))
    counts = _source(fake).lookback_counts([_slo("a", RATIO)], AT, [3600])
    assert (counts.good[0, 0], counts.total[0, 0]) == (36000.0, 36000.0)
    assert counts.missing == {}


def test_an_absent_error_series_is_no_data_when_asked_to_be_strict() -> None:
    fake = FakePrometheus(lambda key, expr: None if key.endswith("e") else steady(key, expr))
    counts = _source(fake, missing_errors="no-data").lookback_counts([_slo("a", RATIO)], AT, [3600])
    assert math.isnan(counts.good[0, 0])
    assert "no data from" in counts.missing[0]


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0])
def test_a_nan_infinite_or_negative_count_is_missing_not_a_number(value: float) -> None:
    fake = FakePrometheus(lambda key, expr: value if key.endswith("t") else steady(key, expr))
    counts = _source(fake).lookback_counts([_slo("a", RATIO)], AT, [300])
    assert math.isnan(counts.total[0, 0])
    assert "not a count or ratio" in counts.missing[0]


def test_good_above_total_is_clamped_to_total_with_a_note() -> None:
    sli = PrometheusRatioSLI(
        good_query="sum(increase(ok[{{window}}]))", total_query="sum(increase(all[{{window}}]))"
    )
    fake = FakePrometheus(lambda key, expr: 101.0 if key.endswith("g") else 100.0)
    counts = _source(fake).lookback_counts([_slo("a", sli)], AT, [300])
    assert (counts.good[0, 0], counts.total[0, 0]) == (100.0, 100.0)
    assert counts.notes[0] == "[5m] good 101.0 outside [0, total 100.0]; clamped"


def test_a_raw_error_ratio_gives_one_minus_the_ratio_and_no_event_counts() -> None:
    sli = PrometheusRawSLI(error_ratio_query="job:slo_errors:ratio_rate{{window}}")
    fake = FakePrometheus(lambda key, expr: 0.25)
    counts = _source(fake).lookback_counts([_slo("a", sli)], AT, [300, 3600])
    assert counts.good.tolist() == [[0.75, 0.75]]
    assert counts.total.tolist() == [[1.0, 1.0]]
    assert counts.counts_known.tolist() == [False]


def test_a_raw_ratio_query_returning_several_series_is_missing_with_the_fix() -> None:
    sli = PrometheusRawSLI(error_ratio_query="job:slo_errors:ratio_rate{{window}}")
    counts = _source(FakePrometheus(lambda key, expr: [0.1, 0.2])).lookback_counts(
        [_slo("a", sli)], AT, [300]
    )
    assert counts.missing[0] == (
        "[5m] job:slo_errors:ratio_rate5m returned 2 series; aggregate it to one (e.g. sum())"
    )


def test_a_raw_ratio_above_one_is_missing() -> None:
    sli = PrometheusRawSLI(error_ratio_query="r{{window}}")
    counts = _source(FakePrometheus(lambda key, expr: 1.5)).lookback_counts([_slo("a", sli)], AT, [300])
    assert counts.missing[0] == "[5m] r5m returned 1.5, not in [0, 1]"


def test_an_events_sli_is_missing_with_a_pointer_to_the_embedded_store() -> None:
    slo = _slo("a", EventsSLI(events="api", good=parse_filter("status < 500")))
    counts = _source(FakePrometheus()).lookback_counts([slo], AT, [300])
    assert counts.missing[0].startswith(
        "SLO api/a has a events SLI, which the Prometheus source cannot answer"
    )


# ---------------------------------------------------------------- histogram le


def test_the_histogram_bucket_is_found_by_number_whatever_its_spelling() -> None:
    fake = FakePrometheus(le_values=["0.1", "0.250", "1.0", "+Inf"])
    counts = _source(fake).lookback_counts([_slo("lat", HISTOGRAM)], AT, [3600])
    query = fake.forms[-1]["query"][0]
    assert 'http_request_duration_seconds_bucket{job="api",le="0.250"}[1h]' in query
    assert counts.missing == {}
    assert fake.forms[0]["match[]"] == ['http_request_duration_seconds_bucket{job="api"}']


def test_bucket_spellings_are_looked_up_once_per_source() -> None:
    fake = FakePrometheus()
    source = _source(fake)
    source.lookback_counts([_slo("lat", HISTOGRAM)], AT, [3600])
    source.lookback_counts([_slo("lat", HISTOGRAM)], AT, [3600])
    assert sum(r.url.path.endswith("/values") for r in fake.requests) == 1


def test_a_threshold_without_a_bucket_is_missing_and_lists_the_buckets() -> None:
    sli = HISTOGRAM.model_copy(update={"threshold_s": 0.3})
    counts = _source(FakePrometheus()).lookback_counts([_slo("lat", sli)], AT, [3600])
    assert counts.missing[0] == (
        'http_request_duration_seconds_bucket{job="api"} has no bucket with le = 0.3; '
        "its buckets are 0.1, 0.25, 1.0, +Inf; set threshold_s to one of them"
    )


# ---------------------------------------------------------------- period, slices, minutes


def test_the_period_sli_is_event_weighted_by_default() -> None:
    fake = FakePrometheus()
    slo = _slo("a", RATIO)
    source = _source(fake)
    counts = source.window_counts([slo], [window_span(slo.window, AT)])
    assert counts.total[0, 0] == 10.0 * 30 * 86400
    assert "increase(http_requests_total[30d])" in fake.forms[-1]["query"][0]
    assert source.name == "prometheus"


def test_the_ratio_timeslices_period_sli_averages_5_minute_ratios_and_says_so() -> None:
    fake = FakePrometheus(lambda key, expr: 0.002)
    slo = _slo("a", RATIO)
    source = _source(fake, period_mode="ratio-timeslices")
    counts = source.window_counts([slo], [window_span(slo.window, AT)])
    assert "avg_over_time(" in fake.forms[-1]["query"][0]
    assert "[2591999s:5m]" in fake.forms[-1]["query"][0]
    assert (counts.good[0, 0], counts.counts_known[0]) == (0.998, False)
    assert source.name == "prometheus (ratio-timeslices)"


def test_bad_slices_are_counted_for_timeslices_slos_and_nan_for_the_others() -> None:
    fake = FakePrometheus(lambda key, expr: 7.0)
    slos = [
        _slo("occ", RATIO),
        _slo("ts", RATIO, budgeting=Timeslices(slice_s=60, slice_target=Decimal("0.95"))),
    ]
    out = _source(fake).bad_slices(slos, [window_span(s.window, AT) for s in slos])
    assert math.isnan(out[0])
    assert out[1] == 7.0
    assert "< 0.95)[2591999s:1m])" in fake.forms[-1]["query"][0]


def test_no_bad_slice_sample_means_zero_bad_slices() -> None:
    slo = _slo("ts", RATIO, budgeting=Timeslices(slice_s=60, slice_target=Decimal("0.95")))
    out = _source(FakePrometheus(lambda key, expr: None)).bad_slices([slo], [window_span(slo.window, AT)])
    assert out.tolist() == [0.0]


def test_minute_series_reads_per_minute_increases_with_a_range_query_at_a_60s_step() -> None:
    end = epoch_minute(AT)
    fake = FakePrometheus(lambda key, expr: 600.0 if key.endswith("t") else 3.0)
    counts = _source(fake).minute_series([_slo("a", RATIO)], end - 5, end)
    form = fake.forms[-1]
    assert (form["start"][0], form["end"][0], form["step"][0]) == (str((end - 4) * 60), str(end * 60), "60")
    assert "increase(http_requests_total[1m])" in form["query"][0]
    assert counts.total.tolist() == [[600.0] * 5]
    assert counts.good.tolist() == [[597.0] * 5]


def test_minutes_without_a_sample_count_as_zero_with_a_note() -> None:
    end = epoch_minute(AT)

    def gappy(key: str, expr: str) -> float | None:
        t = int(expr.rsplit("@", 1)[1])
        if t == (end - 2) * 60:
            return None
        return 600.0 if key.endswith("t") else 0.0

    counts = _source(FakePrometheus(gappy)).minute_series([_slo("a", RATIO)], end - 5, end)
    assert counts.total.tolist() == [[600.0, 600.0, 0.0, 600.0, 600.0]]
    assert counts.notes[0].startswith("1 of 5 minutes had no usable sample and count as 0 events")


def test_a_month_of_minutes_is_split_into_range_queries_prometheus_accepts() -> None:
    end = epoch_minute(AT)
    fake = FakePrometheus(lambda key, expr: 1.0)
    counts = _source(fake).minute_series([_slo("a", RATIO)], end - 43200, end)
    assert counts.total.shape == (1, 43200)
    assert all((int(f["end"][0]) - int(f["start"][0])) // 60 + 1 <= 11000 for f in fake.forms)
    assert counts.total.sum() == 43200.0


# ---------------------------------------------------------------- failures


def test_a_503_is_retried_with_backoff_then_succeeds() -> None:
    fake = FakePrometheus()
    fake.status_script = [503, 503]
    sleeps: list[float] = []
    counts = _source(fake, sleep=sleeps.append).lookback_counts([_slo("a", RATIO)], AT, [300])
    assert sleeps == [0.25, 0.5]
    assert counts.total[0, 0] == 3000.0


def test_a_timeout_is_a_source_error_naming_the_url_and_the_fix() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = httpx.Client(transport=httpx.MockTransport(slow))
    source = PrometheusSource(URL, client=client, timeout_s=2.5, retries=2, sleep=lambda s: None)
    with pytest.raises(SourceError) as caught:
        source.lookback_counts([_slo("a", RATIO)], AT, [300])
    message = str(caught.value)
    assert message.startswith(f"Prometheus at {URL}/api/v1/query did not answer within 2.5 s (tried 3 times)")
    assert "query: label_replace(sum(sum(increase(" in message
    assert f"fix: check that the URL is right and Prometheus is up (curl {URL}/-/ready)" in message
    assert caught.value.exit_code == 3


def test_a_refused_connection_is_a_source_error_not_a_traceback() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    source = PrometheusSource(
        URL, client=httpx.Client(transport=httpx.MockTransport(refuse)), sleep=lambda s: None
    )
    with pytest.raises(
        SourceError, match=r"could not be reached \(ConnectError: \[Errno 111\] Connection refused\)"
    ):
        source.lookback_counts([_slo("a", RATIO)], AT, [300])


def test_a_rejected_query_names_the_slo_at_fault_and_quotes_prometheus() -> None:
    broken = PrometheusRatioSLI(error_query="sum(increase(x[{{window}}])", total_query=RATIO.total_query)
    slos = [
        _slo("good", RATIO),
        _slo("broken", broken, location=SourceLocation(file="slos.yaml", line=14)),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.content.decode())["query"][0]
        if "sum(increase(x[" in query:
            error = "1:38: parse error: unclosed left parenthesis"
            return httpx.Response(400, json={"status": "error", "errorType": "bad_data", "error": error})
        return FakePrometheus().handle(request)

    client = httpx.Client(transport=httpx.MockTransport(handle))
    with pytest.raises(SourceError) as caught:
        PrometheusSource(URL, client=client).lookback_counts(slos, AT, [300])
    message = str(caught.value)
    assert message.startswith(
        f"SLO api/broken (slos.yaml:14): Prometheus at {URL} rejected its query: "
        "bad_data: 1:38: parse error: unclosed left parenthesis"
    )
    assert "fix: correct the PromQL in this SLO's sli block" in message


def test_an_execution_error_is_not_retried_and_is_quoted() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        error = "query processing would load too many samples into memory"
        return httpx.Response(422, json={"status": "error", "errorType": "execution", "error": error})

    client = httpx.Client(transport=httpx.MockTransport(handle))
    with pytest.raises(SourceError, match="execution: query processing would load too many samples"):
        PrometheusSource(URL, client=client).lookback_counts([_slo("a", RATIO)], AT, [300])
    assert len(calls) == 1


def test_a_non_prometheus_answer_says_what_the_url_should_be() -> None:
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(404, text="<html>nope</html>"))
    )
    with pytest.raises(SourceError, match=r"answered HTTP 404 with a non-JSON body: <html>nope</html>"):
        PrometheusSource(URL, client=client).lookback_counts([_slo("a", RATIO)], AT, [300])


def test_a_url_without_a_scheme_is_refused_with_the_fix() -> None:
    with pytest.raises(SourceError, match=r"write it as http://host:9090"):
        PrometheusSource("prometheus:9090")


# ---------------------------------------------------------------- auth and headers


@pytest.mark.parametrize(
    ("kwargs", "header", "value"),
    [
        ({"bearer_token": "s3cret"}, "authorization", "Bearer s3cret"),
        ({"basic_auth": ("alice", "pw")}, "authorization", "Basic YWxpY2U6cHc="),
        ({"headers": {"X-Scope-OrgID": "team-a"}}, "x-scope-orgid", "team-a"),
    ],
)
def test_auth_and_tenant_headers_are_sent_on_every_request(
    kwargs: dict[str, object], header: str, value: str
) -> None:
    fake = FakePrometheus()
    source = _source(fake, **kwargs)
    source.lookback_counts([_slo("a", RATIO), _slo("lat", HISTOGRAM)], AT, [300])
    assert len(fake.requests) == 2
    assert all(r.headers[header] == value for r in fake.requests)


def test_one_connection_pool_serves_every_request_of_the_source() -> None:
    fake = FakePrometheus()
    client = fake.client()
    source = PrometheusSource(URL, client=client, max_parts_per_query=2)
    source.lookback_counts([_slo("a", RATIO)], AT, LOOKBACKS)
    assert source.requests_sent == len(fake.requests) == len(LOOKBACKS)
    source.close()
    assert not client.is_closed  # an injected client belongs to the caller


def test_a_lookback_asked_twice_is_queried_once_and_answered_in_both_columns() -> None:
    fake = FakePrometheus()
    counts = _source(fake).lookback_counts([_slo("a", RATIO)], AT, [300, 259200, 259200])
    assert len(_TAG.findall(fake.forms[-1]["query"][0])) == 4
    assert counts.total.tolist() == [[3000.0, 2592000.0, 2592000.0]]


def test_a_rejected_histogram_selector_names_the_slo() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        error = '1:35: parse error: unexpected "=" in label matching'
        return httpx.Response(400, json={"status": "error", "errorType": "bad_data", "error": error})

    sli = HISTOGRAM.model_copy(update={"selector": "job=="})
    slo = _slo("lat", sli, location=SourceLocation(file="slos.yaml", line=3))
    client = httpx.Client(transport=httpx.MockTransport(handle))
    with pytest.raises(SourceError) as caught:
        PrometheusSource(URL, client=client).lookback_counts([slo], AT, [300])
    assert str(caught.value).startswith(
        f"SLO api/lat (slos.yaml:3): Prometheus at {URL} rejected the histogram selector "
        "http_request_duration_seconds_bucket{job==}: "
        'bad_data: 1:35: parse error: unexpected "=" in label matching'
    )
