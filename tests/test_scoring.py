"""Scoring: visibility, answer cleaning, reverse keys, missing answers, bands and alerts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.instruments import Instrument, load_directory, load_instrument_text
from survey.scoring import clean_answers, reverse_value, score_response, visible_items

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = load_directory(ROOT / "instruments").instruments

SCORED = """\
id: scored
version: "1"
title: Scored
construct: Testing
estimated_minutes: 1
validated: false
disclaimer: Not validated.
licence: {type: CC0-1.0, holder: Tests, redistribution_allowed: true, modification_allowed: true}
locales: [en]
response_scales:
  five:
    anchors:
      - {value: 1, label: One}
      - {value: 2, label: Two}
      - {value: 3, label: Three}
      - {value: 4, label: Four}
      - {value: 5, label: Five}
items:
  - {id: a, type: likert, response_scale: five, text: A, required: true}
  - {id: b, type: likert, response_scale: five, text: B, reverse: true}
  - {id: c, type: likert, response_scale: five, text: C}
  - id: d
    type: likert
    response_scale: five
    text: D
    required: true
    show_if: {all: [{item: a, op: ">=", value: 4}]}
  - id: e
    type: likert
    response_scale: five
    text: E
    show_if: {any: [{item: a, op: "==", value: 1}]}
    when_hidden: 3
    when_hidden_reason: Asked only when a is 1; otherwise it does not apply, which the scale counts as the middle.
  - {id: pets, type: multiple_choice, text: Pets, options: [{value: cat, label: Cat}, {value: dog, label: Dog}]}
  - {id: note, type: text, text: Note, max_length: 10}
scales:
  - {id: mean3, label: Mean, items: [a, b, c], min_answered: 2, higher_is_better: true,
     bands: [{id: low, label: Low, min: 1, max: 3}, {id: high, label: High, min: 3, max: 5}]}
  - {id: sum3, label: Sum, items: [a, b, c], method: sum, min_answered: 2, higher_is_better: true}
  - {id: with_hidden, label: Hidden, items: [d, e], min_answered: 1, higher_is_better: true}
alerts:
  - {id: low_a, condition: {all: [{item: a, op: "<=", value: 1}]}, message: Low}
  - {id: low_mean, condition: {any: [{scale: mean3, op: "<", value: 2}]}, message: Low mean}
  - {id: dog, condition: {any: [{item: pets, op: in, value: [dog]}]}, message: Dog}
