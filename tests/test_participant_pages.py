"""The participant pages: the form contract, accessibility hooks, languages, friendly errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.config import ConfigError
from survey.instruments import ITEM_TYPES

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, submit, thanked_for

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


@pytest.fixture(autouse=True)
def group(papp: Flask) -> int:
    return make_group(papp)


def page_of(client: FlaskClient, path: str = "/s/TESTGRP", **headers: str) -> str:
    reply = client.get(path, headers=headers)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_form_contract_for_the_offline_script(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    assert '<form id="survey-form" method="post" action="/s/TESTGRP" novalidate>' in page
    assert re.search(r'<input type="hidden" name="form_token" value="[^"]{40,}">', page)
    assert '<input type="hidden" name="lang" value="en">' in page
    assert re.search(r'<div class="hp" aria-hidden="true">\s*<label for="website">', page)
    assert '<input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="">' in page
    assert 'name="participant_code"' in page
    assert '<div id="offline-status" role="status" aria-live="polite"' in page
    assert re.search(r'<script src="/static/participant/offline[.\w]*\.js" defer></script>', page)
    assert "<script>" not in page and "style=" not in page  # the CSP allows no inline code or style


def test_every_item_type_is_rendered_by_its_registry_macro(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    for name in ("mood", "belong", "used", "days", "topic", "supports", "note"):
        assert f'data-item="{name}"' in page
    assert page.count('type="checkbox" name="supports"') == 3
    assert '<textarea id="f-note" name="note" rows="3" maxlength="200"' in page
    assert 'type="number" inputmode="numeric" id="f-days" name="days" min="0" max="7"' in page
    source = (support.PROJECT_ROOT / "templates" / "participant" / "_items.html").read_text()
    for spec in ITEM_TYPES.values():
        assert f"{{% macro {spec.macro}(f)" in source


def test_likert_and_slider_are_radio_groups_in_fieldsets_with_no_default(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    mood = page[page.index('id="q-mood"') : page.index('id="q-belong"')]
    assert mood.count('type="radio" name="mood"') == 11  # 0..10, a button each
    assert " checked" not in mood
    assert "<legend>Mood now" in mood and "0 = Low" in mood and "10 = High" in mood
    assert 'aria-describedby="r-mood"' in mood
    assert "Not answered yet" in mood
    assert " checked" not in page


def test_count_of_required_questions_left(pclient: FlaskClient) -> None:
    assert re.search(r'data-required-left="2"[^>]*>2 required questions still need an answer.', page_of(pclient))
    reply = submit(pclient, answers={"mood": "5"})
    page = reply.get_data(as_text=True)
    assert re.search(r'data-required-left="1"[^>]*>1 required question still needs an answer.', page)


def test_show_if_is_described_for_the_script_and_the_reader(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    days = page[page.index('id="q-days"') :]
    data = json.loads(re.search(r'data-show-if="([^"]+)"', days).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
    assert data == {"all": [{"item": "used", "op": "==", "value": "yes"}]}
    assert "Skip this if it does not apply to you." in days


def test_validation_errors_are_summarised_linked_and_described(pclient: FlaskClient) -> None:
    reply = submit(pclient, answers={"belong": "2", "note": "kept words"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "<title>Error: " in page
    assert re.search(r'role="alert"[^>]*id="error-summary"', page)
    assert '<a href="#f-mood-0">Mood now: This question needs an answer.</a>' in page
    assert 'aria-describedby="r-mood e-mood"' in page
    assert '<p class="err" id="e-mood">' in page
    assert 'value="2" checked' in page and "kept words</textarea>" in page


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/s/TESTGRP?lang=es", {}, "es"),
        ("/s/TESTGRP", {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}, "es"),
        ("/s/TESTGRP?lang=en", {"Accept-Language": "es"}, "en"),  # the visible switch wins
        ("/s/TESTGRP", {"Accept-Language": "fr"}, "en"),  # group default
        ("/s/SPANISH", {"Accept-Language": "fr, de"}, "es"),  # group default, Spanish
        ("/s/SPANISH", {}, "es"),
        ("/s/SPANISH?lang=xx", {}, "es"),  # an unknown choice is ignored
    ],
)
def test_language_order(papp: Flask, pclient: FlaskClient, path: str, headers: dict[str, str], expected: str) -> None:
    make_group(papp, code="SPANISH", default_locale="es")
    page = page_of(pclient, path, **headers)
    assert f'<html lang="{expected}">' in page
    assert f'<input type="hidden" name="lang" value="{expected}">' in page
    words = {"en": ("Send my answers", "Every type"), "es": ("Enviar mis respuestas", "Todos los tipos")}
    assert all(word in page for word in words[expected])


def test_language_switch_links_carry_the_choice_in_the_url(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    assert '<a href="/s/TESTGRP?lang=es" lang="es" hreflang="es">Español</a>' in page
    assert 'href="/s/TESTGRP?lang=en" lang="en" hreflang="en" aria-current="true">English</a>' in page


def test_spanish_submission_errors_and_thank_you(pclient: FlaskClient) -> None:
    token = get_token(pclient, **{"Accept-Language": "es"})
    bad = submit(pclient, token=token, answers={"lang": "es", "mood": "12"})
    assert "Elige un valor entre 0 y 10." in bad.get_data(as_text=True)
    assert "Esta pregunta necesita una respuesta." in bad.get_data(as_text=True)
    good = submit(pclient, token=token, answers={**VALID_ANSWERS, "lang": "es"})
    thanks = pclient.get(good.headers["Location"]).get_data(as_text=True)  # no Accept-Language: the stored locale
    assert "Gracias. Tus respuestas están guardadas." in thanks


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"archived_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, 410, "Esta encuesta terminó"),
        ({"is_open": False}, 410, "La encuesta está cerrada por ahora"),
    ],
)
def test_closed_and_archived_groups_get_a_friendly_410_in_the_group_language(
    papp: Flask, fields: dict[str, Any], status: int, words: str
) -> None:
    make_group(papp, code="GONE", default_locale="es", **fields)
    client = papp.test_client()
    reply = client.get("/s/GONE")
    assert reply.status_code == status
    assert words in reply.get_data(as_text=True)
    assert "/help?lang=es" in reply.get_data(as_text=True)


def test_posting_to_a_closed_group_stores_nothing(papp: Flask) -> None:
    make_group(papp, code="SHUT")
    client = papp.test_client()
    token = get_token(client, "SHUT")
    from survey.extensions import db
    from survey.models import Group

    with papp.app_context():
        db.session.query(Group).filter_by(code="SHUT").update({"is_open": False})
        db.session.commit()
    assert submit(client, code="SHUT", token=token).status_code == 410
    assert support.response_count(papp) == 0


def test_a_retry_of_stored_answers_is_thanked_after_the_group_closed(papp: Flask) -> None:
    """The phone's second send (a retry) arrives after the coordinator closed the group: still thanked, stored once."""
    make_group(papp, code="SHUT")
    client = papp.test_client()
    token = get_token(client, "SHUT")
    first = submit(client, code="SHUT", token=token)
    assert first.status_code == 303
    from survey.extensions import db
    from survey.models import Group

    with papp.app_context():
        db.session.query(Group).filter_by(code="SHUT").update({"is_open": False})
        db.session.commit()
    retry = submit(client, code="SHUT", token=token)
    assert retry.status_code == 303 and thanked_for(papp, retry) == thanked_for(papp, first)
    other = submit(client, code="SHUT", token=token, answers={**VALID_ANSWERS, "mood": "1"})
    assert other.status_code == 410  # different answers are a new submission, and the group is closed
    assert support.response_count(papp) == 1


