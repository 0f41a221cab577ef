"""Default dashboard views stored at publication: read by the memo key's digest, written after the commit.

A publication (release, late batch, purge, change of k, rebuild) deletes the group's stored views in
its own write transaction (forget, called by publish.publish) and marks the group in the session;
once that transaction commits, the app's builder (set by the dashboard package: BUILDER) builds the
group's default views as a request would and hands them to write, which stores them in a second,
short write transaction only while the group's publication stamp is still the one they were keyed
with. So a stored view always belongs to the stamp in its key, nothing computed before a purge
survives it, and a view a request finds missing (between the commit and the storage, or never
stored) is simply built. Only text is stored: a JSON body, a page's results, a page's frame.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from flask import current_app, has_app_context
from markupsafe import Markup
from sqlalchemy import bindparam, delete, event, insert, select
from sqlalchemy.orm import Session

from ..database import begin_write, request_reads
from ..extensions import db
from ..models import ReleaseState, StoredView

BUILDER = "survey.stored_views.builder"  # app.extensions: group ids -> None, builds and stores their views
_PUBLISHED = "survey_published"  # session.info: the groups this transaction published
_READ = select(StoredView.kind, StoredView.body).where(StoredView.digest == bindparam("digest"))
log = logging.getLogger(__name__)


def digest(key: tuple[Hashable, ...]) -> str | None:
    """Return the SHA-256 of a memo key's text, or None when a part of it has no stable text (an object's
    address), so such a view is neither stored nor looked for."""
    text = repr(key)
    return None if " at 0x" in text else hashlib.sha256(text.encode()).hexdigest()


def encode(value: object) -> tuple[str, str] | None:
    """Return (kind, body) for a value a view keeps, or None when it is no text this table stores."""
    if isinstance(value, bytes):
        return "bytes", value.decode()
    if isinstance(value, Markup):
        return "markup", str(value)
    if isinstance(value, tuple) and all(isinstance(piece, str) for piece in value):
        return "pieces", json.dumps(value)
    return None


def decode(kind: str, body: str) -> object:
    """Return the value a stored row holds, as the view kept it."""
    if kind == "bytes":
        return body.encode()
    if kind == "markup":
        # A page's results as its own template rendered and escaped them, written only by write() below: no
        # outside text reaches this table unescaped (anyone who can write to the database owns the app anyway).
        return Markup(body)  # noqa: S704  # nosec B704
    return tuple(json.loads(body))


def read(key: tuple[Hashable, ...]) -> object | None:
    """Return the view stored under this memo key, or None (one primary-key read on the request's connection)."""
    found = digest(key)
    if found is None:
        return None
    row = request_reads().execute(_READ, {"digest": found}).first()
    return None if row is None else decode(row.kind, row.body)


def forget(group_id: int) -> None:
    """Delete the group's stored views in the caller's write transaction (the publication's), and build
    them again once it commits."""
    db.session.execute(delete(StoredView).where(StoredView.group_id == group_id))
    db.session.info.setdefault(_PUBLISHED, set()).add(group_id)


def write(group_id: int, entries: Iterable[tuple[tuple[Hashable, ...], object]]) -> int:
    """Store the views built for the group, keyed (memo key without the day) with its publication stamp
    first, in one short write transaction; only those whose stamp is the group's stamp now are stored (a
    later publication, committed or in flight on another server, has deleted or will delete the group's
    rows: its stamp is newer). Return how many were stored."""
    begin_write()
    # Locking the stamp's row waits for a publication in flight (it updates this row) on PostgreSQL;
    # SQLite's BEGIN IMMEDIATE already excludes it.
    stamp = db.session.execute(
        select(ReleaseState.audited_at).where(ReleaseState.group_id == group_id).with_for_update()
    ).scalar()
    rows: dict[str, dict[str, Any]] = {}
    for key, value in entries:
        found, encoded = digest(key), encode(value)
        if found is None or encoded is None or stamp is None or _stamp_of(key) != stamp:
            continue
        rows[found] = {"digest": found, "group_id": group_id, "kind": encoded[0], "body": encoded[1]}
    if rows:
        db.session.execute(delete(StoredView).where(StoredView.digest.in_(list(rows))))
        db.session.execute(insert(StoredView), list(rows.values()))
    db.session.commit()
    return len(rows)


def _stamp_of(key: tuple[Hashable, ...]) -> object:
    """Return the publication stamp a memo key holds (its second part: stamp, then questionnaires)."""
    publication = key[1]
    return publication[0] if isinstance(publication, tuple) and publication else None


@event.listens_for(Session, "after_commit")
def _build_published(session: Session) -> None:
    """After a publication commits, build and store its groups' default views (when the app builds them)."""
    published: set[int] = session.info.pop(_PUBLISHED, set())
    if not published or not has_app_context():
        return
    builder: Callable[[set[int]], None] | None = current_app.extensions.get(BUILDER)
    if builder is None:
        return
    try:
        builder(published)
    except Exception:  # the publication stands: its views are then built by the first request instead
        log.exception("storing the dashboard views of groups %s failed", sorted(published))


@event.listens_for(Session, "after_rollback")
def _forget_published(session: Session) -> None:
    """A rolled back publication stored nothing and deleted nothing: nothing to build."""
    session.info.pop(_PUBLISHED, None)
