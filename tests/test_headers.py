"""Security headers per page type: participant, coordinator, dashboard, static file, JSON; HSTS over HTTPS only."""

from __future__ import annotations

import random

import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict

from bench.loadlib import fill, read_form
from survey.accounts import hash_password
from survey.extensions import db
from survey.models import Group, GroupInstrument, User

HTTPS = "https://localhost"


@pytest.fixture
def site(app):
    """A group open for answers, one stored submission, and a logged-in admin's test client factory."""
    with app.app_context():
        group = Group(name="Headers group", code="HDR1", timezone="UTC")
        group.instruments = [GroupInstrument(instrument_id="checkin", position=0)]
        admin = User(email="admin@example.org", password_hash=hash_password("a long enough password"), role="admin")
        db.session.add_all([group, admin])
        db.session.commit()
        session_id = admin.get_id()
    return app, session_id


def client_for(app, session_id: str | None, base_url: str = "http://localhost"):
    client = app.test_client()
    if session_id:
        with client.session_transaction(base_url=base_url) as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client


def static_url(app) -> str:
    with app.test_request_context():
        return url_for("static", filename="site.css")


# (page type, path or callable, needs login)
PAGES = [
    ("participant form", "/s/HDR1", False),
    ("participant privacy", "/privacy", False),
    ("participant help", "/help", False),
    ("participant 404", "/s/NOSUCH", False),
    ("coordinator login", "/login", False),
    ("coordinator groups", "/groups", True),
    ("coordinator group", "/groups/HDR1", True),
    ("dashboard", "/groups/HDR1/dashboard", True),
    ("dashboard JSON", "/groups/HDR1/dashboard/participation.json", True),
    ("retention", "/admin/retention", True),
    ("health JSON", "/healthz", False),
    ("static", static_url, False),
]


def fetch(site, path, logged_in: bool, base_url: str):
    app, session_id = site
    client = client_for(app, session_id if logged_in else None, base_url)
    target = path(app) if callable(path) else path
    response = client.get(target, base_url=base_url)
    response.get_data()
    response.close()
    return response


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize(("kind", "path", "logged_in"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("base_url", ["http://localhost", HTTPS], ids=["http", "https"])
def test_every_page_type_sends_the_protective_headers(site, kind, path, logged_in, base_url) -> None:
    response = fetch(site, path, logged_in, base_url)
    assert response.status_code in (200, 404), (kind, response.status_code)
    csp = csp_directives(response.headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hsts = response.headers.get("Strict-Transport-Security")
    if base_url == HTTPS:
        assert hsts and "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 15552000
    else:
        assert hsts is None


PARTICIPANT_PAGES = [page for page in PAGES if page[0].startswith("participant")]


@pytest.mark.parametrize(("kind", "path", "logged_in"), PARTICIPANT_PAGES, ids=[p[0] for p in PARTICIPANT_PAGES])
def test_participant_pages_send_no_referrer(site, kind, path, logged_in) -> None:
    assert fetch(site, path, logged_in, HTTPS).headers["Referrer-Policy"] == "no-referrer"


def test_thank_you_page_headers(site) -> None:
    """The thank-you page (its address carries the submission's token) sends the same protections."""
    app, _ = site
    client = client_for(app, None, HTTPS)
    form = read_form(client.get("/s/HDR1", base_url=HTTPS).get_data(as_text=True))
    answer = client.post(
        "/s/HDR1",
        data=MultiDict(fill(form, random.Random(3))),
        headers={"Sec-Fetch-Site": "same-origin"},
        base_url=HTTPS,
    )
    assert answer.status_code == 303
    thanks = client.get(answer.headers["Location"], base_url=HTTPS)
    assert thanks.status_code == 200
    assert "frame-ancestors 'none'" in thanks.headers["Content-Security-Policy"]
    assert thanks.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" in thanks.headers
    assert thanks.headers["Referrer-Policy"] == "no-referrer"
