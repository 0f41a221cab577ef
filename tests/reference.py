"""Every dashboard figure of a seeded dataset, computed from the raw answers with plain Python only.

Nothing here imports the app: the scoring rules are restated from the instrument files
(instruments/checkin.yaml, craving.yaml), and the statistics are written out (mean, sample SD,
Student's t quantile by numerical integration, Cronbach's alpha, Jacobson-Truax reliable change),
so a test comparing the app with this module compares two independent computations.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# (instrument, scale) -> items, answers needed, reverse keys (low + high), range, higher is better.
SCALES: dict[tuple[str, str], tuple[tuple[str, ...], int, dict[str, int], tuple[int, int], bool]] = {
    ("checkin", "self_efficacy"): (("confidence_overall", "confidence_urge"), 1, {}, (0, 10), True),
    ("checkin", "craving"): (("craving_now",), 1, {}, (0, 10), False),
    ("checkin", "belonging"): (("belonged", "honest", "outsider"), 2, {"outsider": 6}, (1, 5), True),
    ("checkin", "helpfulness"): (("helpful",), 1, {}, (1, 5), True),
    ("craving", "craving"): (("strength_now", "hardest"), 1, {}, (0, 10), False),
    ("craving", "craving_frequency"): (("frequency",), 1, {}, (0, 4), False),
}
FIRST_MEETING = dt.date(2026, 9, 7)  # a Monday; ten weekly meetings, the last weeks before today
MEETINGS = tuple(FIRST_MEETING + dt.timedelta(weeks=w) for w in range(10))
CODES = tuple(f"regular-{i}" for i in range(8))


@dataclass
class Sending:
    """One person's sending of the form at one meeting: both questionnaires' raw answers."""

    day: dt.date
    code: str | None
    answers: dict[str, dict[str, float]] = field(default_factory=dict)  # instrument -> item -> value


def _clamp(value: float, low: int, high: int) -> float:
    return float(min(high, max(low, round(value))))


def seeded_dataset(seed: int = 2026) -> list[Sending]:
    """Ten meetings of six to nine people; the first five of each answer every scale, later ones skip some."""
    rng = random.Random(seed)
    level = {code: rng.gauss(0, 1) for code in CODES}
    sendings = []
    for week, day in enumerate(MEETINGS):
        for person in range(rng.randint(6, 9)):
            code = CODES[person] if person < len(CODES) and rng.random() < 0.85 else None
            mood = (level[code] if code else rng.gauss(0, 1)) + (week / 6 if code and person % 2 else 0)
            skip = person >= 5
            checkin = {
                "confidence_overall": _clamp(5 + 2 * mood + rng.gauss(0, 1), 0, 10),
                "confidence_urge": _clamp(4 + 2 * mood + rng.gauss(0, 1.5), 0, 10),
                "craving_now": _clamp(5 - 2 * mood + rng.gauss(0, 1.5), 0, 10),
                "belonged": _clamp(3 + mood + rng.gauss(0, 0.6), 1, 5),
                "honest": _clamp(3 + mood + rng.gauss(0, 0.8), 1, 5),
                "outsider": _clamp(3 - mood + rng.gauss(0, 0.8), 1, 5),
                "helpful": _clamp(4 + rng.gauss(0, 0.8), 1, 5),
            }
            for item in ("confidence_urge", "craving_now", "belonged", "outsider"):
                if skip and rng.random() < 0.3:
                    del checkin[item]
            craving: dict[str, float] = {}
            if "craving_now" in checkin:  # asked once in the form, stored in both questionnaires
                craving["strength_now"] = checkin["craving_now"]
            if not skip or rng.random() < 0.5:
                craving["frequency"] = _clamp(2 - mood + rng.gauss(0, 0.8), 0, 4)
                if craving["frequency"] > 0:  # hardest is shown only after some urges
                    craving["hardest"] = _clamp(5 - 2 * mood + rng.gauss(0, 1.5), 0, 10)
            sendings.append(Sending(day, code, {"checkin": checkin, "craving": craving}))
    return sendings


def score(answers: dict[str, float], instrument: str, scale: str) -> float | None:
    """Return the mean of the answered items (reverse keys turned), or None below the answers needed."""
    items, needed, reverse, _range, _good = SCALES[(instrument, scale)]
    values = [reverse[i] - answers[i] if i in reverse else answers[i] for i in items if i in answers]
    return sum(values) / len(values) if len(values) >= max(needed, 1) else None


def period_start(day: dt.date, grain: str) -> dt.date:
    """Return the meeting, the Monday of its week, or the first of its month."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if grain == "month" else day


