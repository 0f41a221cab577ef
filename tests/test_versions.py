"""A changed instrument file is a new version; stored responses keep the version they answered."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy import func, select

from survey import catalog
from survey.database import begin_write
from survey.extensions import db
from survey.models import Group, InstrumentVersion, Meeting, Response
from survey.submissions import build_response

SHIPPED = Path(__file__).parent.parent / "instruments"


def store_one(instrument, token: str) -> Response:
    """Store one response to the instrument in a fresh meeting of a fresh group."""
    begin_write()
    group = db.session.scalar(select(Group).filter_by(code="VERSIONS")) or Group(name="G", code="VERSIONS")
    db.session.add(group)
    db.session.flush()
    meeting = db.session.scalar(select(Meeting).filter_by(group_id=group.id)) or Meeting(
        group_id=group.id, local_date=dt.date(2026, 11, 24)
    )
    db.session.add(meeting)
    db.session.flush()
    response_id = build_response(
        meeting=meeting,
        instrument=instrument,
        answers={"belonged": 4.0},
        locale="en",
        token=token,
        submitted_at=dt.datetime(2026, 11, 24, 20, 15, tzinfo=dt.UTC),
    )
    db.session.commit()
    return db.session.get(Response, response_id)


def test_changed_yaml_is_a_new_version_and_old_answers_keep_theirs(make_app, tmp_path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(SHIPPED / "belonging.yaml", folder / "belonging.yaml")
    first_app = make_app(SURVEY_INSTRUMENTS_DIR=str(folder))
    with first_app.app_context():
        old = catalog.registry().get("belonging")
        old_title = old.text(old.item("belonged").text, "en")
        first = store_one(old, "token-1")
        first_version_id = first.instrument_version_id

    yaml = (folder / "belonging.yaml").read_text(encoding="utf-8")
    (folder / "belonging.yaml").write_text(yaml.replace(old_title, "A reworded question"), encoding="utf-8")
    second_app = make_app(SURVEY_INSTRUMENTS_DIR=str(folder))
    with second_app.app_context():
        new = catalog.registry().get("belonging")
        assert new.content_hash != old.content_hash
        second = store_one(new, "token-2")
        assert second.instrument_version_id != first_version_id
        assert db.session.scalar(select(func.count()).select_from(InstrumentVersion)) == 2
        stored_old = db.session.get(InstrumentVersion, first_version_id)
        rebuilt = catalog.instrument_for_version(stored_old)
        assert rebuilt.content_hash == old.content_hash
        assert rebuilt.text(rebuilt.item("belonged").text, "en") == old_title


def test_first_use_stores_the_full_definition_once(app_ctx) -> None:
    instrument = catalog.registry().get("belonging")
    store_one(instrument, "a")
    store_one(instrument, "b")
    rows = db.session.scalars(select(InstrumentVersion)).all()
    assert len(rows) == 1
    assert rows[0].definition == instrument.definition()
    assert rows[0].content_hash == instrument.content_hash
