"""One unit for people: a sending of the form counts once, whatever the number of questionnaires in it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask

from .dashboard_support import add_group, add_user, log_in, move_release_clock

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')
PEOPLE, WITH_CRAVING = 10, 3  # ten people send check-in + craving; three of them answer the craving questions
# The urge question is in both questionnaires, so the form asks it once (as craving_now) and scores it in both.


@pytest.fixture
def answered(app: Flask) -> Flask:
    with app.app_context():
        add_group("PPL", k=3, instruments=("checkin", "craving"))
    participant = app.test_client()
    for person in range(PEOPLE):
        page = participant.get("/s/PPL").get_data(as_text=True)
        data = {"form_token": TOKEN_RE.search(page).group(1), "lang": "en", "website": ""}
        data |= {"confidence_overall": "7", "helpful": "4"}
        if person < WITH_CRAVING:
            data |= {"craving_now": str(person + 1), "frequency": "2", "hardest": "5"}
        assert participant.post("/s/PPL", data=data).status_code == 303
    return app


@pytest.fixture
def coordinator(answered: Flask, monkeypatch):
    move_release_clock(monkeypatch, days=3)  # today's answers are released once the survey has closed
    client = answered.test_client()
    with answered.app_context():
        log_in(client, answered, add_user("admin"))
    return client


def test_participation_json_counts_people(coordinator) -> None:
    body = coordinator.get("/groups/PPL/dashboard/participation.json?grain=meeting").get_json()
    assert [p["n"] for p in body["data"]] == [PEOPLE]  # not 20 questionnaires


def test_export_csv_counts_people_and_a_scale_its_scored_people(coordinator) -> None:
    text = coordinator.get("/groups/PPL/dashboard/export.csv?grain=meeting").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["n"] for r in rows if r["figure"] == "participation"] == [str(PEOPLE)]
    craving = [r for r in rows if r["figure"] == "trend" and r["instrument"] == "craving" and r["scale"] == "craving"]
    craving = [r for r in craving if r["grain"] == "meeting"]
    assert [r["n"] for r in craving] == [str(WITH_CRAVING)]  # the seven who skipped it have no score
    checkin = [r for r in rows if r["figure"] == "trend" and r["instrument"] == "checkin"]
    confidence = [r["n"] for r in checkin if r["scale"] == "self_efficacy" and r["grain"] == "meeting"]
    assert confidence == [str(PEOPLE)]  # everyone answered confidence_overall
    # The one urge answer is the check-in's craving score as well as the craving questionnaire's.
    assert [r["n"] for r in checkin if r["scale"] == "craving" and r["grain"] == "meeting"] == [str(WITH_CRAVING)]


def test_the_trend_bars_show_the_scales_n(coordinator) -> None:
    body = coordinator.get("/groups/PPL/dashboard/trend/craving/craving.json?grain=meeting").get_json()
    bars = next(trace for trace in body["figure"]["data"] if trace["type"] == "bar")
    assert bars["y"] == [WITH_CRAVING]  # not the 10 (or 20) who sent the form
    assert body["overall"]["n"] == WITH_CRAVING
    # Strength 1, 2, 3 and hardest 5 each: ((1+5)/2 + (2+5)/2 + (3+5)/2) / 3 = 3.5 (shown at k = 3).
    assert body["overall"]["mean"] == pytest.approx(3.5)


def test_the_group_page_meetings_table_counts_people(coordinator) -> None:
    page = coordinator.get("/groups/PPL").get_data(as_text=True)
    assert f'<td class="num">{PEOPLE}</td>' in page
    assert ">People</th>" in page


def test_the_report_counts_people(coordinator) -> None:
    page = coordinator.get("/groups/PPL/dashboard/report?grain=meeting").get_data(as_text=True)
    assert f"{PEOPLE} people in total" in page
    assert f"{2 * PEOPLE} questionnaires" not in page


def test_the_comments_page_counts_people(coordinator) -> None:
    page = coordinator.get("/groups/PPL/dashboard/comments?grain=meeting").get_data(as_text=True)
    assert f"{PEOPLE} people answered" in page


def test_submission_key_stays_out_of_the_response_export(coordinator) -> None:
    text = coordinator.get("/groups/PPL/dashboard/responses.csv").get_data(as_text=True)
    header = text.splitlines()[0]
    assert "submission" not in header and "token" not in header


def test_a_questionnaires_people_are_those_who_answered_it(coordinator) -> None:
    # All ten sent the form with both questionnaires on it; seven left every craving question empty.
    body = coordinator.get("/groups/PPL/dashboard/participation.json?grain=meeting&instrument=craving").get_json()
    assert [p["n"] for p in body["data"]] == [WITH_CRAVING]
    body = coordinator.get("/groups/PPL/dashboard/participation.json?grain=meeting&instrument=checkin").get_json()
    assert [p["n"] for p in body["data"]] == [PEOPLE]
