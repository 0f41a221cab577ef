"""Property: whatever the meetings and languages, no shown total minus its shown parts pins down a hidden cell."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey.stats import effective_k
from survey.stats.hierarchy import ALL, MeetingMoments, Moments, suppress_hierarchy

FIRST = dt.date(2026, 1, 5)

meetings = st.lists(
    st.tuples(st.integers(0, 70), st.sampled_from(["en", "es"]), st.integers(1, 12)),
    min_size=1,
    max_size=25,
    unique_by=lambda t: (t[0], t[1]),
)


def rows_of(drawn) -> list[MeetingMoments]:
    rows = []
    for offset, locale, n in drawn:
        day = FIRST + dt.timedelta(days=offset)
        week = day - dt.timedelta(days=day.weekday())
        rows.append(MeetingMoments(day, week, day.replace(day=1), locale, Moments(n, 3.0 * n, 10.0 * n)))
    return rows


def periods(row: MeetingMoments) -> dict[str, dt.date | None]:
    return {"meeting": row.day, "week": row.week, "month": row.month, "all": None}


@settings(max_examples=600, deadline=None)
@given(meetings, st.integers(3, 6))
# Found by this test: all languages over all time minus the shown meetings left two 1-answer cells.
@example(drawn=[(0, "es", 1), (27, "en", 3), (27, "es", 1), (28, "en", 4)], k=3)
def test_no_shown_total_exposes_a_hidden_meeting(drawn, k) -> None:
    rows = rows_of(drawn)
    cells = suppress_hierarchy(rows, k)
    threshold = effective_k(k)
    for (grain, period, locale), total in cells.items():
        if total.suppressed:
            assert total.stats is None
            continue
        # Meeting-level leaves (in each language) under this shown total.
        leaves = [
            ("meeting", r.day, r.locale) for r in rows if periods(r)[grain] == period and locale in (ALL, r.locale)
        ]
        hidden = [cells[leaf].n for leaf in leaves if cells[leaf].suppressed]
        assert hidden == [] or (len(hidden) >= 2 and sum(hidden) >= threshold) or sum(hidden) == 0, (
            grain,
            period,
            locale,
            hidden,
        )
    for cell in cells.values():
        assert cell.suppressed or cell.n >= threshold
