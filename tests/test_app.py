"""The factory, settings, health check and error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from survey import create_app
from survey.config import SETTINGS, ConfigError, load_settings

from .conftest import BASE_CONFIG


def test_config_mapping_overrides_environment(make_app) -> None:
    app = make_app(SURVEY_MIN_GROUP_SIZE=7)
    assert app.config["SURVEY_MIN_GROUP_SIZE"] == 7
    assert app.testing


def test_min_group_size_never_below_floor(tmp_path) -> None:
    settings = load_settings(tmp_path, {"TESTING": True, "SURVEY_MIN_GROUP_SIZE": 1}, {})
    assert settings["SURVEY_MIN_GROUP_SIZE"] == 3


def test_missing_secret_key_stops_production_start(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings(tmp_path, {}, {})


def test_development_secret_is_generated_once_and_kept(tmp_path) -> None:
    first = load_settings(tmp_path, {}, {"SURVEY_DEV": "1"})["SECRET_KEY"]
    second = load_settings(tmp_path, {}, {"SURVEY_DEV": "1"})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_is_read_inside_the_factory(tmp_path) -> None:
    settings = load_settings(tmp_path, {"TESTING": True}, {"SURVEY_INSTRUMENTS_DIR": "/elsewhere"})
    assert settings["SURVEY_INSTRUMENTS_DIR"] == "/elsewhere"


def test_postgres_urls_use_psycopg3(tmp_path) -> None:
    settings = load_settings(tmp_path, {"TESTING": True, "DATABASE_URL": "postgres://u@h/db"}, {})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_every_setting_has_a_row_in_the_readme_settings_table() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SETTINGS if f"\n| `{name}` |" not in readme]
    assert missing == []


ENVIRONMENT_NUMBERS = [
    ("SURVEY_THANKS_MINUTES", "3", 3),
    ("SURVEY_INSTRUMENT_MAX_BYTES", "5000", 5000),
    ("SURVEY_INSTRUMENTS_RECHECK_SECONDS", "0.5", 0.5),
    ("SURVEY_MIN_FREE_BYTES", "1024", 1024),
    ("SURVEY_HEALTH_WRITE_TIMEOUT", "0.25", 0.25),
    ("SURVEY_MIN_GROUP_SIZE", "8", 8),
]


@pytest.mark.parametrize(("name", "text", "number"), ENVIRONMENT_NUMBERS)
def test_numeric_settings_are_read_from_the_environment(tmp_path, name: str, text: str, number: float) -> None:
    default = SETTINGS[name][0]
    assert default != number  # the environment, not the default, gives the value
    settings = load_settings(tmp_path, {"TESTING": True}, {name: text})
    assert settings[name] == number and type(settings[name]) is type(default)


@pytest.mark.parametrize("text", ["soon", "-1", "1e"])
def test_a_numeric_setting_that_is_not_a_number_stops_the_start(tmp_path, text: str) -> None:
    with pytest.raises(ConfigError, match=f"SURVEY_THANKS_MINUTES must be a whole number of 0 or more, not '{text}'"):
        load_settings(tmp_path, {"TESTING": True}, {"SURVEY_THANKS_MINUTES": text})


def test_thank_you_lifetime_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SURVEY_THANKS_MINUTES", "4")
    app = create_app({**BASE_CONFIG, "DATABASE_URL": "sqlite://"})
    from survey.participant.thanks import ticket_minutes

    with app.app_context():
        assert ticket_minutes() == 4


def test_healthz_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_healthz_503_when_database_unreachable(tmp_path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/x.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_healthz_503_when_postgres_unreachable() -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert app.test_client().get("/healthz").status_code == 503


def test_unknown_page_is_friendly_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and 'href="/"' in body


def test_security_headers_on_every_page(client) -> None:
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_app_factory_returns_flask(app: Flask) -> None:
    assert "health.healthz" in app.view_functions
