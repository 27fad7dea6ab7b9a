"""Realistic demo traffic for the example SLOs: a month of per-minute events, seeded.

Pure (numpy with a fixed seed; the end instant is passed in): the same call gives the
same events, so the demo's figures are reproducible and its files deduplicate on
re-ingest.

``checkout`` (examples/checkout.yaml): about 1 request/s with a daily cycle, 0.02 %
errors and 0.5 % of requests over 300 ms in normal times, one real incident (a bad
deploy: 50 minutes at 25 % errors and 40 % slow, 9 days before the end) and a short blip
(10 minutes at 5 % errors, 2 days before the end).

``llm_responses`` (examples/llm-assistant.yaml): about 0.3 answers/s; a fifth are
graded (``evaluated``); 1.2 % of graded answers hallucinate and 95 % of tasks succeed in
normal times; a model roll-out 5 days before the end raises hallucinations to 12 % for 6
hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DemoIncident", "checkout_events", "llm_events", "per_minute_rate"]

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class DemoIncident:
    """A stretch of minutes (offsets from the start of the series) with raised failure rates."""

    start_minute: int
    minutes: int
    error_ratio: float
    slow_ratio: float


def per_minute_rate(minutes: int, mean_per_minute: float, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Poisson event counts per minute around a daily cycle (peak mid-afternoon UTC)."""
    t = np.arange(minutes)
    daily = 1.0 + 0.6 * np.sin(2 * np.pi * ((t % MINUTES_PER_DAY) / MINUTES_PER_DAY - 0.35))
    return rng.poisson(mean_per_minute * daily).astype(np.int64)


def _timestamps(
    counts: npt.NDArray[np.int64], start_epoch_s: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    minute_of_event = np.repeat(np.arange(len(counts)), counts)
    seconds = rng.random(len(minute_of_event)) * 60.0
    return np.round(start_epoch_s + minute_of_event * 60.0 + seconds, 3)


def checkout_events(end_epoch_s: int, days: int = 30, seed: int = 7) -> dict[str, npt.NDArray[np.generic]]:
    """Columns of the checkout API's request log: timestamp, status, latency_ms, route."""
    rng = np.random.default_rng(seed)
    minutes = days * MINUTES_PER_DAY
    start = end_epoch_s - minutes * 60
    counts = per_minute_rate(minutes, 60.0, rng)
    ts = _timestamps(counts, start, rng)
    minute = ((ts - start) // 60).astype(np.int64)
    error_p = np.full(minutes, 0.0002)
    slow_p = np.full(minutes, 0.005)
    for inc in (
        DemoIncident(minutes - 9 * MINUTES_PER_DAY - 14 * 60, 50, 0.25, 0.40),
        DemoIncident(minutes - 2 * MINUTES_PER_DAY - 5 * 60, 10, 0.05, 0.02),
    ):
        error_p[inc.start_minute : inc.start_minute + inc.minutes] = inc.error_ratio
        slow_p[inc.start_minute : inc.start_minute + inc.minutes] = inc.slow_ratio
    n = len(ts)
    failed = rng.random(n) < error_p[minute]
    status = np.where(
        failed,
        rng.choice(np.array([500, 502, 503]), n),
        rng.choice(np.array([200, 201, 404]), n, p=[0.9, 0.07, 0.03]),
    )
    slow = rng.random(n) < slow_p[minute]
    latency = np.where(
        slow, rng.uniform(300.5, 2500.0, n), np.minimum(rng.lognormal(np.log(80.0), 0.45, n), 299.0)
    )
    routes = np.array(["/cart", "/checkout", "/pay", "/confirm"])
    return {
        "timestamp": ts,
        "status": status.astype(np.int64),
        "latency_ms": np.round(latency, 1),
        "route": routes[rng.integers(0, 4, n)],
    }


def llm_events(end_epoch_s: int, days: int = 30, seed: int = 11) -> dict[str, npt.NDArray[np.generic]]:
    """Columns of an LLM assistant's answer log.

    timestamp, status, latency_ms, evaluated, hallucinated, task_success, model.
    """
    rng = np.random.default_rng(seed)
    minutes = days * MINUTES_PER_DAY
    start = end_epoch_s - minutes * 60
    counts = per_minute_rate(minutes, 18.0, rng)
    ts = _timestamps(counts, start, rng)
    minute = ((ts - start) // 60).astype(np.int64)
    n = len(ts)
    rollout = (minute >= minutes - 5 * MINUTES_PER_DAY) & (minute < minutes - 5 * MINUTES_PER_DAY + 360)
    status = np.where(rng.random(n) < 0.001, 503, 200)
    latency = np.round(rng.lognormal(np.log(1400.0), 0.35, n), 1)
    evaluated = rng.random(n) < 0.2
    hallucinated = evaluated & (rng.random(n) < np.where(rollout, 0.12, 0.012))
    task_success = (status == 200) & (rng.random(n) < np.where(rollout, 0.85, 0.95))
    model = np.where(rollout, "assistant-v4-rc1", "assistant-v3")
    return {
        "timestamp": ts,
        "status": status.astype(np.int64),
        "latency_ms": latency,
        "evaluated": evaluated,
        "hallucinated": hallucinated,
        "task_success": task_success,
        "model": model,
    }
