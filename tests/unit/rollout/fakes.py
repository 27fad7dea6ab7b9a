"""Fakes for driving rollouts without waiting or networking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from headroom.canary.model import CanaryData, CountMetric
from headroom.canary.rollout import WebhookPayload
from headroom.errors import NotifyError

START = datetime(2026, 11, 1, 12, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when the driver sleeps."""

    def __init__(self) -> None:
        self.now = START
        self.slept_s: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept_s.append(seconds)
        self.now += timedelta(seconds=seconds)


class FakeWebhooks:
    """Records (action, weight); fails the actions named in ``failing``."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.calls: list[tuple[str, int]] = []
        self.failing = failing

    def send(self, payload: WebhookPayload, *, delivery: str) -> None:
        self.calls.append((payload.action, payload.weight))
        if payload.action in self.failing:
            raise NotifyError(f"{payload.action} webhook answered HTTP 503")


def healthy() -> CanaryData:
    return CanaryData((CountMetric("errors", 999_000, 1_000_000, 99_900, 100_000),))


def broken() -> CanaryData:
    return CanaryData((CountMetric("errors", 999_000, 1_000_000, 99_000, 100_000),))


class StepData:
    """Judge input per step (1-based); ``None`` means the metrics source is down."""

    def __init__(self, by_step: dict[int, CanaryData | None], default: CanaryData | None = None) -> None:
        self.by_step = by_step
        self.default = default or healthy()
        self.asked: list[tuple[int, int]] = []

    def fetch(
        self, *, rollout: str, run_id: str, step: int, weight: int, since: datetime, until: datetime
    ) -> CanaryData:
        from headroom.errors import SourceError

        self.asked.append((step, weight))
        data = self.by_step.get(step, self.default)
        if data is None:
            raise SourceError("canary metrics http://m/canary: no answer")
        return data
