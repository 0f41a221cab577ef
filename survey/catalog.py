"""The app's loaded instruments and their stored versions.

At start-up every valid YAML instrument is served and each invalid one is logged with its
`path:line` errors, so one broken file never takes the site down. The first time a version
is answered its full definition is stored, and old answers are always read against the
stored definition, never against the YAML file as it is today.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .instruments import Instrument, InstrumentRegistry, load_directory
from .instruments.loader import MAX_FILE_BYTES
from .models import InstrumentVersion

EXTENSION_KEY = "survey.instruments"


def init_app(app: Flask) -> None:
    """Load the instruments folder once and log every invalid file."""
    result = load_directory(
        app.config["SURVEY_INSTRUMENTS_DIR"],
        int(app.config.get("SURVEY_INSTRUMENT_MAX_BYTES") or MAX_FILE_BYTES),
    )
    for issue in result.issues:
        app.logger.error("Instrument not loaded: %s", issue)
    app.extensions[EXTENSION_KEY] = InstrumentRegistry(result)


def registry() -> InstrumentRegistry:
    """Return the current app's instrument registry."""
    return current_app.extensions[EXTENSION_KEY]  # type: ignore[no-any-return]


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
