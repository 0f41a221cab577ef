"""What a dashboard view built, kept per process until the group's cells are published again.

Everything a view shows follows from the group's published cells and stored summaries (which
only `release.publish` writes, and every publication stamps `release_states.audited_at`), the
group's settings, the instruments, the request's address and filters and the interface
language. A view's result is kept under a key made of exactly those, so a request after the
first needs only the stamp and the asked questionnaires (read with the group, access.readable_group,
and read again after its release check released anything) instead of building the same figure
again, and the next release, purge, change of k, rebuild, new instrument upload or group edit makes a new key.
Only released, audited figures are ever kept (the views read nothing else), and only successful
results: a refusal (400, 404) is built again each time. The day is part of the key too, so
nothing kept lives past midnight UTC (a stored view's key has no day: see key()). Each process keeps
its own entries (a bounded LRU): several app servers each build a figure once per publication, except
the default views: those publication built
and stored (survey/dashboard/prebuilt.py, survey/release/stored_views.py) are read from the database,
one primary-key read, by a request whose process has not kept them yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, request
from sqlalchemy import bindparam, inspect, select

from .. import catalog, i18n
from ..access import ReadGroup
from ..bounded_store import Store
from ..database import request_reads
from ..models import Group, GroupInstrument, ReleaseState
from ..release import stored_views
from ..release.service import found_nothing_due

T = TypeVar("T")
EXTENSION_KEY = "survey.dashboard_memo"
RECORDING = "survey.memo_recording"  # request.environ: a list that gets (key, value) of every storable view
# Results kept per process: a figure's JSON is 10 to 200 kB, so at most about 50 MB.
ENTRIES = 512


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


def _publication(group: Group | ReadGroup) -> tuple[Hashable, ...]:
    """Return the group's publication stamp and asked questionnaires (read once per request, after its release).

    A group read for the dashboard brought them: they stand unless its release check released (or tried to).
    """
    if isinstance(group, ReadGroup) and found_nothing_due(group):
        return group.publication
    found: dict[int, tuple[Hashable, ...]] = request.environ.setdefault("survey.publications", {})
    if group.id not in found:
        rows = request_reads().execute(_PUBLICATION, {"group_id": group.id}).all()
        found[group.id] = (rows[0][0] if rows else None, *(row[1] for row in rows))
    return found[group.id]


def key(group: Group | ReadGroup, name: Hashable) -> tuple[Hashable, ...]:
    """Return the key of one view's result for this request: publication, settings, address, language, day.

    The language is the interface's as this request chose it (i18n.select_locale, worked out once a request
    and what Flask-Babel's get_locale parses into a Locale), so a kept request does not parse one. The day
    comes last: a stored view's key is this key without it (nothing a view shows depends on the date but
    the report's generation time, a slot filled per request, and the meetings waiting, part of a page's name).
    """
    part, day = _request_part(group)
    return (name, _publication(group), *part, i18n.select_locale(), day)


def _request_part(group: Group | ReadGroup) -> tuple[tuple[Hashable, ...], dt.date]:
    """Return the group's settings, the uploads' version and the address, and the day (worked out once a request)."""
    found: dict[int, tuple[tuple[Hashable, ...], dt.date]] = request.environ.setdefault("survey.memo_keys", {})
    if group.id not in found:
        part = (
            tuple(getattr(group, attr) for attr in _SETTINGS),
            catalog.catalog().uploads_version,
            request.path,
            tuple(sorted(request.args.items(multi=True))),
        )
        found[group.id] = (part, dt.datetime.now(dt.UTC).date())
    return found[group.id]


def remembered(group: Group | ReadGroup, name: Hashable, build: Callable[[], T], stored: bool = False) -> T:
    """Return what build() returns for this request's view of the group, built once per key.

    A `stored` view (text: a JSON body, a page's results or frame) not kept yet is first looked for among
    the views stored at publication (one primary-key read; a view publication does not build, one with
    filters of the reader's own, finds none), except while publication itself builds them (it records them).
    """
    store = _store()
    found = key(group, name)
    value = store.get(found)
    recording: list[tuple[tuple[Hashable, ...], object]] | None = request.environ.get(RECORDING)
    if value is None:
        if stored and recording is None:
            value = stored_views.read(found[:-1])
        if value is None:
            value = build()
        store.put(found, value)
    if stored and recording is not None:
        recording.append((found[:-1], value))
    return value  # type: ignore[return-value]
