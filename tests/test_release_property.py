"""Property: over any sequence of releases, late batches, purges and changes of k, no protected set of
answers ever lies in the exact span of everything ever shown (checked with the test's own rational
elimination, independent of the audit's modular arithmetic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.stats.hierarchy import MeetingMoments, Moments, decide
from tests.span import Span

FIRST = dt.date(2026, 10, 5)

leaves = st.lists(
    st.tuples(st.integers(0, 60), st.sampled_from(["en", "es"]), st.integers(1, 9)), min_size=1, max_size=8
)
events = st.lists(
    st.one_of(
        st.tuples(st.just("late"), st.integers(0, 7), st.integers(1, 9)),
        st.tuples(st.just("purge"), st.integers(0, 60), st.just(0)),
        st.tuples(st.just("k"), st.integers(3, 6), st.just(0)),
    ),
    max_size=4,
)


def in_span(vectors: Iterable[frozenset[Hashable]], target: frozenset[Hashable]) -> bool:
    """Whether target is a rational combination of the vectors (tests.span)."""
    return target in Span(vectors)


def row(batch: int, offset: int, locale: str, n: int) -> MeetingMoments:
    day = FIRST + dt.timedelta(days=offset)
    week = day - dt.timedelta(days=day.weekday())
    return MeetingMoments(day, week, day.replace(day=1), locale, Moments(n, 2.0 * n, 5.0 * n), batch)


@settings(max_examples=120, deadline=None)
@given(leaves, events, st.integers(3, 6))
def test_no_protected_answers_are_ever_recoverable_from_all_snapshots(drawn, happenings, k) -> None:
    batches = {i + 1: (offset, locale, n) for i, (offset, locale, n) in enumerate(drawn)}
    purged: set[int] = set()
    known: set[frozenset[Hashable]] = set()
    protected: set[frozenset[Hashable]] = set()
    secrets: set[frozenset[Hashable]] = set()
    for step in [("release", 0, 0), *happenings]:
        kind, a, b = step
        if kind == "late":
            offset, locale, _n = list(batches.values())[a % len(batches)]
            batches[len(batches) + 1] = (offset, locale, b)
        elif kind == "purge":
            purged |= {bid for bid, (offset, _l, _n) in batches.items() if offset < a}
        elif kind == "k":
            k = a
        active = [row(bid, *value) for bid, value in batches.items() if bid not in purged]
        other_n = {bid: batches[bid][2] for bid in purged}
        decision = decide(active, k, known, protected, other_n)
        for vector in decision.protected - protected:
            if not in_span(known, vector):  # not already given away by an earlier snapshot
                secrets.add(vector)
        known |= decision.shown_leaf_sets()
        protected |= decision.protected
        for secret in secrets:
            assert not in_span(known, secret), (step, sorted(secret))
        for key, reason in decision.hidden.items():
            assert reason in ("small_cell", "complement"), key
        for key, m in decision.moments.items():
            assert key in decision.hidden or m.n == 0 or m.n >= max(k, 3), key
