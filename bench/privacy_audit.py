"""The privacy audit on two years of twice-weekly meetings in two languages, and what an attacker can bound.

Prints, measured in one run (run: PYTHONPATH=. .venv/bin/python bench/privacy_audit.py):
- on a real release of 104 weeks x 2 meetings x 2 languages (bench/two_year_group.py, SQLite): the
  joint audit of every measure at once (survey/release/publish.py) next to the SQL that sums the raw
  answers into the cells (survey/release/rollups.py, what a dashboard request ran before rollups) and
  the dashboard's read of the stored cells (what a request runs now), and the share of meetings hidden;
- the share of meetings hidden on the demo data (survey/demo.py) and on generated one-language patterns;
- the linear-programming interval audit (bench/interval_audit.py, HiGHS): for every hidden cell, the
  tightest bounds on its count and sum that the published cells and the answers' range (0-10) allow,
  and the narrowest of them. A count or sum interval of width 0 would be exact recovery.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from sqlalchemy import select

from bench.interval_audit import intervals
from bench.two_year_group import bench_app, seed
from survey import demo
from survey.extensions import db
from survey.models import Group, PublishedCell, ReleaseBatch
from survey.release import publish, reader, rollups
from survey.release.service import release_due
from survey.stats.hierarchy import ALL, MeetingMoments, Moments, suppress_hierarchy
from tests.dashboard_support import add_group

LOW, HIGH = 0, 10
GRAINS = ("meeting", "week", "month", "all")


def pattern(rng: random.Random, weeks: int, locales: tuple[str, ...]) -> list[MeetingMoments]:
    """Twice-weekly meetings with 0-12 answers per language (small ones common), each answer 0-10."""
    first = dt.date(2025, 1, 6)
    rows = []
    for w in range(weeks):
        for offset in (0, 3):
            day = first + dt.timedelta(days=7 * w + offset)
            for locale in locales:
                answers = [rng.randint(LOW, HIGH) for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12]))]
                if answers:
                    moments = Moments(len(answers), float(sum(answers)), float(sum(a * a for a in answers)))
                    rows.append(
                        MeetingMoments(day, day - dt.timedelta(days=day.weekday()), day.replace(day=1), locale, moments)
                    )
    return rows


def members(rows: list[MeetingMoments]) -> tuple[list[tuple[int, float]], dict[tuple, frozenset[int]]]:
    """Each leaf's (count, sum) and each cell key's leaves, by the dashboard's own definition of a cell."""
    leaves = [(row.moments.n, row.moments.total) for row in rows]
    cells: dict[tuple, set[int]] = {}
    for i, row in enumerate(rows):
        for locale in (row.locale, ALL):
            for grain, period in zip(GRAINS, (row.day, row.week, row.month, None), strict=True):
                cells.setdefault((grain, period, locale), set()).add(i)
    return leaves, {key: frozenset(value) for key, value in cells.items()}


