"""The funder-ready report: organisation, period in words, generation time, people and questionnaires apart,
every chart's numbers printed, a note on method and privacy, and all of it in the group's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from survey.dashboard.funder_report import generated_in_words, period_in_words
from survey.extensions import db
from survey.models import Group, Response

from .dashboard_support import add_group, add_responses, add_user, log_in

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')
DAY = dt.date(2026, 10, 6)  # weeks in the past, so any release rule has let these meetings out


def checkin(confidence: int, craving: int) -> dict[str, object]:
    """One check-in's answers."""
    return {"confidence_overall": confidence, "craving_now": craving, "helpful": 4}


def coordinator_for(app: Flask):
    """Return a client logged in as an admin."""
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    return client


@pytest.fixture
def one_meeting(make_app):
    app = make_app(SURVEY_ORGANISATION_NAME="Harbour Recovery Community")
    with app.app_context():
        group = add_group("RPT", k=3, instruments=("checkin", "craving"))
        add_responses(group, DAY, [checkin(v, 2) for v in (4, 6, 8, 9)])
        # Two of the four also answered the craving questionnaire: 4 people, 6 questionnaires.
        add_responses(group, DAY, [{"strength_now": 3, "frequency": 2}] * 2, instrument_id="craving")
        same_sendings(group)
    return app


def same_sendings(group: Group) -> None:
    """Make each craving questionnaire part of one check-in's sending, as one form with both would store them."""
    responses = db.session.query(Response).filter_by(group_id=group.id).order_by(Response.id).all()
    checkins = [r for r in responses if r.instrument_version.instrument_id == "checkin"]
    cravings = [r for r in responses if r.instrument_version.instrument_id == "craving"]
    for first, second in zip(checkins, cravings, strict=False):
        second.submission = first.submission
    db.session.commit()


def test_period_in_words_in_english_and_spanish(app: Flask) -> None:
    start, end = dt.date(2026, 9, 1), dt.date(2026, 11, 30)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert period_in_words(start, end, "en") == "September 1 to November 30, 2026"
        assert period_in_words(start, start, "en") == "September 1, 2026"
        assert period_in_words(dt.date(2025, 12, 1), end, "en") == "December 1, 2025 to November 30, 2026"
        assert period_in_words(None, end, "en") == ""
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert period_in_words(start, end, "es") == "del 1 de septiembre al 30 de noviembre de 2026"


def test_generated_names_the_groups_time_zone(app: Flask) -> None:
    now = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        # 23:30 UTC is already 3 December in Auckland (UTC+13 in summer).
        assert (
            generated_in_words(now, "Pacific/Auckland", "en") == "December 3, 2026 at 12:30\u202fPM (Pacific/Auckland)"
        )


def test_report_heading_counts_people_and_questionnaires_apart(one_meeting: Flask) -> None:
    page = coordinator_for(one_meeting).get("/groups/RPT/dashboard/report").get_data(as_text=True)
    assert '<p class="report-org">Harbour Recovery Community</p>' in page
    assert "Group RPT: participant feedback report" in page
    assert "<dd>October 6, 2026</dd>" in page  # one meeting: the period is that one day
    assert "4 people in total" in page
    assert "6 questionnaires filled in" in page
    assert "1 of 1 meeting had answers" in page
    generated = re.search(r"<dt>Generated</dt>\s*<dd>([^<]+)</dd>", page)
    assert generated is not None and generated.group(1).endswith("(UTC)")
    assert str(dt.datetime.now(dt.UTC).year) in generated.group(1)


def test_report_without_organisation_setting_leaves_it_out(make_app) -> None:
    app = make_app()
    with app.app_context():
        add_group("NOORG", k=3)
    page = coordinator_for(app).get("/groups/NOORG/dashboard/report").get_data(as_text=True)
    assert "report-org" not in page


