"""Forms without repeats: a question two questionnaires share is asked once and scored in each;
the same question with other answers is refused; an alert raised twice reads once."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from survey.config import PROJECT_ROOT
from survey.extensions import db
from survey.instruments import load_instrument_file, load_instrument_text
from survey.instruments.overlap import Clash, SharedItem, find_overlaps
from survey.models import Group, Response

from .coordinator_support import add_user, log_in_as
from .dashboard_support import add_group

SHIPPED = PROJECT_ROOT / "instruments"
URGE = "Right now, how strong is your urge to use?"
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def shipped(name: str):
    """Load one shipped instrument."""
    return load_instrument_file(SHIPPED / f"{name}.yaml")


def one_item(instrument_id: str, item: str) -> str:
    """A one-question instrument (English only) with this item's YAML."""
    return (
        f'id: {instrument_id}\nversion: "1"\ntitle: Test\nconstruct: Testing\nestimated_minutes: 1\n'
        "validated: false\ndisclaimer: Not validated.\n"
        "licence: {type: CC0-1.0, holder: Tests, redistribution_allowed: true, modification_allowed: true}\n"
        "locales: [en]\nitems:\n" + item
    )


def slider(item_id: str, text: str, high: int = 10, extra: str = "") -> str:
    """A slider item's YAML."""
    return (
        f"  - id: {item_id}\n    type: slider\n    text: {text!r}\n    min: 0\n    max: {high}\n"
        f"    min_label: None\n    max_label: Most\n{extra}"
    )


def test_check_in_and_craving_share_the_urge_question() -> None:
    shared, clashes = find_overlaps([shipped("checkin"), shipped("craving")])
    assert shared == [SharedItem((0, "craving_now"), (1, "strength_now"))]
    assert clashes == []


def test_check_in_and_todays_meeting_share_three_belonging_statements() -> None:
    shared, clashes = find_overlaps([shipped("checkin"), shipped("belonging")])
    assert [s.repeat for s in shared] == [(1, "belonged"), (1, "honest"), (1, "outsider")]
    assert clashes == []


def test_wording_is_compared_without_case_or_spacing() -> None:
    first = load_instrument_text(one_item("first", slider("a", URGE)), "first.yaml")
    second = load_instrument_text(one_item("second", slider("b", "  right now,  HOW strong is your urge to use?")), "x")
    assert find_overlaps([first, second])[0] == [SharedItem((0, "a"), (1, "b"))]


def test_an_explicit_shared_id_links_different_wording() -> None:
    first = load_instrument_text(one_item("first", slider("a", URGE, extra="    shared_id: urge_now\n")), "a")
    second = load_instrument_text(
        one_item("second", slider("b", "Urge at this moment?", extra="    shared_id: urge_now\n")), "b"
    )
    unrelated = load_instrument_text(one_item("third", slider("c", "Urge at this moment, again?")), "c")
    assert find_overlaps([first, second, unrelated])[0] == [SharedItem((0, "a"), (1, "b"))]


def test_the_same_question_with_other_answers_is_a_clash() -> None:
    first = load_instrument_text(one_item("first", slider("a", URGE)), "a")
    other_range = load_instrument_text(one_item("second", slider("b", URGE, high=5)), "b")
    shared, clashes = find_overlaps([first, other_range])
    assert shared == [] and clashes == [Clash(("first", "a"), ("second", "b"))]


def test_check_in_and_self_efficacy_share_the_sudden_urge_question() -> None:
    shared, _clashes = find_overlaps([shipped("checkin"), shipped("recovery_self_efficacy")])
    assert shared == [SharedItem((0, "confidence_urge"), (1, "sudden_urge"))]


def test_no_two_shipped_instruments_clash_and_none_repeats_itself() -> None:
    instruments = [load_instrument_file(path) for path in sorted(SHIPPED.glob("*.yaml"))]
    for pair in itertools.permutations(instruments, 2):
        assert find_overlaps(list(pair))[1] == [], [i.id for i in pair]
    for instrument in instruments:
        texts = [instrument.text(item.text, locale) for item in instrument.items for locale in instrument.locales]
        assert len(texts) == len(set(texts)), instrument.id


