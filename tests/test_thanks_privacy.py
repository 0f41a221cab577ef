"""The thank-you page under the insider threat model (issue 12, point 3).

No live aggregate (the page of an earlier participant is byte-identical after others answer),
reachable only for a short while after sending, no nonce in the access-logged path, and a form
sent with no answer at all stores nothing and says so.
"""

from __future__ import annotations

import runpy
import time
import urllib.parse
from pathlib import Path

import pytest
from flask import Flask

from . import participant_support as support
from .participant_support import VALID_ANSWERS, get_token, make_group, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def test_an_earlier_thank_you_page_does_not_change_when_others_answer(papp: Flask) -> None:
    make_group(papp, min_group_size=3)
    client = papp.test_client()
    for mood in ("2", "4"):
        submit(client, answers={**VALID_ANSWERS, "mood": mood})
    location = submit(client, answers={**VALID_ANSWERS, "mood": "6"}).headers["Location"]
    before = client.get(location)
    assert before.status_code == 200
    for mood in ("10", "0", "9"):
        submit(client, answers={**VALID_ANSWERS, "mood": mood})
    after = client.get(location)
    # Participant pages carry no CSRF token and no script nonce, so nothing is normalised.
    assert after.get_data() == before.get_data()
    page = after.get_data(as_text=True)
    assert "not alone" not in page and "people from your group" not in page


def test_the_thank_you_page_expires_after_a_short_while(papp: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    make_group(papp)
    client = papp.test_client()
    location = submit(client, answers={**VALID_ANSWERS, "mood": "1"}).headers["Location"]
    assert client.get(location).status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 16 * 60)
    expired = client.get(location)
    assert expired.status_code == 410
    page = expired.get_data(as_text=True)
    assert "Your mood is low tonight." not in page and "own-scores" not in page
    assert "safe" in page


def test_the_old_permanent_thank_you_address_shows_no_scores(papp: Flask) -> None:
    make_group(papp)
    client = papp.test_client()
    token = get_token(client)
    submit(client, token=token)
    with papp.app_context():
        from survey.participant import tokens

        nonce = tokens.read(token).nonce
    reply = client.get(f"/s/TESTGRP/thanks/{nonce}")
    assert reply.status_code in (404, 410)
    assert "own-scores" not in reply.get_data(as_text=True)


def test_the_logged_path_of_the_thank_you_page_carries_no_nonce(papp: Flask) -> None:
    make_group(papp)
    client = papp.test_client()
    token = get_token(client)
    location = submit(client, token=token).headers["Location"]
    with papp.app_context():
        from survey.participant import tokens

        nonce = tokens.read(token).nonce
    path = urllib.parse.urlsplit(location).path
    assert nonce not in path and nonce[:8] not in path
    assert client.get(location).status_code == 200
    # The access log writes the path alone (%(U)s): never the query string, the request line or a referrer.
    log_format = runpy.run_path(str(GUNICORN_CONF))["access_log_format"]
    assert "%(U)s" in log_format
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{raw_uri}", "%(h)s"):
        assert atom not in log_format


def test_a_form_with_no_answer_at_all_stores_nothing_and_says_so(papp: Flask) -> None:
    make_group(papp)
    client = papp.test_client()
    reply = submit(client, answers={})
    assert reply.status_code == 400
    assert "You did not answer any question, so nothing was stored." in reply.get_data(as_text=True)
    assert support.response_count(papp) == 0
