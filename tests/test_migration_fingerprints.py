"""The p1 migration: submissions stored before it get their fingerprint and alerts, so a form sent
before the upgrade and resent after it is still stored once, and its thank-you page shows its alerts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from survey import catalog, create_app
from survey.extensions import db
from survey.participant import tokens

from .conftest import BASE_CONFIG, ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="builds its own SQLite database at the previous revision")

NONCE = "pre-upgrade-nonce-AAAA"
OLD_NONCE = "long-ago-nonce-BBBBBBB"
# A strong craving (craving_now 9 of 10) raises the check-in's strong_craving alert.
FORM = {"confidence_overall": "7", "confidence_urge": "6", "craving_now": "9", "comment": "ok"}
FORM |= {"belonged": "4", "honest": "3", "outsider": "2", "helpful": "5"}
STORED = [("confidence_overall", 7.0, None), ("confidence_urge", 6.0, None), ("craving_now", 9.0, None)]
STORED += [("belonged", 4.0, None), ("honest", 3.0, None), ("outsider", 2.0, None), ("helpful", 5.0, None)]
STORED += [("comment", None, "ok")]


def store_old_style(app, today: dt.date) -> int:  # type: ignore[no-untyped-def]
    """Store, at revision h5, one submission as the code before p1 stored it (no fingerprint, no alerts)."""
    with app.app_context():
        upgrade(revision="h5_rescore_people")
        checkin = catalog.registry().get("checkin")
        run = db.session.execute
        run(
            text(
                "INSERT INTO groups (id, name, code, default_locale, timezone, min_group_size, is_open, created_at)"
                " VALUES (1, 'G', 'OLDGRP', 'en', 'UTC', 5, 1, '2026-11-01')"
            )
        )
        run(text("INSERT INTO group_instruments (group_id, instrument_id, position) VALUES (1, 'checkin', 0)"))
        run(text("INSERT INTO meetings (id, group_id, local_date) VALUES (1, 1, :d)"), {"d": today})
        run(
            text(
                "INSERT INTO instrument_versions (id, instrument_id, content_hash, label, definition, first_used_at)"
                " VALUES (1, 'checkin', :hash, '1', :definition, '2026-11-01')"
            ),
            {"hash": checkin.content_hash, "definition": json.dumps(checkin.definition())},
        )
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)
        for response_id, (token, hour) in enumerate([(NONCE, now), (OLD_NONCE, now - dt.timedelta(days=9))], 1):
            run(
                text(
                    "INSERT INTO responses (id, token, meeting_id, group_id, meeting_date, instrument_version_id,"
                    " locale, submitted_hour, submission) VALUES (:id, :token, 1, 1, :d, 1, 'en', :hour, 'x')"
                ),
                {"id": response_id, "token": token, "d": today, "hour": hour},
            )
            for item_id, number, value in STORED:
                run(
                    text("INSERT INTO answers (response_id, item_id, value_num, value_text) VALUES (:r, :i, :n, :t)"),
                    {"r": response_id, "i": item_id, "n": number, "t": value},
                )
        db.session.commit()
        upgrade(revision="heads")
        return int(checkin is not None)


def test_a_form_sent_before_the_upgrade_and_resent_after_is_stored_once(tmp_path: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    today = dt.datetime.now(dt.UTC).date()
    store_old_style(app, today)
    with app.app_context():
        rows = dict(db.session.execute(text("SELECT token, alerts FROM responses")).all())
        assert json.loads(rows[NONCE]) == ["strong_craving"] and rows[OLD_NONCE] is None  # too old to be resent
        with app.test_request_context():
            signed = tokens.issue(1, (catalog.registry().get("checkin").content_hash,), today, None, nonce=NONCE)
    client = app.test_client()
    resent = client.post("/s/OLDGRP", data={"form_token": signed, "lang": "en", "website": "", **FORM})
    assert resent.status_code == 303
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM responses")) == 2  # recognised: stored once
    page = client.get(resent.headers["Location"])
    assert page.status_code == 200 and 'href="tel:988"' in page.get_data(as_text=True)  # the stored alert
    other = client.post(
        "/s/OLDGRP", data={"form_token": signed, "lang": "en", "website": "", **FORM, "craving_now": "1"}
    )
    assert other.status_code == 303
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM responses")) == 3  # another person's answers
        db.engine.dispose()
