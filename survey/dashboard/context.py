"""One group's dashboard request: the group, its k, the instruments answered, languages and parsed filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .. import catalog
from ..access import ReadGroup, readable_group
from ..instruments import Instrument
from ..models import Group
from ..release.service import release_due
from ..stats import Cell, Summary, effective_k
from ..stats.hierarchy import CellKey
from . import memo, published
from .filters import GRAINS, Filters, parse_filters
from .periods import periods_at


@dataclass
class Dashboard:
    """One group's dashboard request: the group, its k, instruments answered, languages and parsed filters."""

    group: Group | ReadGroup
    filters: Filters
    instruments: dict[str, tuple[Instrument, list[int]]]
    locales: list[str]

    @property
    def k(self) -> int:
        """The suppression threshold for this group (its min_group_size, never below the floor)."""
        return effective_k(self.group.min_group_size)

    @property
    def grain(self) -> str:
        """The grain shown: the one asked for, or the automatic choice."""
        return self.filters.grain

    @property
    def locale_key(self) -> str:
        """The language cell shown: one language or all ("*")."""
        return self.filters.locale

    def shown_instruments(self) -> list[tuple[Instrument, list[int]]]:
        """Return the instruments this view covers (one when filtered)."""
        if self.filters.instrument:
            return [self.instruments[self.filters.instrument]]
        return list(self.instruments.values())

    @cached_property
    def response_cells(self) -> dict[CellKey, Cell[Summary]]:
        """People counted over the whole hierarchy, suppressed (drives participation and auto grain)."""
        return published.people_cells(self.group.id, self.filters.instrument, self.filters.locale)


def group_instruments(group: Group | ReadGroup) -> dict[str, tuple[Instrument, list[int]]]:
    """Map each instrument the group asks or has answers for to (latest version answered, its version ids)."""
    found = published.instruments_answered(group.id)
    for instrument_id in group.instrument_ids:
        current = catalog.registry().get(instrument_id)
        if instrument_id not in found and current is not None:
            found[instrument_id] = (current, [])
    return found


def released_group(code: str) -> ReadGroup:
    """Return the group of a dashboard request (if the reader may see it) after releasing what is due for it.

    Lazily: the first read after a meeting's results are due releases them, before anything is read or kept.

    :raises NotFound: when the group does not exist or is outside the reader's groups.
    """
    group = readable_group(code)
    release_due(group)
    return group


def load_dashboard(group: Group | ReadGroup, args: Mapping[str, str]) -> Dashboard:
    """Read what the group has answered and parse the URL filters against it (released_group released first).

    :raises BadRequest: when a filter is unknown or invalid.
    """
    chosen: list[Dashboard] = []
    filters, instruments, locales = memo.remembered(group, "dashboard", lambda: _read(group, args, chosen))
    dashboard = Dashboard(group=group, filters=filters, instruments=instruments, locales=locales)
    if chosen and "response_cells" in vars(chosen[0]):
        # The grain was chosen from these cells just now: same group, questionnaire and language, so not read again.
        vars(dashboard)["response_cells"] = vars(chosen[0])["response_cells"]
    return dashboard


def _read(
    group: Group | ReadGroup, args: Mapping[str, str], chosen: list[Dashboard]
) -> tuple[Filters, dict[str, tuple[Instrument, list[int]]], list[str]]:
    """Return the parsed filters (the automatic grain chosen), the instruments answered and their languages;
    the dashboard the grain was chosen on goes into `chosen`."""
    instruments = group_instruments(group)
    # Every answer is in a language its instrument declares, so the declared ones are the allow-list.
    locales = sorted({locale for instrument, _ids in instruments.values() for locale in instrument.locales})
    filters = parse_filters(args, instruments, set(locales))
    if filters.grain == "auto":
        choosing = Dashboard(group=group, filters=filters, instruments=instruments, locales=locales)
        filters = filters.with_grain(choose_grain(choosing))
        chosen.append(choosing)
    return filters, instruments, locales


def choose_grain(dashboard: Dashboard) -> str:
    """Pick the finest grain at which at least half of the periods with responses can be shown.

    Rule: meeting, then week, then month; a period is shown when its response count is not
    suppressed. When no grain reaches half, month is used (the coarsest, most pooled).
    """
    cells = dashboard.response_cells
    for grain in GRAINS:
        periods = [p for p in periods_at(cells, grain, dashboard.locale_key, dashboard.filters) if p.n > 0]
        if periods and sum(not p.suppressed for p in periods) * 2 >= len(periods):
            return grain
    return "month"
