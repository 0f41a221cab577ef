"""Posters and QR codes, the instruments page and preview, accounts pages, the audit log, the shared layout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey import audit, catalog
from survey.extensions import db
from survey.instruments import InstrumentIssue
from survey.models import AuditEvent, Group, Membership, Response, User

from .coordinator_support import PASSWORD, add_group, add_user, log_in_as, log_in_with_form


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def admin(app, client):
    """A logged-in admin; groups ENGROUP2 (English) and ESGROUP2 (Spanish) exist."""
    add_group(app, "ENGROUP2", "Tuesday Circle")
    add_group(app, "ESGROUP2", "Círculo del Jueves", default_locale="es")
    user_id = add_user(app, "admin@example.org", role="admin")
    log_in_as(client, app, user_id)
    return user_id


def group_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Group.id).filter_by(code=code))


def test_qr_svg_is_a_scalable_image_without_inline_style(client, admin) -> None:
    response = client.get("/groups/ENGROUP2/qr.svg")
    svg = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "viewBox" in svg and "style" not in svg and "<script" not in svg
    assert "http://localhost/s/ENGROUP2" in svg  # in the title, for screen readers and humans
    assert "Content-Disposition" not in response.headers


@pytest.mark.parametrize(
    ("path", "mimetype", "magic"), [("qr.svg", "image/svg+xml", b"<?xml"), ("qr.png", "image/png", b"\x89PNG")]
)
def test_qr_downloads(client, admin, path, mimetype, magic) -> None:
    response = client.get(f"/groups/ENGROUP2/{path}?download=1")
    assert response.status_code == 200 and response.mimetype == mimetype and response.data.startswith(magic)
    assert response.headers["Content-Disposition"] == f'attachment; filename="qr-ENGROUP2.{path.split(".")[1]}"'


def test_qr_code_decodes_to_the_participant_link(app, client, admin) -> None:
    import segno

    expected = segno.make("http://localhost/s/ENGROUP2", error="m", micro=False)
    svg = client.get("/groups/ENGROUP2/qr.svg").get_data(as_text=True)
    assert f'viewBox="0 0 {expected.symbol_size()[0]} {expected.symbol_size()[1]}"' in svg


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_poster_fits_each_paper_and_says_everything(client, admin, paper) -> None:
    body = client.get(f"/groups/ESGROUP2/poster?paper={paper}").get_data(as_text=True)
    assert "Círculo del Jueves" in body and "http://localhost/s/ESGROUP2" in body
    assert 'lang="es">Después de la reunión, escanee este código' in body  # the group's own language first
    assert 'lang="en">After the meeting, scan this code' in body  # the check-in is also in English
    assert "Nunca pedimos su nombre" in body and "We never ask your name" in body
    assert f"poster-{paper}" in body and 'src="/groups/ESGROUP2/qr.svg"' in body
    assert "style=" not in body and "<style" not in body


def test_poster_of_an_unknown_paper_falls_back_to_a4(client, admin) -> None:
    assert "poster-a4" in client.get("/groups/ENGROUP2/poster?paper=tabloid").get_data(as_text=True)


def test_instruments_page_lists_versions_languages_and_items(app, client, admin) -> None:
    body = client.get("/instruments").get_data(as_text=True)
    with app.app_context():
        loaded = catalog.registry().all()
    assert loaded
    for instrument in loaded:
        assert f"<code>{instrument.id}</code>" in body and instrument.content_hash[:12] in body
    assert "en, es" in body and "Valid, in use" in body


def test_load_errors_show_path_and_line_to_admins_only(app, client, admin) -> None:
    issue = InstrumentIssue("instruments/broken.yaml", 14, "scale 'x' names item 'q9', which does not exist")
    with app.app_context():
        issues = catalog.registry().issues
    issues.append(issue)
    try:
        body = client.get("/instruments").get_data(as_text=True)
        assert "instruments/broken.yaml:14: scale" in body
        coordinator = app.test_client()
        log_in_as(coordinator, app, add_user(app, "ana@example.org"))
        other = coordinator.get("/instruments").get_data(as_text=True)
        assert "1 file could not be loaded" in other and "broken.yaml:14" not in other
    finally:
        issues.remove(issue)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "After-meeting check-in"), ("es", "Consulta después de la reunión")]
)
def test_preview_shows_the_participant_form_in_each_language_and_stores_nothing(
    app, client, admin, lang, words
) -> None:
    response = client.get(f"/instruments/checkin/preview?lang={lang}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and words in body
    assert f'<html lang="{lang}">' in body and "Nothing you choose here is sent or stored" in body
    assert 'method="post"' not in body and "form_token" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_preview_of_unknown_instrument_is_404(client, admin) -> None:
    assert client.get("/instruments/nope/preview").status_code == 404


def test_admin_creates_an_account_with_groups(app, client, admin) -> None:
    en_id = group_id(app, "ENGROUP2")
    data = {
        "email": "New@Example.org",
        "password": "long enough password",
        "confirm": "long enough password",
        "role": "coordinator",
        f"group_{en_id}": "viewer",
    }
    assert client.post("/users/new", data=data).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="new@example.org"))
        assert user is not None and [(m.group.code, m.access) for m in user.memberships] == [("ENGROUP2", "viewer")]
    assert log_in_with_form(app.test_client(), "new@example.org", "long enough password").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "admin@example.org"}, "An account for admin@example.org already exists."),
        ({"email": "ADMIN@example.org "}, "already exists"),
        ({"email": "nope"}, "Enter an e-mail address like name@example.org."),
        ({"password": "short", "confirm": "short"}, "Use at least 12 characters."),
        ({"confirm": "something else entirely"}, "The two passwords differ."),
        ({"role": "owner"}, "Not a valid choice"),
    ],
)
def test_bad_account_input_is_refused_with_a_message(app, client, admin, changes, message) -> None:
    data = {
        "email": "typed@example.org",
        "password": "long enough password",
        "confirm": "long enough password",
        "role": "coordinator",
        **changes,
    }
    response = client.post("/users/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert f'value="{data["email"]}"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_admin_changes_role_and_groups(app, client, admin) -> None:
    user_id = add_user(app, "ana@example.org", groups={"ENGROUP2": "manager"})
    es_id, en_id = group_id(app, "ESGROUP2"), group_id(app, "ENGROUP2")
    data = {"role": "coordinator", f"group_{en_id}": "", f"group_{es_id}": "viewer"}
    assert client.post(f"/users/{user_id}", data=data).status_code == 302
    with app.app_context():
        rows = db.session.execute(select(Membership.group_id, Membership.access)).all()
        assert rows == [(es_id, "viewer")]
        assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "user.update")) == (
            "role coordinator; groups: ESGROUP2 (viewer)"
        )


def test_admin_cannot_drop_their_own_admin_role(app, client, admin) -> None:
    response = client.post(f"/users/{admin}", data={"role": "coordinator"})
    assert response.status_code == 400 and "You cannot remove your own admin role" in response.get_data(as_text=True)


def test_unknown_account_is_404(client, admin) -> None:
    assert client.get("/users/9999").status_code == 404


def test_audit_log_records_logins_and_changes_and_filters(app, admin) -> None:
    add_user(app, "ana@example.org")
    log_in_with_form(app.test_client(), "ana@example.org")
    log_in_with_form(app.test_client(), "ana@example.org", "wrong password!!")
    client = app.test_client()
    log_in_with_form(client, "admin@example.org", PASSWORD)
    client.post("/groups/ENGROUP2/archive", data={"confirmed": "1"})
    body = client.get("/audit").get_data(as_text=True)
    for action in ("login.success", "login.failure", "group.archive"):
        assert f"<code>{action}</code>" in body
    failures = client.get("/audit?action=login.failure").get_data(as_text=True)
    assert "<code>login.failure</code>" in failures and "<code>login.success</code>" not in failures
    by_ana = client.get("/audit?actor=ANA@").get_data(as_text=True)
    assert "<code>group.archive</code>" not in by_ana and "<code>login.success</code>" in by_ana


@pytest.mark.parametrize("query", ["action=no.such.action", "page=abc", "page=-3", "actor=%25", "page=99"])
def test_audit_log_shrugs_off_odd_filters(client, admin, query) -> None:
    assert client.get(f"/audit?{query}").status_code == 200


def test_audit_log_is_paginated(app, client, admin) -> None:
    with app.app_context():
        for index in range(120):
            audit.record("group.update", target=f"G{index}", actor_email="bulk@example.org")
        db.session.commit()
    first = client.get("/audit?actor=bulk").get_data(as_text=True)
    assert "page 1 of 3" in first and first.count("<code>group.update</code>") == 50
    assert re.search(r'href="/audit\?page=2&amp;action=&amp;actor=bulk"|href="/audit\?[^"]*page=2', first)
    last = client.get("/audit?actor=bulk&page=3").get_data(as_text=True)
    assert last.count("<code>group.update</code>") == 20


def test_layout_nav_depends_on_role(app, client, admin) -> None:
    body = client.get("/groups").get_data(as_text=True)
    assert 'href="/users"' in body and 'href="/audit"' in body and 'href="/instruments"' in body
    assert 'action="/logout"' in body
    coordinator = app.test_client()
    log_in_as(coordinator, app, add_user(app, "ana@example.org"))
    page = coordinator.get("/groups").get_data(as_text=True)
    assert 'href="/users"' not in page and 'href="/audit"' not in page and 'href="/account"' in page


def test_layout_links_dashboards_only_when_the_page_exists(app, client, admin) -> None:
    has_compare = "dashboard.compare" in app.view_functions
    assert ('href="/dashboard/compare"' in client.get("/groups").get_data(as_text=True)) == has_compare


def test_pages_carry_no_inline_style_or_script(client, admin) -> None:
    for url in (
        "/groups",
        "/groups/new",
        "/groups/ENGROUP2",
        "/groups/ENGROUP2/edit",
        "/groups/ENGROUP2/now",
        "/users",
        "/users/new",
        "/audit",
        "/instruments",
        "/account/password",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "style=" not in body and "<style" not in body and "<script>" not in body, url
        assert " on" + "click=" not in body and "onsubmit=" not in body, url
