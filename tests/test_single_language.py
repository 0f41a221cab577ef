"""A single-language group opens in its own language on any phone; the language switch still wins."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.groups import group_languages
from survey.models import Group

from . import participant_support as support
from .coordinator_support import add_user, log_in_as
from .participant_support import make_group

instruments_dir, papp = support.instruments_dir, support.papp


def page_language(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("single", "browser", "asked", "expected"),
    [
        (True, "en-US,en;q=0.9", None, "es"),  # the group's language beats the phone's
        (False, "en-US,en;q=0.9", None, "en"),  # a two-language group follows the phone
        (True, "en-US,en;q=0.9", "en", "en"),  # the visible switch still wins
        (True, "", None, "es"),
    ],
)
def test_the_group_language_rule(papp: Flask, single: bool, browser: str, asked: str | None, expected: str) -> None:
    make_group(papp, code="SOLOES", default_locale="es", single_language=single)
    url = "/s/SOLOES" + (f"?lang={asked}" if asked else "")
    reply = papp.test_client().get(url, headers={"Accept-Language": browser} if browser else {})
    assert reply.status_code == 200
    assert page_language(reply.get_data(as_text=True)) == expected


def test_the_group_form_sets_it_and_the_group_page_says_so(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    form = {
        "name": "Círculo",
        "code": "SOLOES2",
        "default_locale": "es",
        "single_language": "y",
        "timezone": "America/Chicago",
        "instruments": ["checkin"],
        "min_group_size": "5",
        "is_open": "y",
    }
    reply = client.post("/groups/new", data=form)
    assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="SOLOES2"))
        assert group is not None and group.single_language is True
        assert group_languages(group) == ["es"]  # the poster and the now screen speak the group's language only
    page = client.get("/groups/SOLOES2", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the survey always opens in it" in page
    reply = client.post("/groups/SOLOES2/edit", data={**form, "single_language": ""})
    assert reply.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="SOLOES2"))
        assert group is not None and group.single_language is False
        assert group_languages(group)[0] == "es" and len(group_languages(group)) > 1
