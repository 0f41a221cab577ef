"""Pydantic models of the item types; the registry in item_types.py says how each behaves."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .conditions import ConditionGroup
from .localized import LocalizedText
from .messages import Message, _l

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Number = int | float
Problem = tuple[tuple[str | int, ...], str]


class Option(BaseModel):
    """One answer of a choice item: a stable value stored in the database, and its label."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    value: str = Field(pattern=ID_PATTERN)
    label: LocalizedText


class Anchor(BaseModel):
    """One point of a response scale: a number stored, and the label shown."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    value: Number
    label: LocalizedText


class ResponseScale(BaseModel):
    """A reusable set of labelled numeric answers for likert items."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    anchors: tuple[Anchor, ...] = Field(min_length=2)

    @property
    def values(self) -> tuple[float, ...]:
        """Return the numeric values in display order."""
        return tuple(float(a.value) for a in self.anchors)


class ItemBase(BaseModel):
    """Keys shared by every item type."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: str = Field(pattern=ID_PATTERN)
    text: LocalizedText
    help: LocalizedText | None = None
    required: bool = False
    reverse: bool = False
    show_if: ConditionGroup | None = None
    when_hidden: Literal["missing"] | Number = "missing"
    # Why a hidden item may count as the when_hidden number (for authors and reviewers, never shown).
    when_hidden_reason: str | None = None
    # Items of a group's questionnaires with the same shared_id (or wording) are one question, asked once.
    shared_id: str | None = Field(default=None, pattern=ID_PATTERN)
    if TYPE_CHECKING:
        type: str  # each subclass declares its own Literal, which pydantic uses as the discriminator

    def value_range(self) -> tuple[float, float] | None:
        """Return the (min, max) of a numeric answer, or None for non-numeric items."""
        return None

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield (key path, message) for type-specific mistakes."""
        return iter(())


class LikertItem(ItemBase):
    """A question answered on a named response scale."""

    type: Literal["likert"]
    response_scale: str
    # Resolved by the Instrument after validation; not part of the definition.
    _scale: ResponseScale | None = PrivateAttr(default=None)

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        """Return the anchors of the resolved response scale."""
        return self._scale.anchors if self._scale else ()

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield a reference to a response scale that does not exist."""
        if self.response_scale not in response_scales:
            message = _l("item '%(item)s' uses response scale '%(scale)s', which does not exist")
            yield ("response_scale",), Message(message, item=self.id, scale=self.response_scale)

    def value_range(self) -> tuple[float, float] | None:
        """Return the lowest and highest anchor value."""
        values = self._scale.values if self._scale else (0.0, 0.0)
        return min(values), max(values)


class SliderItem(ItemBase):
    """A visual analogue scale; it has no default position, so untouched means unanswered."""

    type: Literal["slider"]
    min: Number
    max: Number
    step: Number = 1
    min_label: LocalizedText
    max_label: LocalizedText

    def value_range(self) -> tuple[float, float] | None:
        """Return the slider's endpoints."""
        return float(self.min), float(self.max)

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield impossible bounds and steps."""
        if self.min >= self.max:
            yield ("max",), _max_above_min(self.min, self.max)
        elif self.step <= 0:
            yield ("step",), Message(_l("step must be greater than 0"))
        elif not _divides(self.step, self.max - self.min):
            message = _l("step %(step)s does not divide the range %(min)s..%(max)s")
            yield ("step",), Message(message, step=self.step, min=self.min, max=self.max)


class IntegerItem(ItemBase):
    """A whole number between declared bounds."""

    type: Literal["integer"]
    min: int
    max: int

    def value_range(self) -> tuple[float, float] | None:
        """Return the bounds."""
        return float(self.min), float(self.max)

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield impossible bounds."""
        if self.min >= self.max:
            yield ("max",), _max_above_min(self.min, self.max)


class YesNoItem(ItemBase):
    """A yes/no question, stored as 1 (yes) or 0 (no)."""

    type: Literal["yes_no"]

    def value_range(self) -> tuple[float, float] | None:
        """Return 0 (no) to 1 (yes)."""
        return 0.0, 1.0


class SingleChoiceItem(ItemBase):
    """One option out of a list; stored as the option's value."""

    type: Literal["single_choice"]
    options: tuple[Option, ...] = Field(min_length=2)

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield duplicate option values."""
        yield from _duplicate_options(self.options)


class MultipleChoiceItem(ItemBase):
    """Any number of options out of a list; stored as the chosen values."""

    type: Literal["multiple_choice"]
    options: tuple[Option, ...] = Field(min_length=2)

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield duplicate option values."""
        yield from _duplicate_options(self.options)


class TextItem(ItemBase):
    """Free text: always optional and always treated as sensitive."""

    type: Literal["text"]
    max_length: int

    def problems(self, response_scales: Mapping[str, ResponseScale]) -> Iterator[Problem]:
        """Yield impossible lengths and a required flag, which free text may not have."""
        if self.max_length < 1:
            yield ("max_length",), Message(_l("max_length must be at least 1, not %(value)s"), value=self.max_length)
        if self.required:
            yield ("required",), Message(_l("free-text items are always optional; remove 'required: true'"))


def _max_above_min(low: Number, high: Number) -> Message:
    """Say that the bounds are the wrong way round (or equal)."""
    return Message(_l("max (%(max)s) must be greater than min (%(min)s)"), max=high, min=low)


def _divides(step: float, span: float) -> bool:
    """Return whether span is a whole number of steps, allowing for float rounding."""
    count = span / step
    return math.isclose(count, round(count), abs_tol=1e-9)


def _duplicate_options(options: tuple[Option, ...]) -> Iterator[Problem]:
    """Yield a problem for each option value seen before."""
    seen: set[str] = set()
    for index, option in enumerate(options):
        if option.value in seen:
            yield ("options", index, "value"), Message(_l("duplicate option value '%(value)s'"), value=option.value)
        seen.add(option.value)
