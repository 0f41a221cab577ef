"""The first request after a publication reads each stored thing once: the people cells once even when the
grain is chosen from them, the questions' cells in one read (no DISTINCT over the group's cells), the asked
questionnaires from the publication read, and instrument versions only the first time an app meets them."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from survey.dashboard import memo
from survey.extensions import db
from survey.models import Group, StoredView

from .dashboard_support import add_group, add_responses, add_user, log_in, move_release_clock

FIRST = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=12)
SECOND = FIRST + dt.timedelta(days=1)


@pytest.fixture
def client(app: Flask, monkeypatch):  # type: ignore[no-untyped-def]
    """A viewer of a group whose first meeting answered the helpfulness question and whose second did not."""
    with app.app_context():
        group = add_group("READS", k=3)
        add_responses(group, FIRST, [{"craving_now": v, "helpful": 4.0} for v in (1.0, 2.0, 2.0)])
        add_responses(group, SECOND, [{"craving_now": v} for v in (5.0, 6.0, 6.0, 9.0)])
    move_release_clock(monkeypatch, days=0)
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="READS"))
        log_in(client, app, add_user("coordinator", {group: "viewer"}))
    assert client.get("/groups/READS/dashboard/engagement.json").status_code == 200  # releases both meetings
    return client


def built(app: Flask, client, url: str) -> tuple[object, list[str]]:  # type: ignore[no-untyped-def]
    """Request url as the first request after a publication whose views were not stored (or are not stored: a
    view with filters), so it builds; return the JSON and the SELECTs it sent (test_dashboard_stored_views.py
    has the requests that find a stored view)."""
    statements: list[str] = []
    app.extensions.pop(memo.EXTENSION_KEY, None)
    with app.app_context():
        db.session.execute(delete(StoredView))
        db.session.commit()
        engine = db.engine

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), statements


def cell_reads(statements: list[str]) -> list[str]:
    """Return the statements that read published cells."""
    return [s for s in statements if "published_cells" in s]


def test_the_grain_is_chosen_from_the_people_cells_read_once(app, client) -> None:
    body, statements = built(app, client, "/groups/READS/dashboard/participation.json")
    assert body["grain"] == "meeting"  # both meetings shown (3 and 4 people, k = 3)
    assert [p["n"] for p in body["data"]] == [3, 4]
    assert len(cell_reads(statements)) == 1


def test_the_questions_cells_are_one_read_and_an_item_answered_elsewhere_is_empty(app, client) -> None:
    url = f"/groups/READS/dashboard/items.json?grain=meeting&period={SECOND.isoformat()}"
    body, statements = built(app, client, url)
    items = {item["item"]: item for item in body["data"]}
    assert items["craving_now"]["counts"] == {"5.0": 1, "6.0": 2, "9.0": 1}
    assert (items["helpful"]["n"], items["helpful"]["counts"]) == (0, {})  # answered at the first meeting only
    assert "belonged" not in items  # never answered: no cell anywhere
    counts = [s for s in cell_reads(statements) if "counts" in s]
    assert len(counts) == 1
    assert not [s for s in cell_reads(statements) if "SELECT DISTINCT" in s.upper()]


def test_the_asked_questionnaires_come_from_the_publication_read(app, client) -> None:
    _body, statements = built(app, client, "/groups/READS/dashboard/trend/checkin/craving.json?grain=meeting")
    asked = [s for s in statements if "group_instruments" in s]
    assert len(asked) == 1 and "release_states" in asked[0]


def test_instrument_versions_are_read_once_per_app_and_a_new_one_shows(app, client, make_app, monkeypatch) -> None:
    other = make_app()  # a new app process on the same database: it has read no version yet
    reader = other.test_client()
    with other.app_context():
        group = db.session.scalar(select(Group).filter_by(code="READS"))
        log_in(reader, other, add_user("coordinator", {group: "viewer"}))
    _body, first = built(other, reader, "/groups/READS/dashboard/participation.json")
    assert [s for s in first if "instrument_versions" in s]
    _body, again = built(other, reader, "/groups/READS/dashboard/participation.json")
    assert not [s for s in again if "instrument_versions" in s]
    assert client.get("/groups/READS/dashboard/items.json?instrument=craving").status_code == 400
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="READS"))
        later = SECOND + dt.timedelta(days=1)
        add_responses(group, later, [{"strength_now": 3, "frequency": 2}] * 3, instrument_id="craving")
    move_release_clock(monkeypatch, days=0)
    body, statements = built(app, client, "/groups/READS/dashboard/items.json?instrument=craving")  # releases it
    assert [s for s in statements if "instrument_versions" in s]  # the new version is read, once
    assert {item["item"] for item in body["data"]} >= {"strength_now"}
