"""A dashboard view is built once per publication: kept results are served until anything they follow changes.

The memo (survey/dashboard/memo.py) may only ever serve what a fresh build would give. Each test
takes a snapshot, changes one thing a figure follows (a release, a late batch, a purge, a change of
k, another app server's release, the reader's language) and checks the next answer is what a fresh
app on the same database gives; one test checks the memo is used at all (fewer statements, same bytes).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from survey.dashboard import memo
from survey.extensions import db
from survey.models import Group, StoredView
from survey.release import service
from survey.retention import purge_responses

from .dashboard_support import add_group, add_responses, add_user, craving, log_in, move_release_clock

TREND = "/groups/MEMO/dashboard/trend/checkin/craving.json?grain=meeting"
DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)  # late answers to it are still looked for
NEXT = DAY + dt.timedelta(days=1)
VIEWS = [
    TREND,
    "/groups/MEMO/dashboard/participation.json?grain=week",
    "/groups/MEMO/dashboard/items.json",
    "/groups/MEMO/dashboard/engagement.json",
    "/groups/MEMO/dashboard/reliability.json",
    "/groups/MEMO/dashboard/change.json",
]
PAGES = [  # rendered per request (the reader's name, a form token, the time printed); their figures are kept
    "/groups/MEMO/dashboard",
    "/groups/MEMO/dashboard/items",
    "/groups/MEMO/dashboard/comments",
    "/groups/MEMO/dashboard/report",
]


def viewer(app: Flask):  # type: ignore[no-untyped-def]
    """A client logged in as a viewer of the group."""
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MEMO"))
        log_in(client, app, add_user("coordinator", {group: "viewer"}))
    return client


def meetings(app: Flask, days: list[tuple[dt.date, list[float]]]) -> None:
    """Add craving answers at these meetings."""
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MEMO"))
        for day, values in days:
            add_responses(group, day, craving(values))


def fresh_body(make_app, url: str, client_of_same_user) -> bytes:  # type: ignore[no-untyped-def]
    """What a new app process on the same database answers (nothing kept)."""
    other = make_app()
    client = other.test_client()
    with client_of_same_user.session_transaction() as theirs, client.session_transaction() as ours:
        ours.update(theirs)
    return client.get(url).get_data()


@pytest.fixture
def app(make_app) -> Flask:
    app = make_app()
    with app.app_context():
        add_group("MEMO", k=3)
    return app


def test_a_second_request_is_served_from_the_memo_with_the_same_bytes(app, monkeypatch) -> None:
    meetings(app, [(DAY, [2, 4, 6]), (NEXT, [5, 5, 8])])
    move_release_clock(monkeypatch, days=4)
    client = viewer(app)
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert client.get(TREND).status_code == 200  # releases: the default views are built and stored
    with app.app_context():  # as a process after a publication whose views were not stored (yet)
        db.session.execute(delete(StoredView))
        db.session.commit()
    app.extensions.pop(memo.EXTENSION_KEY, None)
    for url in VIEWS + PAGES:
        statements.clear()
        first = client.get(url)
        built = len(statements)
        assert any("published_cells" in s for s in statements), url
        # Hand count: a JSON body is looked for once among the stored views; a page its frame, then its results
        # (the report's figures are no text: only its frame).
        looked = 1 if url in VIEWS or url.endswith("/report") else 2
        assert len([s for s in statements if "stored_views" in s]) == looked, url
        statements.clear()
        second = client.get(url)
        assert first.status_code == second.status_code == 200
        if url in VIEWS:
            assert second.get_data() == first.get_data()
        assert len(statements) < built, (url, built, statements)
        assert not any("published_cells" in s for s in statements), url  # no cell is read again


def test_a_release_a_late_batch_and_a_purge_each_show_at_once(app, make_app, monkeypatch) -> None:
    client = viewer(app)
    assert client.get(TREND).get_json()["data"] == []
    meetings(app, [(DAY, [1, 2, 3, 4])])
    move_release_clock(monkeypatch, days=4)
    shown = client.get(TREND).get_json()["data"]
    assert [(p["n"], p["mean"]) for p in shown] == [(4, 2.5)]

    meetings(app, [(DAY, [10, 10, 10])])  # three late answers: a batch of k
    moved = client.get(TREND).get_json()["data"]
    assert [(p["n"], p["mean"]) for p in moved] == [(7, round(40 / 7, 3))]
    assert client.get(TREND).get_data() == fresh_body(make_app, TREND, client)

    meetings(app, [(NEXT, [6, 7, 8])])
    client.get(TREND)  # released now
    with app.app_context():
        purge_responses("MEMO", NEXT)
    after = client.get(TREND).get_json()["data"]
    assert [p["start"] for p in after if p.get("mean") is not None] == [NEXT.isoformat()]
    assert client.get(TREND).get_data() == fresh_body(make_app, TREND, client)


def test_a_change_of_k_shows_at_once(app, monkeypatch) -> None:
    meetings(app, [(DAY, [1, 2, 3, 4])])
    move_release_clock(monkeypatch, days=4)
    client = viewer(app)
    assert client.get(TREND).get_json()["k"] == 3
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="MEMO"))
        group.min_group_size = 5
        service.change_k(group, old_k=3, by_admin=True)
        db.session.commit()
    data = client.get(TREND).get_json()
    assert data["k"] == 5
    assert [p.get("mean") for p in data["data"]] == [None]  # 4 people: hidden under k = 5


def test_another_app_servers_release_shows_at_once(app, make_app, monkeypatch) -> None:
    meetings(app, [(dt.datetime.now(dt.UTC).date(), [1, 2, 3])])  # not due yet by this server's clock
    client = viewer(app)
    assert client.get(TREND).get_json()["data"] == []
    other = make_app()
    move_release_clock(monkeypatch, days=4)
    with other.app_context():  # the other server releases (cron, or its own reader)
        service.release_due(db.session.scalar(select(Group).filter_by(code="MEMO")))
    monkeypatch.undo()  # this server's clock does not think anything is due: only the stamp can tell
    assert [(p["n"], p["mean"]) for p in client.get(TREND).get_json()["data"]] == [(3, 2.0)]


def test_each_reader_language_gets_its_own_answer(app, monkeypatch) -> None:
    meetings(app, [(DAY, [1, 2, 3])])
    move_release_clock(monkeypatch, days=4)
    client = viewer(app)
    english = client.get(TREND, headers={"Accept-Language": "en"}).get_json()["reading"]
    spanish = client.get(TREND, headers={"Accept-Language": "es"}).get_json()["reading"]
    assert english != spanish
    assert client.get(TREND, headers={"Accept-Language": "en"}).get_json()["reading"] == english


def test_a_refused_filter_is_refused_every_time(app, monkeypatch) -> None:
    meetings(app, [(DAY, [1, 2, 3])])
    move_release_clock(monkeypatch, days=4)
    client = viewer(app)
    for _ in range(2):
        refused = client.get(TREND.replace("grain=meeting", "grain=fortnight"))
        assert refused.status_code == 400
        assert "grain" in refused.get_data(as_text=True)
    assert client.get(TREND).status_code == 200


def test_a_pages_results_are_rendered_once_and_follow_a_late_batch(app, make_app, monkeypatch) -> None:
    from survey.dashboard import views

    meetings(app, [(DAY, [1, 2, 3, 4])])
    move_release_clock(monkeypatch, days=4)
    client = viewer(app)
    rendered: list[str] = []
    render = views.page_results
    monkeypatch.setattr(views, "page_results", lambda page, *args: rendered.append(page) or render(page, *args))
    for url in PAGES[:3]:  # the report is rendered whole, in the group's language
        assert client.get(url).status_code == client.get(url).status_code == 200
    # Once each per interface language, by the publication the first request made (its default views, built
    # for an admin, then kept for a coordinator); the requests themselves served the kept results.
    assert rendered == ["group", "items", "comments"] * 2
    rendered.clear()
    for url in PAGES[:3]:  # with a filter of the reader's own: built on request, once
        assert client.get(f"{url}?grain=week").status_code == client.get(f"{url}?grain=week").status_code == 200
    assert rendered == ["group", "items", "comments"]

    page = "/groups/MEMO/dashboard?grain=meeting"
    table = re.compile(
        r'<details class="dash-table">\s*<summary>[^<]*</summary>\s*<table>\s*<caption>Craving.*?</details>', re.S
    )
    assert "<td>4</td>" in table.findall(client.get(page).get_data(as_text=True))[0]
    meetings(app, [(DAY, [10, 10, 10])])  # three late answers: a batch of k, released at the next read
    shown = table.findall(client.get(page).get_data(as_text=True))
    assert "<td>7</td>" in shown[0]
    assert shown == table.findall(fresh_body(make_app, page, client).decode())
