"""Admins upload instrument files in the browser: every problem listed, or stored and served by every app server."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, InstrumentUpload, InstrumentVersion, Response, User

from .coordinator_support import add_user, log_in_as
from .english_text import english_in, visible_text
from .participant_support import EVERY_TYPE_YAML, make_group, submit

VALID = EVERY_TYPE_YAML.lstrip()


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False, SURVEY_INSTRUMENTS_RECHECK_SECONDS=0)


@pytest.fixture
def admin(app):
    client = app.test_client()
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    return client


def upload(client, text: str | bytes, filename: str = "every_type.yaml", replace: bool = False):
    data = text.encode("utf-8") if isinstance(text, str) else text
    form = {"file": (io.BytesIO(data), filename)}
    if replace:
        form["replace"] = "1"
    return client.post("/instruments/upload", data=form, content_type="multipart/form-data")


def stored(app) -> tuple[int, int]:
    """Return how many uploads and upload audit events are stored."""
    with app.app_context():
        uploads = db.session.scalar(select(func.count()).select_from(InstrumentUpload))
        events = db.session.scalar(select(func.count()).where(AuditEvent.action == "instrument.upload"))
        return int(uploads or 0), int(events or 0)


def test_an_admin_uploads_an_instrument_and_it_is_listed(app, admin) -> None:
    assert "Upload an instrument" in admin.get("/instruments/upload").get_data(as_text=True)
    response = upload(admin, VALID)
    assert response.status_code == 302 and response.headers["Location"].endswith("/instruments")
    page = admin.get("/instruments").get_data(as_text=True)
    assert "Instrument every_type (version 1) is stored and served" in page
    assert "<code>every_type</code>" in page
    assert stored(app) == (1, 1)


def test_an_upload_is_answered_on_another_app_server_without_a_restart(make_app, app, admin) -> None:
    other = make_app(SURVEY_INSTRUMENTS_RECHECK_SECONDS=0)  # a second server on the same database
    make_group(app, instruments=("every_type",))
    participant = other.test_client()
    assert participant.get("/s/TESTGRP").status_code == 410  # not loaded anywhere yet: no questions
    assert upload(admin, VALID).status_code == 302
    page = participant.get("/s/TESTGRP")
    assert page.status_code == 200 and "Mood now" in page.get_data(as_text=True)
    assert submit(participant).status_code in {302, 303}
    with other.app_context():
        [version] = db.session.scalars(select(InstrumentVersion).join(Response)).all()
        assert version.instrument_id == "every_type"


def test_a_new_version_replaces_the_served_one_and_old_answers_keep_their_questions(make_app, app, admin) -> None:
    other = make_app(SURVEY_INSTRUMENTS_RECHECK_SECONDS=0)
    make_group(app, instruments=("every_type",))
    assert upload(admin, VALID).status_code == 302
    participant = other.test_client()
    assert submit(participant).status_code in {302, 303}
    changed = VALID.replace("Mood now", "Mood tonight").replace('version: "1"', 'version: "2"')
    refused = upload(admin, changed)
    assert refused.status_code == 400 and "tick" in refused.get_data(as_text=True)
    assert upload(admin, changed, replace=True).status_code == 302
    page = participant.get("/s/TESTGRP").get_data(as_text=True)
    assert "Mood tonight" in page and "Mood now" not in page
    assert submit(participant).status_code in {302, 303}
    with other.app_context():
        texts = [
            version.definition["items"][0]["text"]["en"]
            for version in db.session.scalars(select(InstrumentVersion).order_by(InstrumentVersion.id))
        ]
    assert texts == ["Mood now", "Mood tonight"]
    assert stored(app) == (2, 2)


BROKEN = (
    VALID.replace("construct: test", "construct: test\ncolour: red")
    .replace("items: [mood]", "items: [mood, q9]")
    .replace("{en: Anything else, es: Algo más}", "{en: Anything else}")
)


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        pytest.param(
            BROKEN,
            "every_type.yaml",
            [
                "3 problems: nothing was stored",
                "every_type.yaml:5: unknown key &#39;colour&#39;",
                "every_type.yaml:37: missing translation for &#39;es&#39;",
                "every_type.yaml:39: scale &#39;mood_scale&#39; names item &#39;q9&#39;, which does not exist",
            ],
            id="every-problem-at-once",
        ),
        pytest.param(
            "id: x\ntitle:\n  en: A\n   es: B\n",
            "x.yaml",
            ["x.yaml:4: YAML error: a colon followed by a space is in an unexpected place"],
            id="yaml-syntax-in-plain-words",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", ["photo.png:1: The file is not text in UTF-8"], id="binary"
        ),
        pytest.param(
            "just some words", "notes.yaml", ["notes.yaml:1: an instrument must be a mapping"], id="not-a-mapping"
        ),
        pytest.param("", "empty.yaml", ["empty.yaml:1: the file is empty"], id="empty"),
        pytest.param(
            VALID.replace("id: every_type", "id: checkin", 1),
            "checkin.yaml",
            ["checkin.yaml:1: instrument id &#39;checkin&#39; belongs to a file in the server&#39;s instruments"],
            id="id-of-a-file",
        ),
        pytest.param(
            "../../etc/" + "x" * 10,
            "../../etc/passwd",
            ["passwd:1: an instrument must be a mapping"],
            id="folders-in-the-name-dropped",
        ),
    ],
)
def test_bad_uploads_list_every_problem_and_store_nothing(app, admin, content, filename, expected) -> None:
    response = upload(admin, content, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for fragment in expected:
        assert fragment in body, body[body.find("<main") :][:3000]
    assert stored(app) == (0, 0)


def test_a_file_over_the_instrument_limit_is_refused_before_parsing(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=False, SURVEY_INSTRUMENT_MAX_BYTES=1000)
    client = app.test_client()
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    response = upload(client, VALID)
    assert response.status_code == 400
    assert "every_type.yaml:1: The file is larger than the limit of 1,000 bytes" in response.get_data(as_text=True)
    huge = upload(client, "#" * 40_000)  # past the request limit too: refused while the request is read
    assert huge.status_code == 413 and "larger than the limit of 1,000 bytes; nothing was stored" in huge.get_data(
        as_text=True
    )
    assert stored(app) == (0, 0)


def test_the_same_version_twice_is_refused(app, admin) -> None:
    assert upload(admin, VALID).status_code == 302
    again = upload(admin, VALID, replace=True)
    assert again.status_code == 400 and "already uploaded and served; nothing changed" in again.get_data(as_text=True)
    assert stored(app) == (1, 1)


def test_no_file_is_a_clear_400(app, admin) -> None:
    response = admin.post("/instruments/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose an instrument file" in response.get_data(as_text=True)


def test_only_admins_upload(app) -> None:
    client = app.test_client()
    log_in_as(client, app, add_user(app, "ana@example.org"))
    assert client.get("/instruments/upload").status_code == 403
    assert upload(client, VALID).status_code == 403
    assert "Upload an instrument file" not in client.get("/instruments").get_data(as_text=True)
    assert stored(app) == (0, 0)


def test_an_upload_without_a_csrf_token_is_refused(make_app) -> None:
    app = make_app()
    client = app.test_client()
    log_in_as(client, app, add_user(app, "admin@example.org", role="admin"))
    assert upload(client, VALID).status_code == 400
    assert stored(app) == (0, 0)


def test_a_file_larger_than_the_survey_form_limit_but_within_its_own_is_accepted(app, admin) -> None:
    padded = VALID + ("# a long comment line to make the file large\n" * 2200)
    assert 64 * 1024 < len(padded) < app.config["SURVEY_INSTRUMENT_MAX_BYTES"]  # the app-wide request limit is 64 KB
    assert upload(admin, padded).status_code == 302
    assert stored(app) == (1, 1)


def line_with(text: str, fragment: str) -> int:
    """Return the 1-based number of the first line of text containing fragment."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


