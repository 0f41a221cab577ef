"""Dashboard cells as views show them: a period's n, and its statistics only when the privacy layer shows it."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from ..instruments import Instrument, Scale
from ..stats import Cell, Summary
from ..stats.hierarchy import CellKey
from .filters import Filters


def display_locale() -> str:
    """Return the language instrument texts are shown in: the interface's (the report sets the group's)."""
    return str(get_locale() or "en")


GRAIN_NAMES = {"meeting": "meeting", "week": "week", "month": "month"}


def reason_text(reason: str, k: int) -> str:
    """Say in plain words, in the reader's language, why a cell is hidden."""
    return _reason_text(reason, k, display_locale())


@functools.lru_cache(maxsize=64)
def _reason_text(reason: str, k: int, locale: str) -> str:
    """Return reason_text's words in the language in force, which is `locale` (a JSON body gives a reason for
    each hidden period, the same few phrases)."""
    if reason == "small_cell":
        return _(
            "fewer than %(k)s responses: results appear when at least %(k)s people have answered, "
            "after the survey closes",
            k=k,
        )
    return _("hidden so that a smaller hidden group of answers cannot be worked out by subtraction")


@dataclass(frozen=True)
class Period:
    """One shown or hidden cell: its period start, its n, and its statistics only when shown."""

    start: dt.date | None
    n: int
    summary: Summary | None
    hidden_because: str | None

    @classmethod
    def from_cell(cls, start: dt.date | None, cell: Cell[Summary] | None) -> Period:
        """Build from a suppressed cell (or an empty one when the cell does not exist)."""
        if cell is None:
            return cls(start=start, n=0, summary=None, hidden_because=None)
        return cls(start=start, n=cell.n, summary=cell.stats, hidden_because=cell.hidden_because)

    @property
    def suppressed(self) -> bool:
        """Whether the statistics are withheld."""
        return self.hidden_because is not None

    def as_dict(self, k: int) -> dict[str, Any]:
        """Return the JSON/CSV form: hidden cells keep their n and a reason, never their statistics."""
        start = self.start.isoformat() if self.start else None
        if self.hidden_because is not None:
            return {"start": start, "n": self.n, "suppressed": True, "reason": reason_text(self.hidden_because, k)}
        s = self.summary
        if s is None:
            return {"start": start, "n": self.n, "suppressed": False}
        return {
            "start": start,
            "n": self.n,
            "suppressed": False,
            "mean": round_stat(s.mean),
            "sd": round_stat(s.sd),
            "ci_low": round_stat(s.ci_low),
            "ci_high": round_stat(s.ci_high),
        }


def round_stat(value: float | None) -> float | None:
    """Round a statistic for display and export (3 decimals are plenty for a 0-10 score)."""
    return None if value is None else round(value, 3)


@dataclass(frozen=True)
class ScaleInfo:
    """What the dashboard needs to know about one scale, from the instrument version answered last."""

    instrument_id: str
    instrument_title: str
    scale_id: str
    label: str
    higher_is_better: bool
    low: float
    high: float
    bands: tuple[tuple[str, float, float], ...]

    def identity(self) -> dict[str, str]:
        """Return the fields that name the scale in a JSON or CSV row."""
        return {"instrument": self.instrument_id, "scale": self.scale_id, "label": self.label}

    @classmethod
    def of(cls, instrument: Instrument, scale: Scale) -> ScaleInfo:
        """Describe a scale with labels in the display language."""
        low, high = instrument.scale_range(scale)
        bands = tuple((instrument.text(b.label, display_locale()), float(b.min), float(b.max)) for b in scale.bands)
        return cls(
            instrument_id=instrument.id,
            instrument_title=instrument.text(instrument.title, display_locale()),
            scale_id=scale.id,
            label=instrument.text(scale.label, display_locale()),
            higher_is_better=scale.higher_is_better,
            low=low,
            high=high,
            bands=bands,
        )


def period_end(start: dt.date, grain: str) -> dt.date:
    """Return the last day of the period that starts on `start`."""
    if grain == "meeting":
        return start
    if grain == "week":
        return start + dt.timedelta(days=6)
    next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def in_range(filters: Filters, start: dt.date, grain: str) -> bool:
    """Tell whether a period overlaps the date range."""
    return (filters.end is None or start <= filters.end) and (
        filters.start is None or period_end(start, grain) >= filters.start
    )


def periods_at(
    cells: Mapping[CellKey, Cell[Summary]], grain: str, locale: str, filters: Filters, counts_only: bool = False
) -> list[Period]:
    """Pick the cells of one grain and language inside the date range, oldest first (counts_only drops statistics)."""
    starts = sorted(p for (g, p, loc) in cells if g == grain and loc == locale and p is not None)
    chosen = [(p, cells[(grain, p, locale)]) for p in starts if in_range(filters, p, grain)]
    if counts_only:
        return [Period(start=p, n=cell.n, summary=None, hidden_because=cell.hidden_because) for p, cell in chosen]
    return [Period.from_cell(p, cell) for p, cell in chosen]
