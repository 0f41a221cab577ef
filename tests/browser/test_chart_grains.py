"""Chart states in a real browser: week and month grain, no answers, one meeting at each grain, and the band
colours of a scale where higher is worse, read from the rendered ticks, bars and shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from survey.extensions import db
from survey.models import Group
from tests.browser.test_coordinator_a11y import TABLET, log_in
from tests.coordinator_support import add_user
from tests.dashboard_support import MONDAY, add_responses

pytestmark = pytest.mark.browser
TUESDAY = MONDAY + dt.timedelta(days=1)
GREEN, RED = "rgba(40,140,60", "rgba(200,60,40"


def seed(app: Any, days: list[dt.date], code: str = "BROWSEEN") -> None:
    """Five check-ins at each of these meetings (k is 5), cravings rising from 2."""
    with app.app_context():
        group = db.session.query(Group).filter_by(code=code).one()
        for day in days:
            add_responses(group, day, [{"confidence_overall": 6.0, "craving_now": float(v)} for v in range(2, 7)])


def open_chart(live_server: Any, new_context: Any, path: str, scale: str) -> Any:
    """Log in, open a dashboard page and return its drawn chart slot for one scale."""
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + path)
    slot = page.locator(f"[data-figure-src*='{scale}']").first
    slot.locator("svg.main-svg").first.wait_for()
    return slot


def centres(locator: Any) -> list[float]:
    """Return the horizontal centres of the rendered elements, left to right."""
    boxes = [locator.nth(i).bounding_box() for i in range(locator.count())]
    return sorted(box["x"] + box["width"] / 2 for box in boxes if box)


def test_week_grain_ticks_name_the_week_starts_under_the_bars(live_server, new_context) -> None:
    seed(live_server.app, [TUESDAY + dt.timedelta(weeks=w) for w in range(3)])  # meetings on Tuesdays
    slot = open_chart(live_server, new_context, "/groups/BROWSEEN/dashboard?grain=week", "craving")
    ticks = slot.locator(".xtick text")
    assert ticks.all_text_contents() == ["wk 5 Jan 2026", "wk 12 Jan 2026", "wk 19 Jan 2026"]  # Mondays
    bars = slot.locator(".barlayer .point path")
    assert bars.count() == 3
    for tick, bar in zip(centres(ticks), centres(bars), strict=True):
        assert abs(tick - bar) < 3  # each bar sits under its own week's tick


def test_month_grain_ticks_are_the_months_only(live_server, new_context) -> None:
    days = [MONDAY, MONDAY + dt.timedelta(weeks=2), MONDAY + dt.timedelta(weeks=5), MONDAY + dt.timedelta(weeks=7)]
    seed(live_server.app, days)  # two meetings in January, two in February
    slot = open_chart(live_server, new_context, "/groups/BROWSEEN/dashboard?grain=month", "craving")
    assert slot.locator(".xtick text").all_text_contents() == ["Jan 2026", "Feb 2026"]
    counts = slot.locator(".ytick text").all_text_contents()
    assert counts and all("." not in c for c in counts)  # whole numbers on count axes


@pytest.mark.parametrize(
    ("grain", "tick"), [("meeting", "5 Jan 2026"), ("week", "wk 5 Jan 2026"), ("month", "Jan 2026")]
)
def test_one_meeting_gives_one_tick_at_every_grain(live_server, new_context, grain: str, tick: str) -> None:
    seed(live_server.app, [MONDAY])
    slot = open_chart(live_server, new_context, f"/groups/BROWSEEN/dashboard?grain={grain}", "self_efficacy")
    assert slot.locator(".xtick text").all_text_contents() == [tick]
    bar = slot.locator(".barlayer .point path").first.bounding_box()
    assert bar is not None and bar["width"] > 8  # a lone date bar is drawn, not a millisecond wide


def test_a_scale_nobody_answered_draws_a_message_and_no_invented_dates(live_server, new_context) -> None:
    seed(live_server.app, [MONDAY])  # confidence and craving answered, belonging never
    slot = open_chart(live_server, new_context, "/groups/BROWSEEN/dashboard", "belonging")
    assert slot.locator(".xtick text").all_text_contents() == []
    notes = " ".join(slot.locator(".annotation-text").all_text_contents())
    assert "No answers yet" in notes
    assert "2000" not in slot.inner_text()


def band_fills(slot: Any) -> dict[str, str]:
    """Return each band's name and the fill its rendered shape was painted with."""
    names = slot.evaluate("el => el.layout.shapes.map(s => s.name || '')")
    paths = slot.locator(".shapelayer path")
    fills = [paths.nth(i).evaluate("p => getComputedStyle(p).fill") for i in range(paths.count())]
    return {name: fill for name, fill in zip(names, fills, strict=False) if name}


def test_band_colours_follow_each_scales_direction(live_server, new_context) -> None:
    seed(live_server.app, [MONDAY, MONDAY + dt.timedelta(weeks=1)])
    craving = open_chart(live_server, new_context, "/groups/BROWSEEN/dashboard?grain=month", "craving")
    worse = band_fills(craving)
    assert worse["High"].startswith("rgb(200, 60, 40") and worse["Low"].startswith("rgb(40, 140, 60")
    confidence = craving.page.locator("[data-figure-src*='self_efficacy']").first
    confidence.locator("svg.main-svg").first.wait_for()
    better = band_fills(confidence)
    assert better["Higher confidence"].startswith("rgb(40, 140, 60")
    assert better["Lower confidence"].startswith("rgb(200, 60, 40")


def test_a_group_without_answers_draws_no_chart(live_server, new_context) -> None:
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(live_server.url + "/groups/BROWSEEN/dashboard")
    assert page.locator(".dash-empty h2").inner_text() == "No responses yet"
    assert page.locator("[data-figure-src]").count() == 0
