"""The report as printed by Chromium: tables expanded, navigation hidden, a PDF that holds the figures."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.extensions import db
from survey.models import Group
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_coordinator_a11y import log_in
from tests.coordinator_support import add_user
from tests.dashboard_support import MONDAY, add_responses

pytestmark = pytest.mark.browser
A4 = {"viewport": {"width": 794, "height": 1123}, "is_mobile": False, "has_touch": False}


def seed_three_meetings(app) -> None:
    """Three Monday meetings, weeks in the past, of five check-ins each."""
    with app.app_context():
        group = db.session.query(Group).filter_by(code="BROWSEEN").one()
        for week in range(3):
            answers = [{"confidence_overall": float(v), "craving_now": float(v - 1)} for v in range(3 + week, 8 + week)]
            add_responses(group, MONDAY + dt.timedelta(weeks=week), answers)
    app.config["SURVEY_ORGANISATION_NAME"] = "Harbour Recovery Community"


def test_report_prints_with_tables_expanded(live_server, new_context) -> None:
    seed_three_meetings(live_server.app)
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**A4, locale="es-ES").new_page()  # a Spanish browser: the English group's report stays English
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/dashboard/report?grain=meeting")
    page.locator(".dash-chart svg.main-svg").first.wait_for()
    assert page.locator("h1").inner_text() == "Group BROWSEEN: participant feedback report"
    slot = page.locator("[data-figure-src*='self_efficacy']").first
    slot.locator("svg.main-svg").first.wait_for()
    bands = [name for name, _colour in slot.evaluate("el => el.layout.shapes.map(s => [s.name, s.fillcolor])")]
    assert "Higher confidence" in bands  # the charts too are in the group's language, not the browser's
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".dash-links").is_visible()
    table = page.locator("details.dash-table table").first
    assert table.is_visible()
    # Confidence 3..7 at the first meeting: mean 5.00.
    assert "5.00" in table.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2


def test_dashboard_tables_collapsed_on_screen_print_expanded(live_server, new_context) -> None:
    seed_three_meetings(live_server.app)
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**A4, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/dashboard?grain=meeting")
    table = page.locator("details.dash-table table").first
    assert not table.is_visible()  # closed on screen
    page.emulate_media(media="print")
    assert table.is_visible()


def test_report_of_a_group_without_answers_prints_in_its_language(live_server, new_context) -> None:
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**A4, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEES/dashboard/report")
    page.emulate_media(media="print")
    text = page.locator("article").inner_text()
    assert "Aún no hay respuestas en el periodo elegido" in text
    assert "2000" not in text
    assert page.locator(".dash-chart").count() == 0
    page.screenshot(path=str(ARTIFACTS / "report-empty-print.png"), full_page=True)


def test_report_of_one_meeting_prints_one_period(live_server, new_context) -> None:
    with live_server.app.app_context():
        group = db.session.query(Group).filter_by(code="BROWSEEN").one()
        add_responses(group, MONDAY, [{"confidence_overall": float(v), "craving_now": 3.0} for v in range(3, 8)])
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**A4, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/dashboard/report")
    slot = page.locator("[data-figure-src*='self_efficacy']").first
    slot.locator("svg.main-svg").first.wait_for()
    assert slot.locator(".xtick text").all_text_contents() == ["5 Jan 2026"]
    page.emulate_media(media="print")
    facts = page.locator(".report-facts").inner_text()
    assert "January 5, 2026" in facts and "5 people in total" in facts and "1 of 1 meeting had answers" in facts
    page.screenshot(path=str(ARTIFACTS / "report-one-meeting-print.png"), full_page=True)
