"""Reading canary data files: samples and counts, CSV and JSONL, and errors that name file and line."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from headroom.canary.data_files import load_canary_data
from headroom.canary.model import CountMetric, SampleMetric
from headroom.errors import DataError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_samples_csv_becomes_one_sample_metric_per_name_with_nan_kept() -> None:
    data = load_canary_data(Path(__file__).parents[2] / "fixtures" / "canary" / "samples.csv")
    (latency,) = data.metrics
    assert isinstance(latency, SampleMetric)
    assert latency.name == "latency_p99_ms"
    assert latency.baseline.tolist() == [120.5, 118.0, 121.25]
    assert latency.canary[:2].tolist() == [131.0, 129.5]
    assert math.isnan(latency.canary[2])


def test_count_rows_of_the_same_metric_and_variant_add_up(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "counts.csv",
        "metric,variant,good,total\nhttp,baseline,990,1000\nhttp,baseline,995,1000\nhttp,canary,480,500\n",
    )
    (http,) = load_canary_data(path).metrics
    assert http == CountMetric("http", 1985, 2000, 480, 500)
    assert (http.baseline_bad, http.canary_bad) == (15, 20)


def test_jsonl_mixes_sample_and_count_metrics_and_accepts_kayentas_variant_names(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "data.jsonl",
        '{"metric": "lat", "variant": "control", "value": 10}\n'
        "\n"
        '{"metric": "lat", "variant": "experiment", "value": null}\n'
        '{"metric": "err", "variant": "canary", "good": 99, "total": 100}\n',
    )
    lat, err = load_canary_data(path).metrics
    assert isinstance(lat, SampleMetric)
    assert lat.baseline.tolist() == [10.0]
    assert math.isnan(lat.canary[0])
    assert err == CountMetric("err", 0, 0, 99, 100)


def test_every_bad_row_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.csv",
        "metric,variant,value,good,total\n"
        "lat,baseline,10,,\n"
        "lat,prod,11,,\n"
        "lat,canary,fast,,\n"
        "err,canary,,120,100\n"
        "err,baseline,,1.5,10\n",
    )
    with pytest.raises(DataError) as caught:
        load_canary_data(path)
    message = str(caught.value)
    assert f"{path}:3: unknown variant 'prod'; write 'baseline' or 'canary'" in message
    assert f"{path}:4: value 'fast' is not a number" in message
    assert f"{path}:5: good 120 is greater than total 100" in message
    assert f"{path}:6: good '1.5' must be a whole number" in message
    assert message.startswith("4 bad row(s)")


def test_a_metric_given_both_as_values_and_as_counts_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "mixed.csv", "metric,variant,value,good,total\nm,baseline,1,,\nm,canary,,5,10\n")
    with pytest.raises(DataError, match=r"mixed.csv:3: metric 'm' was given as samples on line 2"):
        load_canary_data(path)


def test_a_header_without_value_or_counts_says_what_to_write(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", "metric,variant,amount\nm,canary,1\n")
    with pytest.raises(DataError, match=r"h.csv:1: .* write 'metric,variant,value' for samples"):
        load_canary_data(path)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.jsonl", '{"metric": "m", "variant": "canary", "value": 1}\n{oops\n')
    with pytest.raises(DataError, match=r"d.jsonl:2: not valid JSON"):
        load_canary_data(path)


def test_an_unknown_extension_and_a_missing_file_are_data_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"use a \.csv or \.jsonl file"):
        load_canary_data(_write(tmp_path, "d.txt", ""))
    with pytest.raises(DataError, match="cannot read canary data"):
        load_canary_data(tmp_path / "absent.csv")
