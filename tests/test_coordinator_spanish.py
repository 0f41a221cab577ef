"""A Spanish-speaking coordinator's pages are Spanish: no English interface text on any page, chart or codebook.

The check (tests/english_text.py) looks for the catalogue's English sentences and for common English
words, once data (group names, e-mail addresses, instrument text) is taken out; the English run of
the same pages shows that it finds English where there is some.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json

import pytest
from sqlalchemy import select

from survey import catalog
from survey.coordinator.posters import now_lines, poster_lines
from survey.dashboard import csv_words
from survey.extensions import db
from survey.instruments import ITEM_TYPES
from survey.models import Group, User
from survey.timezones import place_zones

from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in
from .english_text import english_in, instrument_texts, visible_text

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
NAME = "Grupo Esperanza"


def checkin(confidence: float, comment: str | None = None) -> dict[str, object]:
    """One check-in's answers (every scale scored)."""
    answers: dict[str, object] = {
        "confidence_overall": confidence,
        "confidence_urge": confidence - 1,
        "craving_now": 10 - confidence,
        "belonged": 4.0,
        "honest": 4.0,
        "outsider": 2.0,
        "helpful": 4.0,
    }
    if comment:
        answers["comment"] = comment
    return answers


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def seeded(app):
    """A Spanish-default group with six weekly meetings of five or more answers, an admin and a coordinator."""
    with app.app_context():
        group = add_group("ESPA", k=5)
        group.name, group.default_locale = NAME, "es"
        db.session.commit()
        for week in range(6):
            day = MONDAY + dt.timedelta(weeks=week)
            answers = [checkin(5 + (i + week) % 4, "Me sirvió mucho" if i == 0 else None) for i in range(6)]
            add_responses(group, day, answers, locale="es", participants=[f"p{i}" for i in range(6)])
        add_responses(group, MONDAY + dt.timedelta(weeks=6), [checkin(6)] * 2, locale="es")  # a hidden meeting
        admin = add_user("admin", email="admin@example.org")
        coordinator = add_user("coordinator", {group: "manager"}, email="coordinadora@example.org")
        return {"group": group.id, "admin": admin.id, "coordinator": coordinator.id}


def data_of(app) -> set[str]:
    """The data a page may show whatever the language: names, codes, e-mails, instruments, zones."""
    with app.app_context():
        groups = db.session.scalars(select(Group)).all()
        users = db.session.scalars(select(User)).all()
        found = {g.name for g in groups} | {g.code for g in groups} | {u.email for u in users}
        zones = {zone.replace("_", " ") for zone in place_zones()}
        return found | instrument_texts(catalog.registry().all()) | zones | {"UTC"}


def login_as(app, client, user_id: int) -> None:
    with app.app_context():
        log_in(client, app, db.session.get(User, user_id))


COORDINATOR_PAGES = [
    "/groups",
    "/groups?archived=1",
    "/groups/new",
    "/groups/ESPA",
    "/groups/ESPA/edit",
    "/groups/ESPA/now",
    "/groups/ESPA/poster",
    "/instruments",
    "/instruments/checkin/preview?lang=es",
    "/account/password",
    "/users",
    "/users/new",
    "/audit",
    "/admin/retention",
    "/groups/ESPA/dashboard",
    "/groups/ESPA/dashboard?grain=meeting",
    "/groups/ESPA/dashboard?lang=en",
    "/groups/ESPA/dashboard/items",
    "/groups/ESPA/dashboard/comments",
    "/groups/ESPA/dashboard/comments?grain=meeting",
    "/groups/ESPA/dashboard/report",
    "/dashboard/compare",
    "/groups/NOSUCH",
]


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_every_coordinator_page_has_no_english_for_a_spanish_coordinator(app, client, seeded, path) -> None:
    login_as(app, client, seeded["admin"])
    response = client.get(path, headers=SPANISH)
    assert response.status_code in (200, 400, 404), path
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert english_in(visible_text(page), data_of(app)) == []


