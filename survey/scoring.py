"""Answers to scores: visibility, answer cleaning, reverse keys, scale scores, bands and alerts.

Pure functions over an Instrument; no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .instruments import ITEM_TYPES, AnswerError, AnswerValue, Instrument, Scale
from .instruments.conditions import Condition, ConditionGroup

__all__ = ["AnswerValue", "ScoreResult", "clean_answers", "reverse_value", "score_response", "visible_items"]

NEEDS_ANSWER = "This question needs an answer."


@dataclass(frozen=True)
class ScoreResult:
    """Scale scores (None when too few answers), their band ids, and the alerts raised."""

    scores: dict[str, float | None]
    bands: dict[str, str | None]
    alerts: tuple[str, ...]


def visible_items(instrument: Instrument, answers: Mapping[str, AnswerValue]) -> set[str]:
    """Return the ids of the items shown, evaluating show_if in order over visible answers only."""
    visible: set[str] = set()
    for item in instrument.items:
        if item.show_if is None:  # most items: shown, without gathering the visible answers for a condition
            visible.add(item.id)
            continue
        shown = {key: value for key, value in answers.items() if key in visible}
        if _group_holds(instrument, item.show_if, shown, {}):
            visible.add(item.id)
    return visible


def clean_answers(
    instrument: Instrument, raw: Mapping[str, list[str]]
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """Return (answers, errors by item id) for submitted form values; unknown keys are ignored."""
    answers: dict[str, AnswerValue] = {}
    errors: dict[str, str] = {}
    for item in instrument.items:
        try:
            value = ITEM_TYPES[item.type].parse(item, list(raw.get(item.id, [])))
        except AnswerError as error:
            errors[item.id] = error.message
            continue
        if value is not None:
            answers[item.id] = value
    visible = visible_items(instrument, answers)
    # Answers and errors for hidden items are dropped: the participant could not see them.
    answers = {key: value for key, value in answers.items() if key in visible}
    errors = {key: message for key, message in errors.items() if key in visible}
    for item in instrument.items:
        if item.required and item.id in visible and item.id not in answers and item.id not in errors:
            errors[item.id] = NEEDS_ANSWER
    return answers, errors


def reverse_value(low: float, high: float, value: float) -> float:
    """Return the reverse-keyed value: the lowest answer becomes the highest and vice versa."""
    return low + high - value


def score_response(instrument: Instrument, answers: Mapping[str, AnswerValue]) -> ScoreResult:
    """Return every scale's score, band and the alerts raised by these (cleaned) answers."""
    visible = visible_items(instrument, answers)
    scores = {scale.id: scale_score(instrument, scale, answers, visible) for scale in instrument.scales}
    bands = {scale.id: band_for(scale, scores[scale.id]) for scale in instrument.scales}
    alerts = tuple(
        alert.id for alert in instrument.alerts if _group_holds(instrument, alert.condition, answers, scores)
    )
    return ScoreResult(scores=scores, bands=bands, alerts=alerts)


def scale_score(
    instrument: Instrument, scale: Scale, answers: Mapping[str, AnswerValue], visible: set[str]
) -> float | None:
    """Return the scale's score, or None when fewer than min_answered of its items were answered.

    Nothing is invented: a skipped or hidden item is left out, never counted as zero. The one
    exception is an item whose author set a numeric `when_hidden` (with a documented reason):
    it counts as that value, but only when the answers that hid it were given, and it never
    counts towards min_answered, so a score always rests on min_answered real answers. A sum is
    the mean of the items that count times the number of items (prorated), so it stays
    comparable and in range.
    """
    values: list[float] = []
    answered = 0
    for item_id in scale.items:
        item = instrument.item(item_id)
        value = answers.get(item_id) if item_id in visible else _stand_in(instrument, item_id, answers)
        if value is None:
            continue
        answered += item_id in visible
        low, high = instrument.numeric_range(item) or (0.0, 0.0)
        number = float(value)  # type: ignore[arg-type]  # scales hold numeric items only
        values.append(reverse_value(low, high, number) if item.reverse else number)
    if answered == 0 or answered < scale.required_answers:
        return None
    mean = math.fsum(values) / len(values)
    score = mean * len(scale.items) if scale.method == "sum" else mean
    low, high = instrument.scale_range(scale)
    return min(max(score, low), high)  # float rounding must not push a score past its range


def _stand_in(instrument: Instrument, item_id: str, answers: Mapping[str, AnswerValue]) -> float | None:
    """Return a hidden item's when_hidden value, or None when it has none or was hidden by a skip.

    An item whose show_if names an unanswered item was not hidden by anything the person said
    (a condition on a missing answer is false), so it stays missing; so does a number without the
    author's when_hidden_reason (versions stored before the reason was required).
    """
    item = instrument.item(item_id)
    if item.when_hidden == "missing" or item.show_if is None or not (item.when_hidden_reason or "").strip():
        return None
    if any(condition.item is None or condition.item not in answers for condition in item.show_if.conditions):
        return None
    return float(item.when_hidden)


def band_for(scale: Scale, score: float | None) -> str | None:
    """Return the id of the band holding score: min <= score < max, the top band including its max."""
    if score is None or not scale.bands:
        return None
    ordered = sorted(scale.bands, key=lambda band: band.min)
    for band in ordered:
        if band.min <= score < band.max:
            return band.id
    return ordered[-1].id if math.isclose(score, ordered[-1].max) else None


def _group_holds(
    instrument: Instrument,
    group: ConditionGroup,
    answers: Mapping[str, AnswerValue],
    scores: Mapping[str, float | None],
) -> bool:
    results = (_holds(instrument, condition, answers, scores) for condition in group.conditions)
    return all(results) if group.joined_by_all else any(results)


def _holds(
    instrument: Instrument,
    cond: Condition,
    answers: Mapping[str, AnswerValue],
    scores: Mapping[str, float | None],
) -> bool:
    """Return whether one condition holds; a missing answer or score never satisfies a condition."""
    literals = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if cond.scale is not None:
        actual: AnswerValue | None = scores.get(cond.scale)
        targets: list[AnswerValue] = [float(v) for v in literals]
    else:
        item = instrument.item(cond.item or "")
        actual = answers.get(item.id)
        targets = [ITEM_TYPES[item.type].condition_value(item, v) for v in literals]
    if actual is None:
        return False
    if isinstance(actual, tuple):  # multiple choice: compare each chosen option
        hit = any(target in actual for target in targets)
        return not hit if cond.op == "!=" else hit
    return _compare(cond.op, actual, targets)


def _compare(op: str, actual: AnswerValue, targets: list[AnswerValue]) -> bool:
    target = targets[0]
    if op == "in":
        return actual in targets
    if op == "==":
        return actual == target
    if op == "!=":
        return actual != target
    if not isinstance(actual, float) or not isinstance(target, float):
        return False
    return {">": actual > target, ">=": actual >= target, "<": actual < target, "<=": actual <= target}[op]
