"""Time the exact suppression audit on two years of twice-weekly meetings in two languages.

Prints the audit's time for one measure and the share of meetings hidden on generated
patterns (run: .venv/bin/python bench/privacy_audit.py). Not yet done: the dashboard SQL time
next to it, the demo data share and a highspy interval audit.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from survey.stats.hierarchy import ALL, MeetingMoments, Moments, _suppress_hierarchy


def pattern(rng: random.Random, weeks: int, locales: tuple[str, ...]) -> list[MeetingMoments]:
    """Twice-weekly meetings with 0-12 answers per language (small ones common)."""
    first = dt.date(2025, 1, 6)
    rows = []
    for w in range(weeks):
        for offset in (0, 3):
            day = first + dt.timedelta(days=7 * w + offset)
            for locale in locales:
                n = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
                if n:
                    rows.append(
                        MeetingMoments(
                            day,
                            day - dt.timedelta(days=day.weekday()),
                            day.replace(day=1),
                            locale,
                            Moments(n, 3.0 * n, 12.0 * n),
                        )
                    )
    return rows


def main() -> None:
    rng = random.Random(12)
    rows = pattern(rng, 104, ("en", "es"))
    started = time.perf_counter()
    cells = _suppress_hierarchy(rows, 5)
    elapsed = time.perf_counter() - started
    meetings = [c for (g, _p, loc), c in cells.items() if g == "meeting" and loc == ALL]
    print(f"audit, 2 years twice weekly, 2 languages: {len(cells)} cells, {len(rows)} leaves, {elapsed:.2f} s")
    print(f"  meetings hidden: {sum(c.suppressed for c in meetings)} of {len(meetings)}")
    hidden = total = 0
    for _ in range(50):
        cells = _suppress_hierarchy(pattern(rng, rng.randint(4, 20), ("en",)), 5)
        meetings = [c for (g, _p, loc), c in cells.items() if g == "meeting" and loc == ALL]
        hidden += sum(c.suppressed for c in meetings)
        total += len(meetings)
    print(f"generated one-language patterns: {hidden} of {total} meetings hidden ({hidden / max(total, 1):.0%})")


if __name__ == "__main__":
    main()
