"""Attack: scales, questions and questionnaires suppressed over different cells must not undo each other.

The attacker holds every published cell of every measure of a group (people, each
questionnaire's people, each scale, each question) and knows which measures are the same
quantity at a meeting: a one-question scale is its question, and where nobody skipped, every
measure counts the same people. So an unknown is (measure's answers at one leaf) and two
measures share it where they hold the same n there. No hidden cell of any measure may lie in
the rational span of the published cells of all measures (tests.span, not the app's audit).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey.extensions import db
from survey.models import PublishedCell
from survey.release.service import release_due
from survey.stats.hierarchy import ALL, MeetingMoments, Moments, decide_measures
from tests.dashboard_support import add_group, add_responses
from tests.span import Span
from tests.test_release_property import events as history_events
from tests.test_release_property import row as history_row

FIRST = dt.date(2026, 9, 7)
MEASURES = ("people", "scale", "item", "other")

# Each leaf: a meeting day (offset), a language, the people there and how many skipped each measure.
leaves = st.lists(
    st.tuples(
        st.integers(0, 70),
        st.sampled_from(["en", "es"]),
        st.integers(1, 9),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=10,
)


# The release history's leaves (tests/test_release_property.py), each with how many skipped the question.
history_leaves = st.lists(
    st.tuples(st.integers(0, 60), st.sampled_from(["en", "es"]), st.integers(1, 9), st.integers(0, 2)),
    min_size=1,
    max_size=8,
)


def period(day: dt.date, grain: str) -> dt.date | None:
    return {"meeting": day, "week": day - dt.timedelta(days=day.weekday()), "month": day.replace(day=1), "all": None}[
        grain
    ]


def measure_rows(drawn) -> dict[str, list[MeetingMoments]]:
    """Every measure's meeting rows: the scale and the item lose a few people each, 'other' is a second form."""
    rows: dict[str, list[MeetingMoments]] = {m: [] for m in MEASURES}
    for batch, (offset, locale, people, skip_scale, skip_item, other) in enumerate(drawn, start=1):
        day = FIRST + dt.timedelta(days=offset)
        counts = {
            "people": people,
            "scale": max(people - skip_scale, 0),
            "item": max(people - skip_item, 0),
            "other": min(other, people),
        }
        for measure, n in counts.items():
            if n:
                moments = Moments(n, 3.0 * n, 10.0 * n)
                rows[measure].append(
                    MeetingMoments(day, period(day, "week"), day.replace(day=1), locale, moments, batch)  # type: ignore[arg-type]
                )
    return rows


def unknowns(rows: list[MeetingMoments], key) -> frozenset:
    """The unknowns a measure's cell adds up: (leaf, n) of each of its meeting rows in the cell."""
    grain, start, locale = key
    return frozenset((r.leaf, r.moments.n) for r in rows if period(r.day, grain) == start and locale in (ALL, r.locale))


def assert_no_hidden_cell_recoverable(rows: dict[str, list[MeetingMoments]], k: int) -> dict:
    decisions = decide_measures(rows, k)
    published = Span(
        unknowns(rows[m], key)
        for m, decision in decisions.items()
        for key, cell in decision.cells().items()
        if not cell.suppressed and cell.n > 0
    )
    for m, decision in decisions.items():
        for key, cell in decision.cells().items():
            if cell.suppressed and cell.n > 0:
                assert unknowns(rows[m], key) not in published, (m, key)
            if not cell.suppressed:
                assert cell.n == 0 or cell.n >= k, (m, key)
    return decisions


# The example, with one person skipping the scale's question at the meeting of 2 November:
# audited one measure at a time, the scale and the question hid different complements, and the
# question's November month minus the scale's week of 2 November gave the lone person's answer.
NOVEMBER = [(28, "en", 6, 0, 0, 0), (35, "en", 6, 0, 0, 0), (42, "en", 6, 0, 0, 0), (49, "en", 6, 0, 0, 0)]


@settings(max_examples=150, deadline=None)
@given(leaves, st.integers(3, 6))
@example(NOVEMBER + [(56, "en", 5, 1, 0, 0), (59, "en", 7, 0, 0, 0), (63, "en", 1, 0, 0, 0)], 5)
def test_no_hidden_cell_of_any_measure_is_in_the_span_of_all_measures_shown(drawn, k) -> None:
    assert_no_hidden_cell_recoverable(measure_rows(drawn), k)


def test_a_small_second_questionnaire_does_not_hide_the_first() -> None:
    # Ten people at each of four weekly meetings; two of them also answered a second questionnaire.
    drawn = [(7 * w, "en", 10, 0, 0, 2) for w in range(4)]
    decisions = assert_no_hidden_cell_recoverable(measure_rows(drawn), 5)
    assert all(not c.suppressed for c in decisions["scale"].cells().values())
    other = decisions["other"].cells()
    assert all(c.suppressed for (grain, _p, _l), c in other.items() if grain in ("meeting", "week"))


