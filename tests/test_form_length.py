"""How long a group's form takes: questions counted, minutes estimated, promised on the poster in words."""

from __future__ import annotations

import pytest

from survey import catalog
from survey.coordinator.posters import invitation
from survey.extensions import db
from survey.instruments import load_instrument_text
from survey.instruments.length import form_length
from survey.models import GroupInstrument

from .coordinator_support import add_group, add_user, log_in_as
from .test_instruments_loader import MINIMAL


def with_minutes(minutes: str) -> str:
    return MINIMAL.replace("estimated_minutes: 1", f"estimated_minutes: {minutes}")


def test_item_times_add_up_with_the_form_itself() -> None:
    # minimal.yaml: a slider (8 s), a likert (7 s), a single choice shown under a condition (8 s, counted:
    # the longest path) and a comment (30 s) = 53 s; its author says 1 minute (60 s), which is longer and wins.
    length = form_length([load_instrument_text(MINIMAL)])
    assert (length.questions, length.seconds, length.minutes) == (4, 20 + 60, 2)


def test_items_win_when_the_author_promised_less() -> None:
    length = form_length([load_instrument_text(with_minutes("0.5"))])
    assert (length.questions, length.seconds, length.minutes) == (4, 20 + 53, 2)


def test_two_questionnaires_add_and_none_is_nothing() -> None:
    inst = load_instrument_text(with_minutes("0.5"))
    assert form_length([inst, inst]).seconds == 20 + 2 * 53
    assert (form_length([]).questions, form_length([]).minutes) == (0, 1)


@pytest.mark.parametrize(
    ("language", "minutes", "text"),
    [
        ("en", 1, "After the meeting, scan this code and tell us how it went: about one minute, anonymous."),
        ("en", 3, "After the meeting, scan this code and tell us how it went: about 3 minutes, anonymous."),
        ("es", 1, "Después de la reunión, escanee este código y cuéntenos cómo le fue: un minuto, de forma anónima."),
        (
            "es",
            4,
            "Después de la reunión, escanee este código y cuéntenos cómo le fue: unos 4 minutos, de forma anónima.",
        ),
    ],
)
def test_the_poster_promises_the_forms_own_length(app, language, minutes, text) -> None:
    with app.test_request_context():  # the wording comes from the translation catalogue
        assert invitation(language, minutes) == text


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def test_group_poster_and_instruments_page_state_the_length(app, client) -> None:
    log_in_as(client, app, add_user(app, "len-admin@example.org", role="admin"))
    group_id = add_group(app, "LENGTHAA", "Long form")
    with app.app_context():
        db.session.add(GroupInstrument(group_id=group_id, instrument_id="craving", position=1))
        db.session.commit()
        checkin, craving = catalog.registry().get("checkin"), catalog.registry().get("craving")
        # The urge question is in both and asked once: one question fewer than the two files hold.
        questions = len(checkin.items) + len(craving.items) - 1
    page = client.get("/groups/LENGTHAA").get_data(as_text=True)
    assert f"{questions} questions" in page and "minutes on a phone" in page
    poster = client.get("/groups/LENGTHAA/poster").get_data(as_text=True)
    assert "two minutes" not in poster and "minutes, anonymous." in poster
    assert " on a phone" in client.get("/instruments").get_data(as_text=True)