@pytest.mark.parametrize("code", ["NOSUCH", "x" * 40, "bad code!"])
def test_unknown_code_is_a_friendly_404_in_the_browser_language(pclient: FlaskClient, code: str) -> None:
    reply = pclient.get(f"/s/{code}", headers={"Accept-Language": "es"})
    assert reply.status_code == 404
    assert "No encontramos esta encuesta" in reply.get_data(as_text=True)
    assert "Traceback" not in reply.get_data(as_text=True)


def test_group_codes_are_matched_in_any_letter_case(pclient: FlaskClient) -> None:
    assert 'action="/s/TESTGRP"' in page_of(pclient, "/s/testgrp")


def test_first_screen_notice_is_short_and_says_what_matters(pclient: FlaskClient) -> None:
    page = page_of(pclient)
    notice = page[page.index('class="notice"') : page.index("</section>")]
    for words in ("anonymous", "IP address", "only group totals", "at least 5 people", "Nobody reads", "/help?"):
        assert words in notice
    assert len(re.sub(r"<[^>]+>", "", notice)) < 700  # fits on a phone screen


def test_privacy_page_shows_retention_and_k(make_app: Any, instruments_dir: Any) -> None:
    app = make_app(
        SURVEY_INSTRUMENTS_DIR=str(instruments_dir),
        SURVEY_RETENTION="Answers are deleted after 3 years.",
        SURVEY_MIN_GROUP_SIZE=7,
    )
    page = page_of(app.test_client(), "/privacy?lang=en&code=TESTGRP")
    assert "Answers are deleted after 3 years." in page
    assert "at least 7 people" in page
    assert 'href="/s/TESTGRP?lang=en"' in page


def test_help_page_lists_the_default_us_resources(pclient: FlaskClient) -> None:
    page = page_of(pclient, "/help")
    assert "988 Suicide &amp; Crisis Lifeline" in page and 'href="tel:988"' in page
    assert "1-800-662-4357" in page and "not monitored" in page
    spanish = page_of(pclient, "/help?lang=es")
    assert "Llama o envía un mensaje de texto al 988" in spanish


def test_support_resources_can_be_configured_per_deployment(make_app: Any, instruments_dir: Any) -> None:
    resources = json.dumps(
        [
            {
                "name": {"en": "Samaritans", "es": "Samaritanos"},
                "contact": "116 123",
                "href": "tel:116123",
                "note": "Any time",
            }
        ]
    )
    app = make_app(SURVEY_INSTRUMENTS_DIR=str(instruments_dir), SURVEY_SUPPORT_RESOURCES=resources)
    client = app.test_client()
    assert "Samaritans" in page_of(client, "/help") and "988" not in page_of(client, "/help")
    assert "Samaritanos" in page_of(client, "/help?lang=es")


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"name": "x"}',
        '[{"name": "x"}]',
        '[{"name": "x", "contact": "y", "href": "javascript:alert(1)"}]',
        '[{"name": "x", "contact": "y", "colour": "red"}]',
    ],
)
def test_malformed_support_resources_stop_the_app_at_start(make_app: Any, value: str) -> None:
    with pytest.raises(ConfigError, match="SURVEY_SUPPORT_RESOURCES"):
        make_app(SURVEY_SUPPORT_RESOURCES=value)


@pytest.mark.parametrize("path", ["/s/TESTGRP", "/privacy", "/help"])
def test_every_participant_page_has_a_help_link_and_a_title(pclient: FlaskClient, path: str) -> None:
    page = page_of(pclient, path)
    assert 'class="help-now" href="/help?lang=en' in page
    assert re.search(r"<title>[^<·]+ · Group feedback</title>", page)
