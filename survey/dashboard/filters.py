"""URL filters for dashboards: parsed against allow-lists, so a bookmark is exact and a typo is a 400."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from flask import abort
from flask_babel import gettext as _

from ..i18n import SUPPORTED_LOCALES

Grain = Literal["meeting", "week", "month"]
GRAINS: tuple[Grain, ...] = ("meeting", "week", "month")
GRAIN_CHOICES = ("auto", *GRAINS)
ALL_LOCALES = "*"
# Every parameter a dashboard URL may carry; anything else is refused so typos do not silently show other data.
KNOWN_PARAMS = frozenset({"from", "to", "instrument", "lang", "grain", "period", "text", "ui"})


@dataclass(frozen=True)
class Filters:
    """What a dashboard view shows: a date range, one instrument or all, one language or all, a grain."""

    start: dt.date | None = None
    end: dt.date | None = None
    instrument: str | None = None
    locale: str = ALL_LOCALES
    grain: str = "auto"
    period: dt.date | None = None
    include_text: bool = False

    def with_grain(self, grain: str) -> Filters:
        """Return a copy with the grain fixed (after automatic pooling)."""
        return replace(self, grain=grain)

    def query_args(self) -> dict[str, str]:
        """Return the URL parameters that reproduce these filters (defaults left out)."""
        args = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "instrument": self.instrument or "",
            "lang": "" if self.locale == ALL_LOCALES else self.locale,
            "grain": "" if self.grain == "auto" else self.grain,
            "period": self.period.isoformat() if self.period else "",
        }
        return {key: value for key, value in args.items() if value}

    def includes(self, day: dt.date) -> bool:
        """Tell whether a period starting on this day falls inside the date range."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def bad_filter(message: str) -> None:
    """Stop the request with 400 and a message that names the offending value.

    :raises BadRequest: always.
    """
    abort(400, description=message)


def _date(args: Mapping[str, str], name: str) -> dt.date | None:
    """Parse one YYYY-MM-DD parameter, or None when absent or empty."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        bad_filter(_("'%(name)s' must be a date written YYYY-MM-DD, not '%(raw)s'.", name=name, raw=raw))
    raise AssertionError("unreachable")


def _choice(args: Mapping[str, str], name: str, allowed: Iterable[str], default: str | None) -> str | None:
    """Return the parameter when it is one of the allowed values (or the default when absent)."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    allowed = sorted(allowed)
    if raw not in allowed:
        listed = ", ".join(allowed) or _("none available")
        bad_filter(_("Unknown %(name)s '%(raw)s'. Choose one of: %(listed)s.", name=name, raw=raw, listed=listed))
    return raw


def parse_filters(args: Mapping[str, str], instruments: Iterable[str], locales: Iterable[str]) -> Filters:
    """Parse dashboard URL parameters against the instruments and languages this view offers.

    :raises BadRequest: on an unknown parameter, an unknown value or an impossible date range.
    """
    unknown = sorted(set(args) - KNOWN_PARAMS)
    if unknown:
        known = ", ".join(sorted(KNOWN_PARAMS))
        bad_filter(_("Unknown filter '%(name)s'. Known filters: %(known)s.", name=unknown[0], known=known))
    start, end = _date(args, "from"), _date(args, "to")
    if start and end and start > end:
        bad_filter(
            _("The start date %(start)s is after the end date %(end)s.", start=start.isoformat(), end=end.isoformat())
        )
    text = _choice(args, "text", ("0", "1"), "0")
    _choice(args, "ui", SUPPORTED_LOCALES, None)  # the interface language (read by i18n), checked here
    return Filters(
        start=start,
        end=end,
        instrument=_choice(args, "instrument", instruments, None),
        locale=_choice(args, "lang", locales, ALL_LOCALES) or ALL_LOCALES,
        grain=_choice(args, "grain", GRAIN_CHOICES, "auto") or "auto",
        period=_date(args, "period"),
        include_text=text == "1",
    )
