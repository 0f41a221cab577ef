"""Privacy in every dashboard aggregate: small cells and their complements never leave the query layer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics

import pytest

from survey.extensions import db
from survey.models import AuditEvent
from survey.stats.hierarchy import MeetingMoments, Moments, suppress_hierarchy

from .dashboard_support import MONDAY, add_group, add_responses, add_user, craving, log_in

TREND = "/groups/{code}/dashboard/trend/checkin/craving.json"


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        log_in(client, app, add_user("admin"))
    return client


def cell(day: dt.date, n: int, locale: str = "en") -> MeetingMoments:
    week_start = day - dt.timedelta(days=day.weekday())
    return MeetingMoments(day, week_start, day.replace(day=1), locale, Moments(n, 2.0 * n, 4.0 * n))


@pytest.mark.parametrize(("n", "hidden"), [(4, True), (5, False)])
def test_cell_is_hidden_below_k_and_shown_at_k(n, hidden) -> None:
    cells = suppress_hierarchy([cell(week(0), n), cell(week(1), 9)], k=5)
    small = cells[("meeting", week(0), "*")]
    assert small.suppressed is hidden
    assert (small.stats is None) is hidden
    assert small.n == n  # n stays visible; only the statistics go


def test_floor_of_three_applies_when_k_is_configured_lower() -> None:
    cells = suppress_hierarchy([cell(week(0), 2), cell(week(1), 3), cell(week(2), 9)], k=1)
    assert cells[("meeting", week(0), "*")].hidden_because == "small_cell"
    assert cells[("meeting", week(1), "*")].hidden_because != "small_cell"  # 3 passes the floor


def test_month_total_cannot_expose_its_one_hidden_meeting() -> None:
    # January: 4 (hidden) + 6 + 9 + 7; with the three meetings shown, the month (and all time,
    # the same answers) must go: hiding the month costs no meeting, hiding a meeting would.
    days = [dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 19), dt.date(2026, 1, 26)]
    cells = suppress_hierarchy([cell(d, n) for d, n in zip(days, (4, 6, 9, 7), strict=True)], k=5)
    meetings = [cells[("meeting", d, "*")] for d in days]
    assert [m.hidden_because for m in meetings] == ["small_cell", None, None, None]
    assert cells[("month", dt.date(2026, 1, 1), "*")].hidden_because == "complement"
    assert cells[("all", None, "*")].hidden_because == "complement"


def test_all_languages_cannot_expose_one_small_language() -> None:
    # 6 English + 2 Spanish at one meeting: showing English and "all" would give the Spanish mean.
    rows = [cell(week(0), 6, "en"), cell(week(0), 2, "es"), cell(week(1), 8, "en")]
    cells = suppress_hierarchy(rows, k=5)
    assert cells[("meeting", week(0), "es")].hidden_because == "small_cell"
    shown_en = not cells[("meeting", week(0), "en")].suppressed
    shown_all = not cells[("meeting", week(0), "*")].suppressed
    assert not (shown_en and shown_all)


def test_json_never_carries_hidden_statistics(app, admin_client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), craving([1, 1, 1, 9]))  # 4 answers: mean 3.0 must never appear
        add_responses(group, week(1), craving([5, 6, 7, 5, 6, 7]))
        add_responses(group, week(2), craving([2, 3, 4, 2, 3]))
        add_responses(group, week(3), craving([2, 2, 8]))  # a second small meeting, so no complement is needed
    body = admin_client.get(TREND.format(code="GRPA") + "?grain=meeting").get_json()
    hidden = [p for p in body["data"] if p["suppressed"]]
    assert [p["start"] for p in hidden] == [week(0).isoformat(), week(3).isoformat()]
    assert set(hidden[0]) == {"start", "n", "suppressed", "reason"}
    assert "fewer than 5" in hidden[0]["reason"]
    mean_trace = next(t for t in body["figure"]["data"] if "mean" in t.get("name", ""))
    assert mean_trace["y"][0] is None
    assert mean_trace["y"][3] is None
    assert all(3.0 not in (t.get("y") or []) for t in body["figure"]["data"] if t.get("type") == "scatter")
    assert "3.0," not in str(body["figure"]) and "'mean': 3.0" not in str(body)
    shown = next(p for p in body["data"] if p["start"] == week(1).isoformat())
    assert shown["mean"] == 6.0 and shown["n"] == 6


def test_csv_export_equals_json_and_is_audited(app, admin_client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), craving([1, 2]))
        add_responses(group, week(1), craving([5, 6, 7, 5, 6, 7]))
        add_responses(group, week(2), craving([2, 3, 4, 2, 3, 8]))
    data = admin_client.get(TREND.format(code="GRPA") + "?grain=week").get_json()["data"]
    response = admin_client.get("/groups/GRPA/dashboard/export.csv?grain=week")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    everything = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"participation", "trend", "reliability", "change"} <= {r["figure"] for r in everything}
    rows = [r for r in everything if r["figure"] == "trend" and r["scale"] == "craving" and r["grain"] == "week"]
    assert [r["period_start"] for r in rows] == [p["start"] for p in data]
    for row, period in zip(rows, data, strict=True):
        assert int(row["n"]) == period["n"]
        assert row["suppressed"] == str(period["suppressed"])
        assert (row["mean"] and float(row["mean"])) == period.get("mean", "")
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="export").all()
        assert [e.target for e in events] == ["group:GRPA"]


def test_auto_grain_pools_small_meetings_into_months(app, admin_client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        for n in range(8):
            add_responses(group, week(n), craving([3, 4]))  # 2 a meeting: no meeting or week can be shown
    body = admin_client.get(TREND.format(code="GRPA")).get_json()
    assert body["grain"] == "month"
    assert any(not p["suppressed"] for p in body["data"])


def test_shown_statistics_match_a_hand_computation(app, admin_client) -> None:
    values = [2, 4, 4, 5, 7, 9]
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), craving(values))
    period = admin_client.get(TREND.format(code="GRPA") + "?grain=meeting").get_json()["data"][0]
    assert period["mean"] == pytest.approx(statistics.fmean(values), abs=1e-3)
    assert period["sd"] == pytest.approx(statistics.stdev(values), abs=1e-3)
    assert period["ci_low"] < period["mean"] < period["ci_high"]


def test_switching_language_cannot_reveal_a_small_language(app, admin_client) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), craving([2, 3, 4, 5, 6, 7]), locale="en")
        add_responses(group, week(0), craving([9, 9]), locale="es")
        add_responses(group, week(1), craving([2, 3, 4, 5, 6]), locale="en")
        add_responses(group, week(1), craving([1, 1, 1]), locale="es")
    views = {
        lang: admin_client.get(TREND.format(code="GRPA") + f"?grain=meeting{lang}").get_json()["data"]
        for lang in ("", "&lang=en", "&lang=es")
    }
    for index in range(2):
        shown = [lang for lang, data in views.items() if not data[index]["suppressed"]]
        assert "&lang=es" not in shown
        assert not ("" in shown and "&lang=en" in shown)  # all minus English would be the Spanish mean


def test_json_endpoints_of_a_group_without_answers_are_empty_not_errors(app, admin_client) -> None:
    with app.app_context():
        add_group("GRPA", k=5)
    for path in (
        "trend/checkin/craving.json",
        "participation.json",
        "items.json",
        "engagement.json",
        "reliability.json",
        "change.json",
        "export.csv",
    ):
        assert admin_client.get(f"/groups/GRPA/dashboard/{path}").status_code == 200, path
    assert admin_client.get(TREND.format(code="GRPA")).get_json()["data"] == []
