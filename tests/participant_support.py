"""Shared helpers for the participant tests: a test instrument of every item type, groups, tokens."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.config import PROJECT_ROOT
from survey.extensions import db
from survey.models import Group, GroupInstrument, MeetingSchedule, Response
from survey.schedules import ScheduleEntry

from .conftest import COUNTING_STATEMENTS

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')

# Every item type, required items, a show_if and an alert; two locales.
EVERY_TYPE_YAML = """
id: every_type
version: "1"
title: {en: Every type, es: Todos los tipos}
construct: test
estimated_minutes: 1
validated: false
disclaimer: {en: A test questionnaire., es: Un cuestionario de prueba.}
licence: {type: CC0, holder: tests, redistribution_allowed: true, modification_allowed: true}
locales: [en, es]
response_scales:
  agree:
    anchors:
      - {value: 1, label: {en: Disagree, es: En desacuerdo}}
      - {value: 2, label: {en: Unsure, es: No sé}}
      - {value: 3, label: {en: Agree, es: De acuerdo}}
items:
  - {id: mood, type: slider, required: true, min: 0, max: 10, text: {en: Mood now, es: Ánimo ahora},
     min_label: {en: Low, es: Bajo}, max_label: {en: High, es: Alto}}
  - {id: belong, type: likert, required: true, response_scale: agree, text: {en: I belonged, es: Pertenecí}}
  - {id: used, type: yes_no, text: {en: Used since last meeting, es: Consumiste}}
  - {id: days, type: integer, min: 0, max: 7, text: {en: Days used, es: Días},
     show_if: {all: [{item: used, op: "==", value: "yes"}]}}
  - id: topic
    type: single_choice
    text: {en: Best part, es: Lo mejor}
    options:
      - {value: sharing, label: {en: Sharing, es: Compartir}}
      - {value: listening, label: {en: Listening, es: Escuchar}}
  - id: supports
    type: multiple_choice
    text: {en: Supports, es: Apoyos}
    options:
      - {value: sponsor, label: {en: Sponsor, es: Padrino}}
      - {value: family, label: {en: Family, es: Familia}}
      - {value: friends, label: {en: Friends, es: Amistades}}
  - {id: note, type: text, max_length: 200, text: {en: Anything else, es: Algo más}}
scales:
  - {id: mood_scale, label: {en: Mood, es: Ánimo}, items: [mood], higher_is_better: true}
  - {id: belonging, label: {en: Belonging, es: Pertenencia}, items: [belong], higher_is_better: true}
alerts:
  - id: low_mood
    condition: {any: [{item: mood, op: "<=", value: 2}]}
    message: {en: Your mood is low tonight., es: Tu ánimo está bajo esta noche.}
"""

VALID_ANSWERS: dict[str, Any] = {
    "mood": "7",
    "belong": "3",
    "used": "no",
    "topic": "sharing",
    "supports": ["sponsor", "family"],
    "note": "Good meeting",
}


def compile_catalogs() -> None:
    """Compile the .po catalogues (the .mo files are not committed; `make translations` also does this)."""
    for po_path in (PROJECT_ROOT / "survey" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture
def instruments_dir(tmp_path: Path) -> Path:
    """A folder with the shipped craving instrument and the every-type test instrument."""
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "instruments" / "craving.yaml", folder / "craving.yaml")
    (folder / "every_type.yaml").write_text(EVERY_TYPE_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def papp(make_app: Callable[..., Flask], instruments_dir: Path) -> Flask:
    """The app with the test instruments; catalogues compiled (statements counted exactly by some tests)."""
    compile_catalogs()
    return make_app(SURVEY_INSTRUMENTS_DIR=str(instruments_dir), **COUNTING_STATEMENTS)


@pytest.fixture
def pclient(papp: Flask) -> FlaskClient:
    """A test client of the participant app."""
    return papp.test_client()


def make_group(
    app: Flask,
    code: str = "TESTGRP",
    instruments: Iterable[str] = ("every_type",),
    schedule: Iterable[ScheduleEntry] = (),
    **fields: Any,
) -> int:
    """Create a group (no schedule by default, so always open) and return its id."""
    with app.app_context():
        group = Group(name=fields.pop("name", "Test group"), code=code, **fields)
        group.instruments = [GroupInstrument(instrument_id=i, position=n) for n, i in enumerate(instruments)]
        group.schedule = [
            MeetingSchedule(kind=e.kind, weekday=e.weekday, starts_at=e.starts_at, on_date=e.on_date) for e in schedule
        ]
        db.session.add(group)
        db.session.commit()
        return group.id


def get_token(client: FlaskClient, code: str = "TESTGRP", **headers: str) -> str:
    """Open the form and return its signed form token."""
    page = client.get(f"/s/{code}", headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    match = TOKEN_RE.search(page.get_data(as_text=True))
    assert match
    return match.group(1)


def submit(
    client: FlaskClient,
    code: str = "TESTGRP",
    token: str | None = None,
    answers: dict[str, Any] | None = None,
    **headers: str,
) -> Any:
    """Post the form with a fresh token (unless given) and the valid answers (unless given)."""
    data: dict[str, Any] = {"form_token": token or get_token(client, code), "lang": "en", "website": ""}
    data.update(VALID_ANSWERS if answers is None else answers)
    return client.post(f"/s/{code}", data=data, headers=headers)


def thanked_for(app: Flask, reply: Any) -> str:
    """Return the submission a 303 to the thank-you page is for (its ticket's nonce).

    Two replies for the same submission lead to the same page but not always the same address: each
    ticket is signed with the second it was issued in.
    """
    from urllib.parse import parse_qs, urlsplit

    from survey.participant import thanks

    ticket = parse_qs(urlsplit(reply.headers["Location"]).query)["r"][0]
    with app.test_request_context():
        return thanks.read_ticket(ticket)


def response_count(app: Flask) -> int:
    """Return how many responses are stored."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Response)) or 0)


def utc(*args: int) -> dt.datetime:
    """Return an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=dt.UTC)


def catalog_hash(instrument_id: str) -> str:
    """Return the content hash of a loaded instrument (inside an app context)."""
    from survey import catalog

    instrument = catalog.registry().get(instrument_id)
    assert instrument is not None
    return instrument.content_hash
