"""Bad input on the anonymous endpoint: always a 4xx with a clear message, never a 500, nothing half-stored."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from survey.participant import tokens

from . import participant_support as support
from .participant_support import TOKEN_RE, VALID_ANSWERS, get_token, make_group, response_count, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient


@pytest.fixture(autouse=True)
def group(papp: Flask) -> int:
    return make_group(papp)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mood": None}, "This question needs an answer."),  # required item missing
        ({"mood": "11"}, "between 0 and 10"),  # out of range
        ({"mood": "4.5"}, "steps of 1"),  # between steps
        ({"mood": "abc"}, "Please enter a number."),  # wrong type
        ({"mood": "nan"}, "Please enter a number."),
        ({"mood": ["3", "4"]}, "only one answer"),  # two values for a single answer
        ({"belong": "7"}, "one of the answers shown"),
        ({"used": "maybe"}, "yes or no"),
        ({"topic": "dancing"}, "one of the answers shown"),
        ({"supports": ["sponsor", "pets"]}, "from the answers shown"),
        ({"used": "yes", "days": "8"}, "between 0 and 7"),
        ({"used": "yes", "days": "two"}, "whole number"),
        ({"note": "x" * 201}, "200 characters"),
        ({"participant_code": "c" * 41}, "40 characters"),
    ],
)
def test_invalid_answers_show_the_form_again_with_messages_and_keep_the_rest(
    papp: Flask, pclient: FlaskClient, changes: dict[str, Any], message: str
) -> None:
    answers = {**VALID_ANSWERS, **changes}
    answers = {key: value for key, value in answers.items() if value is not None}
    reply = submit(pclient, answers=answers)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert message in page
    assert 'id="error-summary"' in page
    kept = "Good meeting</textarea>" if "note" not in changes else 'value="sharing" checked'
    assert kept in page  # every other answer is kept
    assert response_count(papp) == 0


def test_answer_to_a_hidden_item_is_dropped_not_stored(papp: Flask, pclient: FlaskClient) -> None:
    assert submit(pclient, answers={**VALID_ANSWERS, "used": "no", "days": "3"}).status_code == 303
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Answer

    with papp.app_context():
        assert "days" not in set(db.session.scalars(select(Answer.item_id)))


@pytest.mark.parametrize(
    "extra",
    [{"unknown_item": "1"}, {"form_token": ["a", "b"]}, {"lang": ["en", "es"]}, {"every_type.mood": "1"}],
)
def test_unknown_or_repeated_fields_are_rejected(papp: Flask, pclient: FlaskClient, extra: dict[str, Any]) -> None:
    data: dict[str, Any] = {"form_token": get_token(pclient), **VALID_ANSWERS}
    data.update(extra)
    reply = pclient.post("/s/TESTGRP", data=data)
    assert reply.status_code == 400
    assert response_count(papp) == 0


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "." * 300])
def test_missing_or_forged_token_shows_a_fresh_form(papp: Flask, pclient: FlaskClient, token: str) -> None:
    reply = pclient.post("/s/TESTGRP", data={"form_token": token, **VALID_ANSWERS})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "open too long or was damaged" in page
    assert TOKEN_RE.search(page) is not None  # a new token: the participant can send again
    assert 'value="sharing" checked' in page
    assert response_count(papp) == 0


def sign(papp: Flask, payload: dict[str, Any], signed_at: float | None = None) -> str:
    serializer = URLSafeTimedSerializer(papp.config["SECRET_KEY"], salt=tokens.SALT)
    with pytest.MonkeyPatch.context() as patch:
        if signed_at is not None:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(signed_at))
        return serializer.dumps(payload)


def payload(papp: Flask, **changes: Any) -> dict[str, Any]:
    with papp.app_context():
        content_hash = support.catalog_hash("every_type")
    import datetime as dt

    return {"g": 1, "h": [content_hash], "d": dt.date.today().isoformat(), "t": None, "n": "n" * 22, **changes}


def test_a_week_old_token_is_still_accepted(papp: Flask, pclient: FlaskClient) -> None:
    signed = sign(papp, payload(papp), signed_at=time.time() - 6.9 * 86400)
    assert submit(pclient, token=signed).status_code == 303


def test_an_expired_token_shows_a_fresh_form(papp: Flask, pclient: FlaskClient) -> None:
    signed = sign(papp, payload(papp), signed_at=time.time() - 8 * 86400)
    assert submit(pclient, token=signed).status_code == 400
    assert response_count(papp) == 0


@pytest.mark.parametrize(
    "changes",
    [{"g": 999}, {"h": ["0" * 64]}, {"n": "short"}, {"h": []}, {"d": "not a date"}, {"g": "x"}],
)
def test_tokens_for_another_group_or_unknown_version_are_rejected(
    papp: Flask, pclient: FlaskClient, changes: dict[str, Any]
) -> None:
    reply = submit(pclient, token=sign(papp, payload(papp, **changes)))
    assert reply.status_code == 400
    assert response_count(papp) == 0


def test_retired_but_stored_version_is_scored_against_its_stored_definition(
    papp: Flask, make_app: Any, instruments_dir: Any
) -> None:
    client = papp.test_client()
    old_token = get_token(client)
    assert submit(client).status_code == 303  # stores the version's definition
    # A new version of the YAML is deployed; the old form, still open on a phone, is sent late.
    path = instruments_dir / "every_type.yaml"
    path.write_text(path.read_text().replace('version: "1"', 'version: "2"'))
    new_app = make_app(SURVEY_INSTRUMENTS_DIR=str(instruments_dir))
    reply = new_app.test_client().post("/s/TESTGRP", data={"form_token": old_token, **VALID_ANSWERS})
    assert reply.status_code == 303
    assert response_count(new_app) == 2


def test_a_filled_honeypot_stores_nothing_and_shows_the_form(papp: Flask, pclient: FlaskClient) -> None:
    reply = submit(pclient, answers={**VALID_ANSWERS, "website": "http://spam.example"})
    assert reply.status_code == 400
    assert "could not be sent" in reply.get_data(as_text=True)
    assert response_count(papp) == 0


def test_a_one_megabyte_body_gets_a_friendly_413(papp: Flask, pclient: FlaskClient) -> None:
    reply = submit(pclient, answers={**VALID_ANSWERS, "note": "x" * 1_000_000})
    assert reply.status_code == 413
    assert "too long to send" in reply.get_data(as_text=True)
    assert response_count(papp) == 0


def test_invalid_utf8_is_a_400(papp: Flask, pclient: FlaskClient) -> None:
    token = get_token(pclient)
    body = f"form_token={token}&mood=7&belong=3&note=%FF%FE%ZZ".encode() + b"&topic=\xff\xfe"
    reply = pclient.post("/s/TESTGRP", data=body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 400
    assert response_count(papp) == 0


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"])
def test_other_body_types_are_a_400(papp: Flask, pclient: FlaskClient, content_type: str) -> None:
    reply = pclient.post("/s/TESTGRP", data=b'{"mood": 7}', content_type=content_type)
    assert reply.status_code == 400
    assert response_count(papp) == 0


def test_rate_limit_per_client_gives_a_friendly_429(make_app: Any, instruments_dir: Any) -> None:
    app = make_app(
        SURVEY_INSTRUMENTS_DIR=str(instruments_dir),
        RATELIMIT_ENABLED=True,  # on the default storage (survey.rate_limits)
        SURVEY_RATE_LIMIT="2 per minute",
    )
    make_group(app, code="RATE")
    client = app.test_client()
    statuses = [submit(client, code="RATE").status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert "wait a minute" in submit(client, code="RATE").get_data(as_text=True)
    assert client.get("/s/RATE").status_code == 200  # reading the form is not limited
    assert response_count(app) == 2


FIELD_NAMES = st.sampled_from(
    [
        "mood",
        "belong",
        "used",
        "days",
        "topic",
        "supports",
        "note",
        "participant_code",
        "website",
        "lang",
        "form_token",
        "junk",
        "mood ",
    ]
)
VALUES = st.one_of(
    st.sampled_from(
        ["", "0", "3", "7", "10", "yes", "no", "sharing", "sponsor", "family", "-1", "1e309", "nan", "١", "es", "en"]
    ),
    st.text(max_size=30),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_form_data_never_500s_and_stores_one_response_per_distinct_accepted_token(
    papp: Flask, pclient: FlaskClient, data: st.DataObject
) -> None:
    pool = getattr(papp, "_token_pool", None)
    if pool is None:
        pool = papp._token_pool = [get_token(pclient) for _ in range(3)]  # type: ignore[attr-defined]
        papp._accepted = set()  # type: ignore[attr-defined]
    fields = data.draw(st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=12))
    token = data.draw(st.one_of(st.sampled_from(pool), st.text(max_size=20)))
    form = [("form_token", token), *[(name, value) for name, value in fields if name != "form_token"]]
    if data.draw(st.booleans()):
        form += [(key, value) for key, value in VALID_ANSWERS.items() if not isinstance(value, list)]
    reply = pclient.post("/s/TESTGRP", data=MultiDict(form))
    assert reply.status_code < 500
    if reply.status_code == 303:
        # The thank-you ticket is timed (its signature changes across a second); its payload names the submission.
        papp._accepted.add(reply.headers["Location"].split("?r=")[1].split(".")[0])  # type: ignore[attr-defined]
    assert response_count(papp) == len(papp._accepted)  # type: ignore[attr-defined]
