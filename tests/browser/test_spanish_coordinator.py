"""A Spanish-speaking coordinator's path in Chromium (phone and desktop): no English interface text on the way.

The page text is read from the live DOM after the charts are drawn, so plotly.js's own text (axis
ticks, legends, the mode bar's button titles) is checked too. The whole path goes through the real
interface: log in, create a group that meets twice a week, the questionnaires and their preview, the
"now" screen, the poster, the dashboards, the report and the CSV downloads (by design the CSV headers
are stable machine names in every language; what a person reads in them is Spanish).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from pathlib import Path
from typing import Any

import pytest

from survey import catalog
from survey.dashboard.exports import AGGREGATE_COLUMNS, CODEBOOK_COLUMNS
from survey.extensions import db
from survey.instruments import ITEM_TYPES
from survey.instruments.length import FORM_SECONDS
from survey.models import Group, MeetingSchedule, User
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


ADMIN = "administradora@example.org"
NEW_GROUP = "Grupo Lunes y Jueves"


def log_in(page: Any, base: str, email: str) -> None:
    """Log in through the Spanish form."""
    page.goto(base + "/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(base + "/groups")


def checkin_length(app: Any) -> tuple[int, int]:
    """Return the check-in's questions and whole minutes on a phone: each item type's seconds, plus the form's."""
    with app.app_context():
        checkin = catalog.registry().get("checkin")
        assert checkin is not None
        typical = sum(ITEM_TYPES[item.type].seconds for item in checkin.items)
        seconds = FORM_SECONDS + max(typical, math.ceil(float(checkin.estimated_minutes) * 60))
        return len(checkin.items), max(1, math.ceil(seconds / 60))


