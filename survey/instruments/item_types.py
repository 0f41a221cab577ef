"""The registry of item types: everything that differs between types, in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from . import answers, items
from .answers import AnswerValue

ChartKind = Literal["diverging_bar", "histogram", "bar", "none"]


@dataclass(frozen=True)
class ItemType:
    """How one item type is declared, rendered, parsed, scored and charted."""

    name: str
    model: type[items.ItemBase]
    numeric: bool  # the answer is stored as a number and may be scored
    multiple: bool  # the form sends several values for one item
    chart_kind: ChartKind
    macro: str  # the Jinja macro that renders the item
    parse: Callable[[Any, list[str]], AnswerValue | None]
    condition_value: Callable[[Any, object], AnswerValue]
    seconds: int = 8  # a typical phone answer: read the question, tap (see survey/instruments/length.py)
    sensitive: bool = False  # free text may identify someone: handled with extra care
    description: str = ""


def _entry(name: str, model: type[items.ItemBase], **kwargs: Any) -> tuple[str, ItemType]:
    """Return a (name, ItemType) pair for the registry."""
    return name, ItemType(name=name, model=model, **kwargs)


ITEM_TYPES: dict[str, ItemType] = dict(
    [
        _entry(
            "likert",
            items.LikertItem,
            seconds=7,
            numeric=True,
            multiple=False,
            chart_kind="diverging_bar",
            macro="likert",
            parse=answers.parse_likert,
            condition_value=answers.number_literal,
            description="one answer on a named response scale",
        ),
        _entry(
            "slider",
            items.SliderItem,
            seconds=8,
            numeric=True,
            multiple=False,
            chart_kind="histogram",
            macro="slider",
            parse=answers.parse_slider,
            condition_value=answers.number_literal,
            description="a visual analogue scale with no default position",
        ),
        _entry(
            "single_choice",
            items.SingleChoiceItem,
            seconds=8,
            numeric=False,
            multiple=False,
            chart_kind="bar",
            macro="choice",
            parse=answers.parse_single_choice,
            condition_value=answers.option_literal,
            description="one option out of a list",
        ),
        _entry(
            "multiple_choice",
            items.MultipleChoiceItem,
            seconds=12,
            numeric=False,
            multiple=True,
            chart_kind="bar",
            macro="checkboxes",
            parse=answers.parse_multiple_choice,
            condition_value=answers.option_literal,
            description="any number of options out of a list",
        ),
        _entry(
            "yes_no",
            items.YesNoItem,
            seconds=5,
            numeric=True,
            multiple=False,
            chart_kind="bar",
            macro="yes_no",
            parse=answers.parse_yes_no,
            condition_value=answers.yes_no_literal,
            description="yes (stored as 1) or no (stored as 0)",
        ),
        _entry(
            "integer",
            items.IntegerItem,
            seconds=8,
            numeric=True,
            multiple=False,
            chart_kind="histogram",
            macro="integer",
            parse=answers.parse_integer,
            condition_value=answers.number_literal,
            description="a whole number between bounds",
        ),
        _entry(
            "text",
            items.TextItem,
            seconds=30,
            numeric=False,
            multiple=False,
            chart_kind="none",
            macro="text",
            parse=answers.parse_text,
            condition_value=answers.no_literal,
            sensitive=True,
            description="free text, always optional and sensitive",
        ),
    ]
)