def test_report_prints_every_charts_numbers(one_meeting: Flask) -> None:
    page = coordinator_for(one_meeting).get("/groups/RPT/dashboard/report?grain=meeting").get_data(as_text=True)
    # The trend tables are open (printed expanded); confidence mean = (4+6+8+9)/4 = 6.75.
    assert page.count('<details class="dash-table" open>') >= 1
    assert "<td>6.75</td>" in page
    # Questionnaires per instrument, with the total; people per period and per meeting held.
    assert re.search(r"After-meeting check-in</th><td class=\"num\">4</td>", page)
    assert re.search(r"Craving right now</th><td class=\"num\">2</td>", page) or "Craving" in page
    assert re.search(r"All questionnaires</th><td class=\"num\">6</td>", page)
    assert "People who sent the form, per period" in page
    assert re.search(r"<td>Oct 6, 2026</td><td class=\"num\">4</td>", page)


def test_report_says_how_to_read_it(one_meeting: Flask) -> None:
    page = coordinator_for(one_meeting).get("/groups/RPT/dashboard/report").get_data(as_text=True)
    assert "n is the number of people behind a figure" in page
    assert "no figure is shown for fewer than 3 people" in page
    assert "Results appear after the survey closes" in page
    assert "Dates are meeting dates in the group’s time zone (UTC)." in page


def test_report_is_in_the_groups_language_not_the_readers(one_meeting: Flask) -> None:
    with one_meeting.app_context():
        group = db.session.query(Group).filter_by(code="RPT").one()
        group.default_locale = "es"
        db.session.commit()
    client = coordinator_for(one_meeting)
    page = client.get("/groups/RPT/dashboard/report", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Periodo" in page and "6 de octubre de 2026" in page
    assert "4 personas en total" in page
    assert "Confianza para mantener el rumbo" in page  # the scale's label from the instrument, in Spanish
    assert "Los resultados aparecen cuando se cierra la encuesta" in page
    assert "participant feedback report" not in page
    # The dashboard itself still follows the reader's browser.
    dashboard = client.get("/groups/RPT/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Confidence to stay on track" in dashboard


def test_report_of_a_group_without_answers(make_app) -> None:
    app = make_app()
    with app.app_context():
        add_group("EMPTY", k=3)
    response = coordinator_for(app).get("/groups/EMPTY/dashboard/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No answers in the period chosen yet" in page
    assert "0 people in total" in page and "0 questionnaires filled in" in page
    assert "Nobody has answered in the period chosen yet." in page
    assert "data-figure-src" not in page  # no empty chart drawn with an invented date axis
    assert "How much to trust the scales" not in page  # no section of empty tables either
    assert "2000" not in page


def test_report_period_follows_the_date_filter(one_meeting: Flask) -> None:
    page = (
        coordinator_for(one_meeting)
        .get("/groups/RPT/dashboard/report?from=2026-09-01&to=2026-11-30")
        .get_data(as_text=True)
    )
    assert "<dd>September 1 to November 30, 2026</dd>" in page


def test_report_charts_ask_for_the_groups_language(one_meeting: Flask) -> None:
    with one_meeting.app_context():
        group = db.session.query(Group).filter_by(code="RPT").one()
        group.default_locale = "es"
        db.session.commit()
    client = coordinator_for(one_meeting)
    page = client.get("/groups/RPT/dashboard/report", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/dashboard/trend/checkin/self_efficacy.json?ui=es" in page
    body = client.get(
        "/groups/RPT/dashboard/trend/checkin/self_efficacy.json?ui=es", headers={"Accept-Language": "en"}
    ).get_json()
    assert "Confianza para mantener el rumbo" in body["reading"]
    layout = body["figure"]["layout"]
    assert layout["yaxis"]["title"]["text"] == "Puntaje medio"
    assert layout["xaxis"]["ticktext"] == ["6 oct 2026"]  # Babel's Spanish month, not strftime's English
    engagement = client.get("/groups/RPT/dashboard/engagement.json?ui=es").get_json()["figure"]["layout"]
    assert "Personas por reunión" in [a["text"] for a in engagement["annotations"]]
    english = client.get("/groups/RPT/dashboard/trend/checkin/self_efficacy.json").get_json()
    assert "Confidence to stay on track" in english["reading"]


def test_an_unknown_interface_language_is_refused(one_meeting: Flask) -> None:
    response = coordinator_for(one_meeting).get("/groups/RPT/dashboard/trend/checkin/self_efficacy.json?ui=xx")
    assert response.status_code == 400
    assert "Unknown ui 'xx'" in response.get_data(as_text=True)
