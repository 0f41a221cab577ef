"""The dashboard in a real browser: every chart draws from its JSON endpoint under the strict CSP, no console error."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.extensions import db
from survey.models import Group
from tests.browser.test_coordinator_a11y import TABLET, log_in
from tests.coordinator_support import add_user
from tests.dashboard_support import MONDAY, add_responses

pytestmark = pytest.mark.browser


def test_dashboard_charts_draw_under_the_csp(live_server, new_context) -> None:
    app = live_server.app
    with app.app_context():
        group = db.session.query(Group).filter_by(code="BROWSEEN").one()
        for n in range(6):
            answers = [{"craving_now": float(v), "belonged": 4.0, "honest": 3.0, "outsider": 2.0} for v in range(2, 8)]
            add_responses(group, MONDAY + dt.timedelta(weeks=n), answers)
    add_user(app, "admin@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    for path in (
        "/groups/BROWSEEN/dashboard?grain=week",
        "/groups/BROWSEEN/dashboard/items?grain=week",
        "/groups/BROWSEEN/dashboard/report?grain=week",
    ):
        page.goto(live_server.url + path)
        slots = page.locator("[data-figure-src]")
        count = slots.count()
        assert count > 0
        for index in range(count):
            slots.nth(index).locator("svg.main-svg").first.wait_for()
        assert page.locator(".dash-error").count() == 0
        policy = page.evaluate("() => document.querySelectorAll('style').length")
        assert policy == 0  # plotly.js injected no <style> element
    # new_context fails the test if any page logged a console error (a CSP violation included).
