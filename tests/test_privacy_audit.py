"""The exact audit: no hidden meeting or cell lies in the span of the shown cells (checked with fractions)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.stats.hierarchy import ALL, MeetingMoments, Moments, suppress_hierarchy
from tests.dashboard_support import add_group, add_responses, add_user, craving, log_in
from tests.span import Span

TREND = "/groups/{code}/dashboard/trend/checkin/craving.json"
OCTOBER = [dt.date(2026, 10, 5), dt.date(2026, 10, 12), dt.date(2026, 10, 19), dt.date(2026, 10, 26)]
NOVEMBER = [dt.date(2026, 11, 2), dt.date(2026, 11, 5)]
LONE = dt.date(2026, 11, 9)


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        log_in(client, app, add_user("admin"))
    return client


def in_span(vector: set, published: list[set]) -> bool:
    """Whether the vector is a rational combination of the published ones (tests.span)."""
    return vector in Span(published)


def period(day: dt.date, grain: str) -> dt.date | None:
    return {"meeting": day, "week": day - dt.timedelta(days=day.weekday()), "month": day.replace(day=1), "all": None}[
        grain
    ]


def leaves_of(key, rows: list[MeetingMoments]) -> set:
    grain, start, locale = key
    return {
        (r.day, r.locale)
        for r in rows
        if r.moments.n > 0 and period(r.day, grain) == start and locale in (ALL, r.locale)
    }


def row(day: dt.date, n: int, locale: str = "en") -> MeetingMoments:
    return MeetingMoments(day, period(day, "week"), day.replace(day=1), locale, Moments(n, 2.0 * n, 5.0 * n))


def assert_nothing_recoverable(rows: list[MeetingMoments], k: int) -> dict:
    cells = suppress_hierarchy(rows, k)
    published = [leaves_of(key, rows) for key, c in cells.items() if not c.suppressed]
    for key, c in cells.items():
        if c.suppressed and c.n > 0:
            assert not in_span(leaves_of(key, rows), published), key
        if not c.suppressed:
            assert c.n == 0 or c.n >= max(k, 3), key
    return cells


def test_the_november_example_shows_six_of_seven_meetings() -> None:
    rows = [row(d, 6) for d in OCTOBER] + [row(NOVEMBER[0], 5), row(NOVEMBER[1], 7), row(LONE, 1)]
    cells = assert_nothing_recoverable(rows, 5)
    hidden = {key for key, c in cells.items() if c.suppressed and key[2] == ALL}
    assert hidden == {
        ("meeting", LONE, ALL),
        ("week", LONE, ALL),
        ("month", dt.date(2026, 11, 1), ALL),
        ("all", None, ALL),
    }


def test_the_november_example_through_the_trend_json(app, admin_client) -> None:
    # Weekly in October, Monday 2 and Thursday 5 November, one person on Monday 9 November.
    with app.app_context():
        group = add_group("GRPA", k=5)
        for day in OCTOBER:
            add_responses(group, day, craving([4, 5, 6, 5, 5, 6]))
        add_responses(group, NOVEMBER[0], craving([3, 4, 5, 6, 7]))
        add_responses(group, NOVEMBER[1], craving([2, 2, 3, 3, 4, 4, 5]))
        add_responses(group, LONE, craving([9]))
    days = [*OCTOBER, *NOVEMBER, LONE]
    published: list[set] = []
    for grain in ("meeting", "week", "month"):
        body = admin_client.get(TREND.format(code="GRPA") + f"?grain={grain}").get_json()
        for cell in body["data"]:
            if not cell["suppressed"]:
                start = dt.date.fromisoformat(cell["start"])
                published.append({d for d in days if period(d, grain) == start})
        if not body["overall"]["suppressed"]:
            published.append(set(days))
    assert not in_span({LONE}, published)
    assert sum(1 for p in published if len(p) == 1) >= 6  # the six other meetings stay shown


patterns = st.one_of(
    # weekly, twice weekly or irregular meetings over up to ten weeks; one or two languages
    st.builds(lambda w: [7 * i for i in range(w)], st.integers(1, 10)),
    st.builds(lambda w: [7 * i + d for i in range(w) for d in (0, 3)], st.integers(1, 8)),
    st.lists(st.integers(0, 70), min_size=1, max_size=16, unique=True),
)


@settings(max_examples=150, deadline=None)
@given(patterns, st.data(), st.integers(3, 6))
def test_no_hidden_cell_is_in_the_span_of_shown_cells(days, data, k) -> None:
    locales = data.draw(st.sampled_from([["en"], ["en", "es"]]))
    first = dt.date(2026, 1, 5)
    rows = []
    for offset in days:
        for locale in locales:
            n = data.draw(st.integers(0, 9))
            if n:
                rows.append(row(first + dt.timedelta(days=offset), n, locale))
    if rows:
        assert_nothing_recoverable(rows, k)
