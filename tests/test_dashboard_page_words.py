"""Words on the group dashboard page: the empty state names the filter in force, "All time" says what it covers."""

from __future__ import annotations

import datetime as dt

import pytest

from .dashboard_support import MONDAY, add_group, add_responses, add_user, craving, log_in


@pytest.fixture
def seeded(app):
    with app.app_context():
        group = add_group("GRPA", k=3)
        for n in range(4):
            add_responses(group, MONDAY + dt.timedelta(weeks=n), craving([2, 3, 4, 5]))
        add_responses(group, MONDAY, craving([1, 2, 3]), locale="es")
        add_group("GRPB", k=3)
    return app


def log_in_admin(app, client):
    with app.app_context():
        log_in(client, app, add_user("admin"))


@pytest.mark.parametrize(
    ("code", "query", "heading"),
    [
        ("GRPB", "", "No responses yet"),
        ("GRPA", "from=2030-01-01", "No responses in these dates"),
        ("GRPA", "lang=es&from=2026-03-01", "No responses match these filters"),
    ],
)
def test_empty_state_names_the_filter_in_force(seeded, client, code, query, heading):
    log_in_admin(seeded, client)
    response = client.get(f"/groups/{code}/dashboard?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert heading in page
    assert ("qr poster up" in page.lower()) == (heading == "No responses yet")


def test_all_time_says_it_ignores_the_dates(seeded, client):
    log_in_admin(seeded, client)
    plain = client.get("/groups/GRPA/dashboard?lang=en").get_data(as_text=True)
    dated = client.get("/groups/GRPA/dashboard?lang=en&from=2026-01-19").get_data(as_text=True)
    assert "All time:" in plain
    assert "All time, whatever the dates chosen above:" in dated
    assert "(s)" not in plain and "(s)" not in dated
