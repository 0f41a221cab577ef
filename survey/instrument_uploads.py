"""Instrument files uploaded by admins: checked like `flask instruments check`, stored, read back by every server.

An upload is checked in full before anything is stored: the same `path:line: message` checks as
the files (every problem at once), plus the rules that keep ids unambiguous: an id defined by a
file on the server cannot be uploaded (change the file instead), and an id uploaded before needs
the admin's explicit "new version" choice. Rows are append-only; the latest row of each id is
served. Answers keep their meaning whatever is uploaded later, because each answered version's
definition is stored by content hash (catalog.ensure_version).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from . import audit
from .database import begin_write, read_connection
from .extensions import db
from .instruments import InstrumentError, InstrumentIssue
from .instruments.loader import Parsed, parse_text
from .models import InstrumentUpload

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredUpload:
    """One stored upload as every app server reads it back."""

    id: int
    instrument_id: str
    filename: str
    source: str

    @property
    def path(self) -> str:
        """The name its messages carry, like a file's path: uploads/<row id>/<file name>."""
        return upload_path(self.id, self.filename)


def upload_path(row_id: int | str, filename: str) -> str:
    """Return the path-like name of an upload, for `path:line: message`."""
    return f"uploads/{row_id}/{filename}"


def safe_filename(name: str) -> str:
    """Return the file name without folders or odd characters (it is shown and stored, never opened)."""
    base = _SAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return (base or "instrument.yaml")[:120]


def too_big(max_bytes: int) -> str:
    """Say that a file is over the limit, in the reader's language and number format."""
    return _(
        "The file is larger than the limit of %(limit)s bytes; nothing was stored.", limit=format_number(max_bytes)
    )


def uploads_version() -> int:
    """Return the highest upload id (0 when none): it grows with every upload, so comparing it is enough."""
    with read_connection() as connection:
        return int(connection.scalar(select(func.coalesce(func.max(InstrumentUpload.id), 0))) or 0)


def latest_uploads() -> list[StoredUpload]:
    """Return the latest upload of each instrument id, oldest id first."""
    latest = select(func.max(InstrumentUpload.id)).group_by(InstrumentUpload.instrument_id)
    query = (
        select(InstrumentUpload.id, InstrumentUpload.instrument_id, InstrumentUpload.filename, InstrumentUpload.source)
        .where(InstrumentUpload.id.in_(latest))
        .order_by(InstrumentUpload.id)
    )
    with read_connection() as connection:
        return [StoredUpload(*row) for row in connection.execute(query)]


def check_upload(filename: str, data: bytes, max_bytes: int, file_ids: set[str], replace: bool) -> tuple[Parsed, str]:
    """Check an uploaded file as the loader checks files, and against the ids already in use; return it and its text.

    :raises InstrumentError: listing every problem; nothing is stored.
    """
    if len(data) > max_bytes:
        raise InstrumentError([InstrumentIssue(filename, 1, too_big(max_bytes))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        message = _("The file is not text in UTF-8. Save it as UTF-8 text (a .yaml file) and upload it again.")
        raise InstrumentError([InstrumentIssue(filename, 1, message)]) from None
    parsed = parse_text(text, filename)
    issue = _id_problem(parsed, file_ids, replace)
    if issue is not None:
        raise InstrumentError([InstrumentIssue(filename, parsed.id_line, issue)], parsed.instrument.id)
    return parsed, text


def _id_problem(parsed: Parsed, file_ids: set[str], replace: bool) -> str | None:
    """Return why this id cannot be uploaded now, or None."""
    instrument = parsed.instrument
    if instrument.id in file_ids:
        return _(
            "instrument id '%(id)s' belongs to a file in the server's instruments folder; change that file, "
            "or give this instrument another id",
            id=instrument.id,
        )
    earlier = db.session.scalar(
        select(InstrumentUpload).filter_by(instrument_id=instrument.id).order_by(InstrumentUpload.id.desc()).limit(1)
    )
    if earlier is None:
        return None
    if earlier.content_hash == instrument.content_hash:
        return _("this exact version of '%(id)s' is already uploaded and served; nothing changed", id=instrument.id)
    if not replace:
        return _(
            "instrument id '%(id)s' was uploaded before (%(name)s); tick \u201cThis is a new version\u201d to replace "
            "it (answers to the earlier version keep their meaning)",
            id=instrument.id,
            name=earlier.filename,
        )
    return None


def store_upload(parsed: Parsed, filename: str, text: str, file_ids: set[str], replace: bool) -> InstrumentUpload:
    """Store a checked upload and its audit event in one transaction.

    The id rules are checked again inside the write transaction, so two admins uploading the
    same new id at once cannot both succeed unseen (on SQLite the write lock orders them).

    :raises InstrumentError: when the id became unavailable meanwhile; nothing is stored.
    """
    begin_write()
    issue = _id_problem(parsed, file_ids, replace)
    if issue is not None:
        db.session.rollback()
        raise InstrumentError([InstrumentIssue(filename, parsed.id_line, issue)], parsed.instrument.id)
    row = InstrumentUpload(
        instrument_id=parsed.instrument.id,
        content_hash=parsed.instrument.content_hash,
        filename=filename,
        source=text,
        uploaded_by_id=current_user.id if current_user.is_authenticated else None,
    )
    db.session.add(row)
    detail = f"{filename}, version {parsed.instrument.version}, {parsed.instrument.content_hash[:12]}"
    audit.record("instrument.upload", target=parsed.instrument.id, detail=detail)
    db.session.commit()
    return row
