"""Words right: each generated sentence says what the data shows, with plural forms through ngettext."""

from __future__ import annotations

import pytest

from survey.dashboard.trend_words import trend_reading
from survey.stats import Summary


def shown(n: int, mean: float = 3.0) -> Summary:
    return Summary(n=n, mean=mean, sd=1.0, ci_low=mean - 1, ci_high=mean + 1)


@pytest.mark.parametrize(
    ("grain", "count", "words"),
    [("month", 1, "1 month"), ("month", 2, "2 months"), ("meeting", 1, "1 meeting"), ("week", 3, "3 weeks")],
)
def test_hidden_periods_are_counted_with_plural_forms(grain, count, words):
    periods = [("a", shown(6)), *[(f"h{i}", None) for i in range(count)]]
    reading = trend_reading(periods, "Belonging", True, grain, [None] + ["small_cell"] * count)
    assert f"({words} had too few answers to show)" in reading
    assert "(s)" not in reading


def test_a_period_hidden_to_protect_another_is_not_called_too_few():
    # Meetings with 5 and 12 people shown, one with 2 (too few) and one with 9 hidden to protect it.
    periods = [("m1", shown(5)), ("m2", shown(12)), ("m3", None), ("m4", None)]
    reading = trend_reading(periods, "Belonging", True, "meeting", [None, None, "small_cell", "complement"])
    assert "5–12 people had a score at each meeting" in reading
    assert "1 meeting had too few answers to show" in reading
    assert "1 meeting hidden to protect another that had too few" in reading
    assert "questionnaires" not in reading


@pytest.mark.parametrize("label", ["How often", "Belonging"])
def test_the_scale_label_is_quoted_not_run_into_the_sentence(label):
    reading = trend_reading([], label, True, "week")
    assert reading == f"There are not yet enough answers to tell how “{label}” is changing."


def test_one_person_is_singular():
    reading = trend_reading([("a", shown(1))], "Belonging", True, "week")
    assert "1 person had a score each week" in reading


NUMBERS = [0.0, -0.0, 0.005, 0.015, 2.675, 2.665, -0.004, -3.5, 0.5, 1.5, 2.5, 1e-9, 10, 3, 123456789.125, 7.0000001]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_numbers_are_formatted_exactly_as_babel_formats_them(locale, digits):
    """format_number skips babel's pattern machinery; its text must be babel's, ties and signs included."""
    import random

    from babel import Locale
    from babel.numbers import format_decimal

    from survey.dashboard.wording import format_number, number_shower

    generator = random.Random(digits)
    values = (
        NUMBERS + [generator.uniform(-20, 20) for _ in range(500)] + [generator.randint(0, 80) / 8 for _ in range(200)]
    )
    pattern = "0." + "0" * digits if digits else "0"
    show = number_shower(Locale(locale))  # what charts use: the separator looked up once per chart
    for value in [*values, float("inf"), float("-inf")]:
        expected = format_decimal(value, pattern, locale=locale)
        assert format_number(value, digits, Locale(locale)) == expected, value
        assert show(value, digits) == expected, value
    assert show(None, digits) == "–"


def test_a_hidden_periods_reason_is_translated_once_per_language_and_k(monkeypatch):
    """A JSON body gives every hidden period its reason: the few phrases are translated once, not per period."""
    import datetime as dt

    from survey.dashboard import periods
    from survey.dashboard.periods import Period

    periods._reason_text.cache_clear()
    translated: list[str] = []
    original = periods._

    def counted(text: str, **values: object) -> str:
        translated.append(text)
        return original(text, **values)

    monkeypatch.setattr(periods, "_", counted)
    days = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(20)]
    hidden = [Period(day, 2, None, "small_cell" if i % 2 else "complement") for i, day in enumerate(days)]
    bodies = [p.as_dict(5) for p in hidden]
    assert len(translated) == 2
    assert bodies[1] == {
        "start": "2026-01-12",
        "n": 2,
        "suppressed": True,
        "reason": "fewer than 5 responses: results appear when at least 5 people have answered, "
        "after the survey closes",
    }
    assert "fewer than 3 responses" in hidden[1].as_dict(3)["reason"]  # k is part of the phrase


def test_a_shown_periods_json_keeps_its_keys_in_order_and_rounds_to_three_decimals():
    import datetime as dt

    from survey.dashboard.periods import Period

    period = Period(dt.date(2026, 1, 5), 6, Summary(n=6, mean=3.14159, sd=1.23456, ci_low=2.0004, ci_high=4.2), None)
    body = period.as_dict(5)
    assert list(body) == ["start", "n", "suppressed", "mean", "sd", "ci_low", "ci_high"]
    shown = {"suppressed": False, "mean": 3.142, "sd": 1.235, "ci_low": 2.0, "ci_high": 4.2}
    assert body == {"start": "2026-01-05", "n": 6, **shown}
    assert Period(None, 0, None, None).as_dict(5) == {"start": None, "n": 0, "suppressed": False}