@pytest.fixture
def both(app: Flask) -> Flask:
    with app.app_context():
        add_group("BOTH", k=3, instruments=("checkin", "craving"))
    return app


def send(client, code: str, answers: dict[str, str]):
    """Open the form, send these answers and follow to the thank-you page."""
    page = client.get(f"/s/{code}").get_data(as_text=True)
    data = {"form_token": TOKEN_RE.search(page).group(1), "lang": "en", "website": "", **answers}
    return client.post(f"/s/{code}", data=data, follow_redirects=True)


def test_the_form_asks_the_shared_question_once(both: Flask) -> None:
    page = both.test_client().get("/s/BOTH").get_data(as_text=True)
    assert page.count(URGE) == 1
    assert 'name="craving_now"' in page and 'name="strength_now"' not in page
    assert page.count("I felt I belonged in the group today.") == 1


def test_one_answer_is_stored_and_scored_in_each_and_its_alert_read_once(both: Flask) -> None:
    thanks = send(both.test_client(), "BOTH", {"craving_now": "9", "frequency": "3"})
    assert thanks.status_code == 200
    with both.app_context():
        rows = db.session.scalars(select(Response).order_by(Response.id)).all()
        stored = {r.instrument_version.instrument_id: {a.item_id: a.value_num for a in r.answers} for r in rows}
        scores = {r.instrument_version.instrument_id: {s.scale_id: s.value for s in r.scores} for r in rows}
    assert stored["checkin"] == {"craving_now": 9.0}
    assert stored["craving"] == {"strength_now": 9.0, "frequency": 3.0}
    assert scores["checkin"]["craving"] == 9.0
    assert scores["craving"]["craving"] == 9.0  # hardest was not answered: the mean of what was
    message = "Your urge to use is strong right now."
    assert thanks.get_data(as_text=True).count(message) == 1  # both raise strong_craving


def test_a_field_of_the_repeat_is_refused_not_half_stored(both: Flask) -> None:
    response = send(both.test_client(), "BOTH", {"craving_now": "2", "strength_now": "7"})
    assert response.status_code == 400
    with both.app_context():
        assert db.session.scalars(select(Response)).all() == []


@pytest.fixture
def clashing(make_app, tmp_path: Path) -> Flask:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(SHIPPED / "checkin.yaml", folder)
    (folder / "urge_five.yaml").write_text(one_item("urge_five", slider("urge", URGE, high=5)), encoding="utf-8")
    return make_app(SURVEY_INSTRUMENTS_DIR=str(folder), WTF_CSRF_ENABLED=False)


def test_the_group_form_refuses_questionnaires_that_clash(clashing: Flask) -> None:
    client = clashing.test_client()
    log_in_as(client, clashing, add_user(clashing, "admin@example.org", role="admin"))
    data = {
        "name": "Clash",
        "default_locale": "en",
        "timezone": "UTC",
        "meeting_weekday": "",
        "instruments": ["checkin", "urge_five"],
        "min_group_size": "5",
        "is_open": "y",
    }
    response = client.post("/groups/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "both ask the same question (checkin.craving_now and urge_five.urge)" in page
    with clashing.app_context():
        assert db.session.scalars(select(Group)).all() == []
    assert client.post("/groups/new", data={**data, "instruments": ["checkin"]}).status_code == 302


def test_shipped_repeats_declare_one_shared_id() -> None:
    # A wording fix in one file (a translation, say) must not turn a shared question into a repeat.
    instruments = [load_instrument_file(path) for path in sorted(SHIPPED.glob("*.yaml"))]
    for pair in itertools.combinations(instruments, 2):
        for shared in find_overlaps(list(pair))[0]:
            asked = pair[shared.asked[0]].item(shared.asked[1])
            repeat = pair[shared.repeat[0]].item(shared.repeat[1])
            assert asked.shared_id is not None and asked.shared_id == repeat.shared_id, (asked.id, repeat.id)
