"""Shared test set-up: Hypothesis profiles and the rule for real components.

Integration tests skip only when a component (Prometheus, promtool, Alertmanager,
Chromium) is missing on a developer's machine; under CI (``CI=true``) a missing
component fails the test, because ``.ci/run`` installs every one of them.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def require_binary(name: str) -> str:
    """Path of a real component's binary; skip (or, under CI, fail) when it is missing."""
    path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install the package that ships it)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; .ci/run must install it")
        pytest.skip(message)
    return path
