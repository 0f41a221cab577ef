"""What the former "fast path" (a POST stored without reading its group) had to refuse, the one path refuses.

These tests warm the meeting and the instrument version first, so that only the group checks stand
between a POST and a stored row.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from survey.extensions import db
from survey.models import Group, Response, now_utc

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, response_count, submit, thanked_for

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


def warm(app: Flask, client: FlaskClient, code: str) -> None:
    """Store one answer, so the group's meeting of today and the version exist."""
    assert submit(client, code=code).status_code == 303


@pytest.mark.parametrize("change", [{"is_open": False}, {"archived_at": now_utc()}])
def test_a_group_closed_or_archived_after_its_first_answers_takes_no_new_ones(
    papp: Flask, pclient: FlaskClient, change: dict[str, object]
) -> None:
    make_group(papp)
    warm(papp, pclient, "TESTGRP")
    token = get_token(pclient)
    with papp.app_context():
        db.session.execute(update(Group).values(**change))
        db.session.commit()
    assert submit(pclient, token=token).status_code == 410
    assert response_count(papp) == 1


def test_a_token_of_one_open_group_is_not_stored_under_another(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp, code="ALPHA")
    make_group(papp, code="BRAVO")
    warm(papp, pclient, "ALPHA")
    warm(papp, pclient, "BRAVO")
    alpha_token = get_token(pclient, "ALPHA")
    reply = submit(pclient, code="BRAVO", token=alpha_token)
    assert reply.status_code == 400  # the form is shown again with a fresh BRAVO token
    assert response_count(papp) == 2


def test_a_code_in_another_letter_case_is_stored_and_thanked_under_the_group_code(
    papp: Flask, pclient: FlaskClient
) -> None:
    make_group(papp)
    warm(papp, pclient, "TESTGRP")
    reply = submit(pclient, code="testgrp", token=get_token(pclient))
    assert reply.status_code == 303 and "/s/TESTGRP/thanks?r=" in reply.headers["Location"]
    assert response_count(papp) == 2


def test_a_post_without_the_language_field_is_stored_in_the_group_language(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp, default_locale="es")
    warm(papp, pclient, "TESTGRP")
    data = {"form_token": get_token(pclient), "website": "", **VALID_ANSWERS}  # no `lang`, no Accept-Language
    assert pclient.post("/s/TESTGRP", data=data).status_code == 303
    with papp.app_context():
        assert db.session.scalars(select(Response.locale).order_by(Response.id)).all()[-1] == "es"


def test_a_retry_after_the_first_answers_is_thanked_and_stored_once(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    warm(papp, pclient, "TESTGRP")
    token = get_token(pclient)
    first, second = submit(pclient, token=token), submit(pclient, token=token)
    assert first.status_code == second.status_code == 303
    assert thanked_for(papp, first) == thanked_for(papp, second)
    assert response_count(papp) == 2
