"""When the budget runs out, and what will be left at the end of the window.

Pure, vectorised over SLOs.

Time to exhaustion at a constant burn rate ``b`` (budget spent per second is
``b x budget / period``)::

    time_to_exhaustion_s = remaining_ratio x period_s / b          (b > 0, remaining > 0)

0 when the budget is already spent, NaN when nothing burns (``b`` is 0 or unknown).
For rolling windows this is conservative: it ignores old errors that leave the window.

Linear forecast of the remaining ratio at the end of the window, if burn rate ``b``
continues for the rest of it::

    forecast_remaining_ratio = 1 - consumed_ratio - b x remaining_s / period_s

A rolling window "ends" when all that is in it now has rolled out, one period from now:
only the future burn is left in it, so the forecast is ``1 - b``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray

__all__ = ["forecast_remaining_ratio", "time_to_exhaustion_s"]


def time_to_exhaustion_s(
    remaining_ratio: npt.ArrayLike, burn: npt.ArrayLike, period_s: npt.ArrayLike
) -> FloatArray:
    """Seconds until the remaining budget is spent at burn rate ``burn`` (module docstring)."""
    rem = np.asarray(remaining_ratio, dtype=np.float64)
    b = np.asarray(burn, dtype=np.float64)
    period = np.asarray(period_s, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tte = np.where(b > 0, rem * period / np.where(b > 0, b, 1.0), np.nan)
    tte = np.where(np.isnan(rem), np.nan, tte)
    return np.where(rem <= 0, 0.0, tte)


def forecast_remaining_ratio(
    consumed_ratio: npt.ArrayLike,
    burn: npt.ArrayLike,
    remaining_s: npt.ArrayLike,
    period_s: npt.ArrayLike,
    *,
    rolling: npt.ArrayLike,
) -> FloatArray:
    """Remaining budget ratio at the window's end if ``burn`` continues (module docstring)."""
    b = np.asarray(burn, dtype=np.float64)
    calendar = (
        1.0
        - np.asarray(consumed_ratio, dtype=np.float64)
        - b * np.asarray(remaining_s, dtype=np.float64) / np.asarray(period_s, dtype=np.float64)
    )
    return np.where(np.asarray(rolling, dtype=bool), 1.0 - b, calendar)
