"""Characters a database refuses (NUL, lone surrogates) are a 400 with a clear message, on SQLite and
PostgreSQL alike, and nothing is stored. Run with TEST_DATABASE_URL for PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask

from . import participant_support as support
from .participant_support import VALID_ANSWERS, make_group, response_count, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
MESSAGE = "Please remove the control character (such as a NUL byte) from your answer."


@pytest.fixture(autouse=True)
def group(papp: Flask) -> int:
    return make_group(papp)


@pytest.mark.parametrize("note", ["a\x00b", "\x00", "ok\x00" * 3, "bell\x07", "esc\x1b[31m"])
def test_a_control_character_in_a_free_text_answer_is_refused(papp, pclient, note) -> None:
    reply = submit(pclient, answers={**VALID_ANSWERS, "note": note})
    assert reply.status_code == 400
    assert MESSAGE in reply.get_data(as_text=True)
    assert response_count(papp) == 0


def test_tabs_and_line_breaks_are_still_fine(papp, pclient) -> None:
    reply = submit(pclient, answers={**VALID_ANSWERS, "note": "line one\r\nline two\tend"})
    assert reply.status_code == 303
    assert response_count(papp) == 1


def test_the_message_is_in_the_participants_language(papp, pclient) -> None:
    token = support.get_token(pclient)
    data = {"form_token": token, "lang": "es", "website": "", **VALID_ANSWERS, "note": "a\x00b"}
    reply = pclient.post("/s/TESTGRP", data=data)
    assert reply.status_code == 400
    assert response_count(papp) == 0
    assert 'lang="es"' in reply.get_data(as_text=True)


def test_a_nul_byte_in_any_other_field_is_never_a_500(papp, pclient) -> None:
    token = support.get_token(pclient)
    for field, value in [
        ("topic", "shar\x00ing"),
        ("mood", "7\x00"),
        ("lang", "e\x00s"),
        ("participant_code", "ab\x00cd"),
    ]:
        data = {"form_token": token, "lang": "en", "website": "", **VALID_ANSWERS, field: value}
        reply = pclient.post("/s/TESTGRP", data=data)
        assert reply.status_code in {303, 400}, (field, reply.status_code)
    assert pclient.post("/s/TESTGRP", data={"form_token": "x\x00y", **VALID_ANSWERS}).status_code == 400
