"""A real Prometheus over backfilled data, for integration tests and benchmarks.

``start_prometheus(tmp_path, openmetrics_text)`` writes the OpenMetrics text, backfills a
TSDB with ``promtool tsdb create-blocks-from openmetrics``, starts ``prometheus`` on
``127.0.0.1:<free port>`` with that data (and optional rule files), waits until
``/-/ready`` answers and returns a ``PrometheusProcess`` whose ``stop()`` ends it (by its
own pid). The ``prometheus_server`` fixture factory stops every server it started at
teardown.

Use in a test module::

    from tests.integration.prometheus_fixture import prometheus_server  # noqa: F401 (a fixture)

    def test_something(prometheus_server):  # noqa: F811 (ruff sees the import redefined)
        server = prometheus_server(openmetrics_text, rule_files=[path_to_rules_yaml])
        ... httpx.get(f"{server.url}/api/v1/query", ...) ...

or, for one server per module, call ``start_prometheus(tmp_path_factory.mktemp("p"), text)``
in a module-scoped fixture and ``stop()`` it after ``yield`` (as
``test_prometheus_source.py`` does). Backfilled blocks are 2 hours each; Prometheus
compacts them in the background during its first minutes. Rules are evaluated from the
server's start on, every ``evaluation_interval_s``, not over the backfilled past.

OpenMetrics for ``promtool``: one ``# TYPE <family> counter|histogram|gauge`` line per
family, samples ``name{labels} value timestamp_s``, the text ending with ``# EOF``.
``openmetrics_counter_lines`` writes a counter's cumulative samples from per-step
increments.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import require_binary

__all__ = [
    "PrometheusProcess",
    "free_port",
    "openmetrics_counter_lines",
    "prometheus_server",
    "start_prometheus",
]

_READY_TIMEOUT_S = 60.0


@dataclass
class PrometheusProcess:
    """A running Prometheus: ``url`` to query, ``stop()`` to end it, ``log_path`` to read on failure."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path
    backfill_s: float = 0.0
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        """Terminate this Prometheus (its own pid only) and wait for it to exit."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __enter__(self) -> PrometheusProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def openmetrics_counter_lines(
    name: str, labels: dict[str, str], start_s: int, step_s: int, increments: Iterable[float]
) -> Iterator[str]:
    """Samples of a counter starting at 0 at ``start_s``, then one per ``step_s``.

    The value at ``start_s + k x step_s`` is the sum of the first ``k`` increments, so the
    exact count in any step-aligned interval is a sum of increments.
    """
    label_text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    value = 0.0
    yield f"{name}{{{label_text}}} 0 {start_s}"
    for k, inc in enumerate(increments, start=1):
        value += inc
        text = str(int(value)) if value.is_integer() else repr(value)
        yield f"{name}{{{label_text}}} {text} {start_s + k * step_s}"


def _backfill(promtool: str, text: str, workdir: Path) -> tuple[Path, float]:
    source = workdir / "data.om"
    source.write_text(text if text.rstrip().endswith("# EOF") else text.rstrip("\n") + "\n# EOF\n")
    data_dir = workdir / "tsdb"
    data_dir.mkdir()
    started = time.perf_counter()
    done = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"promtool backfill failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    source.unlink()
    return data_dir, time.perf_counter() - started


def start_prometheus(
    tmp_path: Path,
    openmetrics_text: str,
    rule_files: Sequence[Path | str] = (),
    *,
    evaluation_interval_s: int = 15,
    extra_args: Sequence[str] = (),
) -> PrometheusProcess:
    """Backfill ``openmetrics_text`` into a fresh TSDB under ``tmp_path`` and serve it (module docstring)."""
    prometheus = require_binary("prometheus")
    promtool = require_binary("promtool")
    workdir = Path(tmp_path) / f"prometheus-{free_port()}"
    workdir.mkdir(parents=True)
    data_dir, backfill_s = _backfill(promtool, openmetrics_text, workdir)
    rules = []
    for rule_file in rule_files:
        target = workdir / Path(rule_file).name
        shutil.copyfile(rule_file, target)
        rules.append(str(target))
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global:\n  evaluation_interval: {evaluation_interval_s}s\n"
        f"rule_files: [{', '.join(repr(r) for r in rules)}]\n"
        "scrape_configs: []\n"
    )
    port = free_port()
    log_path = workdir / "prometheus.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={data_dir}",
                "--storage.tsdb.retention.time=10y",
                f"--web.listen-address=127.0.0.1:{port}",
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env={**os.environ, "GOMAXPROCS": os.environ.get("GOMAXPROCS", "2")},
        )
    server = PrometheusProcess(f"http://127.0.0.1:{port}", process, data_dir, log_path, backfill_s)
    try:
        _wait_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: PrometheusProcess) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"prometheus exited with {server.process.returncode}:\n{_tail(server.log_path)}"
                )
            try:
                if client.get(f"{server.url}/-/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"prometheus not ready after {_READY_TIMEOUT_S} s:\n{_tail(server.log_path)}")


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


@pytest.fixture
def prometheus_server(tmp_path: Path) -> Iterator[Callable[..., PrometheusProcess]]:
    """Factory fixture: ``prometheus_server(openmetrics_text, rule_files=())``; all stopped at teardown."""
    started: list[PrometheusProcess] = []

    def start(
        openmetrics_text: str,
        rule_files: Sequence[Path | str] = (),
        *,
        evaluation_interval_s: int = 15,
        extra_args: Sequence[str] = (),
    ) -> PrometheusProcess:
        server = start_prometheus(
            tmp_path,
            openmetrics_text,
            rule_files,
            evaluation_interval_s=evaluation_interval_s,
            extra_args=extra_args,
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
