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


def test_compare_all_groups_row_is_filled_for_the_previous_period(app, client):
    with app.app_context():
        one, two = add_group("GRPA", k=5), add_group("GRPB", k=5)
        add_responses(one, dt.date(2026, 1, 6), craving([2, 3, 4, 5, 6]))
        add_responses(two, dt.date(2026, 1, 7), craving([1, 2, 3, 4, 5]))
        add_responses(one, dt.date(2026, 2, 3), craving([2, 3, 4, 5, 6]))
        add_responses(two, dt.date(2026, 2, 4), craving([7, 8, 9, 9, 9]))
        log_in(client, app, add_user("admin"))
    body = client.get("/dashboard/compare/craving.json?grain=month").get_json()
    # January over both groups: (2+3+4+5+6 + 1+2+3+4+5) / 10 = 3.5
    assert body["total_previous"]["mean"] == 3.5 and body["total_previous"]["n"] == 10
    # February: (2+3+4+5+6 + 7+8+9+9+9) / 10 = 6.2
    assert body["total_latest"]["mean"] == 6.2
    page = client.get("/dashboard/compare?grain=month").get_data(as_text=True)
    rows = [part.split("</tr>")[0] for part in page.split("All these groups")[1:]]
    assert any("3.50 (n = 10)" in row and "6.20 (n = 10)" in row for row in rows)
