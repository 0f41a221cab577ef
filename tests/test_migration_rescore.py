"""The h5 migration: old-style scores (hidden items counted as 0) are derived again from the answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from survey import create_app
from survey.extensions import db
from survey.instruments import Instrument
from survey.instruments.yaml_lines import parse_yaml, to_plain
from survey.submissions import submission_key

from .conftest import BASE_CONFIG, ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="builds its own SQLite database at the previous revision")


def old_craving() -> Instrument:
    """Return craving 1.0 as shipped before, with its undocumented when_hidden: 0 (a stored version)."""
    yaml_text = subprocess.run(
        ["git", "show", "546f055:instruments/craving.yaml"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return Instrument.from_definition(json.loads(json.dumps(to_plain(parse_yaml(yaml_text)))))


# (token, answers, old score stored by the old rules): a submission of checkin + craving stores
# its craving response at position 1 under "<nonce>-1".
ROWS = [
    ("nonceAAAAAAAAAAAAAAAA-1", {}, 0.0),  # skipped craving entirely: old rules scored 0
    ("nonceBBBBBBBBBBBBBBBB-1", {"strength_now": 6.0}, 3.0),  # frequency skipped hid hardest: (6 + 0) / 2
    ("nonceCCCCCCCCCCCCCCCC-1", {"strength_now": 4.0, "frequency": 0.0}, 2.0),  # no urges: (4 + 0) / 2
    ("nonceDDDDDDDDDDDDDDDD", {"strength_now": 4.0, "frequency": 2.0, "hardest": 8.0}, 6.0),  # unchanged
]
# Their scores by my arithmetic on the answers: missing is left out, no answer is no score.
EXPECTED = {"nonceBBBBBBBBBBBBBBBB-1": 6.0, "nonceCCCCCCCCCCCCCCCC-1": 4.0, "nonceDDDDDDDDDDDDDDDD": 6.0}


def test_migration_rescores_from_the_stored_answers_and_keys_submissions(tmp_path: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    craving = old_craving()
    with app.app_context():
        upgrade(revision="d0002_dashboard_index")
        run = db.session.execute
        run(
            text(
                "INSERT INTO groups (id, name, code, default_locale, timezone, min_group_size, is_open, created_at)"
                " VALUES (1, 'G', 'G1', 'en', 'UTC', 5, 1, '2026-11-01')"
            )
        )
        run(text("INSERT INTO meetings (id, group_id, local_date) VALUES (1, 1, '2026-11-02')"))
        run(
            text(
                "INSERT INTO instrument_versions (id, instrument_id, content_hash, label, definition, first_used_at)"
                " VALUES (1, 'craving', :hash, '1.0', :definition, '2026-11-01')"
            ),
            {"hash": craving.content_hash, "definition": json.dumps(craving.definition())},
        )
        for response_id, (token, answers, old) in enumerate([*ROWS, ("nonceAAAAAAAAAAAAAAAA", {}, None)], start=1):
            run(
                text(
                    "INSERT INTO responses (id, token, meeting_id, group_id, meeting_date, instrument_version_id,"
                    " locale, submitted_hour) VALUES (:id, :token, 1, 1, '2026-11-02', 1, 'en', '2026-11-02 20:00')"
                ),
                {"id": response_id, "token": token},
            )
            for item_id, value in answers.items():
                run(
                    text("INSERT INTO answers (response_id, item_id, value_num) VALUES (:r, :i, :v)"),
                    {"r": response_id, "i": item_id, "v": value},
                )
            if old is not None:
                run(
                    text("INSERT INTO scores (response_id, scale_id, value, band) VALUES (:r, 'craving', :v, 'low')"),
                    {"r": response_id, "v": old},
                )
        db.session.commit()
        upgrade(revision="h5_rescore_people")
        scores = dict(
            run(
                text(
                    "SELECT r.token, s.value FROM scores s JOIN responses r ON r.id = s.response_id"
                    " WHERE s.scale_id = 'craving'"
                )
            ).all()
        )
        keys = dict(run(text("SELECT token, submission FROM responses")).all())
        frequency = dict(
            run(
                text(
                    "SELECT r.token, s.value FROM scores s JOIN responses r ON r.id = s.response_id"
                    " WHERE s.scale_id = 'craving_frequency'"
                )
            ).all()
        )
        db.engine.dispose()
    assert scores == EXPECTED
    assert frequency == {"nonceCCCCCCCCCCCCCCCC-1": 0.0, "nonceDDDDDDDDDDDDDDDD": 2.0}
    # "<nonce>-1" belongs with "<nonce>" when both are stored; otherwise a token is its own submission.
    assert keys["nonceAAAAAAAAAAAAAAAA-1"] == keys["nonceAAAAAAAAAAAAAAAA"] == submission_key("nonceAAAAAAAAAAAAAAAA")
    assert keys["nonceBBBBBBBBBBBBBBBB-1"] == submission_key("nonceBBBBBBBBBBBBBBBB-1")
    assert len(set(keys.values())) == 4