def hidden_share(cells: dict) -> tuple[int, int]:
    meetings = [c for (g, _p, loc), c in cells.items() if g == "meeting" and loc == ALL]
    return sum(c.suppressed for c in meetings), len(meetings)


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    """Return the fastest of a few timed runs of work(), in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def stored_share(group_id: int, measure: str = "people") -> tuple[int, int]:
    """Return (hidden, all) meetings of a measure in the stored decisions (all languages)."""
    query = select(PublishedCell.hidden_because).where(
        PublishedCell.group_id == group_id,
        PublishedCell.measure == measure,
        PublishedCell.grain == "meeting",
        PublishedCell.locale == ALL,
    )
    found = list(db.session.scalars(query))
    return sum(1 for reason in found if reason), len(found)


def release_section() -> None:
    """The joint audit on a real two-year release, next to the SQL; the demo data's hidden share."""
    far = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with bench_app():
        group = add_group("BENCH", k=5)
        responses = seed(group, random.Random(3))
        release_due(group, far)
        ids = list(db.session.scalars(select(ReleaseBatch.id).where(ReleaseBatch.group_id == group.id)))
        measures = list(db.session.scalars(select(PublishedCell.measure).distinct()))
        sql = best_of(3, lambda: rollups.compute(ids))
        audit = best_of(3, lambda: publish.publish(group.id, 5))
        read = best_of(3, lambda: reader.summary_cells(group.id, ["scale:checkin:self_efficacy"]))
        cells = db.session.query(PublishedCell).filter_by(group_id=group.id).count()
        print(
            f"real release, 2 years twice weekly, 2 languages: {responses} responses, {len(ids)} batches,"
            f" {len(measures)} measures, {cells} stored cells"
        )
        print(f"  joint audit of every measure (read rollups, audit, store): {audit:.2f} s")
        print(f"  SQL summing the raw answers into cells: {sql:.2f} s (audit / SQL = {audit / sql:.1f})")
        print(f"  a trend request's read of one scale's stored cells now: {read * 1000:.1f} ms")
        for measure in ("people", "scale:checkin:self_efficacy", "scale:checkin:craving"):
            hidden, total = stored_share(group.id, measure)
            print(f"  {measure}: {hidden} of {total} meetings hidden ({hidden / total:.0%})")
    with bench_app():
        print("demo data:", demo.seed())
        hidden = total = 0
        for group in db.session.scalars(select(Group)).all():
            release_due(group, far)
            h, t = stored_share(group.id)
            hidden, total = hidden + h, total + t
        print(f"  demo data (every group, people): {hidden} of {total} meetings hidden ({hidden / max(total, 1):.0%})")


def main() -> None:
    release_section()
    rng = random.Random(12)
    rows = pattern(rng, 104, ("en", "es"))
    started = time.perf_counter()
    cells = suppress_hierarchy(rows, 5)
    audit_seconds = time.perf_counter() - started
    hidden, total = hidden_share(cells)
    print(
        f"pure audit of one measure, 2 years twice weekly, 2 languages: {len(cells)} cells over {len(rows)} leaves"
        f" in {audit_seconds:.2f} s"
    )
    print(f"  meetings hidden (all languages): {hidden} of {total} ({hidden / total:.0%})")

    leaves, membership = members(rows)
    published = [membership[key] for key, cell in cells.items() if not cell.suppressed]
    secret = [(key, membership[key]) for key, cell in cells.items() if cell.suppressed]
    started = time.perf_counter()
    found = intervals(leaves, published, [m for _key, m in secret], LOW, HIGH)
    lp_seconds = time.perf_counter() - started
    count_widths = [f.count_high - f.count_low for f in found]
    sum_widths = [(f.sum_high - f.sum_low) / (HIGH - LOW) for f in found]
    print(f"interval audit (LP, HiGHS): {len(found)} hidden cells, {4 * len(found)} LPs in {lp_seconds:.2f} s")
    narrowest = min(range(len(found)), key=lambda i: (sum_widths[i], count_widths[i]))
    f = found[narrowest]
    print(
        f"  narrowest: {secret[narrowest][0]}: count in [{f.count_low:.2f}, {f.count_high:.2f}] (true {f.true_count}),"
        f" sum in [{f.sum_low:.1f}, {f.sum_high:.1f}] (true {f.true_sum:.0f})"
    )
    print(f"  count interval width: min {min(count_widths):.2f}, median {statistics.median(count_widths):.2f} answers")
    print(
        f"  sum interval width in units of one answer's range ({HIGH - LOW}): min {min(sum_widths):.2f},"
        f" median {statistics.median(sum_widths):.2f}"
    )

    hidden = total = 0
    for _ in range(50):
        h, t = hidden_share(suppress_hierarchy(pattern(rng, rng.randint(4, 20), ("en",)), 5))
        hidden, total = hidden + h, total + t
    print(
        f"generated one-language patterns (4-20 weeks): {hidden} of {total} meetings hidden"
        f" ({hidden / max(total, 1):.0%})"
    )


if __name__ == "__main__":
    main()
