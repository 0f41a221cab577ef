"""The thank-you page: support on an alert, the group summary only from k answers, own scores for the phone."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


def thanks_page(client: FlaskClient, answers: dict[str, object] | None = None, code: str = "TESTGRP") -> str:
    reply = submit(client, code=code, answers=answers)
    assert reply.status_code == 303
    page = client.get(reply.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_alert_shows_support_resources_and_says_the_survey_is_not_monitored(papp: Flask) -> None:
    make_group(papp)
    page = thanks_page(papp.test_client(), {**VALID_ANSWERS, "mood": "1"})
    assert "Your mood is low tonight." in page
    assert 'href="tel:988"' in page and "1-800-662-4357" in page
    assert "This survey is not monitored" in page


def test_no_alert_no_resources_block(papp: Flask) -> None:
    make_group(papp)
    page = thanks_page(papp.test_client())
    assert "Your mood is low tonight." not in page
    assert 'href="tel:988"' not in page
    assert "not watched in real time" in page  # the reminder is always there


@pytest.mark.parametrize(("k", "answers"), [(3, 2), (3, 3), (5, 5)])
def test_no_group_summary_whatever_the_number_of_answers(papp: Flask, k: int, answers: int) -> None:
    make_group(papp, min_group_size=k)
    client = papp.test_client()
    for index in range(answers - 1):
        submit(client, answers={**VALID_ANSWERS, "mood": str(index)})
    page = thanks_page(client, {**VALID_ANSWERS, "mood": "10"})
    assert "not alone" not in page and "people from your group" not in page


def test_own_scores_are_a_data_block_for_the_phone(papp: Flask) -> None:
    make_group(papp)
    page = thanks_page(papp.test_client())
    block = re.search(r'<script type="application/json" id="own-scores">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert {(s["scale"], s["value"]) for s in data["scores"]} == {("mood_scale", 7.0), ("belonging", 3.0)}
    assert data["meeting_date"]


def test_two_instruments_one_submission(papp: Flask) -> None:
    make_group(papp, code="TWO", instruments=("every_type", "craving"))
    client = papp.test_client()
    page = client.get("/s/TWO").get_data(as_text=True)
    assert 'name="strength_now"' in page and 'name="mood"' in page
    thanks = thanks_page(client, {**VALID_ANSWERS, "strength_now": "9", "frequency": "1", "hardest": "4"}, code="TWO")
    assert support.response_count(papp) == 2
    assert "urge to use is strong" in thanks


@pytest.mark.parametrize("token", ["doesnotexist1234567890", "x", "../../etc"])
def test_unknown_thank_you_token_is_a_friendly_404(papp: Flask, token: str) -> None:
    make_group(papp)
    reply = papp.test_client().get(f"/s/TESTGRP/thanks?r={token}")
    assert reply.status_code == 404


def test_a_thank_you_page_belongs_to_its_group(papp: Flask) -> None:
    make_group(papp)
    make_group(papp, code="OTHER")
    client = papp.test_client()
    location = submit(client).headers["Location"]
    assert client.get(location.replace("TESTGRP", "OTHER")).status_code == 404


def test_cross_site_posts_are_refused(papp: Flask) -> None:
    make_group(papp)
    client = papp.test_client()
    token = get_token(client)
    data = {"form_token": token, **VALID_ANSWERS}
    assert client.post("/s/TESTGRP", data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/s/TESTGRP", data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert support.response_count(papp) == 0
    page = client.post("/s/TESTGRP", data=data, headers={"Origin": "https://evil.example"}).get_data(as_text=True)
    assert "another website" in page
    for headers in ({"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}, {"Origin": "null"}, {}):
        assert client.post("/s/TESTGRP", data=data, headers=headers).status_code == 303
    assert support.response_count(papp) == 1


def test_participant_post_needs_no_csrf_cookie(make_app: object, instruments_dir: object) -> None:
    app = make_app(SURVEY_INSTRUMENTS_DIR=str(instruments_dir), WTF_CSRF_ENABLED=True)  # type: ignore[operator]
    make_group(app)
    assert submit(app.test_client()).status_code == 303
    assert app.config["WTF_CSRF_ENABLED"] is True


def own_block(page: str) -> dict[str, object]:
    block = re.search(r'<script type="application/json" id="own-scores">(.*?)</script>', page, re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_each_thank_you_page_has_its_own_scores_and_alerts_though_its_frame_is_kept(papp: Flask) -> None:
    """The frame is rendered once per language, group and alerts (thanks.page_cache); the data block never is."""
    make_group(papp)
    client = papp.test_client()
    pages = [thanks_page(client, {**VALID_ANSWERS, "mood": mood}) for mood in ("7", "3", "1", "2", "8")]
    moods = [next(s["value"] for s in own_block(page)["scores"] if s["scale"] == "mood_scale") for page in pages]
    assert moods == [7.0, 3.0, 1.0, 2.0, 8.0]
    assert ["Your mood is low tonight." in page for page in pages] == [False, False, True, True, False]
    assert pages[0].split('id="own-scores">')[0] == pages[4].split('id="own-scores">')[0]  # the same frame


def test_a_thank_you_page_in_spanish_keeps_its_own_frame(papp: Flask) -> None:
    make_group(papp)
    client = papp.test_client()
    english = thanks_page(client)
    reply = submit(client, answers={**VALID_ANSWERS, "lang": "es"})
    spanish = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Thank you. Your answers are saved." in english and "Thank you. Your answers are saved." not in spanish
    assert 'lang="es"' in spanish and 'lang="en"' in english