MANY = (
    VALID.replace("construct: test", "construct: test\ncolour: red")
    .replace("estimated_minutes: 1", 'estimated_minutes: "one"')
    .replace("id: supports", "id: topic  # twice")
    .replace("items: [mood],", "items: [mood], method: median,")
    .replace("items: [belong]", "items: [belong, q9]")
    .replace("{en: Anything else, es: Algo más}", "{en: Anything else}")
)
# (fragment of the line to blame, the problem in Spanish, in English); the lines come from MANY itself.
MANY_PROBLEMS = [
    ("colour: red", "clave desconocida 'colour'", "unknown key 'colour'"),
    ("estimated_minutes", "estimated_minutes: debe ser un número entero", "estimated_minutes: Input should be"),
    ("# twice", "id de pregunta repetido: 'topic'", "duplicate item id 'topic'"),
    ("Anything else", "falta la traducción para 'es'", "missing translation for 'es'"),
    (
        "method: median",
        "scales[0].method: debe ser 'mean' o 'sum'",
        "scales[0].method: Input should be 'mean' or 'sum'",
    ),
    ("q9", "la escala 'belonging' nombra la pregunta 'q9', que no existe", "scale 'belonging' names item 'q9'"),
]
SYNTAX = "id: x\ntitle:\n  en: A\n   es: B\n"
SYNTAX_ES = "error de YAML: hay dos puntos seguidos de un espacio en un lugar inesperado"
# Keys and ids of the files: data the English-text check must not count as interface words.
FILE_WORDS = ("colour", "estimated_minutes", "topic", "scales[0].method", "mean", "sum", "belonging", "q9", "'es'")


