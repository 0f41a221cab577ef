"""The report's questionnaires filled in come from the stored people cells, per language and after a late batch:
counts worked out here from the answers stored, and no request reads the answers table."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import event, select

from survey.extensions import db
from survey.models import Group, Response
from survey.release import stored_views

from .dashboard_support import add_group, add_responses, add_user, log_in

DAY = dt.date(2026, 10, 6)


def checkin(confidence: int) -> dict[str, object]:
    """One check-in's answers."""
    return {"confidence_overall": confidence, "craving_now": 2, "helpful": 4}


def pair_sendings(group: Group) -> None:
    """Put each craving questionnaire in one check-in's sending (same meeting and language), as one form stores them."""
    responses = db.session.scalars(select(Response).filter_by(group_id=group.id).order_by(Response.id)).all()
    found: dict[tuple[dt.date, str], dict[str, list[Response]]] = {}
    for r in responses:
        kinds = found.setdefault((r.meeting_date, r.locale), {"checkin": [], "craving": []})
        kinds[r.instrument_version.instrument_id].append(r)
    for kinds in found.values():
        for first, second in zip(kinds["checkin"], kinds["craving"], strict=False):
            second.submission = first.submission
    db.session.commit()


def at(monkeypatch, days: int) -> None:  # type: ignore[no-untyped-def]
    """Make the release step see noon UTC this many days after the meeting."""
    moment = dt.datetime.combine(DAY + dt.timedelta(days=days), dt.time(12), dt.UTC)
    monkeypatch.setattr("survey.release.service.now_utc", lambda: moment)


def counts(page: str) -> tuple[int, int, int]:
    """Return the report's check-in, craving and total questionnaire counts."""
    found = [
        int(re.search(rf"{label}</th><td class=\"num\">(\d+)</td>", page).group(1))  # type: ignore[union-attr]
        for label in ("After-meeting check-in", "Cravings", "All questionnaires")
    ]
    return found[0], found[1], found[2]


def test_report_counts_questionnaires_per_language_and_after_a_late_batch(make_app, monkeypatch) -> None:
    app: Flask = make_app()
    # The report's own reads: not the default views publication builds (the comments page among them reads the
    # comments' answers, as its request would; tests/test_dashboard_stored_views.py tests those).
    app.extensions.pop(stored_views.BUILDER)
    with app.app_context():
        group = add_group("QREP", k=3, instruments=("checkin", "craving"))
        add_responses(group, DAY, [checkin(v) for v in (4, 6, 8, 9)])
        # Two of the four English sendings answered the craving questionnaire; a third left it empty.
        add_responses(group, DAY, [{"strength_now": 3, "frequency": 2}] * 2 + [{}], instrument_id="craving")
        add_responses(group, DAY, [checkin(v) for v in (5, 5, 7)], locale="es")
        pair_sendings(group)
        group_id = group.id
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    at(monkeypatch, 3)  # the meeting's window and grace period have closed
    report = "/groups/QREP/dashboard/report"
    # All languages: 4 + 3 check-ins, 2 cravings (the empty one is no questionnaire filled in).
    assert counts(client.get(report).get_data(as_text=True)) == (7, 2, 9)
    assert counts(client.get(f"{report}?lang=es").get_data(as_text=True)) == (3, 0, 3)
    assert counts(client.get(f"{report}?lang=en").get_data(as_text=True)) == (4, 2, 6)
    with app.app_context():
        add_responses(db.session.get(Group, group_id), DAY, [checkin(v) for v in (1, 2, 3)])  # late, k = 3 of them
        engine = db.engine
    at(monkeypatch, 5)
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get(report).get_data(as_text=True)  # releases the late batch, then reads
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert counts(page) == (10, 2, 12)
    assert counts(client.get(f"{report}?lang=en").get_data(as_text=True)) == (7, 2, 9)
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    after_release = reads[[i for i, s in enumerate(reads) if "published_cells" in s][0] :]
    assert after_release and not [s for s in after_release if re.search(r"\banswers\b", s)]
