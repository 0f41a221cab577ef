"""Parsing of submitted form values into answers, one function per item type."""

from __future__ import annotations

import math
import re
from typing import Any

from .messages import Message, _l

AnswerValue = float | str | tuple[str, ...]


class AnswerError(ValueError):
    """An invalid answer, with a message a participant can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _values(raw: list[str]) -> list[str]:
    """Return the non-blank submitted values, stripped."""
    return [value.strip() for value in raw if value.strip()]


def _single(raw: list[str]) -> str | None:
    """Return the one submitted value, None when blank; several values are an error."""
    values = _values(raw)
    if len(values) > 1:
        raise AnswerError("Please choose only one answer.")
    return values[0] if values else None


def _number(text: str) -> float:
    """Return text as a finite number."""
    try:
        number = float(text)
    except ValueError:
        raise AnswerError("Please enter a number.") from None
    if not math.isfinite(number):
        raise AnswerError("Please enter a number.")
    return number


def _fmt(number: float) -> str:
    """Return a number without a needless '.0'."""
    return f"{number:g}"


def parse_likert(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return the chosen anchor value."""
    text = _single(raw)
    if text is None:
        return None
    number = _number(text)
    if number not in {float(anchor.value) for anchor in item.anchors}:
        raise AnswerError("Please choose one of the answers shown.")
    return number


def parse_slider(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return the slider position, which must be on a step between the endpoints."""
    text = _single(raw)
    if text is None:
        return None
    number = _number(text)
    if not item.min <= number <= item.max:
        raise AnswerError(f"Please choose a value between {_fmt(item.min)} and {_fmt(item.max)}.")
    steps = (number - item.min) / item.step
    if not math.isclose(steps, round(steps), abs_tol=1e-6):
        raise AnswerError(f"Please choose a value in steps of {_fmt(item.step)}.")
    return number


def parse_integer(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return a whole number between the item's bounds."""
    text = _single(raw)
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        raise AnswerError("Please enter a whole number.") from None
    if not item.min <= number <= item.max:
        raise AnswerError(f"Please enter a whole number between {item.min} and {item.max}.")
    return float(number)


def parse_yes_no(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return 1.0 for yes and 0.0 for no."""
    text = _single(raw)
    if text is None:
        return None
    if text not in YES_NO:
        raise AnswerError("Please answer yes or no.")
    return YES_NO[text]


def parse_single_choice(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return the chosen option's value."""
    text = _single(raw)
    if text is None:
        return None
    if text not in {option.value for option in item.options}:
        raise AnswerError("Please choose one of the answers shown.")
    return text


def parse_multiple_choice(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return the chosen option values in the order the options are listed."""
    chosen = set(_values(raw))
    if not chosen:
        return None
    known = [option.value for option in item.options]
    if chosen - set(known):
        raise AnswerError("Please choose from the answers shown.")
    return tuple(value for value in known if value in chosen)


# Control characters other than tab and line breaks, and lone surrogates: PostgreSQL refuses NUL in text
# (SQLite would store it), psycopg cannot encode a surrogate, and no person types either.
REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
REFUSED_MESSAGE = "Please remove the control character (such as a NUL byte) from your answer."


def parse_text(item: Any, raw: list[str]) -> AnswerValue | None:
    """Return the trimmed text, which must fit in max_length characters and hold no control character."""
    if len(raw) > 1:
        raise AnswerError("Please write your answer in one box.")
    text = raw[0].strip() if raw else ""
    if not text:
        return None
    if len(text) > item.max_length:
        raise AnswerError(f"Please shorten your answer to {item.max_length} characters or fewer.")
    if REFUSED_CHARACTERS.search(text):
        raise AnswerError(REFUSED_MESSAGE)
    return text


YES_NO: dict[str, float] = {"yes": 1.0, "no": 0.0}


def number_literal(item: Any, value: object) -> AnswerValue:
    """Return a condition literal for a numeric item, which must be a number inside its range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            Message(
                _l("compares item '%(item)s' with %(value)s, which is not a number"), item=item.id, value=repr(value)
            )
        )
    low, high = item.value_range()
    if not low <= value <= high:
        message = _l("compares item '%(item)s' with %(value)s, outside its range %(low)s..%(high)s")
        raise ValueError(Message(message, item=item.id, value=value, low=_fmt(low), high=_fmt(high)))
    return float(value)


def yes_no_literal(item: Any, value: object) -> AnswerValue:
    """Return 1.0 or 0.0 for a yes/no condition literal (`yes`, `no`, 1 or 0)."""
    if isinstance(value, str) and value in YES_NO:
        return YES_NO[value]
    if not isinstance(value, bool) and value in (0, 1):
        return float(value)  # type: ignore[arg-type]
    raise ValueError(
        Message(_l("compares yes/no item '%(item)s' with %(value)s; use yes or no"), item=item.id, value=repr(value))
    )


def option_literal(item: Any, value: object) -> AnswerValue:
    """Return a condition literal for a choice item, which must be one of its option values."""
    if value not in {option.value for option in item.options}:
        message = _l("compares item '%(item)s' with %(value)s, which is not one of its options")
        raise ValueError(Message(message, item=item.id, value=repr(value)))
    return str(value)


def no_literal(item: Any, value: object) -> AnswerValue:
    """Refuse conditions on free text, whose content must never drive the form."""
    raise ValueError(Message(_l("item '%(item)s' is free text and cannot be used in a condition"), item=item.id))