def downloaded(page: Any, link: str) -> list[list[str]]:
    """Click a download link and return the CSV's rows."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link, exact=True).click()
    return list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))


def create_twice_weekly_group(page: Any, base: str, data: set[str]) -> None:
    """Create a Spanish group meeting on Mondays at 19:00 and Thursdays at 18:30 through the group form."""
    page.get_by_role("link", name="Nuevo grupo", exact=True).click()
    page.wait_for_url(base + "/groups/new")
    assert english_on(page, data) == []
    page.fill("#name", NEW_GROUP)
    page.fill("#code", "LUNJUE")
    page.select_option("#default_locale", "es")
    page.select_option("#timezone", "America/Mexico_City")
    page.select_option("#repeating-0-weekday", "0")
    page.fill("#repeating-0-starts_at", "19:00")
    page.select_option("#repeating-1-weekday", "3")
    page.fill("#repeating-1-starts_at", "18:30")
    page.check("input[name=instruments][value=checkin]")
    page.get_by_role("button", name="Crear el grupo").click()
    page.wait_for_url(base + "/groups/LUNJUE")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_spanish_coordinator_walks_the_whole_path_without_meeting_english(live_server, new_context, size):
    app, base = live_server.app, live_server.url
    data = seed(app) | {NEW_GROUP, "LUNJUE", "America/Mexico City", "Mexico City", "checkin"}
    questions, minutes = checkin_length(app)
    page = new_context(**size, locale="es-MX", timezone_id="America/Mexico_City").new_page()
    log_in(page, base, EMAIL)
    create_twice_weekly_group(page, base, data)
    facts = page.inner_text("dl.facts")
    assert f"{questions} preguntas, cerca de {minutes} minutos en un teléfono" in facts
    assert english_on(page, data) == []
    with app.app_context():
        group_id = db.session.scalar(db.select(Group.id).filter_by(code="LUNJUE"))
        rows = db.session.execute(
            db.select(MeetingSchedule.weekday, MeetingSchedule.starts_at).filter_by(group_id=group_id)
        ).all()
    assert sorted(tuple(row) for row in rows) == [(0, dt.time(19)), (3, dt.time(18, 30))]

    page.get_by_role("link", name="Mostrar el código QR ahora").click()
    page.wait_for_url(base + "/groups/LUNJUE/now")
    # Open or closed, the screen names a meeting day in Spanish word order ("jueves 3 de diciembre").
    assert re.search(r"(lunes|martes|jueves|viernes) \d+ de [a-z]+", page.inner_text("main"))
    assert english_on(page, data) == []
    page.go_back()
    page.get_by_role("link", name="Imprimir un cartel").click()
    page.wait_for_url(base + "/groups/LUNJUE/poster")
    assert english_on(page, data) == []

    page.get_by_role("link", name=f"Volver a {NEW_GROUP}").click()  # the printable poster has no menu
    page.wait_for_url(base + "/groups/LUNJUE")
    page.get_by_role("link", name="Cuestionarios", exact=True).click()
    page.wait_for_url(base + "/instruments")
    card = page.locator("section.card", has=page.locator("code", has_text="checkin")).first
    assert f"{questions} · cerca de {minutes} minutos en un teléfono" in card.inner_text()
    assert english_on(page, data) == []
    card.locator("a[lang=es]").click()
    page.wait_for_url("**/instruments/checkin/preview?lang=es")
    assert english_on(page, data) == []

    page.get_by_role("link", name="Volver a los cuestionarios").click()  # the preview is the participants' page
    page.wait_for_url(base + "/instruments")
    page.get_by_role("link", name="Grupos", exact=True).click()
    page.get_by_role("link", name="Group BROWSEES", exact=True).click()
    page.wait_for_url(base + "/groups/BROWSEES")
    page.get_by_role("link", name="Panel", exact=True).click()
    page.wait_for_url(base + "/groups/BROWSEES/dashboard", wait_until="domcontentloaded", timeout=30_000)
    wait_for_charts(page)
    assert english_on(page, data) == []
    for link, path in (("Preguntas", "items"), ("Comentarios", "comments")):
        page.locator("nav.dash-links").get_by_role("link", name=link, exact=True).click()
        page.wait_for_url(f"**/groups/BROWSEES/dashboard/{path}*", wait_until="domcontentloaded", timeout=30_000)
        wait_for_charts(page)
        assert english_on(page, data) == [], path
    page.get_by_role("link", name="Comparar grupos").click()
    page.wait_for_url("**/dashboard/compare*", wait_until="domcontentloaded", timeout=30_000)
    wait_for_charts(page)
    assert english_on(page, data) == []
    page.go_back()
    page.get_by_role("link", name="Informe para imprimir").click()
    page.wait_for_url("**/groups/BROWSEES/dashboard/report*", wait_until="domcontentloaded", timeout=30_000)
    wait_for_charts(page)
    assert english_on(page, data) == []
    page.go_back()
    [header, *figures] = downloaded(page, "Descargar estas cifras (CSV)")
    assert header[:4] == ["figura", "cuestionario", "escala", "agrupación"] and len(header) == len(AGGREGATE_COLUMNS)
    sentences = [row[AGGREGATE_COLUMNS.index(name)] for row in figures for name in ("reason", "note")]
    assert any(sentences) and english_in("\n".join(",".join(row) for row in [header, *figures]), data) == []


def test_a_spanish_admin_downloads_the_responses_and_a_spanish_codebook(live_server, new_context):
    data = seed(live_server.app)
    add_user(live_server.app, ADMIN, role="admin")
    page = new_context(**DESKTOP, locale="es-MX").new_page()
    log_in(page, live_server.url, ADMIN)
    page.goto(live_server.url + "/groups/BROWSEES/dashboard")
    wait_for_charts(page)
    assert english_on(page, data) == []
    [header, *responses] = downloaded(page, "Respuestas (CSV, administradores)")
    assert header[:2] == ["fila", "fecha de la reunión"] and "checkin.craving_now" in header
    assert len(responses) == 6 * 6  # six weeks of six answers (seed)
    [header, *codebook] = downloaded(page, "Libro de códigos")
    assert header[:3] == ["columna", "tipo de columna", "cuestionario"] and len(header) == len(CODEBOOK_COLUMNS)
    described = {row[0]: row for row in codebook}
    assert (
        described["fecha de la reunión"][CODEBOOK_COLUMNS.index("label")]
        == "Fecha de la reunión en la zona horaria del grupo"
    )
    readable = [row[CODEBOOK_COLUMNS.index(name)] for row in codebook for name in ("label", "values")]
    assert english_in("\n".join(readable), data) == []
