"""Default dashboard views are built at publication and stored: served byte-identical to a fresh build,
deleted by every publication in its own transaction, never stored for a refused view or an older stamp.

A "fresh build" is what a new app process answers once the stored rows are gone (nothing kept, nothing
stored); a page's form token differs per session and moment, so it is masked before comparing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from survey.dashboard import memo, prebuilt
from survey.extensions import db
from survey.models import Group, StoredView
from survey.release import service, stored_views
from survey.retention import purge_responses

from .dashboard_support import add_group, add_responses, add_user, craving, log_in, move_release_clock

DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)  # late answers to it are still looked for
NEXT = DAY + dt.timedelta(days=1)
PAGES = [
    "/groups/STORE/dashboard",
    "/groups/STORE/dashboard/items",
    "/groups/STORE/dashboard/comments",
    "/groups/STORE/dashboard/report",
]
DOCUMENTS = [
    f"/groups/STORE/dashboard/{name}.json" for name in ("participation", "items", "engagement", "reliability", "change")
]
_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]*"')
_SOURCE = re.compile(r'data-figure-src="([^"]+)"')


@pytest.fixture
def app(make_app) -> Flask:
    app = make_app()
    with app.app_context():
        group = add_group("STORE", k=3)
        add_responses(group, DAY, [{**answer, "helpful": 4.0} for answer in craving([2, 4, 6])])
        add_responses(group, NEXT, craving([5, 5, 8]))
    return app


def reader(app: Flask, role: str = "coordinator", email: str | None = None):  # type: ignore[no-untyped-def]
    """A client logged in as a viewer of the group (or an admin)."""
    client = app.test_client()
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="STORE"))
        log_in(client, app, add_user(role, {group: "viewer"} if role == "coordinator" else None, email))
    return client


def same_reader(app: Flask, client):  # type: ignore[no-untyped-def]
    """A client of another app process with the same reader's session."""
    other = app.test_client()
    with client.session_transaction() as theirs, other.session_transaction() as ours:
        ours.update(theirs)
    return other


def release(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Release what is due for the group (its default views are built and stored once it commits)."""
    move_release_clock(monkeypatch, days=4)
    with app.app_context():
        service.release_due(db.session.scalar(select(Group).filter_by(code="STORE")))


def stored(app: Flask) -> dict[str, str]:
    """Return the group's stored views: digest -> body."""
    with app.app_context():
        return {digest: body for digest, body in db.session.execute(select(StoredView.digest, StoredView.body))}


def default_addresses(client) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the pages and JSON documents without a query string and every JSON document the pages load."""
    loaded = {src.replace("&amp;", "&") for page in PAGES for src in _SOURCE.findall(client.get(page).text)}
    return PAGES + sorted(loaded | set(DOCUMENTS))


def bodies(client, addresses: list[str], language: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return each address's body in one interface language, the form token masked."""
    found = {}
    for address in addresses:
        response = client.get(address, headers={"Accept-Language": language})
        assert response.status_code == 200, address
        found[address] = _TOKEN.sub(r'\1"', response.get_data(as_text=True))
    return found


def served_and_fresh(make_app, client, addresses: list[str]) -> tuple[dict[str, str], dict[str, str]]:  # type: ignore[no-untyped-def]
    """Return what a new process serves in each language with the stored views, then what another new process
    builds once they are deleted (nothing kept, nothing stored)."""
    serving = same_reader(make_app(), client)
    served = {f"{lang} {a}": body for lang in ("en", "es") for a, body in bodies(serving, addresses, lang).items()}
    other = make_app()
    with other.app_context():
        db.session.execute(delete(StoredView))
        db.session.commit()
    building = same_reader(other, client)
    built = {f"{lang} {a}": body for lang in ("en", "es") for a, body in bodies(building, addresses, lang).items()}
    return served, built


def count_statements(app: Flask, client, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the statements one request sends."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *a: sent.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(address).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sent


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_stored_view_is_served_byte_identical_to_a_fresh_build(app, make_app, monkeypatch, role) -> None:
    release(app, monkeypatch)
    client = reader(app, role)
    addresses = default_addresses(client)
    assert len(addresses) > len(PAGES)  # the page's charts are among them
    served, built = served_and_fresh(make_app, client, addresses)
    assert served == built


def test_a_fresh_process_serves_the_stored_views_without_reading_a_cell(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    client = reader(app)
    addresses = default_addresses(client)
    other = make_app()  # it reads the uploads' version before its first request, as a server does
    ours = same_reader(other, client)
    for address in addresses:
        # The process's first look for uploaded instruments is its own (test_instrument_uploads.py).
        sent = [s for s in count_statements(other, ours, address) if "instrument_uploads" not in s]
        # Hand count: the reader, the group with its stamp, the release check, the stored view by its digest.
        assert len(sent) == 4, (address, sent)
        assert "stored_views" in sent[-1], address
        assert not [s for s in sent if "published_cells" in s or "published_summaries" in s], address


def test_a_view_with_filters_of_its_own_builds_on_request_after_one_stored_read(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    client = reader(app)
    other = make_app()
    address = "/groups/STORE/dashboard/participation.json?grain=week"  # the page loads it at the meeting grain
    sent = count_statements(other, same_reader(other, client), address)
    assert len([s for s in sent if "stored_views" in s]) == 1  # looked for once, not found
    assert [s for s in sent if "published_cells" in s]  # then built
    sent = count_statements(other, same_reader(other, client), address)
    assert not [s for s in sent if "stored_views" in s or "published_cells" in s]  # kept from then on


def test_stored_views_are_exactly_what_a_process_memo_keeps(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    rows = stored(app)
    other = make_app()
    with other.app_context():
        db.session.execute(delete(StoredView))
        db.session.commit()
    kept: dict[str, str] = {}
    for role in ("coordinator", "admin"):
        client = reader(other, role)
        for language in ("en", "es"):
            for address in default_addresses(client):
                client.get(address, headers={"Accept-Language": language})
    for key, value in other.extensions[memo.EXTENSION_KEY]._items.items():  # noqa: SLF001
        encoded = stored_views.encode(value)
        if encoded is not None:  # text kept for a default address
            kept[stored_views.digest(key[:-1]) or ""] = encoded[1]
    assert rows == kept


def test_no_stored_view_holds_the_readers_email_form_token_or_generation_time(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    email = "reader.own@example.org"
    client = reader(app, email=email)
    report = client.get(PAGES[-1]).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', report)
    assert email in report and token is not None
    rows = stored(make_app())
    assert rows
    assert not [body for body in rows.values() if email in body or token.group(1) in body]
    frames = [body for body in rows.values() if body.startswith('["')]
    assert frames and all('"\\u001eemail\\u001e"' in body and '"\\u001ecsrf\\u001e"' in body for body in frames)
    assert ['"\\u001egenerated\\u001e"' in body for body in frames].count(True) == 2  # the report, per role


@pytest.mark.parametrize("event_name", ["late batch", "purge", "change of k"])
def test_every_publication_replaces_the_stored_views(app, make_app, monkeypatch, event_name) -> None:
    release(app, monkeypatch)
    before = stored(app)
    assert before
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="STORE"))
        if event_name == "late batch":
            add_responses(group, DAY, craving([10, 10, 10]))  # a batch of k
            assert service.release_due(group) == 1
        elif event_name == "purge":
            purge_responses("STORE", NEXT)
        else:
            group.min_group_size = 4
            service.change_k(group, old_k=3, by_admin=True)
            db.session.commit()
    after = stored(app)
    assert after and not set(after) & set(before)
    client = reader(app)
    served, built = served_and_fresh(make_app, client, default_addresses(client))
    assert served == built


def group_id_of(app: Flask) -> int:
    """Return the group's id."""
    with app.app_context():
        return int(db.session.scalar(select(Group.id).filter_by(code="STORE")))


@pytest.mark.parametrize("event_name", ["purge", "change of k", "rebuild"])
def test_the_publication_deletes_the_stored_views_in_its_own_transaction(app, monkeypatch, event_name) -> None:
    release(app, monkeypatch)
    assert stored(app)
    app.extensions[stored_views.BUILDER] = lambda group_ids: None  # nothing built after the commit
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="STORE"))
        if event_name == "purge":
            purge_responses("STORE", NEXT)
        elif event_name == "change of k":
            group.min_group_size = 4
            service.change_k(group, old_k=3, by_admin=True)
            db.session.commit()
    if event_name == "rebuild":
        assert app.test_cli_runner().invoke(args=["release", "rebuild", "--group", "STORE"]).exit_code == 0
    assert stored(app) == {}


def test_a_rolled_back_publication_keeps_the_stored_views(app, monkeypatch) -> None:
    release(app, monkeypatch)
    before = stored(app)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code="STORE"))
        group.min_group_size = 4
        service.change_k(group, old_k=3, by_admin=True)
        db.session.rollback()
    assert stored(app) == before


