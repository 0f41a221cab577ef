"""Coordinator sessions: the `__Host-` cookie over HTTPS, an idle timeout and an absolute lifetime."""

from __future__ import annotations

import pytest

from survey import clock
from survey.config import ConfigError, load_settings
from survey.session_lifetime import expiry_reason

from .coordinator_support import PASSWORD, add_user, log_in_with_form

HTTPS = "https://localhost"
START = 1_800_000_000.0  # a fixed moment; each test moves the clock from here


@pytest.fixture
def app(make_app):
    """The app without CSRF, so tests can post forms directly."""
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def now(monkeypatch):
    """A clock the test sets: now["t"] is the time every session check and link reads."""
    moment = {"t": START}
    monkeypatch.setattr(clock, "now", lambda: moment["t"])
    return moment


def test_the_cookie_is_host_prefixed_and_secure_over_https(app) -> None:
    add_user(app, "ana@example.org")
    client = app.test_client()
    response = client.post(f"{HTTPS}/login", data={"email": "ana@example.org", "password": PASSWORD})
    header = response.headers["Set-Cookie"]
    assert header.startswith("__Host-session=")
    assert "Secure" in header and "Path=/" in header and "Domain" not in header
    assert client.get("/groups", base_url=HTTPS).status_code == 200  # the prefixed cookie is the session
    assert client.get_cookie("session", domain="localhost") is None


def test_a_configured_secure_cookie_is_host_prefixed_even_behind_plain_http(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=True, SESSION_COOKIE_DOMAIN="example.org")
    add_user(app, "ana@example.org")
    header = log_in_with_form(app.test_client(), "ana@example.org").headers["Set-Cookie"]
    assert header.startswith("__Host-session=") and "Domain" not in header and "Path=/" in header


def test_plain_http_development_keeps_the_plain_name(app, client) -> None:
    add_user(app, "ana@example.org")
    header = log_in_with_form(client, "ana@example.org").headers["Set-Cookie"]
    assert header.startswith("session=") and "Secure" not in header


def test_a_session_idle_for_longer_than_the_timeout_ends_with_a_message(app, client, now) -> None:
    add_user(app, "ana@example.org")
    assert log_in_with_form(client, "ana@example.org").status_code == 302
    for minutes in (29, 29 + 29):  # each request within 30 minutes of the one before keeps it alive
        now["t"] = START + minutes * 60
        assert client.get("/groups").status_code == 200
    now["t"] = START + (29 + 29 + 31) * 60
    response = client.get("/groups/ABCD2345")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were logged out after 30 minutes without activity. Log in again to continue." in page
    assert client.get("/groups").status_code == 302  # ended, not only refused once


def test_an_active_session_ends_at_its_absolute_lifetime(app, client, now) -> None:
    add_user(app, "ana@example.org")
    log_in_with_form(client, "ana@example.org")
    for minutes in range(20, 12 * 60 + 1, 20):  # busy all day, never idle
        now["t"] = START + minutes * 60
        assert client.get("/groups").status_code == 200, minutes
    now["t"] = START + 12 * 3600 + 60
    response = client.get("/groups", follow_redirects=True)
    assert "Your session reached its limit of 12 hours. Log in again to continue." in response.get_data(as_text=True)
    assert client.get("/groups").status_code == 302


def test_the_limits_come_from_the_settings(make_app, now) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, SURVEY_SESSION_IDLE_MINUTES="5")
    add_user(app, "ana@example.org")
    client = app.test_client()
    log_in_with_form(client, "ana@example.org")
    now["t"] = START + 6 * 60
    assert client.get("/groups").status_code == 302


def test_an_expired_session_on_the_login_page_shows_the_message_there(app, client, now) -> None:
    add_user(app, "ana@example.org")
    log_in_with_form(client, "ana@example.org")
    now["t"] = START + 31 * 60
    response = client.get("/login")
    assert response.status_code == 200 and "without activity" in response.get_data(as_text=True)


def test_the_expiry_message_is_in_the_coordinators_language(make_app, now) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)
    add_user(app, "ana@example.org")
    client = app.test_client()
    log_in_with_form(client, "ana@example.org")
    now["t"] = START + 31 * 60
    page = client.get("/groups", headers={"Accept-Language": "es"}, follow_redirects=True).get_data(as_text=True)
    assert "Se cerró su sesión tras 30 minutos sin actividad." in page


@pytest.mark.parametrize(
    ("started", "seen", "at", "expected"),
    [
        (0, 0, 30 * 60, None),
        (0, 0, 30 * 60 + 1, "idle"),
        (0, 12 * 3600 - 60, 12 * 3600, None),
        (0, 12 * 3600, 12 * 3600 + 1, "lifetime"),
    ],
)
def test_expiry_reason_at_the_edges(started, seen, at, expected) -> None:
    assert expiry_reason(started, seen, at, idle_minutes=30, max_hours=12) == expected


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan", "inf"])
def test_a_bad_duration_setting_is_refused_by_name(tmp_path, value) -> None:
    with pytest.raises(ConfigError, match="SURVEY_SESSION_MAX_HOURS must be a positive number"):
        load_settings(tmp_path, {"TESTING": True, "SURVEY_SESSION_MAX_HOURS": value}, {})


def test_a_participant_page_sets_no_cookie_and_works_out_no_cookie_attributes(app, client, monkeypatch) -> None:
    """accounts.HttpsAwareSessionInterface.save_session: an empty session nobody changed (every participant's)
    sets no cookie, still says `Vary: Cookie` when read, and skips Flask's cookie attribute work."""
    looked_up: list[str] = []
    interface = type(app.session_interface)
    original = interface.get_cookie_domain
    monkeypatch.setattr(interface, "get_cookie_domain", lambda self, a: looked_up.append("domain") or original(self, a))
    page = client.get("/privacy")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "Cookie" in page.headers["Vary"] and looked_up == []