def admin_in(app, email: str, locale: str):
    """Return a client logged in as an admin whose account chose this language."""
    user_id = add_user(app, email, role="admin")
    with app.app_context():
        db.session.get(User, user_id).locale = locale
        db.session.commit()
    client = app.test_client()
    log_in_as(client, app, user_id)
    return client


def problem_lines(body: str) -> list[str]:
    """Return the listed problems of an upload page as text."""
    return [html.unescape(line) for line in re.findall(r"<li><code>(.*?)</code></li>", body)]


def test_a_spanish_admin_reads_every_problem_of_a_refused_upload_in_spanish(app) -> None:
    client = admin_in(app, "ana@example.org", "es")
    body = upload(client, MANY, "many.yaml").get_data(as_text=True)
    listed = problem_lines(body)
    expected = sorted((line_with(MANY, fragment), spanish) for fragment, spanish, _english in MANY_PROBLEMS)
    assert listed == [f"many.yaml:{line}: {spanish}" for line, spanish in expected]
    assert f"{len(MANY_PROBLEMS)} problemas: no se guardó nada" in body
    assert english_in(visible_text(body), FILE_WORDS) == []
    syntax = upload(client, SYNTAX, "x.yaml").get_data(as_text=True)
    [problem] = problem_lines(syntax)
    assert problem.startswith(f"x.yaml:{line_with(SYNTAX, 'es: B')}: {SYNTAX_ES}")
    assert english_in(visible_text(syntax)) == []
    assert stored(app) == (0, 0)


def test_an_english_admin_reads_the_same_problems_in_english(app) -> None:
    client = admin_in(app, "bo@example.org", "en")
    body = upload(client, MANY, "many.yaml").get_data(as_text=True)
    listed = problem_lines(body)
    expected = sorted((line_with(MANY, fragment), english) for fragment, _spanish, english in MANY_PROBLEMS)
    assert len(listed) == len(expected)
    for shown, (line, english) in zip(listed, expected, strict=True):
        assert shown.startswith(f"many.yaml:{line}: {english}"), shown
    assert english_in(visible_text(body), FILE_WORDS) != []  # the check sees English where there is some
    assert stored(app) == (0, 0)
