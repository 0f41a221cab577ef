"""Checks that need the whole instrument: references, translations, ranges and bands."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from .conditions import ORDERING_OPERATORS, Condition, ConditionGroup
from .item_types import ITEM_TYPES
from .items import ID_PATTERN, ItemBase, Problem
from .localized import LocalizedText
from .messages import Message, _l
from .model import Instrument, Scale

_ID = re.compile(ID_PATTERN)


def instrument_problems(inst: Instrument, authoring: bool = True) -> list[Problem]:
    """Return every (key path, message) problem that field-level validation cannot see.

    With authoring (a YAML file, not a stored version) it also refuses scoring that could invent
    answers; a version stored before that rule still loads, and scores its hidden items as missing.
    """
    problems: list[Problem] = []
    for check in (_header, _response_scales, _items, _scales, _alerts):
        problems.extend(check(inst))
    if authoring:
        problems.extend(_invented_answers(inst))
    problems.extend(_translations(inst, (), inst.locales))
    return problems


def _header(inst: Instrument) -> Iterator[Problem]:
    if not inst.validated and inst.disclaimer is None:
        yield ("validated",), Message(_l("an instrument with 'validated: false' needs a 'disclaimer'"))
    if inst.estimated_minutes <= 0:
        yield ("estimated_minutes",), Message(_l("estimated_minutes must be greater than 0"))
    yield from _duplicates(inst.locales, ("locales",), _l("duplicate locale '%(value)s'"))


def _response_scales(inst: Instrument) -> Iterator[Problem]:
    for name, scale in inst.response_scales.items():
        if not _ID.match(name):
            yield (
                ("response_scales", name),
                Message(_l("response scale name '%(name)s' must be lower_snake_case"), name=name),
            )
        values = scale.values
        steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
        if any(step <= 0 for step in steps):
            yield (
                ("response_scales", name, "anchors"),
                Message(_l("response scale '%(name)s' values must increase"), name=name),
            )
        elif len(steps) > 1:
            # Reverse scoring maps v to min+max-v, which lands on an anchor only if they are evenly spaced.
            message = _l("response scale '%(name)s' values must be evenly spaced")
            yield ("response_scales", name, "anchors"), Message(message, name=name)


def _items(inst: Instrument) -> Iterator[Problem]:
    yield from _duplicates([item.id for item in inst.items], ("items",), _l("duplicate item id '%(value)s'"), "id")
    for index, item in enumerate(inst.items):
        at = ("items", index)
        kind = ITEM_TYPES[item.type]
        own = list(item.problems(inst.response_scales))
        yield from ((at + sub, message) for sub, message in own)
        if own:
            continue  # later checks rely on sound bounds
        if item.reverse and not kind.numeric:
            message = _l("item '%(item)s' is %(type)s, so it cannot be reverse-scored")
            yield at + ("reverse",), Message(message, item=item.id, type=item.type)
        yield from _when_hidden(inst, item, at, kind.numeric)
        if item.show_if is not None:
            yield from _group(inst, item.show_if, at + ("show_if",), before=index)


def _when_hidden(inst: Instrument, item: ItemBase, at: tuple[Any, ...], numeric: bool) -> Iterator[Problem]:
    if item.when_hidden == "missing":
        return
    if item.show_if is None:
        message = _l("item '%(item)s' has when_hidden but no show_if, so it is never hidden")
        yield at + ("when_hidden",), Message(message, item=item.id)
    elif not numeric:
        message = _l("item '%(item)s' is not numeric, so when_hidden can only be 'missing'")
        yield at + ("when_hidden",), Message(message, item=item.id)
    else:
        low, high = inst.numeric_range(item) or (0.0, 0.0)
        if not low <= float(item.when_hidden) <= high:
            message = _l("when_hidden %(value)s is outside item '%(item)s' range %(low)s..%(high)s")
            yield (
                at + ("when_hidden",),
                Message(message, value=item.when_hidden, item=item.id, low=f"{low:g}", high=f"{high:g}"),
            )
    if item.when_hidden_reason is not None and item.when_hidden == "missing":
        message = _l("item '%(item)s' has when_hidden_reason but no numeric when_hidden")
        yield at + ("when_hidden_reason",), Message(message, item=item.id)


def _group(inst: Instrument, group: ConditionGroup, at: tuple[Any, ...], before: int | None) -> Iterator[Problem]:
    """Check a condition group; before is the index of the item it guards (None in alerts)."""
    if (group.all_ is None) == (group.any_ is None):
        yield at, Message(_l("a condition needs exactly one of 'all' or 'any'"))
        return
    key = "all" if group.joined_by_all else "any"
    if not group.conditions:
        yield at + (key,), Message(_l("'%(key)s' needs at least one condition"), key=key)
    for index, condition in enumerate(group.conditions):
        yield from _condition(inst, condition, at + (key, index), before)


def _condition(inst: Instrument, cond: Condition, at: tuple[Any, ...], before: int | None) -> Iterator[Problem]:
    if (cond.item is None) == (cond.scale is None):
        in_alert = _l("a condition names exactly one 'item' or 'scale'")
        yield at, Message(in_alert if before is None else _l("a condition names exactly one 'item'"))
        return
    is_list = isinstance(cond.value, tuple)
    if is_list != (cond.op == "in"):
        yield at + ("value",), Message(_l("operator 'in' needs a list value; other operators need a single value"))
        return
    literals = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if cond.scale is not None:
        if before is not None:
            yield at + ("scale",), Message(_l("show_if can only refer to items"))
        elif cond.scale not in {s.id for s in inst.scales}:
            yield (
                at + ("scale",),
                Message(_l("condition names scale '%(scale)s', which does not exist"), scale=cond.scale),
            )
        elif not all(isinstance(v, int | float) for v in literals):
            yield at + ("value",), Message(_l("scale '%(scale)s' can only be compared with numbers"), scale=cond.scale)
        return
    ids = [item.id for item in inst.items]
    if cond.item not in ids:
        yield at + ("item",), Message(_l("condition names item '%(item)s', which does not exist"), item=cond.item)
        return
    position = ids.index(cond.item)
    if before is not None and position >= before:
        message = _l("show_if refers to item '%(item)s', which does not come before this item")
        yield at + ("item",), Message(message, item=cond.item)
        return
    item = inst.items[position]
    kind = ITEM_TYPES[item.type]
    if cond.op in ORDERING_OPERATORS and not kind.numeric:
        message = _l("operator '%(op)s' needs a numeric item; '%(item)s' is %(type)s")
        yield at + ("op",), Message(message, op=cond.op, item=item.id, type=item.type)
        return
    for literal in literals:
        try:
            kind.condition_value(item, literal)
        except ValueError as error:
            yield at + ("value",), Message(_l("condition %(problem)s"), problem=error.args[0])
            return


def _scales(inst: Instrument) -> Iterator[Problem]:
    yield from _duplicates([scale.id for scale in inst.scales], ("scales",), _l("duplicate scale id '%(value)s'"), "id")
    for index, scale in enumerate(inst.scales):
        yield from _scale(inst, scale, ("scales", index))


def _scale(inst: Instrument, scale: Scale, at: tuple[Any, ...]) -> Iterator[Problem]:
    ids = {item.id for item in inst.items}
    ranges = set()
    for pos, item_id in enumerate(scale.items):
        if item_id not in ids:
            message = _l("scale '%(scale)s' names item '%(item)s', which does not exist")
            yield at + ("items", pos), Message(message, scale=scale.id, item=item_id)
        elif (item_range := inst.numeric_range(item_id)) is None:
            message = _l("scale '%(scale)s' names item '%(item)s', which is not numeric")
            yield at + ("items", pos), Message(message, scale=scale.id, item=item_id)
        else:
            ranges.add(item_range)
    yield from _duplicates(scale.items, at + ("items",), _l("duplicate item in the scale '%(value)s'"))
    if not 1 <= scale.required_answers <= len(scale.items):
        message = _l("min_answered must be between 1 and %(count)s")
        yield at + ("min_answered",), Message(message, count=len(scale.items))
    if len(ranges) > 1:
        # Mixing ranges would let a mean of the answered items leave the scale's range.
        shown = ", ".join(f"{lo:g}..{hi:g}" for lo, hi in sorted(ranges))
        message = _l("scale '%(scale)s' mixes items with different ranges (%(ranges)s)")
        yield at + ("items",), Message(message, scale=scale.id, ranges=shown)
    if len(ranges) != 1:
        return
    low, high = inst.scale_range(scale)
    if scale.range is not None and not (math.isclose(scale.range[0], low) and math.isclose(scale.range[1], high)):
        declared = f"{scale.range[0]:g}..{scale.range[1]:g}"
        message = _l("scale '%(scale)s' range must be %(low)s..%(high)s (from its items), not %(declared)s")
        yield at + ("range",), Message(message, scale=scale.id, low=f"{low:g}", high=f"{high:g}", declared=declared)
    yield from _bands(scale, low, high, at)


def _invented_answers(inst: Instrument) -> Iterator[Problem]:
    """Refuse a when_hidden number without a written reason, and scales it could pad."""
    for index, item in enumerate(inst.items):
        if item.when_hidden != "missing" and not (item.when_hidden_reason or "").strip():
            message = _l(
                "item '%(item)s' counts as %(value)s when hidden, which is an answer nobody gave: "
                "write why in 'when_hidden_reason', or remove when_hidden (a hidden item is then missing)"
            )
            yield ("items", index, "when_hidden"), Message(message, item=item.id, value=item.when_hidden)
    ids = {item.id for item in inst.items}
    for index, scale in enumerate(inst.scales):
        if all(item_id in ids for item_id in scale.items):
            yield from _stand_ins(inst, scale, ("scales", index))


def _stand_ins(inst: Instrument, scale: Scale, at: tuple[Any, ...]) -> Iterator[Problem]:
    """Refuse a scale where when_hidden values could stand in for questions the person was shown.

    A stand-in value only joins real answers, and min_answered counts real answers only; but with
    min_answered below the number of always-shown items, a person who skipped shown questions
    would still get a score padded with a value they never gave.
    """
    items = [inst.item(item_id) for item_id in scale.items]
    stand_ins = [item.id for item in items if item.when_hidden != "missing"]
    always_shown = sum(item.show_if is None for item in items)
    if stand_ins and scale.required_answers < always_shown:
        named = ", ".join(f"'{item_id}'" for item_id in stand_ins)
        message = _l(
            "scale '%(scale)s' counts when_hidden values of %(items)s with min_answered %(min)s, "
            "below its %(shown)s always-shown items, so a score could invent answers: "
            "set min_answered to at least %(shown)s or remove when_hidden"
        )
        yield (
            at + ("min_answered",),
            Message(message, scale=scale.id, items=named, min=scale.required_answers, shown=always_shown),
        )


def _bands(scale: Scale, low: float, high: float, at: tuple[Any, ...]) -> Iterator[Problem]:
    if not scale.bands:
        return
    yield from _duplicates(
        [band.id for band in scale.bands], at + ("bands",), _l("duplicate band id '%(value)s'"), "id"
    )
    for index, band in enumerate(scale.bands):
        if band.min >= band.max:
            message = _l("band '%(band)s' max must be greater than its min")
            yield at + ("bands", index, "max"), Message(message, band=band.id)
            return
    order = sorted(range(len(scale.bands)), key=lambda i: scale.bands[i].min)
    edge = low
    for index in order:
        band = scale.bands[index]
        if not math.isclose(band.min, edge):
            message = {
                (True, True): _l(
                    "band '%(band)s' starts at %(start)s, leaving a gap (the scale's minimum is %(edge)s)"
                ),
                (True, False): _l(
                    "band '%(band)s' starts at %(start)s, leaving a gap (the previous band's max is %(edge)s)"
                ),
                (False, True): _l("band '%(band)s' starts at %(start)s, overlapping (the scale's minimum is %(edge)s)"),
                (False, False): _l(
                    "band '%(band)s' starts at %(start)s, overlapping (the previous band's max is %(edge)s)"
                ),
            }[(band.min > edge, edge == low)]
            yield at + ("bands", index, "min"), Message(message, band=band.id, start=f"{band.min:g}", edge=f"{edge:g}")
        edge = band.max
    if not math.isclose(edge, high):
        message = _l("bands must end at the scale's maximum %(high)s, not %(edge)s")
        yield at + ("bands", order[-1], "max"), Message(message, high=f"{high:g}", edge=f"{edge:g}")


def _alerts(inst: Instrument) -> Iterator[Problem]:
    yield from _duplicates([alert.id for alert in inst.alerts], ("alerts",), _l("duplicate alert id '%(value)s'"), "id")
    for index, alert in enumerate(inst.alerts):
        yield from _group(inst, alert.condition, ("alerts", index, "condition"), before=None)


def _duplicates(values: Any, at: tuple[Any, ...], msgid: str, key: str | None = None) -> Iterator[Problem]:
    """Yield a problem for each value seen before; msgid says what is duplicated, with %(value)s."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield at + (index,) + ((key,) if key else ()), Message(msgid, value=value)
        seen.add(value)


def _translations(node: Any, at: tuple[Any, ...], locales: tuple[str, ...]) -> Iterator[Problem]:
    """Walk the model and check every participant-facing text against the declared locales."""
    if isinstance(node, LocalizedText):
        for message in node.missing_locales(locales):
            yield at, message
    elif isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            yield from _translations(getattr(node, name), at + (field.alias or name,), locales)
    elif isinstance(node, tuple):
        for index, value in enumerate(node):
            yield from _translations(value, at + (index,), locales)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _translations(value, at + (key,), locales)
