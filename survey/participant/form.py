"""The survey form: field names for each instrument's items, and what the templates render.

Inputs are named by item id. A name that another instrument of the same form already uses,
or that a control field uses, is prefixed with its instrument id (`checkin.helpful`). A question
an earlier instrument of the form asks already (instruments/overlap.py) is not asked again: its
item takes the earlier input's name, so the one answer is stored and scored in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..instruments import ITEM_TYPES, AnswerValue, Instrument
from ..instruments.conditions import ConditionGroup
from ..instruments.overlap import find_overlaps
from ..scoring import visible_items
from .messages import translate_error

CONTROL_FIELDS = ("form_token", "lang", "website", "participant_code")
MAX_RADIO_STEPS = 21  # a slider with more positions is a number box instead of a row of buttons


_KEPT_PLANS: dict[tuple[int, ...], FormPlan] = {}
KEPT_PLANS_MAX = 64  # plans kept (FormPlan.of): loaded forms are few; tests build many, so emptied when full


class FormShapeError(ValueError):
    """The submitted form has fields this form never had, or a control field repeated."""


@dataclass(frozen=True)
class FormPlan:
    """The instruments of one form, in order, and the input name of each of their items."""

    instruments: tuple[Instrument, ...]
    names: dict[tuple[int, str], str] = field(default_factory=dict)  # (position, item id) -> name
    asked_before: frozenset[tuple[int, str]] = frozenset()  # items an earlier instrument asks already

    @classmethod
    def of(cls, instruments: Sequence[Instrument]) -> FormPlan:
        """Return the plan of these instruments, made once per sequence of instrument objects (instruments
        never change, and every form GET and POST asks for the plan of the same few)."""
        key = tuple(map(id, instruments))
        kept = _KEPT_PLANS.get(key)
        if kept is not None and all(a is b for a, b in zip(kept.instruments, instruments, strict=True)):
            return kept  # the plan holds its instruments, so their ids cannot be reused while it is kept
        plan = cls.made_of(instruments)
        if len(_KEPT_PLANS) >= KEPT_PLANS_MAX:
            _KEPT_PLANS.clear()
        _KEPT_PLANS[key] = plan
        return plan

    @classmethod
    def made_of(cls, instruments: Sequence[Instrument]) -> FormPlan:
        """Make the plan, naming each item by its id unless that name is taken; shared items share a name."""
        shared = {s.repeat: s.asked for s in find_overlaps(instruments)[0]}
        names: dict[tuple[int, str], str] = {}
        taken: set[str] = set(CONTROL_FIELDS)
        for position, instrument in enumerate(instruments):
            for item in instrument.items:
                if (position, item.id) in shared:
                    names[(position, item.id)] = names[shared[(position, item.id)]]
                    continue
                name = item.id if item.id not in taken else f"{instrument.id}.{item.id}"
                names[(position, item.id)] = name
                taken.add(name)
        return cls(tuple(instruments), names, frozenset(shared))

    def name(self, position: int, item_id: str) -> str:
        """Return the input name of an item."""
        return self.names[(position, item_id)]

    @property
    def content_hashes(self) -> tuple[str, ...]:
        """Return the versions shown, in order."""
        return tuple(instrument.content_hash for instrument in self.instruments)

    def split(self, form: MultiDict[str, str]) -> list[dict[str, list[str]]]:
        """Return each instrument's submitted values keyed by item id.

        :raises FormShapeError: for a field the form never had or a repeated control field.
        """
        known = set(self.names.values())
        unknown = [name for name in form if name not in known and name not in CONTROL_FIELDS]
        if unknown:
            raise FormShapeError(", ".join(sorted(unknown)[:5]))
        repeated = [name for name in CONTROL_FIELDS if len(form.getlist(name)) > 1]
        if repeated:
            raise FormShapeError(", ".join(repeated))
        raw: list[dict[str, list[str]]] = [{} for _ in self.instruments]
        for (position, item_id), name in self.names.items():  # a shared input fills each instrument's item
            if name in form:
                raw[position][item_id] = form.getlist(name)
        return raw


@dataclass(frozen=True)
class Choice:
    """One radio button or checkbox."""

    value: str
    label: str
    dom_id: str
    checked: bool


@dataclass(frozen=True)
class FieldView:
    """Everything one item's macro needs."""

    name: str
    dom_id: str
    macro: str
    label: str
    help: str
    required: bool
    error: str
    values: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    low_label: str = ""
    high_label: str = ""
    low: str = ""
    high: str = ""
    step: str = ""
    max_length: int = 0
    show_if: str = ""  # JSON of the condition, with input names, for the page's script
    conditional: bool = False

    @property
    def first_id(self) -> str:
        """Return the id of the element the error summary links to."""
        return self.choices[0].dom_id if self.choices else self.dom_id

    @property
    def answered(self) -> bool:
        """Return whether a value was entered."""
        return any(value.strip() for value in self.values)


@dataclass(frozen=True)
class SectionView:
    """One instrument's part of the form."""

    title: str
    instructions: str
    time_frame: str
    disclaimer: str
    fields: tuple[FieldView, ...]


