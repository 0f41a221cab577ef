"""No participant identity can be stored: the schema has no column for it."""

from __future__ import annotations

from survey.extensions import db

PARTICIPANT_TABLES = {"responses", "answers", "scores", "meetings"}
IDENTIFYING_WORDS = ("ip", "addr", "agent", "user_agent", "email", "phone", "device", "cookie", "name", "created_at")


def test_participant_tables_have_no_identity_columns() -> None:
    for table in db.metadata.sorted_tables:
        if table.name not in PARTICIPANT_TABLES:
            continue
        for column in table.columns:
            words = column.name.split("_")
            assert not any(w in words for w in IDENTIFYING_WORDS if "_" not in w), (table.name, column.name)
            assert column.name not in IDENTIFYING_WORDS, (table.name, column.name)


def test_response_time_is_the_hour_bucket_only() -> None:
    import datetime as dt

    from survey.submissions import hour_bucket

    moment = dt.datetime(2026, 11, 25, 21, 47, 13, 123, tzinfo=dt.UTC)
    assert hour_bucket(moment) == dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.UTC)
