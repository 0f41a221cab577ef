"""Pure parts of the participant side: catalogues, locale parsing, the form token, field naming."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from survey.config import PROJECT_ROOT
from survey.i18n import supported
from survey.instruments import Instrument
from survey.participant import tokens
from survey.participant.form import FormPlan
from survey.participant.messages import translate_error

from . import participant_support as support

instruments_dir, papp = support.instruments_dir, support.papp
PARTICIPANT_SOURCES = ("templates/participant/", "survey/participant/", "templates/base.html", "templates/errors/")


def test_every_participant_string_has_a_spanish_translation() -> None:
    with (PROJECT_ROOT / "survey/translations/es/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    missing = [
        message.id
        for message in catalog
        if message.id
        and any(path.startswith(PARTICIPANT_SOURCES) for path, _ in message.locations)
        and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert missing == []


def test_every_participant_string_in_the_sources_is_in_the_catalogue() -> None:
    """Extract from the sources now, so a new string not yet added to messages.po fails here."""
    from babel.messages.extract import extract_from_dir

    with (PROJECT_ROOT / "survey/translations/es/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    method_map = [("survey/**.py", "python"), ("templates/**.html", "jinja2")]
    missing = []
    for filename, _line, message, _comments, _context in extract_from_dir(str(PROJECT_ROOT), method_map):
        if not filename.startswith(PARTICIPANT_SOURCES):
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        translated = entry is not None and (all(entry.string) if isinstance(entry.string, tuple) else entry.string)
        if not translated:
            missing.append((filename, msgid))
    assert missing == []


def test_compiled_catalogues_are_not_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "survey/translations"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "survey/translations/es/LC_MESSAGES/messages.po" in tracked
    assert not [path for path in tracked if path.endswith(".mo")]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("es", "es"),
        ("es-MX", "es"),
        ("ES_us", "es"),
        ("en-GB", "en"),
        ("fr", None),
        ("", None),
        (None, None),
        ("e", None),
    ],
)
def test_supported_locales(given: str | None, expected: str | None) -> None:
    assert supported(given) == expected


def test_token_round_trip_and_tampering(papp: Flask) -> None:
    with papp.test_request_context():
        signed = tokens.issue(4, ("a" * 64,), dt.date(2026, 11, 24), dt.time(19, 0))
        token = tokens.read(signed)
        assert (token.group_id, token.content_hashes, token.meeting_date, token.meeting_start) == (
            4,
            ("a" * 64,),
            dt.date(2026, 11, 24),
            dt.time(19, 0),
        )
        assert tokens.response_token(token.nonce, 0) == token.nonce
        assert tokens.response_token(token.nonce, 2) == f"{token.nonce}-2"
        assert tokens.read(tokens.issue(4, ("b",), dt.date(2026, 1, 1), None)).meeting_start is None
        with pytest.raises(tokens.TokenError):
            tokens.read(signed[:-2] + ("A" if signed[-2] != "A" else "B") + signed[-1])
    with papp.test_request_context():
        papp.config["SECRET_KEY"] = "another key"
        with pytest.raises(tokens.TokenError):
            tokens.read(signed)


def test_nonces_are_unique_and_url_safe() -> None:
    nonces = {tokens.new_nonce() for _ in range(1000)}
    assert len(nonces) == 1000
    assert all(tokens.NONCE_PATTERN.match(nonce) for nonce in nonces)


def reworded_copy(instrument: Instrument) -> Instrument:
    """Return another instrument (id every_other) with the same question ids and other wording."""
    definition = instrument.definition()
    definition["id"] = "every_other"
    for item in definition["items"]:
        text = item["text"]
        item["text"] = {k: f"Other: {v}" for k, v in text.items()} if isinstance(text, dict) else f"Other: {text}"
    return Instrument.from_definition(definition)


def test_item_names_collide_only_with_a_prefix(papp: Flask) -> None:
    from survey import catalog

    with papp.app_context():
        every = catalog.registry().get("every_type")
        assert every is not None
        other = reworded_copy(every)
        plan = FormPlan.of([every, other])
        same = FormPlan.of([every, every])
    assert plan.name(0, "mood") == "mood"
    assert plan.name(1, "mood") == "every_other.mood"
    assert not plan.asked_before
    # The very same questions twice are asked once, under the first one's names.
    assert same.name(1, "mood") == "mood" and (1, "mood") in same.asked_before


@pytest.mark.parametrize("kept", [64, 1])  # plans kept, or the table emptied at every new form
def test_a_form_plan_is_kept_per_instrument_objects(papp: Flask, monkeypatch: pytest.MonkeyPatch, kept: int) -> None:
    """A plan is kept for the very instrument objects, in their order: another object (a reloaded copy) or
    another order gets its own plan."""
    from survey import catalog
    from survey.participant import form

    monkeypatch.setattr(form, "KEPT_PLANS_MAX", kept)
    with papp.app_context():
        every = catalog.registry().get("every_type")
        assert every is not None
        copy = Instrument.from_definition(every.definition())
        other = reworded_copy(every)
    for _round in range(2):
        assert FormPlan.of([every]).instruments[0] is every and FormPlan.of([copy]).instruments[0] is copy
        assert FormPlan.of([every, other]).name(1, "mood") == "every_other.mood"
        assert FormPlan.of([other, every]).name(1, "mood") == "every_type.mood"
        assert FormPlan.of([every, every]).name(1, "mood") == "mood"


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("This question needs an answer.", "Esta pregunta necesita una respuesta."),
        ("Please choose a value between 0 and 10.", "Elige un valor entre 0 y 10."),
        ("Please shorten your answer to 500 characters or fewer.", "Acorta tu respuesta a 500 caracteres o menos."),
        ("A message nobody translated.", "A message nobody translated."),
    ],
)
def test_engine_messages_are_translated(papp: Flask, english: str, spanish: str) -> None:
    support.compile_catalogs()
    with papp.test_request_context("/?lang=es"):
        assert translate_error(english) == spanish


def test_every_item_type_has_field_details() -> None:
    from survey.instruments import ITEM_TYPES
    from survey.participant.form import FIELD_DETAILS

    assert set(FIELD_DETAILS) == set(ITEM_TYPES)
