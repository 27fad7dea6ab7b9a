"""Settings: built once at the entry point (CLI options over environment), then passed down.

Nothing reads the environment at import time; ``Settings.from_env`` takes the mapping
it reads, so tests pass their own.

==========================  ===========================  ==========================
setting                     environment variable         default
==========================  ===========================  ==========================
store_path                  HEADROOM_STORE               ./headroom.duckdb
source                      HEADROOM_SOURCE              embedded (or prometheus)
prometheus_url              HEADROOM_PROMETHEUS_URL      (none)
prometheus_bearer_token     HEADROOM_PROMETHEUS_TOKEN    (none)
prometheus_basic_auth       HEADROOM_PROMETHEUS_BASIC    (none) as ``user:password``
prometheus_headers          HEADROOM_PROMETHEUS_HEADERS  (none) as ``Name=value,Name2=v``
prometheus_timeout_s        HEADROOM_PROMETHEUS_TIMEOUT  10
==========================  ===========================  ==========================
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from headroom.errors import UsageError

__all__ = ["Settings"]


class Settings(BaseModel):
    """Everything configurable about one headroom process."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store_path: Path = Path("headroom.duckdb")
    source: Literal["embedded", "prometheus"] = "embedded"
    prometheus_url: str | None = None
    prometheus_bearer_token: str | None = None
    prometheus_basic_auth: tuple[str, str] | None = None
    prometheus_headers: dict[str, str] = Field(default_factory=dict)
    prometheus_timeout_s: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Settings from an environment mapping, with explicit (non-None) overrides on top."""
        values: dict[str, Any] = {}
        if "HEADROOM_STORE" in environ:
            values["store_path"] = Path(environ["HEADROOM_STORE"])
        if "HEADROOM_SOURCE" in environ:
            values["source"] = environ["HEADROOM_SOURCE"]
        if "HEADROOM_PROMETHEUS_URL" in environ:
            values["prometheus_url"] = environ["HEADROOM_PROMETHEUS_URL"]
        if "HEADROOM_PROMETHEUS_TOKEN" in environ:
            values["prometheus_bearer_token"] = environ["HEADROOM_PROMETHEUS_TOKEN"]
        if "HEADROOM_PROMETHEUS_BASIC" in environ:
            user, sep, password = environ["HEADROOM_PROMETHEUS_BASIC"].partition(":")
            if not sep:
                raise UsageError("HEADROOM_PROMETHEUS_BASIC must be user:password")
            values["prometheus_basic_auth"] = (user, password)
        if "HEADROOM_PROMETHEUS_HEADERS" in environ:
            values["prometheus_headers"] = _parse_headers(environ["HEADROOM_PROMETHEUS_HEADERS"])
        if "HEADROOM_PROMETHEUS_TIMEOUT" in environ:
            values["prometheus_timeout_s"] = float(environ["HEADROOM_PROMETHEUS_TIMEOUT"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("prometheus_url") and "source" not in overrides and "HEADROOM_SOURCE" not in environ:
            values["source"] = "prometheus"
        settings = cls(**values)
        if settings.source == "prometheus" and not settings.prometheus_url:
            raise UsageError(
                "the Prometheus source needs a URL: pass --prometheus-url http://host:9090 "
                "or set HEADROOM_PROMETHEUS_URL"
            )
        return settings


def _parse_headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"header {item!r} in HEADROOM_PROMETHEUS_HEADERS must be Name=value")
        headers[name.strip()] = value.strip()
    return headers