def t_pdf(x: float, df: int) -> float:
    """Student's t density."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def t_quantile(p: float, df: int) -> float:
    """Return t with P(T <= t) = p (p > 0.5): bisection on Simpson's rule over the density from 0."""

    def cdf(t: float, steps: int = 2000) -> float:
        h = t / steps
        total = t_pdf(0, df) + t_pdf(t, df) + sum((4 if i % 2 else 2) * t_pdf(i * h, df) for i in range(1, steps))
        return 0.5 + total * h / 3

    low, high = 0.0, 100.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < p else (low, middle)
    return (low + high) / 2


@dataclass(frozen=True)
class Stats:
    """n, mean, sample SD and the 95% interval of a set of scores (None where undefined)."""

    n: int
    mean: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def describe(values: list[float]) -> Stats:
    """Return n, mean, SD (n - 1) and mean +/- t(0.975, n - 1) * SD / sqrt(n)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return Stats(n, mean, None, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return Stats(n, mean, sd, mean - half, mean + half)


def scores(data: list[Sending], instrument: str, scale: str) -> list[tuple[Sending, float]]:
    """Return each sending with its score on this scale, where it has one."""
    found = [(s, score(s.answers.get(instrument, {}), instrument, scale)) for s in data]
    return [(s, value) for s, value in found if value is not None]


def trend(data: list[Sending], instrument: str, scale: str, grain: str) -> dict[dt.date, Stats]:
    """Return each period's statistics of one scale."""
    by_period: dict[dt.date, list[float]] = defaultdict(list)
    for sending, value in scores(data, instrument, scale):
        by_period[period_start(sending.day, grain)].append(value)
    return {start: describe(values) for start, values in sorted(by_period.items())}


def overall(data: list[Sending], instrument: str, scale: str) -> Stats:
    """Return one scale's statistics over every meeting."""
    return describe([value for _s, value in scores(data, instrument, scale)])


def item_counts(data: list[Sending], instrument: str, item: str, grain: str, start: dt.date) -> dict[float, int]:
    """Return how many chose each value of one item in one period."""
    chosen = [s.answers[instrument].get(item) for s in data if period_start(s.day, grain) == start]
    return dict(Counter(v for v in chosen if v is not None))


def people(data: list[Sending], grain: str) -> dict[dt.date, int]:
    """Return the people (sendings of the form) per period, whatever the questionnaires in each."""
    return dict(sorted(Counter(period_start(s.day, grain) for s in data).items()))


def questionnaires(data: list[Sending]) -> dict[str, int]:
    """Return the questionnaires filled in (at least one answer) per instrument."""
    return {name: sum(1 for s in data if s.answers.get(name)) for name in ("checkin", "craving")}


def cronbach_alpha(rows: list[list[float]]) -> float:
    """Return k / (k - 1) * (1 - sum of item variances / variance of the totals), sample variances."""

    def variance(values: list[float]) -> float:
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    k = len(rows[0])
    items = [[row[i] for row in rows] for i in range(k)]
    return k / (k - 1) * (1 - sum(variance(column) for column in items) / variance([sum(row) for row in rows]))


def scale_alpha(data: list[Sending], instrument: str, scale: str) -> tuple[int, float]:
    """Return (complete responses, alpha) of a scale: listwise deletion, reverse keys turned first."""
    items, _needed, reverse, _range, _good = SCALES[(instrument, scale)]
    rows = [
        [reverse[i] - s.answers[instrument][i] if i in reverse else s.answers[instrument][i] for i in items]
        for s in data
        if all(i in s.answers.get(instrument, {}) for i in items)
    ]
    return len(rows), cronbach_alpha(rows)


def reliable_change(data: list[Sending], instrument: str, scale: str, alpha: float) -> dict[str, int]:
    """Count linked people by Jacobson-Truax: RCI = (latest - first) / (SD_first * sqrt(2) * sqrt(1 - alpha)).

    First and latest by meeting date; |RCI| > 1.96 is reliable, improved in the scale's good direction.
    """
    by_code: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for sending, value in scores(data, instrument, scale):
        if sending.code is not None:
            by_code[sending.code].append((sending.day, value))
    pairs = [(min(found)[1], max(found)[1]) for found in by_code.values() if len(found) >= 2]
    first = [a for a, _b in pairs]
    mean = sum(first) / len(first)
    sd = math.sqrt(sum((v - mean) ** 2 for v in first) / (len(first) - 1))
    good = SCALES[(instrument, scale)][4]
    counts = {"pairs": len(pairs), "improved": 0, "unchanged": 0, "worsened": 0}
    for a, b in pairs:
        rci = (b - a) / (sd * math.sqrt(2) * math.sqrt(1 - alpha))
        kind = "unchanged" if abs(rci) <= 1.96 else ("improved" if (rci > 0) == good else "worsened")
        counts[kind] += 1
    return counts
