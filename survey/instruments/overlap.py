"""Questions that two questionnaires of one form both ask: found here so a form asks each only once.

Two items are the same question when they declare the same `shared_id`, or when their wording
matches in every language both instruments are written in (case, spacing and Unicode forms
ignored). The same question with the same answers is shared: asked once, in the first
instrument that has it, and its answer scored in each. The same question with different answers
(another range, other labels) cannot be shared, so the combination is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .items import ItemBase, LikertItem
from .model import Instrument

# Keys that say how an item is asked, shown or scored in its own instrument, not what answers it takes.
_NOT_ANSWER_FORMAT = {"id", "text", "help", "required", "reverse", "show_if", "when_hidden", "when_hidden_reason"}
_NOT_ANSWER_FORMAT |= {"shared_id", "response_scale"}


@dataclass(frozen=True)
class SharedItem:
    """A later instrument's item that an earlier one asks already: (position, item id) of each."""

    asked: tuple[int, str]
    repeat: tuple[int, str]


@dataclass(frozen=True)
class Clash:
    """The same question asked in two instruments with different answers, so it cannot be asked once."""

    first: tuple[str, str]  # (instrument id, item id)
    second: tuple[str, str]


def _normalised(text: str) -> str:
    """Fold case, Unicode forms and spacing so the same wording compares equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def same_question(first: Instrument, a: ItemBase, second: Instrument, b: ItemBase) -> bool:
    """Tell whether two items ask the same question (a shared id, or the same wording in every common language)."""
    if a.shared_id is not None and a.shared_id == b.shared_id:
        return True
    common = [locale for locale in first.locales if locale in second.locales]
    return bool(common) and all(
        _normalised(first.text(a.text, loc)) == _normalised(second.text(b.text, loc)) for loc in common
    )


def answer_format(instrument: Instrument, item: ItemBase) -> dict[str, Any]:
    """Return what answers an item takes (type, range, labels; a likert item's anchors, whatever the scale's name)."""
    data = item.model_dump(mode="json", exclude=_NOT_ANSWER_FORMAT, exclude_defaults=False)
    if isinstance(item, LikertItem):
        data["anchors"] = [a.model_dump(mode="json") for a in item.anchors]
    return data


def find_overlaps(instruments: Sequence[Instrument]) -> tuple[list[SharedItem], list[Clash]]:
    """Return the items asked once for several instruments of this form, and the repeats that cannot be shared.

    Rule: instruments are taken in the form's order; an item repeats the first earlier item that
    is the same question; it is shared when both take the same answers, else it is a clash.
    """
    shared: list[SharedItem] = []
    clashes: list[Clash] = []
    for position, instrument in enumerate(instruments):
        for item in instrument.items:
            found = _first_asked(instruments[:position], instrument, item)
            if found is None:
                continue
            earlier_position, earlier = found
            earlier_instrument = instruments[earlier_position]
            if answer_format(earlier_instrument, earlier) == answer_format(instrument, item):
                shared.append(SharedItem((earlier_position, earlier.id), (position, item.id)))
            else:
                clashes.append(Clash((earlier_instrument.id, earlier.id), (instrument.id, item.id)))
    return shared, clashes


def _first_asked(earlier: Sequence[Instrument], instrument: Instrument, item: ItemBase) -> tuple[int, ItemBase] | None:
    """Return the first earlier (position, item) asking the same question as this item, if any."""
    for position, other in enumerate(earlier):
        for candidate in other.items:
            if same_question(other, candidate, instrument, item):
                return position, candidate
    return None
