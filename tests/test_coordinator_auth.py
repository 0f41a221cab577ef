"""Accounts: login, logout, generic failures, safe `next`, rate limits, cookies, passwords, disabling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.accounts import hash_password, verify_password
from survey.extensions import db
from survey.models import AuditEvent, User

from .coordinator_support import PASSWORD, add_user, log_in_as, log_in_with_form


@pytest.fixture
def app(make_app):
    """The app without CSRF, so tests can post forms directly."""
    return make_app(WTF_CSRF_ENABLED=False)


def audit_actions(app) -> list[tuple[str, str]]:
    """Return (action, actor e-mail) of every audit event, oldest first."""
    with app.app_context():
        return [(e.action, e.actor_email) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_passwords_are_hashed_with_argon2id() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD) and not verify_password("not-a-hash", PASSWORD)


def test_login_then_logout(app, client) -> None:
    add_user(app, "ana@example.org")
    response = log_in_with_form(client, "Ana@Example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/groups"
    assert client.get("/groups").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/groups").status_code == 302
    assert audit_actions(app) == [("login.success", "ana@example.org"), ("logout", "ana@example.org")]


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@example.org", "wrong password here"), ("nobody@example.org", PASSWORD), ("off@example.org", PASSWORD)],
    ids=["wrong-password", "unknown-email", "disabled-account"],
)
def test_every_login_failure_reads_the_same(app, client, email, password) -> None:
    add_user(app, "ana@example.org")
    add_user(app, "off@example.org", active=False)
    response = log_in_with_form(client, email, password)
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "That e-mail and password do not match an active account." in body
    assert f'value="{email}"' in body  # what was typed is kept, except the password
    assert password not in body
    assert client.get("/groups").status_code == 302
    recorded = email if email != "nobody@example.org" else "(no such account)"
    assert audit_actions(app) == [("login.failure", recorded)]


def test_a_password_typed_in_the_email_field_never_reaches_the_audit_log(app, client) -> None:
    add_user(app, "ana@example.org")
    log_in_with_form(client, "my secret passphrase 9", PASSWORD)
    assert audit_actions(app) == [("login.failure", "(no such account)")]


def test_a_copied_session_cookie_stops_working_at_logout(app) -> None:
    add_user(app, "ana@example.org")
    client, thief = app.test_client(), app.test_client()
    assert log_in_with_form(client, "ana@example.org").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    assert thief.get("/groups").status_code == 200  # the copy works while the session is open
    assert client.post("/logout").status_code == 302
    assert thief.get("/groups").status_code == 302  # ended on the server, not only in one browser


def test_login_starts_a_new_session_so_nothing_planted_before_it_survives(app, client) -> None:
    add_user(app, "ana@example.org")
    with client.session_transaction() as session:
        session["csrf_token"] = "planted-before-login"
    assert log_in_with_form(client, "ana@example.org").status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") != "planted-before-login"
        assert session.get("_user_id")


@pytest.mark.parametrize("field", ["email", "password"])
def test_empty_login_field_gets_its_own_message(app, client, field) -> None:
    data = {"email": "ana@example.org", "password": PASSWORD, field: ""}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert ("Enter your e-mail address." if field == "email" else "Enter your password.") in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("target", ["/groups/ABC?x=1", "/instruments"])
def test_next_on_this_site_is_followed(app, client, target) -> None:
    add_user(app, "ana@example.org")
    assert log_in_with_form(client, "ana@example.org", next_url=target).headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "http:/evil.com",
        "javascript:alert(1)",
        "/\t/evil.com",
        "evil.com",
        "///evil.com",
    ],
)
def test_next_elsewhere_is_ignored(app, client, target) -> None:
    add_user(app, "ana@example.org")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": "ana@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/groups"


def test_login_page_sends_people_back_where_they_were(app, client) -> None:
    response = client.get("/groups/ABCD2345/now")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "%2Fgroups%2FABCD2345%2Fnow" in response.headers["Location"]


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_http(app, client) -> None:
    add_user(app, "ana@example.org")
    log_in_with_form(client, "ana@example.org")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_session_cookie_is_secure_over_https(app) -> None:
    add_user(app, "ana@example.org")
    client = app.test_client()
    response = client.post("https://localhost/login", data={"email": "ana@example.org", "password": PASSWORD})
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_csrf_token_is_required_when_protection_is_on(make_app) -> None:
    app = make_app()
    add_user(app, "ana@example.org")
    response = app.test_client().post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_failed_logins_are_limited_per_account(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_LOGIN_LIMIT_PER_ACCOUNT="3 per hour")
    add_user(app, "ana@example.org")
    client = app.test_client()
    statuses = [log_in_with_form(client, "ana@example.org", "wrong password!").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    blocked = log_in_with_form(client, "ANA@example.org", PASSWORD)  # even the right password, in any case
    assert blocked.status_code == 429 and "Too many login attempts" in blocked.get_data(as_text=True)
    other = app.test_client()
    assert (
        log_in_with_form(
            other,
            "ana@example.org",
            PASSWORD,
        ).status_code
        == 429
    )
    assert log_in_with_form(app.test_client(), "bo@example.org", "whatever pass").status_code == 401


def test_failed_logins_are_limited_per_client_address(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_LOGIN_LIMIT_PER_CLIENT="4 per hour")
    add_user(app, "ana@example.org")
    client = app.test_client()
    statuses = [log_in_with_form(client, f"user{i}@example.org", "wrong password!").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 401]
    assert log_in_with_form(client, "ana@example.org").status_code == 429
    elsewhere = client.post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD}, environ_overrides={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert elsewhere.status_code == 302


def test_successful_logins_do_not_use_up_the_limit(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_LOGIN_LIMIT_PER_ACCOUNT="2 per hour")
    add_user(app, "ana@example.org")
    for _ in range(4):
        client = app.test_client()
        assert log_in_with_form(client, "ana@example.org").status_code == 302


def test_change_own_password_ends_other_sessions_but_not_this_one(app) -> None:
    user_id = add_user(app, "ana@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    log_in_with_form(here, "ana@example.org")
    log_in_with_form(elsewhere, "ana@example.org")
    new = "a brand new long passphrase"
    response = here.post("/account/password", data={"current_password": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/groups").status_code == 200
    assert elsewhere.get("/groups").status_code == 302
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, new)


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        (
            {
                "current_password": "wrong password",
                "password": "long enough password",
                "confirm": "long enough password",
            },
            "That is not your current password.",
        ),
        ({"current_password": PASSWORD, "password": "short", "confirm": "short"}, "Use at least 12 characters."),
        (
            {"current_password": PASSWORD, "password": "long enough password", "confirm": "long enough passwort"},
            "The two passwords differ.",
        ),
    ],
    ids=["wrong-current", "too-short", "mismatch"],
)
def test_bad_password_change_is_refused_with_a_message(app, client, data, field_message) -> None:
    user_id = add_user(app, "ana@example.org")
    log_in_as(client, app, user_id)
    response = client.post("/account/password", data=data)
    assert response.status_code == 400 and field_message in response.get_data(as_text=True)
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, PASSWORD)


def test_password_form_states_the_minimum_length(app, client) -> None:
    log_in_as(client, app, add_user(app, "ana@example.org"))
    body = client.get("/account/password").get_data(as_text=True)
    assert "At least 12 characters" in body and 'minlength="12"' in body


def test_admin_disabling_an_account_ends_its_open_session(app) -> None:
    admin_id = add_user(app, "admin@example.org", role="admin")
    coordinator_id = add_user(app, "ana@example.org")
    admin, coordinator = app.test_client(), app.test_client()
    log_in_as(admin, app, admin_id)
    log_in_with_form(coordinator, "ana@example.org")
    assert coordinator.get("/groups").status_code == 200
    asked = admin.post(f"/users/{coordinator_id}/active", data={"active": "0"})
    assert asked.status_code == 200 and "Disable ana@example.org?" in asked.get_data(as_text=True)
    assert coordinator.get("/groups").status_code == 200  # nothing happened before the confirmation
    assert ("user.disable", "admin@example.org") not in audit_actions(app)
    confirmed = admin.post(f"/users/{coordinator_id}/active", data={"active": "0", "confirmed": "1"})
    assert confirmed.status_code == 302
    assert coordinator.get("/groups").status_code == 302
    assert log_in_with_form(app.test_client(), "ana@example.org").status_code == 401
    assert admin.post(f"/users/{coordinator_id}/active", data={"active": "1"}).status_code == 302
    assert log_in_with_form(app.test_client(), "ana@example.org").status_code == 302
    assert ("user.disable", "admin@example.org") in audit_actions(app)


def test_admin_reset_password_ends_sessions_and_sets_the_new_one(app) -> None:
    admin_id = add_user(app, "admin@example.org", role="admin")
    coordinator_id = add_user(app, "ana@example.org")
    admin, coordinator = app.test_client(), app.test_client()
    log_in_as(admin, app, admin_id)
    log_in_with_form(coordinator, "ana@example.org")
    new = "temporary passphrase 42"
    response = admin.post(f"/users/{coordinator_id}/password", data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert coordinator.get("/groups").status_code == 302
    assert log_in_with_form(app.test_client(), "ana@example.org", new).status_code == 302


def test_admin_reset_with_a_short_password_is_refused(app, client) -> None:
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    coordinator_id = add_user(app, "ana@example.org")
    response = client.post(f"/users/{coordinator_id}/password", data={"password": "short", "confirm": "short"})
    assert response.status_code == 400 and "Use at least 12 characters." in response.get_data(as_text=True)


def test_admin_cannot_disable_themselves(app, client) -> None:
    admin_id = add_user(app, "admin@example.org", role="admin")
    log_in_as(client, app, admin_id)
    client.post(f"/users/{admin_id}/active", data={"active": "0", "confirmed": "1"})
    with app.app_context():
        assert db.session.get(User, admin_id).is_active_account


@pytest.mark.parametrize("session_id", ["1:99", "x:1", "1", "", "1:1:1", "999:1"])
def test_forged_or_stale_session_ids_are_anonymous(app, client, session_id) -> None:
    add_user(app, "ana@example.org")
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    assert client.get("/groups").status_code == 302


@pytest.mark.parametrize("path", ["/groups", "/groups/NOSTOREA", "/groups/NOSTOREA/dashboard", "/account/password"])
def test_logged_in_pages_are_never_stored_by_a_cache(app, client, path) -> None:
    from .coordinator_support import add_group

    add_group(app, "NOSTOREA")
    log_in_with_form(client, add_user(app, "ana@example.org", groups={"NOSTOREA": "manager"}) and "ana@example.org")
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    static = client.get("/static/site.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")  # assets stay cacheable
