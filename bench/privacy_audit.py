"""The privacy audit on two years of twice-weekly meetings in two languages, and what an attacker can bound.

Prints, measured in one run (run: .venv/bin/python bench/privacy_audit.py):
- the exact audit's time (survey.dashboard.privacy.suppress_hierarchy) on 104 weeks x 2 meetings x 2
  languages, and the share of meetings it hides there and on generated one-language patterns;
- the linear-programming interval audit (bench/interval_audit.py, HiGHS): for every hidden cell, the
  tightest bounds on its count and sum that the published cells and the answers' range (0-10) allow,
  and the narrowest of them. A count or sum interval of width 0 would be exact recovery.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from bench.interval_audit import intervals
from survey.stats.hierarchy import ALL, MeetingMoments, Moments, suppress_hierarchy

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


def main() -> None:
    rng = random.Random(12)
    rows = pattern(rng, 104, ("en", "es"))
    started = time.perf_counter()
    cells = suppress_hierarchy(rows, 5)
    audit_seconds = time.perf_counter() - started
    hidden, total = hidden_share(cells)
    print(
        f"exact audit, 2 years twice weekly, 2 languages: {len(cells)} cells over {len(rows)} leaves"
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
