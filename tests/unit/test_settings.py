"""Settings come from the environment mapping given, with command options on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.errors import UsageError
from headroom.settings import Settings


def test_defaults_use_the_embedded_store_in_the_working_directory() -> None:
    settings = Settings.from_env({})
    assert settings.store_path == Path("headroom.duckdb")
    assert settings.source == "embedded"


def test_a_prometheus_url_selects_the_prometheus_source_with_its_auth_and_headers() -> None:
    settings = Settings.from_env(
        {
            "HEADROOM_PROMETHEUS_URL": "http://127.0.0.1:9090",
            "HEADROOM_PROMETHEUS_BASIC": "alice:s3cr:et",
            "HEADROOM_PROMETHEUS_HEADERS": "X-Scope-OrgID=team-a, X-Other=1",
            "HEADROOM_PROMETHEUS_TIMEOUT": "2.5",
        }
    )
    assert settings.source == "prometheus"
    assert settings.prometheus_basic_auth == ("alice", "s3cr:et")
    assert settings.prometheus_headers == {"X-Scope-OrgID": "team-a", "X-Other": "1"}
    assert settings.prometheus_timeout_s == 2.5


def test_options_override_the_environment() -> None:
    settings = Settings.from_env({"HEADROOM_STORE": "/env.duckdb"}, store_path=Path("/opt.duckdb"))
    assert settings.store_path == Path("/opt.duckdb")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HEADROOM_SOURCE": "prometheus"}, "--prometheus-url"),
        ({"HEADROOM_PROMETHEUS_BASIC": "no-colon"}, "user:password"),
        ({"HEADROOM_PROMETHEUS_HEADERS": "novalue"}, "Name=value"),
    ],
)
def test_bad_settings_say_how_to_fix_them(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Settings.from_env(env)
