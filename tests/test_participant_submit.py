"""Submitting the survey: one transaction, idempotent, tied to the version shown, never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Meeting, Response, Score

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, response_count, submit, thanked_for

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


@pytest.fixture(autouse=True)
def group(papp: Flask) -> int:
    return make_group(papp)


def test_valid_submission_stores_response_answers_scores_and_redirects(papp: Flask, pclient: FlaskClient) -> None:
    reply = submit(pclient)
    assert reply.status_code == 303
    assert reply.headers["Location"].startswith("/s/TESTGRP/thanks?r=")
    with papp.app_context():
        response = db.session.scalar(select(Response))
        assert response is not None
        from survey.participant import thanks

        assert thanks.read_ticket(reply.headers["Location"].split("?r=", 1)[1]) == response.token
        answers = {a.item_id: (a.value_num, a.value_text) for a in db.session.scalars(select(Answer))}
        assert answers["mood"] == (7.0, None)
        assert answers["supports"] == (None, '["sponsor", "family"]')
        assert "days" not in answers  # hidden: "used" was no
        assert {s.scale_id for s in db.session.scalars(select(Score))} == {"mood_scale", "belonging"}
        assert response.submitted_hour.minute == 0 and response.submitted_hour.second == 0


def test_meeting_is_created_on_first_response_and_reused(papp: Flask, pclient: FlaskClient) -> None:
    assert submit(pclient).status_code == 303
    assert submit(pclient).status_code == 303
    with papp.app_context():
        meetings = db.session.scalars(select(Meeting)).all()
        assert len(meetings) == 1
        assert {r.meeting_id for r in db.session.scalars(select(Response))} == {meetings[0].id}


def test_repeated_post_stores_once_and_redirects_to_the_same_thank_you(papp: Flask, pclient: FlaskClient) -> None:
    token = get_token(pclient)
    first = submit(pclient, token=token)
    again = submit(pclient, token=token)
    third = submit(pclient, token=token)
    assert first.status_code == again.status_code == third.status_code == 303
    # The address carries a signed ticket with its own time (it differs across a second boundary), so the
    # same thank-you is the same page: the same path and, followed, byte-identical.
    locations = [reply.headers["Location"] for reply in (first, again, third)]
    assert len({location.split("?")[0] for location in locations}) == 1
    pages = [pclient.get(location) for location in locations]
    assert all(page.status_code == 200 for page in pages)
    assert pages[0].get_data() == pages[1].get_data() == pages[2].get_data()
    assert response_count(papp) == 1


def test_different_answers_on_a_reused_form_page_are_a_new_response(papp: Flask, pclient: FlaskClient) -> None:
    """A shared phone: the next person answers on the page restored from history; nothing is lost."""
    token = get_token(pclient)
    first = submit(pclient, token=token)
    second = submit(pclient, token=token, answers={**VALID_ANSWERS, "mood": "1"})
    second_retry = submit(pclient, token=token, answers={**VALID_ANSWERS, "mood": "1"})
    first_retry = submit(pclient, token=token)
    assert {r.status_code for r in (first, second, second_retry, first_retry)} == {303}
    assert thanked_for(papp, second) != thanked_for(papp, first)
    assert thanked_for(papp, second_retry) == thanked_for(papp, second)
    assert thanked_for(papp, first_retry) == thanked_for(papp, first)
    assert response_count(papp) == 2
    assert pclient.get(second.headers["Location"]).status_code == 200
    with papp.app_context():
        moods = sorted(db.session.scalars(select(Answer.value_num).where(Answer.item_id == "mood")))
    assert moods == sorted([float(VALID_ANSWERS["mood"]), 1.0])


def test_invalid_answers_on_a_reused_form_page_get_the_form_again(papp: Flask, pclient: FlaskClient) -> None:
    token = get_token(pclient)
    submit(pclient, token=token)
    broken = submit(pclient, token=token, answers={"mood": "99"})
    assert broken.status_code == 400
    assert response_count(papp) == 1


def test_thank_you_page_is_the_same_after_a_resubmit(pclient: FlaskClient) -> None:
    token = get_token(pclient)
    location = submit(pclient, token=token).headers["Location"]
    first = pclient.get(location)
    submit(pclient, token=token)
    assert first.status_code == 200
    assert pclient.get(location).get_data() == first.get_data()
