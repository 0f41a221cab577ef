"""A session cookie verified once is not verified again in the same process, yet a forged, changed or
too old cookie is refused every time and a session's lists are never shared between requests."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from survey import accounts

from .dashboard_support import add_user, log_in

PAGE = "/account"


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


def signed_in(app: Flask):  # type: ignore[no-untyped-def]
    """A logged-in client and its session cookie's value."""
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("coordinator"))
    assert client.get(PAGE).status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def with_cookie(app: Flask, value: str):  # type: ignore[no-untyped-def]
    """A new client sending only this session cookie."""
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def test_a_cookie_is_verified_once_per_process(app, monkeypatch) -> None:
    _client, value = signed_in(app)
    assert with_cookie(app, value).get(PAGE).status_code == 200  # the first sight of this cookie verifies it
    loads: list[str] = []
    real = URLSafeTimedSerializer.loads
    monkeypatch.setattr(URLSafeTimedSerializer, "loads", lambda self, *a, **k: loads.append("x") or real(self, *a, **k))
    for _ in range(3):
        assert with_cookie(app, value).get(PAGE).status_code == 200
    assert loads == []


def test_a_changed_or_forged_cookie_is_refused_after_a_good_one(app) -> None:
    _client, value = signed_in(app)
    assert with_cookie(app, value).get(PAGE).status_code == 200
    body, _, _signature = value.rpartition(".")
    for forged in [value[:-2] + ("AA" if not value.endswith("AA") else "BB"), body + ".", "x" + value]:
        assert with_cookie(app, forged).get(PAGE).status_code == 302, forged  # to the login page
    other = URLSafeTimedSerializer("another key", salt="cookie-session")
    assert with_cookie(app, other.dumps({"_user_id": "1:1"})).get(PAGE).status_code == 302


def test_a_kept_cookie_older_than_the_session_lifetime_is_refused(app, monkeypatch) -> None:
    _client, value = signed_in(app)
    assert with_cookie(app, value).get(PAGE).status_code == 200  # verified and kept
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert with_cookie(app, value).get(PAGE).status_code == 302


def test_a_session_holding_a_list_is_never_kept(app) -> None:
    client, _value = signed_in(app)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Only once.")]
    value = client.get_cookie("session").value
    assert "Only once." in with_cookie(app, value).get(PAGE).get_data(as_text=True)
    assert not any(isinstance(v, tuple) and "Only once." in str(v) for v in _kept(app))
    assert "Only once." in with_cookie(app, value).get(PAGE).get_data(as_text=True)  # the same cookie again


def _kept(app: Flask) -> list[object]:
    """The values kept by this app's verified-cookie store."""
    store = app.extensions.get(accounts.VERIFIED_KEY)
    return list(store._items.values()) if store else []  # noqa: SLF001
