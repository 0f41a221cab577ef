"""One's own account: the settings page and its language, the throttled password change, password rules."""

from __future__ import annotations

import pytest

from survey.accounts import password_problem, verify_password
from survey.common_passwords import common_passwords, is_common
from survey.extensions import db
from survey.models import User

from .coordinator_support import PASSWORD, add_user, log_in_as, log_in_with_form

NEW = "a brand new long passphrase"


@pytest.fixture
def app(make_app):
    """The app without CSRF, so tests can post forms directly."""
    return make_app(WTF_CSRF_ENABLED=False)


def stored_hash(app, user_id: int) -> str:
    """Return the account's stored password hash."""
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def change(client, current: str, new: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    """Post the change-password form."""
    data = {"current_password": current, "password": new, "confirm": new if confirm is None else confirm}
    return client.post("/account/password", data=data)


def test_the_account_page_is_in_the_navigation(app, client) -> None:
    log_in_as(client, app, add_user(app, "ana@example.org"))
    groups = client.get("/groups").get_data(as_text=True)
    assert 'href="/account"' in groups
    page = client.get("/account")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/account/password"' in body and 'aria-current="page"' in body


def test_a_chosen_language_is_used_on_every_coordinator_page(app, client) -> None:
    user_id = add_user(app, "ana@example.org")
    log_in_as(client, app, user_id)
    english = {"Accept-Language": "en"}
    assert client.post("/account", data={"locale": "es"}, headers=english).status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).locale == "es"
    page = client.get("/groups", headers=english).get_data(as_text=True)
    assert '<html lang="es">' in page and ">Grupos<" in page
    assert client.post("/account", data={"locale": ""}, headers=english).status_code == 302
    assert '<html lang="en">' in client.get("/groups", headers=english).get_data(as_text=True)


def test_without_a_choice_the_browser_decides(app, client) -> None:
    log_in_as(client, app, add_user(app, "ana@example.org"))
    assert '<html lang="es">' in client.get("/groups", headers={"Accept-Language": "es"}).get_data(as_text=True)


def test_the_account_language_never_reaches_participant_pages(app, client) -> None:
    from .coordinator_support import add_group

    add_group(app, "LANGPAGE", default_locale="en")
    user_id = add_user(app, "ana@example.org")
    log_in_as(client, app, user_id)
    client.post("/account", data={"locale": "es"})
    assert '<html lang="en">' in client.get("/s/LANGPAGE", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize("locale", ["xx", "es-MX", "<script>", "en\n"])
def test_an_unknown_language_is_refused_and_nothing_changes(app, client, locale) -> None:
    user_id = add_user(app, "ana@example.org")
    log_in_as(client, app, user_id)
    response = client.post("/account", data={"locale": locale})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).locale is None


def test_wrong_current_passwords_are_throttled_per_account(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_REAUTH_LIMIT="5 per 15 minutes")
    user_id = add_user(app, "ana@example.org")
    other_id = add_user(app, "bo@example.org")
    here, elsewhere, other = app.test_client(), app.test_client(), app.test_client()
    for client, account in ((here, user_id), (elsewhere, user_id), (other, other_id)):
        log_in_as(client, app, account)
    assert [change(here, f"guess number {i}").status_code for i in range(5)] == [400] * 5
    blocked = change(here, PASSWORD)  # even the right one, now
    assert blocked.status_code == 429 and "Too many wrong current passwords" in blocked.get_data(as_text=True)
    assert "Wait up to 15 minutes" in blocked.get_data(as_text=True)
    spanish = elsewhere.post("/account/password", data={}, headers={"Accept-Language": "es"})
    assert spanish.status_code == 429 and "Espere hasta 15 minutos" in spanish.get_data(as_text=True)
    assert change(elsewhere, PASSWORD).status_code == 429  # per account, not per session
    assert verify_password(stored_hash(app, user_id), PASSWORD)
    assert change(other, PASSWORD).status_code == 302  # another account is not affected


