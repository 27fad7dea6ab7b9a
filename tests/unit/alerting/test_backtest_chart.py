"""The backtest chart draws the error ratio the backtest replayed, not just the spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from matplotlib import image

from headroom.budget.windows import epoch_minute
from headroom.service.backtest import run_backtest
from headroom.service.backtest_chart import write_backtest_chart
from headroom.sources.memory import InMemorySource
from headroom.spec.filters import parse_filter
from headroom.spec.model import SLO, EventsSLI, RollingWindow

END = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_chart_of_an_outage_is_a_png_covering_the_backtest_range(tmp_path: Path) -> None:
    slo = SLO(
        service="checkout",
        name="availability",
        objective=Decimal("0.999"),
        window=RollingWindow(duration_s=30 * 86400),
        sli=EventsSLI(events="checkout", good=parse_filter("status < 500")),
    )
    minutes = 6 * 1440
    total = np.full(minutes, 100.0)
    bad = np.zeros(minutes)
    bad[-600:-570] = 100.0  # a 30-minute outage ten hours before the end
    source = InMemorySource()
    source.put(slo.id, epoch_minute(END) - minutes, total - bad, total)
    report = run_backtest([slo], source, END - timedelta(days=2), END)
    fired = [t for t in report.profiles[0].slos[0].tiers if t.spans]
    assert {t.tier for t in fired} >= {"page-fast"}
    path = write_backtest_chart(report, [slo], source, tmp_path / "bt.png")
    pixels = image.imread(str(path))
    assert pixels.shape[0] > 200
    assert pixels.shape[1] > 1000
    # Not a blank canvas: the curve, thresholds and bars put many distinct colours on it.
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 20
