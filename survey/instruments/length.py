"""How long a set of questionnaires takes on a phone: questions counted and minutes estimated (pure).

Each item type carries a typical answering time in the registry (`ItemType.seconds`: reading a short
statement and tapping takes 5-8 s, a multiple choice about 12 s, an optional comment 30 s), and a form
costs a fixed `FORM_SECONDS` for the privacy promise and the Send button. Items asked only under a
condition count, so the estimate is the longest path: a poster should promise no less than it takes.
An instrument's own `estimated_minutes` (its author's figure) wins when it is longer. These are
assumptions for planning, not measurements; the preview lets a coordinator try it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .item_types import ITEM_TYPES
from .model import Instrument
from .overlap import find_overlaps

FORM_SECONDS = 20


@dataclass(frozen=True)
class FormLength:
    """The number of questions a participant may see and the minutes it takes, rounded up."""

    questions: int
    seconds: int

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up, at least one."""
        return max(1, math.ceil(self.seconds / 60))


def form_length(instruments: Iterable[Instrument]) -> FormLength:
    """Estimate the form made of these questionnaires (what one group asks after a meeting)."""
    instruments = list(instruments)
    if not instruments:
        return FormLength(0, 0)
    # A question two questionnaires share is asked once (overlap.py), so it is counted once.
    questions = sum(len(instrument.items) for instrument in instruments) - len(find_overlaps(instruments)[0])
    return FormLength(questions, FORM_SECONDS + sum(instrument_seconds(i) for i in instruments))


def instrument_seconds(instrument: Instrument) -> int:
    """Seconds one questionnaire takes: its items' typical times, or its author's estimate when longer."""
    typical = sum(ITEM_TYPES[item.type].seconds for item in instrument.items)
    return max(typical, math.ceil(float(instrument.estimated_minutes) * 60))