def _number(value: float) -> str:
    return f"{value:g}"


def _choices(name: str, pairs: Sequence[tuple[str, str]], values: Sequence[str]) -> tuple[Choice, ...]:
    chosen = {value.strip() for value in values}
    return tuple(
        Choice(value=value, label=label, dom_id=f"f-{name}-{index}", checked=value in chosen)
        for index, (value, label) in enumerate(pairs)
    )


Details = dict[str, Any]


def _anchor_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Likert: one radio button per anchor of the response scale."""
    pairs = [(_number(float(a.value)), instrument.text(a.label, locale)) for a in spec.anchors]
    return {"choices": _choices(name, pairs, values)}


def _option_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Single and multiple choice: one button or box per option."""
    pairs = [(o.value, instrument.text(o.label, locale)) for o in spec.options]
    return {"choices": _choices(name, pairs, values)}


def _yes_no_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Yes/no: two buttons."""
    return {"choices": _choices(name, [("yes", _("Yes")), ("no", _("No"))], values)}


def _slider_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Slider: endpoints and their labels; a row of buttons with none chosen (a number box for long ranges)."""
    low, high, step = float(spec.min), float(spec.max), float(spec.step)
    details: Details = {
        "low": _number(low),
        "high": _number(high),
        "step": _number(step),
        "low_label": instrument.text(spec.min_label, locale),
        "high_label": instrument.text(spec.max_label, locale),
    }
    count = round((high - low) / step) + 1
    if count <= MAX_RADIO_STEPS:
        pairs = [(_number(low + i * step), _number(low + i * step)) for i in range(count)]
        details["choices"] = _choices(name, pairs, values)
    return details


def _integer_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Whole number: its bounds."""
    return {"low": str(spec.min), "high": str(spec.max)}


def _text_details(instrument: Instrument, spec: Any, locale: str, name: str, values: Sequence[str]) -> Details:
    """Free text: its length limit."""
    return {"max_length": spec.max_length}


# What each item type's macro needs beyond the shared fields, keyed like ITEM_TYPES.
FIELD_DETAILS: dict[str, Callable[[Instrument, Any, str, str, Sequence[str]], Details]] = {
    "likert": _anchor_details,
    "slider": _slider_details,
    "single_choice": _option_details,
    "multiple_choice": _option_details,
    "yes_no": _yes_no_details,
    "integer": _integer_details,
    "text": _text_details,
}


def _show_if_json(plan: FormPlan, position: int, condition: ConditionGroup | None) -> str:
    """Return the show_if condition as JSON naming inputs, for progressive enhancement."""
    if condition is None:
        return ""
    data = condition.model_dump(mode="json", by_alias=True, exclude_none=True)
    for conditions in data.values():
        for cond in conditions:
            if cond.get("item"):
                cond["item"] = plan.name(position, cond["item"])
    return json.dumps(data, separators=(",", ":"))


def sections(
    plan: FormPlan,
    locale: str,
    raw: Sequence[Mapping[str, list[str]]] | None = None,
    errors: Sequence[Mapping[str, str]] | None = None,
) -> list[SectionView]:
    """Return what the template renders: each instrument's texts and fields, answers kept."""
    result = []
    for position, instrument in enumerate(plan.instruments):
        given = raw[position] if raw else {}
        problems = errors[position] if errors else {}
        fields = []
        for item in instrument.items:
            if (position, item.id) in plan.asked_before:
                continue
            name = plan.name(position, item.id)
            values = tuple(given.get(item.id, ()))
            fields.append(
                FieldView(
                    name=name,
                    dom_id=f"f-{name}",
                    macro=ITEM_TYPES[item.type].macro,  # type: ignore[attr-defined]
                    label=instrument.text(item.text, locale),
                    help=instrument.text(item.help, locale),
                    required=item.required,
                    error=translate_error(problems[item.id]) if item.id in problems else "",
                    values=values,
                    show_if=_show_if_json(plan, position, item.show_if),
                    conditional=item.show_if is not None,
                    **FIELD_DETAILS[item.type](instrument, item, locale, name, values),  # type: ignore[attr-defined]
                )
            )
        result.append(
            SectionView(
                title=instrument.text(instrument.title, locale),
                instructions=instrument.text(instrument.instructions, locale),
                time_frame=instrument.text(instrument.time_frame, locale),
                disclaimer=instrument.text(instrument.disclaimer, locale),
                fields=tuple(fields),
            )
        )
    return result


def required_left(plan: FormPlan, answers: Sequence[Mapping[str, AnswerValue]] | None = None) -> int:
    """Return how many required questions shown on the page still need an answer."""
    left = 0
    for position, instrument in enumerate(plan.instruments):
        given = answers[position] if answers else {}
        shown = visible_items(instrument, given)
        left += sum(
            1
            for item in instrument.items
            if item.required
            and item.id in shown
            and item.id not in given
            and (position, item.id) not in plan.asked_before
        )
    return left
