"""A Spanish-speaking coordinator's path in Chromium (phone and desktop): no English interface text on the way.

The page text is read from the live DOM after the charts are drawn, so plotly.js's own text (axis
ticks, legends, the mode bar's button titles) is checked too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from survey import catalog
from survey.extensions import db
from survey.models import Group, User
from survey.timezones import place_zones
from tests.browser.conftest import PHONE
from tests.coordinator_support import PASSWORD, add_user
from tests.dashboard_support import MONDAY, add_responses
from tests.english_text import english_in, instrument_texts, visible_text

pytestmark = pytest.mark.browser

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
EMAIL = "coordinadora@example.org"


def seed(app: Any) -> set[str]:
    """Give BROWSEES (Spanish default) six weeks of answers and a coordinator who manages it; return the data."""
    with app.app_context():
        group = db.session.query(Group).filter_by(code="BROWSEES").one()
        for week in range(6):
            answers = [
                {"confidence_overall": float(5 + (i + week) % 4), "craving_now": float(i), "belonged": 4.0}
                for i in range(6)
            ]
            add_responses(group, MONDAY + dt.timedelta(weeks=week), answers, locale="es")
    add_user(app, EMAIL, groups={"BROWSEES": "manager"})
    with app.app_context():
        names = {g.name for g in db.session.query(Group)} | {g.code for g in db.session.query(Group)}
        emails = {u.email for u in db.session.query(User)}
        zones = {zone.replace("_", " ") for zone in place_zones()}
        return names | emails | zones | instrument_texts(catalog.registry().all()) | {"UTC"}


def english_on(page: Any, data: set[str]) -> list[str]:
    """Return the English interface text of the page as the browser shows it now."""
    return english_in(visible_text(page.content()), data)


def wait_for_charts(page: Any) -> None:
    """Wait until every chart slot holds a drawn plotly figure."""
    slots = page.locator("[data-figure-src]")
    for index in range(slots.count()):
        slots.nth(index).locator("svg.main-svg").first.wait_for()
    assert page.locator(".dash-error").count() == 0


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_spanish_coordinator_logs_in_and_reads_the_group_dashboard_and_report(live_server, new_context, size):
    data = seed(live_server.app)
    page = new_context(**size, locale="es-MX").new_page()
    base = live_server.url
    page.goto(base + "/login")
    assert page.locator("html").get_attribute("lang") == "es"
    assert english_on(page, data) == []
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(base + "/groups")
    assert english_on(page, data) == []
    page.get_by_role("link", name="Group BROWSEES", exact=True).click()
    page.wait_for_url(base + "/groups/BROWSEES")
    assert english_on(page, data) == []
    page.get_by_role("link", name="Panel", exact=True).click()
    page.wait_for_url(base + "/groups/BROWSEES/dashboard", wait_until="domcontentloaded", timeout=30_000)
    wait_for_charts(page)
    assert english_on(page, data) == []
    page.get_by_role("link", name="Informe para imprimir").click()
    page.wait_for_url("**/groups/BROWSEES/dashboard/report*", wait_until="domcontentloaded", timeout=30_000)
    wait_for_charts(page)
    assert english_on(page, data) == []
    titles = page.locator(".modebar-btn").evaluate_all("buttons => buttons.map(b => b.getAttribute('data-title'))")
    assert "Descargar el gráfico como PNG" in titles  # plotly.js's own words, through its locale config
    assert not [t for t in titles if "Share" in t]  # no button that sends the figure to plotly's cloud
