"""Invitation and reset links: signed, single use, expiring, on the public base URL; bad links change nothing."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from survey import clock
from survey.account_links import LinkError, check_claims, make_token, read_token
from survey.accounts import verify_password
from survey.extensions import db
from survey.models import AuditEvent, User

from .coordinator_support import PASSWORD, add_user, log_in_as, log_in_with_form

PUBLIC = "https://survey.example.org"
CHOSEN = "my own chosen passphrase"
START = 1_800_000_000.0


@pytest.fixture
def app(make_app):
    """The app without CSRF, on a public base URL."""
    return make_app(WTF_CSRF_ENABLED=False, SURVEY_PUBLIC_URL=PUBLIC)


@pytest.fixture
def now(monkeypatch):
    """A clock the test sets."""
    moment = {"t": START}
    monkeypatch.setattr(clock, "now", lambda: moment["t"])
    return moment


@pytest.fixture
def admin(app):
    """A logged-in admin's client."""
    client = app.test_client()
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    return client


def shown_link(response) -> str:  # type: ignore[no-untyped-def]
    """Return the link the admin is shown."""
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return html.unescape(re.search(r'id="account-link"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1))


def local(link: str) -> str:
    """Return the link's path and query, to open it in the test client."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def invite(admin, email: str = "new@example.org") -> str:  # type: ignore[no-untyped-def]
    """Create an account without a password; return its invitation link."""
    return shown_link(admin.post("/users/new", data={"email": email, "role": "coordinator"}))


def set_by_link(client, link: str, password: str = CHOSEN):  # type: ignore[no-untyped-def]
    """Post a new password through a link."""
    token = urlsplit(link).query.removeprefix("token=")
    return client.post("/account/set-password", data={"token": token, "password": password, "confirm": password})


def user(app, email: str) -> User:
    """Return the account with this e-mail, detached."""
    with app.app_context():
        found = db.session.scalar(select(User).filter_by(email=email))
        db.session.expunge(found)
        return found


def test_an_invited_coordinator_sets_their_own_password_once(app, admin) -> None:
    link = invite(admin)
    assert link.startswith(f"{PUBLIC}/account/set-password?token=")
    assert log_in_with_form(app.test_client(), "new@example.org", "").status_code == 400
    visitor = app.test_client()
    page = visitor.get(local(link))
    assert (
        page.status_code == 200
        and "Welcome. Choose the password for your account new@example.org." in page.get_data(as_text=True)
    )
    assert page.headers["Cache-Control"] == "no-store"
    done = set_by_link(visitor, link)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert log_in_with_form(app.test_client(), "new@example.org", CHOSEN).status_code == 302
    again = set_by_link(app.test_client(), link, "someone else's passphrase")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert app.test_client().get(local(link)).status_code == 410
    assert verify_password(user(app, "new@example.org").password_hash, CHOSEN)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["user.create", "user.invite_link", "password.set_by_link", "login.success"]


def test_a_reset_link_keeps_the_old_password_until_used_then_ends_sessions(app, admin) -> None:
    coordinator_id = add_user(app, "ana@example.org")
    open_session = app.test_client()
    log_in_with_form(open_session, "ana@example.org")
    link = shown_link(admin.post(f"/users/{coordinator_id}/reset-link"))
    assert log_in_with_form(app.test_client(), "ana@example.org", PASSWORD).status_code == 302
    assert set_by_link(app.test_client(), link).status_code == 302
    assert open_session.get("/groups").status_code == 302
    assert log_in_with_form(app.test_client(), "ana@example.org", PASSWORD).status_code == 401
    assert log_in_with_form(app.test_client(), "ana@example.org", CHOSEN).status_code == 302


def test_an_expired_link_changes_nothing(app, admin, now) -> None:
    link = invite(admin)
    now["t"] = START + 72 * 3600 + 1
    for response in (app.test_client().get(local(link)), set_by_link(app.test_client(), link)):
        assert response.status_code == 410 and "This link has expired." in response.get_data(as_text=True)
    assert not verify_password(user(app, "new@example.org").password_hash, CHOSEN)


def test_a_link_is_still_good_just_before_it_expires(app, admin, now) -> None:
    link = invite(admin)
    now["t"] = START + 72 * 3600 - 1
    assert set_by_link(app.test_client(), link).status_code == 302


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2], lambda t: t[:10], lambda t: "x" + t[1:], lambda t: "", lambda t: t + "%0A", lambda t: "a.b.c"],
    ids=["truncated", "short", "altered", "empty", "newline", "junk"],
)
def test_a_forged_or_damaged_link_changes_nothing(app, admin, mangle) -> None:
    link = invite(admin)
    token = urlsplit(link).query.removeprefix("token=")
    bad = mangle(token)
    page = app.test_client().get(f"/account/set-password?token={bad}")
    assert page.status_code == 400 and "This link is not valid." in page.get_data(as_text=True)
    response = app.test_client().post(
        "/account/set-password", data={"token": bad, "password": CHOSEN, "confirm": CHOSEN}
    )
    assert response.status_code == 400 and "Nothing was changed." in response.get_data(as_text=True)
    assert not verify_password(user(app, "new@example.org").password_hash, CHOSEN)


def test_a_token_signed_with_another_secret_is_forged(app, admin) -> None:
    stranger = make_token("another site's secret", 2, "reset", "$argon2id$x", 1, hours=72)
    response = app.test_client().get(f"/account/set-password?token={stranger}")
    assert response.status_code == 400


def test_a_disabled_accounts_link_does_not_work(app, admin) -> None:
    coordinator_id = add_user(app, "ana@example.org")
    link = shown_link(admin.post(f"/users/{coordinator_id}/reset-link"))
    admin.post(f"/users/{coordinator_id}/active", data={"active": "0", "confirmed": "1"})
    assert set_by_link(app.test_client(), link).status_code == 410
    assert verify_password(user(app, "ana@example.org").password_hash, PASSWORD)


def test_a_weak_password_through_a_link_is_refused_and_the_link_still_works(app, admin) -> None:
    link = invite(admin)
    weak = set_by_link(app.test_client(), link, "password1234")
    assert weak.status_code == 400 and "most common" in weak.get_data(as_text=True)
    assert set_by_link(app.test_client(), link).status_code == 302


def test_links_ignore_a_forged_host_header(app, admin) -> None:
    coordinator_id = add_user(app, "ana@example.org")
    cookie = admin.get_cookie("session")
    forged = app.test_client(use_cookies=False)  # so the jar cannot drop the cookie for another host
    headers = {"Host": "evil.example", "Cookie": f"session={cookie.value}"}
    response = forged.post(f"/users/{coordinator_id}/reset-link", headers=headers)
    link = shown_link(response)
    assert link.startswith(f"{PUBLIC}/account/set-password?token=") and "evil.example" not in link


def test_link_pages_speak_the_accounts_language(app, admin) -> None:
    coordinator_id = add_user(app, "ana@example.org")
    with app.app_context():
        db.session.get(User, coordinator_id).locale = "es"
        db.session.commit()
    link = shown_link(admin.post(f"/users/{coordinator_id}/reset-link"))
    page = app.test_client().get(local(link), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Elija su contraseña" in page
    set_by_link(app.test_client(), link)
    used = app.test_client().get(local(link), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Este enlace ya se ha usado." in used


def test_a_forged_link_page_speaks_the_browsers_language(app) -> None:
    page = app.test_client().get("/account/set-password?token=nonsense", headers={"Accept-Language": "es"})
    assert "Este enlace no es válido." in page.get_data(as_text=True)


def test_a_coordinator_cannot_make_links(app) -> None:
    coordinator_id = add_user(app, "ana@example.org")
    client = app.test_client()
    log_in_as(client, app, coordinator_id)
    assert client.post(f"/users/{coordinator_id}/reset-link").status_code == 403


def test_tokens_without_flask(now) -> None:
    token = make_token("secret", 7, "invite", "hash-1", 1, hours=1)
    claims = read_token("secret", token)
    assert (claims.user_id, claims.kind, claims.expires_at) == (7, "invite", int(START + 3600))
    check_claims("secret", claims, "hash-1", 1)
    for password_hash, version, reason in (("hash-2", 1, "used"), ("hash-1", 2, "used"), (None, None, "used")):
        with pytest.raises(LinkError) as error:
            check_claims("secret", claims, password_hash, version)
        assert error.value.reason == reason
    now["t"] = START + 3601
    with pytest.raises(LinkError, match="expired"):
        check_claims("secret", claims, "hash-1", 1)
    with pytest.raises(LinkError, match="forged"):
        read_token("other secret", token)
    with pytest.raises(ValueError, match="unknown link kind"):
        make_token("secret", 7, "admin", "hash-1", 1, hours=1)


def test_a_link_works_over_https_with_csrf_on(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=True, SURVEY_PUBLIC_URL=PUBLIC)
    https = "https://localhost"
    coordinator_id = add_user(app, "ana@example.org")
    with app.test_request_context():
        from survey.coordinator.account_link_views import link_for

        link = link_for(db.session.get(User, coordinator_id), "reset")
    client = app.test_client()
    page = client.get(local(link), base_url=https)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    link_token = urlsplit(link).query.removeprefix("token=")
    headers = {"Origin": https, "Referer": f"{https}{local(link)}"}  # what Chromium sends under same-origin
    data = {"csrf_token": token, "token": link_token, "password": CHOSEN, "confirm": CHOSEN}
    response = client.post("/account/set-password", data=data, headers=headers, base_url=https)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert verify_password(user(app, "ana@example.org").password_hash, CHOSEN)