"""
INST = load_instrument_text(SCORED)


def raw(**values: str | list[str]) -> dict[str, list[str]]:
    """Return form data as the app receives it: a list of strings per key."""
    return {key: value if isinstance(value, list) else [value] for key, value in values.items()}


def test_mean_sum_reverse_and_band() -> None:
    answers, errors = clean_answers(INST, raw(a="5", b="1", c="2"))
    assert errors == {"d": "This question needs an answer."}
    result = score_response(INST, answers)
    assert result.scores["mean3"] == pytest.approx((5 + 5 + 2) / 3)  # b=1 reversed is 5
    assert result.scores["sum3"] == pytest.approx(12)
    assert result.bands["mean3"] == "high"


SEVEN_POINTS = SCORED.replace(
    "      - {value: 5, label: Five}\n",
    "      - {value: 5, label: Five}\n      - {value: 6, label: Six}\n      - {value: 7, label: Seven}\n",
).replace("{id: high, label: High, min: 3, max: 5}", "{id: high, label: High, min: 3, max: 7}")


def test_each_instrument_version_is_scored_by_its_own_ranges() -> None:
    """Ranges are kept per instrument object: a new version of the same questionnaire (answers 1-7
    instead of 1-5) reverses by its own range, however the versions are interleaved."""
    seven = load_instrument_text(SEVEN_POINTS)
    for instrument, top in [(INST, 5), (seven, 7), (INST, 5), (seven, 7)]:
        answers, errors = clean_answers(instrument, raw(a="4", b="2", c="3"))
        result = score_response(instrument, answers)
        assert result.scores["mean3"] == pytest.approx((4 + (1 + top - 2) + 3) / 3)  # b=2 reversed is 1+top-2
        assert result.scores["sum3"] == pytest.approx(4 + (1 + top - 2) + 3)


def test_missing_answer_is_left_out_not_zero() -> None:
    result = score_response(INST, {"a": 2.0, "b": 4.0})
    assert result.scores["mean3"] == 2.0  # (2 + 2) / 2, c is missing
    assert result.scores["sum3"] == 6.0  # prorated: mean 2 times 3 items


def test_too_few_answers_scores_none() -> None:
    result = score_response(INST, {"a": 2.0})
    assert result.scores["mean3"] is None
    assert result.bands["mean3"] is None


def test_when_hidden_alone_makes_no_score() -> None:
    # a=3 hides d (missing when hidden) and e (3 when hidden): nothing of the scale was answered.
    assert score_response(INST, {"a": 3.0}).scores["with_hidden"] is None
    # d answered: e's stand-in joins the one real answer, (5 + 3) / 2.
    assert score_response(INST, {"a": 4.0, "d": 5.0}).scores["with_hidden"] == 4.0
    # a=1 shows e; unanswered, it is missing, and d is hidden: no score.
    assert score_response(INST, {"a": 1.0}).scores["with_hidden"] is None


def test_answers_to_hidden_items_are_dropped() -> None:
    answers, errors = clean_answers(INST, raw(a="2", d="5", e="4"))
    assert answers == {"a": 2.0}
    assert errors == {}


def test_visible_items_follow_earlier_answers() -> None:
    assert visible_items(INST, {"a": 4.0}) == {"a", "b", "c", "d", "pets", "note"}
    assert visible_items(INST, {"a": 1.0, "d": 5.0}) == {"a", "b", "c", "e", "pets", "note"}


@pytest.mark.parametrize(
    ("form", "item", "message"),
    [
        (raw(a="9"), "a", "Please choose one of the answers shown."),
        (raw(a="x"), "a", "Please enter a number."),
        (raw(a=["1", "2"]), "a", "Please choose only one answer."),
        (raw(a="1", pets=["cat", "fish"]), "pets", "Please choose from the answers shown."),
        (raw(a="1", note="x" * 11), "note", "Please shorten your answer to 10 characters or fewer."),
        (raw(), "a", "This question needs an answer."),
    ],
)
def test_invalid_answers_have_readable_errors(form: dict[str, list[str]], item: str, message: str) -> None:
    _answers, errors = clean_answers(INST, form)
    assert errors[item] == message


def test_unknown_keys_are_ignored_and_blank_means_unanswered() -> None:
    answers, errors = clean_answers(INST, raw(a="1", csrf_token="t", c="  ", pets=["dog", "cat"]))
    assert answers == {"a": 1.0, "pets": ("cat", "dog")}
    assert errors == {}


def test_alerts_over_items_scores_and_choices() -> None:
    assert score_response(INST, {"a": 1.0, "b": 5.0, "pets": ("dog",)}).alerts == ("low_a", "low_mean", "dog")
    assert score_response(INST, {"a": 5.0}).alerts == ()


def test_checkin_alert_and_scales() -> None:
    checkin = SHIPPED["checkin"]
    answers, errors = clean_answers(checkin, raw(craving_now="9", belonged="5", honest="4", outsider="1"))
    assert errors == {}
    result = score_response(checkin, answers)
    assert result.alerts == ("strong_craving",)
    assert result.scores == {
        "self_efficacy": None,
        "craving": 9.0,
        "belonging": pytest.approx(14 / 3),
        "helpfulness": None,
    }
    assert result.bands["craving"] == "high"


def test_craving_follow_up_only_after_urges() -> None:
    craving = SHIPPED["craving"]
    answers, _ = clean_answers(craving, raw(frequency="0", hardest="9", strength_now="2"))
    assert "hardest" not in answers
    assert score_response(craving, answers).scores["craving"] == 2.0  # hardest hidden is missing, not 0


@given(st.floats(1, 5).map(lambda v: round(v * 2) / 2), st.floats(0, 10))
def test_reversing_twice_is_identity(value: float, other: float) -> None:
    assert reverse_value(1, 5, reverse_value(1, 5, value)) == value
    assert math.isclose(reverse_value(0, 10, reverse_value(0, 10, other)), other, abs_tol=1e-9)


def answer_strategy(instrument: Instrument) -> st.SearchStrategy[dict[str, float]]:
    """Return answers for a random subset of the instrument's numeric items, on their grids."""
    values = {}
    for item in instrument.items:
        bounds = instrument.numeric_range(item)
        if bounds is not None:
            low, high = bounds
            values[item.id] = st.none() | st.integers(int(low), int(high)).map(float)
    return st.fixed_dictionaries(values).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.mark.parametrize("instrument", [INST, *SHIPPED.values()], ids=lambda inst: inst.id)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_scores_stay_in_range_and_ignore_missing(instrument: Instrument, data: st.DataObject) -> None:
    answers = data.draw(answer_strategy(instrument))
    visible = visible_items(instrument, answers)
    answers = {key: value for key, value in answers.items() if key in visible}
    result = score_response(instrument, answers)
    for scale in instrument.scales:
        score = result.scores[scale.id]
        low, high = instrument.scale_range(scale)
        counted = [item_id for item_id in scale.items if item_id in answers]
        hidden_values = [i for i in scale.items if i not in visible and instrument.item(i).when_hidden != "missing"]
        if score is None:
            assert len(counted) < max(1, scale.required_answers)
            continue
        assert len(counted) >= max(1, scale.required_answers)  # min_answered counts real answers only
        assert low <= score <= high
        if not hidden_values and counted:
            # The score is the mean of the answers given: a missing answer never counts as zero.
            item_low, item_high = instrument.numeric_range(scale.items[0]) or (0, 0)
            keyed = [
                reverse_value(item_low, item_high, answers[i]) if instrument.item(i).reverse else answers[i]  # type: ignore[arg-type]
                for i in counted
            ]
            mean = sum(keyed) / len(keyed)
            expected = mean * len(scale.items) if scale.method == "sum" else mean
            assert score == pytest.approx(expected)
        if scale.bands:
            assert result.bands[scale.id] is not None
