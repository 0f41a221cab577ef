"""Form tokens and thank-you tickets issued by an app server whose clock runs a few seconds ahead are accepted."""

from __future__ import annotations

import time

import pytest

from survey.config import SETTINGS
from survey.participant import thanks, tokens

from .conftest import BASE_CONFIG

THANKS_MINUTES = SETTINGS["SURVEY_THANKS_MINUTES"][0]  # the default every real app gets


@pytest.fixture
def ctx():  # type: ignore[no-untyped-def]
    from flask import Flask

    app = Flask(__name__)
    app.config.update(BASE_CONFIG)
    app.config.setdefault("SURVEY_THANKS_MINUTES", THANKS_MINUTES)  # a setting load_settings gives every real app
    with app.app_context():
        yield


def issued_at(monkeypatch, offset: float) -> str:  # type: ignore[no-untyped-def]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + offset)
    try:
        return tokens.issue(1, ("abc",), __import__("datetime").date(2026, 1, 1), None)
    finally:
        monkeypatch.setattr(time, "time", real)


@pytest.mark.parametrize("ahead", [1, 3, 29])
def test_a_token_from_a_clock_a_few_seconds_ahead_is_accepted(ctx, monkeypatch, ahead) -> None:
    assert tokens.read(issued_at(monkeypatch, ahead)).group_id == 1


def test_a_token_from_far_in_the_future_is_refused(ctx, monkeypatch) -> None:
    with pytest.raises(tokens.TokenError):
        tokens.read(issued_at(monkeypatch, tokens.CLOCK_SKEW.total_seconds() + 60))


def test_a_token_older_than_a_week_is_still_refused(ctx, monkeypatch) -> None:
    with pytest.raises(tokens.TokenError):
        tokens.read(issued_at(monkeypatch, -tokens.MAX_AGE.total_seconds() - 5))
    assert tokens.read(issued_at(monkeypatch, -tokens.MAX_AGE.total_seconds() + 60)).group_id == 1


def ticket_issued_at(monkeypatch, offset: float) -> str:  # type: ignore[no-untyped-def]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + offset)
    try:
        return thanks.issue_ticket("nonce-1")
    finally:
        monkeypatch.setattr(time, "time", real)


@pytest.mark.parametrize("ahead", [1, 5, 29])
def test_a_thank_you_ticket_from_a_clock_a_few_seconds_ahead_opens_the_page(ctx, monkeypatch, ahead) -> None:
    assert thanks.read_ticket(ticket_issued_at(monkeypatch, ahead)) == "nonce-1"


@pytest.mark.parametrize("offset", [tokens.CLOCK_SKEW.total_seconds() + 60, -THANKS_MINUTES * 60 - 5])
def test_a_thank_you_ticket_from_far_ahead_or_too_old_is_expired(ctx, monkeypatch, offset) -> None:
    with pytest.raises(thanks.TicketExpired):
        thanks.read_ticket(ticket_issued_at(monkeypatch, offset))
