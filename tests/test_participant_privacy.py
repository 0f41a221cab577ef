"""Anonymity as a tested invariant: no address, no user agent, no typed code, no cookie."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from survey.extensions import db
from survey.models import Response
from survey.participant.codes import CodeError, hash_code, normalise_code

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "DistinctiveAgent/9.8.7 (QuokkaPhone; rv:4242)"
CODE = "  Blue-Heron-1987 "


@pytest.fixture(autouse=True)
def group(papp: Flask) -> int:
    return make_group(papp)


def database_text(app: Flask) -> str:
    """Return every column of every row of every table, as text."""
    parts = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                parts.extend(str(value) for value in row)
        parts.extend(str(row) for row in db.session.execute(text("SELECT * FROM alembic_version")))
    return "\n".join(parts)


def test_client_address_user_agent_and_typed_code_are_stored_nowhere(papp: Flask) -> None:
    client = papp.test_client()
    headers = {"User-Agent": AGENT, "X-Forwarded-For": f"{FORWARDED}, {ADDRESS}", "X-Real-IP": ADDRESS}
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    token = get_token(client, **headers)
    reply = submit(client, token=token, answers={**VALID_ANSWERS, "participant_code": CODE}, **headers)
    assert reply.status_code == 303
    assert client.get(reply.headers["Location"], headers=headers).status_code == 200
    dump = database_text(papp)
    assert "Good meeting" in dump  # the dump does see the stored answers
    for secret in (ADDRESS, FORWARDED, AGENT, "QuokkaPhone", CODE.strip(), normalise_code(CODE)):
        assert secret not in dump


def test_the_participant_code_is_stored_as_a_keyed_hash(papp: Flask, pclient: FlaskClient) -> None:
    submit(pclient, answers={**VALID_ANSWERS, "participant_code": CODE})
    submit(pclient, answers={**VALID_ANSWERS, "participant_code": "blue-heron-1987"})
    submit(pclient, answers={**VALID_ANSWERS, "participant_code": ""})
    with papp.app_context():
        hashes = list(db.session.scalars(select(Response.participant_hash).order_by(Response.id)))
    expected = hash_code(CODE, papp.config["SURVEY_PARTICIPANT_CODE_KEY"])
    assert hashes == [expected, expected, None]
    assert expected != hash_code(CODE, "another key")


@pytest.mark.parametrize(
    ("typed", "normalised"), [(" AbC ", "abc"), ("Straße", "strasse"), ("a b\tc", "abc"), ("ＡＢＣ", "abc")]
)
def test_codes_are_trimmed_and_case_folded(typed: str, normalised: str) -> None:
    assert normalise_code(typed) == normalised
    assert hash_code(typed, "k") == hash_code(normalised, "k")


def test_blank_code_is_none_and_an_overlong_code_is_refused() -> None:
    assert hash_code("   ", "k") is None
    with pytest.raises(CodeError):
        hash_code("x" * 41, "k")


def test_the_submitted_hour_is_all_that_is_kept_of_the_time(papp: Flask, pclient: FlaskClient) -> None:
    submit(pclient)
    with papp.app_context():
        hour = db.session.scalar(select(Response.submitted_hour))
    assert hour is not None and (hour.minute, hour.second, hour.microsecond) == (0, 0, 0)


@pytest.mark.parametrize("path", ["/s/TESTGRP", "/s/TESTGRP?lang=es", "/privacy", "/help", "/s/NOSUCH"])
def test_participant_pages_set_no_cookie(pclient: FlaskClient, path: str) -> None:
    reply = pclient.get(path)
    assert reply.status_code in (200, 404)
    assert "Set-Cookie" not in reply.headers


def test_submitting_and_the_thank_you_page_set_no_cookie(pclient: FlaskClient) -> None:
    token = get_token(pclient)
    bad = submit(pclient, token=token, answers={"mood": "99"})
    good = submit(pclient, token=token)
    thanks = pclient.get(good.headers["Location"])
    for reply in (bad, good, thanks):
        assert "Set-Cookie" not in reply.headers
    assert pclient.get_cookie("session") is None
    assert thanks.headers["Cache-Control"] == "no-store"
