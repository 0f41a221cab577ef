"""Chart states in a real browser: rendered tick labels, band colours and escaped group names."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Group
from tests.browser.test_coordinator_a11y import TABLET, log_in
from tests.coordinator_support import add_user
from tests.dashboard_support import MONDAY, add_responses

pytestmark = pytest.mark.browser

HOSTILE = '<a href="https://evil.example/x">x</a>'


def test_one_meeting_ticks_colours_and_a_hostile_name(live_server, new_context) -> None:
    app = live_server.app
    with app.app_context():
        group = db.session.query(Group).filter_by(code="BROWSEEN").one()
        group.name = HOSTILE
        answers = [{"craving_now": float(v), "belonged": 4.0, "honest": 3.0, "outsider": 2.0} for v in range(2, 8)]
        add_responses(group, MONDAY, answers)
    add_user(app, "admin@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/dashboard?grain=meeting")
    slot = page.locator("[data-figure-src*='craving']").first
    slot.locator("svg.main-svg").first.wait_for()
    ticks = slot.locator(".xtick text").all_text_contents()
    assert ticks == ["5 Jan 2026"]
    assert not any(":" in t for t in ticks)
    bands = slot.evaluate("el => el.layout.shapes.map(s => [s.name, s.fillcolor])")
    colours = dict(bands)
    assert colours["High"].startswith("rgba(200,60,40")  # higher craving is worse: red
    assert colours["Low"].startswith("rgba(40,140,60")
    page.goto(live_server.url + "/dashboard/compare?grain=month")
    chart = page.locator("[data-figure-src]").first
    chart.locator("svg.main-svg").first.wait_for()
    assert chart.locator("svg a").count() == 0
    assert HOSTILE in " ".join(chart.locator(".xtick text").all_text_contents())
