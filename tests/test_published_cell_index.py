"""Stored cells are read through the (group, measure, language, grain, period) index: a trend seeks its language
and grains, the questions page its period, instead of walking every cell of each measure; the q2 migration
builds it and takes it back."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, inspect

from survey.extensions import db

from .conftest import ON_POSTGRES
from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in, move_release_clock
from .test_dashboard_sql import explain


def test_cell_reads_seek_the_language_and_grain(app, client, monkeypatch) -> None:
    with app.app_context():
        group = add_group("CELLS", k=3)
        for week in range(3):
            add_responses(group, MONDAY + dt.timedelta(weeks=week), [{"craving_now": 3.0, "helpful": 4.0}] * 4)
        log_in(client, app, add_user("admin"))
        move_release_clock(monkeypatch, days=0)
        assert client.get("/groups/CELLS/dashboard/engagement.json").status_code == 200  # releases the meetings
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("SELECT") and "FROM published_cells" in statement:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            # At grains the dashboard does not show by default (meeting): built on request, not stored at publication.
            for path in ("trend/checkin/craving.json?grain=week", f"items.json?grain=week&period={MONDAY}"):
                assert client.get(f"/groups/CELLS/dashboard/{path}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        assert len(captured) == 3  # the scale's cells; the people cells (the periods on offer), the questions' cells
        for statement, parameters in captured:
            plan = explain(statement, parameters)
            assert "ix_published_cells_cell" in plan, plan
            if not ON_POSTGRES:
                assert "measure=? AND locale=?" in plan, plan
        db.session.rollback()


@pytest.mark.skipif(ON_POSTGRES, reason="moves the shared test database's revision")
def test_the_migration_builds_the_index_and_takes_it_back(app) -> None:
    with app.app_context():

        def indexes() -> set[str]:
            return {str(ix["name"]) for ix in inspect(db.engine).get_indexes("published_cells")}

        assert indexes() == {"ix_published_cells_cell"}
        downgrade(revision="q1_published_summaries")
        assert indexes() == {"ix_published_cells_group_measure"}
        upgrade(revision="heads")
        assert indexes() == {"ix_published_cells_cell"}
