"""The app's loaded instruments and their stored versions.

At start-up every valid YAML instrument is served and each invalid one is logged with its
`path:line` errors, so one broken file never takes the site down. The first time a version
is answered its full definition is stored, and old answers are always read against the
stored definition, never against the YAML file as it is today.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import instrument_uploads, unproxied
from .extensions import db
from .instruments import Instrument, InstrumentError, InstrumentIssue, InstrumentRegistry
from .instruments.loader import LoadResult, Parsed, add_problems, combine, parse_directory, parse_text
from .models import InstrumentVersion

EXTENSION_KEY = "survey.instruments"


@dataclass
class Catalog:
    """One app's instruments: the folder's (read once at start-up) and the uploads (re-read when they change)."""

    files: list[Parsed]
    broken_files: LoadResult
    registry: InstrumentRegistry
    uploads_version: int | None = None  # None: the uploads were never read by this process
    checked_at: float = 0.0
    uploads: dict[int, Parsed | InstrumentError] = field(default_factory=dict)  # rows never change: parse once
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def file_ids(self) -> set[str]:
        """The ids the folder defines, valid or not (an upload may not take them)."""
        return {one.instrument.id for one in self.files} | set(self.broken_files.problems)


def init_app(app: Flask) -> None:
    """Load the instruments folder once, log every invalid file, and look for new uploads before requests."""
    files, broken = parse_directory(app.config["SURVEY_INSTRUMENTS_DIR"], app.config["SURVEY_INSTRUMENT_MAX_BYTES"])
    result = combine(files, broken)
    for issue in result.issues:
        app.logger.error("Instrument not loaded: %s", issue)
    app.extensions[EXTENSION_KEY] = Catalog(files, broken, InstrumentRegistry(result))
    app.before_request(refresh_if_due)


def catalog() -> Catalog:
    """Return the current app's catalog."""
    return unproxied.app().extensions[EXTENSION_KEY]  # type: ignore[no-any-return]


def registry() -> InstrumentRegistry:
    """Return the current app's instrument registry, with the uploads read at least once in this process."""
    state = catalog()
    if state.checked_at == 0.0:
        refresh(state)
    return state.registry


def refresh_if_due() -> None:
    """Before a request: look for new uploads when the last look is older than SURVEY_INSTRUMENTS_RECHECK_SECONDS."""
    state = catalog()
    if time.monotonic() - state.checked_at >= unproxied.app().config["SURVEY_INSTRUMENTS_RECHECK_SECONDS"]:
        refresh(state)


def refresh(state: Catalog) -> None:
    """Rebuild the registry when the uploads' version changed (one small query otherwise).

    A database that does not answer (or is not migrated yet) leaves the registry as it was: the
    request then meets the fault where it reads or writes, with its own page.
    """
    with state.lock:
        try:
            version = instrument_uploads.uploads_version()
            if version != state.uploads_version:
                state.registry = _rebuilt(state, instrument_uploads.latest_uploads())
                state.uploads_version = version
        except SQLAlchemyError as error:
            current_app.logger.warning("Uploaded instruments not read: %s", str(error).splitlines()[0][:200])
        state.checked_at = time.monotonic()


def _rebuilt(state: Catalog, uploads: list[instrument_uploads.StoredUpload]) -> InstrumentRegistry:
    """Combine the folder and the latest uploads into a new registry; versions served before stay findable."""
    parsed, broken = list(state.files), LoadResult()
    for instrument_id, issues in state.broken_files.problems.items():
        add_problems(broken, instrument_id, issues)
    for upload in uploads:
        loaded = state.uploads.get(upload.id)
        if loaded is None:
            loaded = state.uploads[upload.id] = _parse_upload(upload)
        if isinstance(loaded, InstrumentError):
            add_problems(broken, upload.instrument_id, loaded.issues)
        else:
            parsed.append(loaded)
    new = InstrumentRegistry(combine(parsed, broken))
    for instrument in state.registry.known():
        new.add(instrument)  # a form shown just before the change still posts to its own version
    return new


def _parse_upload(upload: instrument_uploads.StoredUpload) -> Parsed | InstrumentError:
    """Parse a stored upload once; one that no longer validates (stricter rules since) is logged and skipped."""
    try:
        return parse_text(upload.source, upload.path)
    except InstrumentError as error:
        for issue in error.issues:
            current_app.logger.error("Instrument not loaded: %s", issue)
        return error


def unavailable(instrument_ids: list[str]) -> dict[str, list[InstrumentIssue]]:
    """Return each of these ids that is not served, with the issues that kept it out ([] when nothing defines it)."""
    current = registry()
    return {i: current.problems_of(i) for i in instrument_ids if current.get(i) is None}


def ensure_version(instrument: Instrument) -> InstrumentVersion:
    """Return the stored row for this exact version, storing its definition on first use.

    Runs inside the caller's transaction; two first uses at once are settled by the unique
    content hash (the loser reads the winner's row).
    """
    row = db.session.scalar(select(InstrumentVersion).filter_by(content_hash=instrument.content_hash))
    if row is not None:
        return row
    row = InstrumentVersion(
        instrument_id=instrument.id,
        content_hash=instrument.content_hash,
        label=str(instrument.version),
        definition=instrument.definition(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a concurrent first use won the race
        existing = db.session.scalar(select(InstrumentVersion).filter_by(content_hash=instrument.content_hash))
        if existing is None:
            raise
        return existing
    return row


# Stored definitions never change, so a rebuilt version can be kept for the process's life.
_REBUILT: dict[str, Instrument] = {}


def instrument_for_version(row: InstrumentVersion) -> Instrument:
    """Rebuild the instrument exactly as it was when this version was first answered."""
    instrument = _REBUILT.get(row.content_hash)
    if instrument is None:
        instrument = _REBUILT[row.content_hash] = Instrument.from_definition(row.definition)
    return instrument
