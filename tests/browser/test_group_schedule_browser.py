"""A coordinator creates a group that meets twice a week, in Chromium, without any script doing the work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Group, MeetingSchedule
from tests.coordinator_support import PASSWORD, add_user

from .conftest import axe_violations, describe, has_horizontal_scroll

pytestmark = pytest.mark.browser

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}


def log_in(page: Any, base: str, email: str) -> None:
    """Log in through the form."""
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/groups")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_coordinator_creates_a_twice_weekly_group(live_server, new_context, javascript) -> None:
    add_user(live_server.app, "coordinator@example.org")
    page = new_context(
        **DESKTOP, locale="en-US", timezone_id="America/Chicago", java_script_enabled=javascript
    ).new_page()
    log_in(page, live_server.url, "coordinator@example.org")
    page.goto(live_server.url + "/groups/new")
    assert "an hour before each meeting until 24 hours after it starts" in page.inner_text("fieldset.schedule")
    page.fill("#name", "Twice a week")
    page.fill("#code", "TWICEBR2")
    page.select_option("#timezone", "America/Chicago")
    page.select_option("#repeating-0-weekday", label="Monday")
    page.fill("#repeating-0-starts_at", "19:00")
    page.select_option("#repeating-1-weekday", label="Thursday")
    page.fill("#repeating-1-starts_at", "18:30")
    page.click("button.primary[type=submit]")
    page.wait_for_url(live_server.url + "/groups/TWICEBR2")
    facts = page.inner_text("dl.facts")
    assert "Every Monday at 19:00: answers count from Monday 18:00 to Tuesday 19:00" in facts
    assert "Every Thursday at 18:30: answers count from Thursday 17:30 to Friday 18:30" in facts
    with live_server.app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(code="TWICEBR2"))
        rows = db.session.execute(
            select(MeetingSchedule.kind, MeetingSchedule.weekday, MeetingSchedule.starts_at)
            .filter_by(group_id=group_id)
            .order_by(MeetingSchedule.id)
        ).all()
    assert [tuple(row) for row in rows] == [("weekly", 0, dt.time(19)), ("weekly", 3, dt.time(18, 30))]


def test_an_overlapping_schedule_is_refused_in_the_browser_and_the_form_stays_accessible(
    live_server, new_context
) -> None:
    add_user(live_server.app, "coordinator@example.org", groups={"BROWSEEN": "manager"})
    page = new_context(viewport={"width": 390, "height": 844}, locale="en-US").new_page()
    log_in(page, live_server.url, "coordinator@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/edit")
    page.select_option("#repeating-0-weekday", label="Monday")
    page.fill("#repeating-0-starts_at", "19:00")
    page.select_option("#repeating-1-weekday", label="Tuesday")
    page.fill("#repeating-1-starts_at", "19:00")
    page.click("button.primary[type=submit]")
    assert "are too close: their answer windows overlap" in page.inner_text("#schedule-problems")
    assert axe_violations(page) == [], describe(axe_violations(page))
    assert not has_horizontal_scroll(page)
    with live_server.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(MeetingSchedule)) == 0
