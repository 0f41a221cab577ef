"""Database unavailable: participants get a 503 page in their language with Retry-After, never the
app-wide English 500; the thank-you page too; nothing is claimed stored that was not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from survey import create_app
from survey.extensions import db
from survey.participant import faults

from . import participant_support as support
from .conftest import BASE_CONFIG, ON_POSTGRES
from .participant_support import TOKEN_RE, VALID_ANSWERS, make_group, response_count

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
ENGLISH_500 = "Either the server is overloaded"


def take_sqlite_away(app: Flask) -> tuple[Path, Path]:
    """Put a directory where the SQLite file was: every connection now fails with OperationalError."""
    with app.app_context():
        path = Path(db.engine.url.database or "")
        db.engine.dispose()
    moved = path.with_suffix(".away")
    os.replace(path, moved)
    path.mkdir()
    return path, moved


def bring_sqlite_back(path: Path, moved: Path) -> None:
    path.rmdir()
    os.replace(moved, path)


def assert_503_in(reply, locale: str, message: str) -> None:  # type: ignore[no-untyped-def]
    body = reply.get_data(as_text=True)
    assert reply.status_code == 503, body[:300]
    assert reply.headers["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    assert ENGLISH_500 not in body
    assert f'lang="{locale}"' in body
    assert message in body


@pytest.mark.skipif(ON_POSTGRES, reason="takes the SQLite file away")
def test_sqlite_gone_answers_503_in_spanish_then_stores_once_when_back(papp, pclient) -> None:
    make_group(papp)
    token = TOKEN_RE.search(pclient.get("/s/TESTGRP?lang=es").get_data(as_text=True)).group(1)
    data = {"form_token": token, "lang": "es", "website": "", **VALID_ANSWERS}
    away = take_sqlite_away(papp)
    with papp.test_request_context(), force_locale("es"):
        title, message = _("Your answers are not saved yet"), _("Please wait a minute, then send them again.")
        form_message = _("Please try again in a minute.")
    reply = pclient.post("/s/TESTGRP", data=data)
    assert_503_in(reply, "es", message)
    assert title in reply.get_data(as_text=True)
    assert_503_in(pclient.get("/s/TESTGRP?lang=es"), "es", form_message)
    bring_sqlite_back(*away)
    reply = pclient.post("/s/TESTGRP", data=data)  # the offline queue's retry
    assert reply.status_code == 303
    thanks_url = reply.headers["Location"]
    assert response_count(papp) == 1
    away = take_sqlite_away(papp)
    with papp.test_request_context(), force_locale("en"):
        thanks_message = _("Your answers were received. This page cannot be shown right now; you can close it.")
    assert_503_in(pclient.get(thanks_url), "en", thanks_message)
    bring_sqlite_back(*away)
    assert pclient.get(thanks_url).status_code == 200


def test_postgres_unreachable_answers_503_in_the_browsers_language(instruments_dir) -> None:
    support.compile_catalogs()
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:5144/none",
            "SURVEY_INSTRUMENTS_DIR": str(instruments_dir),
        }
    )
    client = app.test_client()
    with app.test_request_context(), force_locale("es"):
        message = _("Please try again in a minute.")
    reply = client.get("/s/TESTGRP", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert_503_in(reply, "es", message)
    reply = client.post("/s/TESTGRP", data={"form_token": "x", "lang": "es", **VALID_ANSWERS})
    assert reply.status_code == 503
    assert client.get("/s/TESTGRP/thanks/" + "a" * 22).status_code == 503


def test_the_fault_is_logged_without_the_answers(instruments_dir, caplog) -> None:
    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:5144/none",
            "SURVEY_INSTRUMENTS_DIR": str(instruments_dir),
        }
    )
    with caplog.at_level("ERROR"):
        app.test_client().post("/s/TESTGRP", data={"form_token": "x", "lang": "en", **VALID_ANSWERS})
    lines = [record.getMessage() for record in caplog.records if "unavailable" in record.getMessage()]
    assert lines and "Good meeting" not in " ".join(lines)
