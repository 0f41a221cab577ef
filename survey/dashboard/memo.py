"""What a dashboard view built, kept per process until the group's cells are published again.

Everything a view shows follows from the group's published cells and stored summaries (which
only `release.publish` writes, and every publication stamps `release_states.audited_at`), the
group's settings, the instruments, the request's address and filters and the interface
language. A view's result is kept under a key made of exactly those, so a request after the
first reads the stamp and the asked questionnaires (one small read) instead of building the
same figure again, and the
next release, purge, change of k, rebuild, new instrument upload or group edit makes a new key.
Only released, audited figures are ever kept (the views read nothing else), and only successful
results: a refusal (400, 404) is built again each time. The day is part of the key too, so
nothing lives past midnight UTC. Each process keeps its own entries (a bounded LRU): several app
servers each build a figure once per publication.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, request
from flask_babel import get_locale
from sqlalchemy import bindparam, inspect, select

from .. import catalog
from ..extensions import db
from ..models import Group, GroupInstrument, ReleaseState

T = TypeVar("T")
EXTENSION_KEY = "survey.dashboard_memo"
# Results kept per process: a figure's JSON is 10 to 200 kB, so at most about 50 MB.
ENTRIES = 512


class Store:
    """A bounded least-recently-used map, safe to share between a worker's threads."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        """Return the kept value (and mark it recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        """Keep a value, forgetting the least recently used beyond the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


def _store() -> Store:
    """Return this app's store (made on first use)."""
    store = current_app.extensions.get(EXTENSION_KEY)
    if store is None:
        store = current_app.extensions.setdefault(EXTENSION_KEY, Store(ENTRIES))
    return store  # type: ignore[no-any-return]


# When the group's cells were last published, and the questionnaires it asks: one read per request.
_PUBLICATION = (
    select(ReleaseState.audited_at, GroupInstrument.instrument_id)
    .select_from(Group)
    .outerjoin(ReleaseState, ReleaseState.group_id == Group.id)
    .outerjoin(GroupInstrument, GroupInstrument.group_id == Group.id)
    .where(Group.id == bindparam("group_id"))
    .order_by(GroupInstrument.position)
)
_SETTINGS = tuple(attr.key for attr in inspect(Group).column_attrs)


def _publication(group: Group) -> tuple[Hashable, ...]:
    """Return the group's publication stamp and asked questionnaires (read once per request, after its release)."""
    found: dict[int, tuple[Hashable, ...]] = request.environ.setdefault("survey.publications", {})
    if group.id not in found:
        rows = db.session.connection().execute(_PUBLICATION, {"group_id": group.id}).all()
        found[group.id] = (rows[0][0] if rows else None, *(row[1] for row in rows))
    return found[group.id]


def asked_instruments(group: Group) -> list[str]:
    """Return the questionnaires the group asks, in order, from this request's publication read (no second read)."""
    return [str(instrument_id) for instrument_id in _publication(group)[1:] if instrument_id is not None]


def key(group: Group, name: str) -> tuple[Hashable, ...]:
    """Return the key of one view's result for this request: publication, settings, address, language, day."""
    return (
        name,
        _publication(group),
        tuple(getattr(group, attr) for attr in _SETTINGS),
        catalog.catalog().uploads_version,
        request.path,
        tuple(sorted(request.args.items(multi=True))),
        str(get_locale()),
        dt.datetime.now(dt.UTC).date(),
    )


def remembered(group: Group, name: str, build: Callable[[], T]) -> T:
    """Return what build() returns for this request's view of the group, built once per key."""
    store = _store()
    found = key(group, name)
    value = store.get(found)
    if value is None:
        value = build()
        store.put(found, value)
    return value  # type: ignore[return-value]
