"""Fuzz every participant and coordinator endpoint (taken from app.url_map) as a logged-in admin:
hypothesis-made paths, query strings and form bodies never cause a 500, and afterwards every stored
response has answers and scores consistent with its instrument version (nothing half-stored)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from bench.loadlib import fill, read_form
from survey import catalog
from survey.accounts import hash_password
from survey.extensions import db
from survey.models import Answer, Group, GroupInstrument, Response, Score, User

SKIPPED = {"static", "offline.service_worker", "auth.logout"}  # files, and logging out ends the fuzz session
FIELD_NAMES = [
    "form_token",
    "lang",
    "website",
    "participant_code",
    "comment",
    "confidence_overall",
    "craving_now",
    "belonged",
    "helpful",
    "email",
    "password",
    "name",
    "code",
    "role",
    "group",
    "before",
    "confirm",
    "instruments",
    "timezone",
    "repeating-0-weekday",
    "repeating-0-starts_at",
    "repeating-0-repeat",
    "repeating-0-on_date",
    "one_off-0-on_date",
    "one_off-0-starts_at",
    "min_group_size",
    "csrf_token",
    "next",
]
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(text, st.integers(-5, 1000).map(str), st.sampled_from(["", "0", "5", "10", "2024-01-31", "on"]))


@pytest.fixture
def fuzz_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)  # so that fuzzed bodies reach the forms' own validation
    with app.app_context():
        group = Group(name="Fuzz group", code="FUZZ1", timezone="UTC")
        group.instruments = [GroupInstrument(instrument_id="checkin", position=0)]
        admin = User(email="admin@example.org", password_hash=hash_password("a long enough password"), role="admin")
        db.session.add_all([group, admin])
        db.session.commit()
        session_id = admin.get_id()
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED
        and rule.endpoint.split(".")[0] in {"participant", "auth", "coordinator", "dashboard", "retention"}
    ]
    return app, session_id, rules


def path_for(rule, draw_value) -> str:
    """Fill the rule's variables with real codes and ids or with fuzzed text."""
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", draw_value(name))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", draw_value(name))
    return path


def test_fuzz_reaches_participant_and_coordinator_endpoints(fuzz_app) -> None:
    _, _, rules = fuzz_app
    prefixes = {rule.endpoint.split(".")[0] for rule in rules}
    assert {"participant", "coordinator", "auth"} <= prefixes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_endpoint_answers_500_to_fuzzed_input(fuzz_app, data) -> None:
    app, session_id, rules = fuzz_app
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    rule = data.draw(st.sampled_from(sorted(rules, key=lambda r: r.rule)), label="rule")
    method = data.draw(st.sampled_from(sorted(rule.methods & {"GET", "POST"})), label="method")

    def draw_value(name: str) -> str:
        real = {"code": "FUZZ1", "user_id": "1", "instrument_id": "checkin", "scale_id": "confidence"}
        choice = data.draw(st.one_of(st.just(real.get(name, "x")), st.text("abcXYZ019-_%", min_size=1, max_size=12)))
        return choice

    path = path_for(rule, draw_value)
    query = data.draw(st.dictionaries(st.sampled_from(FIELD_NAMES + ["code", "lang", "page"]), values, max_size=3))
    headers = {"Sec-Fetch-Site": data.draw(st.sampled_from(["same-origin", "cross-site", "none"]))}
    if method == "GET":
        response = client.get(path, query_string=query, headers=headers)
    else:
        body = MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(FIELD_NAMES), values), max_size=12)))
        if rule.endpoint == "participant.submit" and data.draw(st.booleans()):
            page = client.get("/s/FUZZ1").get_data(as_text=True)  # a real token, fuzzed answers added
            if 'id="survey-form"' in page:  # an earlier example may have archived or closed the group
                pairs = fill(read_form(page), random.Random(data.draw(st.integers(0, 99))))
                body = MultiDict(pairs + list(body.items(multi=True)))
        response = client.post(path, data=body, headers=headers)
    response.close()
    assert response.status_code < 500, (method, path, response.status_code)
    with app.app_context():
        assert_responses_consistent()


def assert_responses_consistent() -> None:
    """Every stored response has answers and scores, all named in the instrument version it points to."""
    for response in db.session.scalars(select(Response)):
        instrument = catalog.instrument_for_version(response.instrument_version)
        items = {item.id for item in instrument.items}
        scales = {scale.id for scale in instrument.scales}
        answers = set(db.session.scalars(select(Answer.item_id).where(Answer.response_id == response.id)))
        scores = set(db.session.scalars(select(Score.scale_id).where(Score.response_id == response.id)))
        assert answers and answers <= items, (response.token, answers - items)
        assert scores <= scales, (response.token, scores - scales)