def test_refused_views_are_never_stored(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    before = stored(app)
    client = reader(app)
    for address in [
        "/groups/STORE/dashboard/participation.json?grain=fortnight",
        "/groups/STORE/dashboard?nonsense=1",
        "/groups/STORE/dashboard/trend/checkin/nosuchscale.json",
    ]:
        assert client.get(address).status_code in (400, 404), address
    assert stored(app) == before
    # A default view that refuses (here: the comments page, made to) keeps nothing at publication.
    from survey.dashboard import aggregates

    def refuse(*_args):  # type: ignore[no-untyped-def]
        from flask import abort

        abort(404)

    monkeypatch.setattr(aggregates, "comments", refuse)
    app.extensions.pop(memo.EXTENSION_KEY, None)  # as in a process that has kept nothing
    entries = prebuilt.default_views(app, group_id_of(app))
    assert entries
    assert not [key for key, _value in entries if key[4] == "/groups/STORE/dashboard/comments"]


def test_views_of_an_older_stamp_are_not_stored_under_a_newer_one(app, make_app, monkeypatch) -> None:
    release(app, monkeypatch)
    group_id = group_id_of(app)
    old_entries = prebuilt.default_views(app, group_id)  # built under the first stamp, not stored yet
    publisher = make_app()
    finished: list[float] = []
    results: list[int] = []
    with publisher.app_context():  # a second server's publication, in flight
        group = db.session.get(Group, group_id)
        from survey.database import begin_write

        begin_write()
        service.republish(group)
        db.session.flush()
        writer_app = make_app()

        def late_writer() -> None:
            with writer_app.app_context():
                results.append(stored_views.write(group_id, old_entries))
                finished.append(time.monotonic())

        thread = threading.Thread(target=late_writer)
        thread.start()
        time.sleep(0.5)
        committed = time.monotonic()
        db.session.commit()  # the new stamp: its own views are built and stored now
    thread.join(timeout=30)
    assert results == [0]  # the older stamp's views: none stored
    assert finished and finished[0] >= committed  # it waited for the publication in flight
    old = {stored_views.digest(key) for key, _value in old_entries}
    assert stored(app) and not set(stored(app)) & old