def test_the_check_finds_english_on_the_english_pages(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    # (The report is not among them: it is always in the group's language, Spanish for ESPA.)
    for path in ("/groups/ESPA", "/groups/ESPA/dashboard"):
        page = client.get(path, headers=ENGLISH).get_data(as_text=True)
        assert english_in(visible_text(page), data_of(app)), path


def test_a_bad_filter_is_refused_in_spanish(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    refused = client.get("/groups/ESPA/dashboard?grain=fortnight", headers=SPANISH)
    assert refused.status_code == 400
    said = "Valor desconocido de grain: 'fortnight'. Elija uno de estos: auto, meeting, month, week."
    assert said in html.unescape(refused.text)
    assert "<h1>No se pudo entender la solicitud</h1>" in refused.text
    missing = client.get("/groups/NOSUCH", headers=SPANISH)
    assert missing.status_code == 404 and "<h1>No encontramos la página</h1>" in missing.text
    by_meeting = client.get("/dashboard/compare?grain=meeting", headers=SPANISH)
    assert by_meeting.status_code == 400
    assert "Los grupos se reúnen en días distintos: compare por semana o por mes." in by_meeting.text
    no_questionnaire = client.get("/groups/ESPA/dashboard/trend/nosuch/craving.json", headers=SPANISH)
    assert no_questionnaire.status_code == 404
    assert "Este grupo no tiene el cuestionario 'nosuch'." in html.unescape(no_questionnaire.text)
    no_scale = client.get("/groups/ESPA/dashboard/trend/checkin/nosuch.json", headers=SPANISH)
    assert no_scale.status_code == 404
    assert "El cuestionario 'checkin' no tiene la escala 'nosuch'." in html.unescape(no_scale.text)
    no_period = client.get("/groups/ESPA/dashboard/items?grain=week&period=2020-01-06", headers=SPANISH)
    assert no_period.status_code == 400
    said = (
        "No hay resultados publicados para un período (semana) que empiece el 6 de enero de 2020;"
        " elija uno de los períodos de la lista."
    )
    assert said in html.unescape(no_period.text)


def test_the_login_page_and_its_messages_are_spanish(app, client, seeded) -> None:
    page = client.get("/login", headers=SPANISH).get_data(as_text=True)
    assert english_in(visible_text(page), data_of(app)) == []
    failed = client.post("/login", data={"email": "admin@example.org", "password": "wrong"}, headers=SPANISH)
    assert failed.status_code == 401
    assert "no corresponden a ninguna cuenta activa" in failed.get_data(as_text=True)
    empty = client.post("/login", data={}, headers=SPANISH).get_data(as_text=True)
    assert "Escriba su correo electrónico." in empty
    redirected = client.get("/groups", headers=SPANISH, follow_redirects=True).get_data(as_text=True)
    assert "Inicie sesión para ver esta página." in redirected


def figure_strings(value: object) -> list[str]:
    """Every text a figure draws: titles, names, hover texts, tick labels and annotations."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, part in value.items():
            if key in ("text", "name", "hovertext", "ticktext", "hovertemplate") and isinstance(part, str):
                found.append(part)
            elif key in ("hovertext", "ticktext", "text") and isinstance(part, list):
                found += [p for p in part if isinstance(p, str)]
            else:
                found += figure_strings(part)
    elif isinstance(value, list):
        for part in value:
            found += figure_strings(part)
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/groups/ESPA/dashboard/trend/checkin/self_efficacy.json",
        "/groups/ESPA/dashboard/trend/checkin/self_efficacy.json?grain=meeting",
        "/groups/ESPA/dashboard/participation.json",
        "/groups/ESPA/dashboard/engagement.json",
        "/groups/ESPA/dashboard/items.json",
        "/dashboard/compare/self_efficacy.json?instrument=checkin&grain=week",
    ],
)
def test_charts_have_spanish_titles_axes_legends_and_hover_texts(app, client, seeded, path) -> None:
    login_as(app, client, seeded["admin"])
    body = client.get(path, headers=SPANISH).get_json()
    figures = body.get("figures") or [body["figure"]]
    text = "\n".join(visible_text(s.replace("<br>", " ")) for s in figure_strings(figures))
    assert text.strip()
    assert english_in(text, data_of(app)) == []


def test_a_spanish_trend_chart_says_puntaje_medio_and_formats_dates_in_spanish(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    path = "/groups/ESPA/dashboard/trend/checkin/self_efficacy.json?grain=week"
    figure = client.get(path, headers=SPANISH).get_json()["figure"]
    layout = figure["layout"]
    assert layout["yaxis"]["title"]["text"] == "Puntaje medio"
    assert layout["xaxis"]["title"]["text"] == "Semana que empieza el"
    assert "sem. 5 ene 2026" in layout["xaxis"]["ticktext"]  # MONDAY, 2026-01-05


def test_numbers_use_the_spanish_decimal_comma(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    report = client.get("/groups/ESPA/dashboard?grain=week", headers=SPANISH).get_data(as_text=True)
    english = client.get("/groups/ESPA/dashboard?grain=week", headers=ENGLISH).get_data(as_text=True)
    # Week one's self-efficacy: the scale is the mean of confidence_overall and confidence_urge (c and c - 1),
    # c = 5, 6, 7, 8, 5, 6 for the six answers: the mean of (c + c - 1) / 2 is (37 - 3) / 6 = 5.666...
    assert "<td>5,67</td>" in report and "<td>5.67</td>" in english


def test_every_item_type_and_scale_method_has_a_csv_word() -> None:
    # The codebook's type column names the item type or scale method; a new one must not stay an English code.
    assert set(ITEM_TYPES) | {"mean", "sum"} <= set(csv_words.CODES)


def test_the_csv_files_are_spanish_and_keep_item_ids_and_english_machine_names(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    spanish = list(csv.DictReader(io.StringIO(client.get("/groups/ESPA/dashboard/codebook.csv", headers=SPANISH).text)))
    english = list(csv.DictReader(io.StringIO(client.get("/groups/ESPA/dashboard/codebook.csv", headers=ENGLISH).text)))
    assert list(english[0])[:3] == ["column", "kind", "instrument"]  # ui=en: the machine names scripts read
    assert list(spanish[0])[:3] == ["columna", "tipo de columna", "cuestionario"]
    rows = {r["columna"]: r for r in spanish}
    assert rows["fecha de la reunión"]["etiqueta"] == "Fecha de la reunión en la zona horaria del grupo"
    assert rows["checkin.craving_now"]["etiqueta"] == "En este momento, ¿qué tan fuertes son tus ganas de consumir?"
    assert rows["checkin.craving_now"]["valores"] == "0 a 10"
    assert rows["checkin.craving_now"]["tipo de columna"] == "pregunta"
    assert {r["column"] for r in english} - {
        "row",
        "meeting_date",
        "language",
        "instrument",
        "version",
        "participant",
    } == {r["columna"] for r in spanish} - {
        "fila",
        "fecha de la reunión",
        "idioma",
        "cuestionario",
        "versión",
        "participante",
    }  # the same item ids
    text = client.get("/groups/ESPA/dashboard/codebook.csv", headers=SPANISH).text
    for column in sorted((r["columna"] for r in spanish), key=len, reverse=True):  # ids, not words
        text = text.replace(column, "")
    assert english_in(text, data_of(app)) == []
    figures = client.get("/groups/ESPA/dashboard/export.csv", headers=SPANISH).text
    header = figures.splitlines()[0]
    assert header.startswith("figura,cuestionario,escala,agrupación,idioma,inicio del período,n,oculto,motivo,media")
    assert english_in(figures, data_of(app)) == []
    stable = client.get("/groups/ESPA/dashboard/export.csv?ui=en", headers=SPANISH).text.splitlines()[0]
    assert stable.startswith("figure,instrument,scale,grain,language,period_start,n,suppressed")  # for scripts
    responses = client.get("/groups/ESPA/dashboard/responses.csv", headers=SPANISH).text.splitlines()[0]
    assert responses.startswith("fila,fecha de la reunión,idioma,cuestionario,versión,participante,checkin.")


def test_flash_messages_and_form_errors_are_spanish(app, client, seeded) -> None:
    login_as(app, client, seeded["coordinator"])
    empty = client.post("/groups/new", data={"min_group_size": "2"}, headers=SPANISH)
    page = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert "Dé un nombre al grupo." in page and "Use un número de al menos 3." in page
    assert "Corrija los campos marcados abajo." in page
    form = {"name": "Martes", "default_locale": "es", "timezone": "America/Mexico_City", "instruments": "checkin"}
    form |= {"repeating-0-weekday": "1", "repeating-0-starts_at": "19:00", "repeating-0-repeat": "weekly"}
    form |= {"min_group_size": "5"}
    created = client.post("/groups/new", data=form, headers=SPANISH, follow_redirects=True)
    assert "Se creó el grupo “Martes”" in created.get_data(as_text=True)
    assert "Cada martes a las 19:00: las respuestas cuentan desde el martes 18:00" in created.get_data(as_text=True)
    assert english_in(visible_text(created.get_data(as_text=True)), data_of(app)) == []


def test_the_archive_confirmation_and_its_result_are_spanish(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    asked = client.post("/groups/ESPA/archive", headers=SPANISH).get_data(as_text=True)
    assert "¿Archivar" in asked and english_in(visible_text(asked), data_of(app)) == []
    done = client.post("/groups/ESPA/archive", data={"confirmed": "1"}, headers=SPANISH, follow_redirects=True)
    assert f"“{NAME}” está archivado y cerrado a respuestas." in done.get_data(as_text=True)


def test_an_english_coordinator_sees_the_wall_text_in_the_groups_languages(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    now = client.get("/groups/ESPA/now", headers=ENGLISH).get_data(as_text=True)
    spanish = '<p class="now-invite" lang="es">Escanee el código'
    english = '<p class="now-invite" lang="en">Scan the code'
    assert spanish in now and english in now and now.index(spanish) < now.index(english)  # the default first
    assert "Refresh the count" in now and '<html lang="en">' in now  # the coordinator's own words stay English
    poster = client.get("/groups/ESPA/poster", headers=ENGLISH).get_data(as_text=True)
    assert 'lang="es">Después de la reunión' in poster and "Back to Grupo Esperanza" in poster


def test_a_spanish_only_group_has_spanish_wall_text_and_two_languages_have_both(app) -> None:
    with app.test_request_context(headers=ENGLISH):
        (only,) = now_lines(["es"], 3, archived=False)
        assert only.lang == "es" and only.invitation.startswith("Escanee el código")
        assert only.counted == "respuestas para esta reunión"
        assert [line.lang for line in now_lines(["es", "en"], 1, archived=True)] == ["es", "en"]
        assert [lang for lang, _i, _p in poster_lines(["es"], 3)] == ["es"]
        assert [lang for lang, _i, _p in poster_lines(["fr"], 3)] == ["en"]  # no words in French: English


def test_the_preview_banner_is_in_the_coordinators_language(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    page = client.get("/instruments/checkin/preview?lang=en", headers=SPANISH).get_data(as_text=True)
    assert '<div class="preview-banner" role="note" lang="es">' in page and "Vista previa para coordinadores." in page
    assert "Right now, how strong is your urge to use?" in page  # the questionnaire in the previewed language


def test_dashboard_locale_for_plotly_is_handed_over_without_a_script(app, client, seeded) -> None:
    login_as(app, client, seeded["admin"])
    page = client.get("/groups/ESPA/dashboard", headers=SPANISH).get_data(as_text=True)
    attribute = page.split("data-plotly-locale='", 1)[1].split("'", 1)[0]
    locale = json.loads(attribute.replace("&#34;", '"').replace("&quot;", '"'))
    assert locale["code"] == "es" and locale["dictionary"]["Download plot as a PNG"] == "Descargar el gráfico como PNG"
    assert locale["format"]["decimal"] == "," and locale["format"]["shortMonths"][0] == "ene"
    english = client.get("/groups/ESPA/dashboard", headers=ENGLISH).get_data(as_text=True)
    assert 'data-plotly-locale=\'{"code": "en"}\'' in english


def test_a_refused_form_token_says_so_in_spanish(make_app) -> None:
    client = make_app().test_client()  # CSRF protection on, as in production
    refused = client.post("/login", data={"email": "a@example.org", "password": "x"}, headers=SPANISH)
    assert refused.status_code == 400
    assert "El formulario venció o no vino de este sitio." in refused.text
    assert english_in(visible_text(refused.text)) == []