def test_the_stored_audit_of_every_measure_resists_the_attack_together(app) -> None:
    """Through the real release: a week of four meetings, the lone person of Tuesday skipping one question.

    Audited one measure at a time, the people count and that question each showed the week
    (12 and 11 answers, the small meetings pooled above k), and the week's people minus the
    week's question answers gave Tuesday's lone person. The attacker here reads the stored
    published cells of every measure (what every view, JSON and CSV reads) and knows each
    meeting's n per measure; no hidden cell of any measure may be in the span.
    """
    monday = dt.date(2026, 11, 2)
    sizes = {monday: 6, monday + dt.timedelta(days=1): 1, monday + dt.timedelta(days=2): 2}
    sizes[monday + dt.timedelta(days=3)] = 3
    days = list(sizes)
    with app.app_context():
        group = add_group("JOINT", k=5)
        for day, n in sizes.items():
            answers = [{"confidence_overall": 6.0, "confidence_urge": 5.0, "craving_now": 3.0} for _ in range(n)]
            if day == days[1]:
                answers[0] = {"confidence_urge": 4.0, "craving_now": 3.0}  # skipped one question
            add_responses(group, day, answers)
        release_due(group, dt.datetime.combine(days[-1] + dt.timedelta(days=30), dt.time(), dt.UTC))
        stored = db.session.query(PublishedCell).filter_by(group_id=group.id).all()
        leaf_n: dict[tuple[str, dt.date], int] = {}
        for cell in stored:
            if cell.grain == "meeting" and cell.locale == ALL:
                leaf_n[(cell.measure, cell.period)] = cell.n  # type: ignore[index]

    def cell_unknowns(cell: PublishedCell) -> frozenset:
        return frozenset(
            (day, leaf_n[(cell.measure, day)])
            for day in days
            if period(day, cell.grain) == cell.period and leaf_n.get((cell.measure, day))
        )

    assert ("item:checkin:confidence_overall", days[1]) not in leaf_n
    assert leaf_n[("people", days[1])] == 1
    published = Span(cell_unknowns(c) for c in stored if c.hidden_because is None and c.n > 0)
    hidden = [c for c in stored if c.hidden_because is not None and c.n > 0]
    assert ("people", "meeting", days[1]) in {(c.measure, c.grain, c.period) for c in hidden}
    for cell in hidden:
        assert cell_unknowns(cell) not in published, (cell.measure, cell.grain, cell.period)
    shown = {c.period for c in stored if c.measure == "people" and c.grain == "meeting" and not c.hidden_because}
    assert shown == {monday}  # the meeting of six stays shown


@settings(max_examples=80, deadline=None)
@given(history_leaves, history_events, st.integers(3, 6))
def test_no_measure_gives_away_another_over_releases_late_batches_purges_and_changes_of_k(drawn, happenings, k):
    """Two measures (the people, and a question a few skip) over every snapshot an attacker keeps."""
    batches = {i + 1: (offset, locale, n, min(skip, n - 1)) for i, (offset, locale, n, skip) in enumerate(drawn)}
    purged: set[int] = set()
    known: dict[str, set[frozenset]] = {"people": set(), "item": set()}
    protected: dict[str, set[frozenset]] = {"people": set(), "item": set()}
    shown_unknowns: list[frozenset] = []
    secrets: set[frozenset] = set()

    def n_of(measure: str, batch: int) -> int:
        _offset, _locale, n, skip = batches[batch]
        return n if measure == "people" else n - skip

    def unknowns(measure: str, vector: frozenset) -> frozenset:
        return frozenset((batch, n_of(measure, batch)) for batch in vector if n_of(measure, batch))

    for kind, a, b in [("release", 0, 0), *happenings]:
        if kind == "late":
            offset, locale, _n, _skip = list(batches.values())[a % len(batches)]
            batches[len(batches) + 1] = (offset, locale, b, b % 2)
        elif kind == "purge":
            purged |= {bid for bid, value in batches.items() if value[0] < a}
        elif kind == "k":
            k = a
        rows = {
            measure: [
                history_row(bid, offset, locale, n_of(measure, bid))
                for bid, (offset, locale, _n, _s) in batches.items()
                if bid not in purged and n_of(measure, bid)
            ]
            for measure in ("people", "item")
        }
        other = {m: {bid: n_of(m, bid) for bid in purged if n_of(m, bid)} for m in rows}
        decisions = decide_measures(rows, k, known, protected, other)
        for measure, decision in decisions.items():
            for vector in decision.protected - protected[measure]:
                if unknowns(measure, vector) not in Span(shown_unknowns):  # not given away before
                    secrets.add(unknowns(measure, vector))
        for measure, decision in decisions.items():
            known[measure] |= decision.shown_leaf_sets()
            protected[measure] |= decision.protected
            shown_unknowns += [unknowns(measure, v) for v in decision.shown_leaf_sets()]
        published = Span(shown_unknowns)
        for secret in secrets:
            assert secret not in published, (kind, sorted(secret))