def test_right_current_passwords_do_not_use_up_the_throttle(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_REAUTH_LIMIT="2 per 15 minutes")
    user_id = add_user(app, "ana@example.org")
    client = app.test_client()
    log_in_as(client, app, user_id)
    passwords = [PASSWORD, "second long passphrase", "third long passphrase", "fourth long passphrase"]
    for current, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, current, new).status_code == 302


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("password1234", "one of the most common ones"),
        ("!iloveyou2026", "one of the most common ones"),
        ("123456789012345", "one of the most common ones"),
        ("abababababababab", "one of the most common ones"),
        (PASSWORD, "Choose a password different from the current one."),
    ],
    ids=["common-plus-digits", "common-padded", "digits-only", "repeated", "unchanged"],
)
def test_weak_or_unchanged_new_passwords_are_refused(app, client, new, message) -> None:
    user_id = add_user(app, "ana@example.org")
    log_in_as(client, app, user_id)
    before = stored_hash(app, user_id)
    response = change(client, PASSWORD, new)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert stored_hash(app, user_id) == before


def test_an_admin_cannot_set_their_own_password_without_the_current_one(app, client) -> None:
    admin_id = add_user(app, "admin@example.org", role="admin")
    log_in_as(client, app, admin_id)
    response = client.post(f"/users/{admin_id}/password", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    linked = client.post(f"/users/{admin_id}/reset-link")
    assert linked.status_code == 302 and linked.headers["Location"] == "/account/password"
    assert verify_password(stored_hash(app, admin_id), PASSWORD)
    page = client.get(f"/users/{admin_id}").get_data(as_text=True)
    assert f'action="/users/{admin_id}/password"' not in page and 'href="/account/password"' in page


def test_an_admin_reset_and_a_new_account_refuse_common_passwords(app, client) -> None:
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    coordinator_id = add_user(app, "ana@example.org")
    weak = "password1234"
    response = client.post(f"/users/{coordinator_id}/password", data={"password": weak, "confirm": weak})
    assert response.status_code == 400 and "most common" in response.get_data(as_text=True)
    created = client.post("/users/new", data={"email": "new@example.org", "password": weak, "confirm": weak})
    assert created.status_code == 400 and "most common" in created.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="new@example.org")) is None


def test_the_shipped_list_is_the_documented_one() -> None:
    listed = common_passwords()
    assert len(listed) == 19640 and "password" in listed and "qwerty" in listed
    assert all(p == p.lower() and p == p.strip() for p in listed)


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("Password1234", True),
        ("  QWERTY123456  ", True),
        ("dragon!!!!!!", True),
        ("correct horse battery", False),
        ("my cat 2026 likes tea", False),
        ("love1234567890", False),  # a stem shorter than 6 letters is any passphrase's word
    ],
)
def test_is_common(password, common) -> None:
    assert is_common(password) is common


def test_password_problem_keeps_the_length_rules_first(app_ctx) -> None:
    assert password_problem("short") == "Use at least 12 characters."
    assert password_problem("x" * 1025) == "Use at most 1024 characters."
    assert password_problem("correct horse battery") is None


def test_lockout_is_per_client_so_the_owner_still_logs_in_from_their_own_device(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_LOGIN_LIMIT_PER_ACCOUNT="3 per hour")
    add_user(app, "ana@example.org")
    attacker, owner = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}
    client = app.test_client()
    data = {"email": "ana@example.org", "password": "wrong password!"}
    assert [client.post("/login", data=data, environ_overrides=attacker).status_code for _ in range(3)] == [401] * 3
    assert client.post("/login", data=data, environ_overrides=attacker).status_code == 429
    mine = app.test_client().post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD}, environ_overrides=owner
    )
    assert mine.status_code == 302


def test_the_lockout_page_says_what_to_do_and_links_only_to_pages_that_exist(make_app) -> None:
    import re

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, SURVEY_LOGIN_LIMIT_PER_ACCOUNT="1 per hour")
    add_user(app, "ana@example.org")
    client = app.test_client()
    log_in_with_form(client, "ana@example.org", "wrong password!")
    page = log_in_with_form(client, "ana@example.org", "wrong password!")
    body = page.get_data(as_text=True)
    assert page.status_code == 429 and "ask an administrator for a password reset link" in body
    links = [href for href in re.findall(r'href="([^"]+)"', body) if not href.startswith("#")]
    assert links
    for href in links:
        response = app.test_client().get(href)
        response.close()  # static files stream from disk
        assert response.status_code in {200, 302}, href


def test_an_unusable_hash_still_spends_an_argon2_verification(monkeypatch) -> None:
    from survey import accounts

    verified: list[str] = []
    real = accounts._hasher
    dummy = accounts._dummy_hash()

    class Spy:
        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(accounts, "_hasher", Spy())
    for stored in (None, accounts.unusable_password_hash(), "not-a-hash"):
        assert not verify_password(stored, PASSWORD)
    assert verified == [dummy] * 3
