"""The one dashboard data layer: already-suppressed aggregates for pages, JSON endpoints and exports alike.

Views, charts and exports read only from here. Each function calls the SQL aggregates in
queries.py, decides suppression once over the whole hierarchy (privacy.py), and returns
cells whose hidden statistics are gone, not just undrawn.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from flask import abort
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import catalog
from ..instruments import Instrument, Scale
from ..models import Group
from ..stats import Cell, Summary, effective_k, flag_not_changing, trend_reading
from . import queries
from .filters import ALL_LOCALES, GRAINS, Filters, parse_filters
from .privacy import CellKey, MeetingMoments, Moments, count_rows, suppress_hierarchy


def display_locale() -> str:
    """Return the language instrument texts are shown in: the interface's (the report sets the group's)."""
    return str(get_locale() or "en")


GRAIN_NAMES = {"meeting": "meeting", "week": "week", "month": "month"}
REASONS = {
    "small_cell": "fewer than {k} responses, so results are not shown",
    "complement": "hidden so that a smaller hidden group of answers cannot be worked out by subtraction",
}


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
        data: dict[str, Any] = {"start": self.start.isoformat() if self.start else None, "n": self.n}
        if self.hidden_because is not None:
            data.update(suppressed=True, reason=REASONS[self.hidden_because].format(k=k))
        elif self.summary is not None:
            s = self.summary
            data.update(
                suppressed=False,
                mean=_round(s.mean),
                sd=_round(s.sd),
                ci_low=_round(s.ci_low),
                ci_high=_round(s.ci_high),
            )
        else:
            data.update(suppressed=False)
        return data


def _round(value: float | None) -> float | None:
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


@dataclass(frozen=True)
class ScaleTrend:
    """A scale's trend at one grain: periods in the date range, the all-time cell, a reading and a flag."""

    scale: ScaleInfo
    grain: str
    periods: list[Period]
    overall: Period
    reading: str
    not_changing: bool


@dataclass
class Dashboard:
    """One group's dashboard request: the group, its k, instruments answered, languages and parsed filters."""

    group: Group
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
        """Response counts over the whole hierarchy, suppressed (drives participation and auto grain)."""
        # Always name the versions: (group, version, date, language) is the covering index.
        versions = [vid for _, ids in self.shown_instruments() for vid in ids]
        if not versions:
            return {}
        return suppress_hierarchy(count_rows(queries.response_counts_by_meeting(self.group.id, versions)), self.k)


def group_instruments(group: Group) -> dict[str, tuple[Instrument, list[int]]]:
    """Map each instrument the group asks or has answers for to (latest version answered, its version ids)."""
    found: dict[str, tuple[Instrument, list[int]]] = {}
    for row in queries.versions_answered([group.id]):
        ids = found[row.instrument_id][1] if row.instrument_id in found else []
        found[row.instrument_id] = (catalog.instrument_for_version(row), [*ids, row.id])
    for instrument_id in group.instrument_ids:
        current = catalog.registry().get(instrument_id)
        if instrument_id not in found and current is not None:
            found[instrument_id] = (current, [])
    return found


def load_dashboard(group: Group, args: Mapping[str, str]) -> Dashboard:
    """Read what the group has answered and parse the URL filters against it.

    :raises BadRequest: when a filter is unknown or invalid.
    """
    instruments = group_instruments(group)
    # Every answer is in a language its instrument declares, so the declared ones are the allow-list.
    locales = {locale for instrument, _ids in instruments.values() for locale in instrument.locales}
    filters = parse_filters(args, instruments, locales)
    dashboard = Dashboard(group=group, filters=filters, instruments=instruments, locales=sorted(locales))
    if filters.grain == "auto":
        dashboard.filters = filters.with_grain(choose_grain(dashboard))
    return dashboard


def period_end(start: dt.date, grain: str) -> dt.date:
    """Return the last day of the period that starts on `start`."""
    if grain == "meeting":
        return start
    if grain == "week":
        return start + dt.timedelta(days=6)
    next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def _in_range(filters: Filters, start: dt.date, grain: str) -> bool:
    """Tell whether a period overlaps the date range."""
    return (filters.end is None or start <= filters.end) and (
        filters.start is None or period_end(start, grain) >= filters.start
    )


def periods_at(
    cells: Mapping[CellKey, Cell[Summary]], grain: str, locale: str, filters: Filters, counts_only: bool = False
) -> list[Period]:
    """Pick the cells of one grain and language inside the date range, oldest first (counts_only drops statistics)."""
    starts = sorted(p for (g, p, loc) in cells if g == grain and loc == locale and p is not None)
    periods = [Period.from_cell(p, cells[(grain, p, locale)]) for p in starts if _in_range(filters, p, grain)]
    return [replace(p, summary=None) for p in periods] if counts_only else periods


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


def participation(dashboard: Dashboard) -> list[Period]:
    """Responses per period at the dashboard's grain (n is always shown; it reveals no answer)."""
    return periods_at(
        dashboard.response_cells, dashboard.grain, dashboard.locale_key, dashboard.filters, counts_only=True
    )


def _scale_rows(rows: Sequence[Any]) -> dict[str, list[MeetingMoments]]:
    """Group SQL scale moments by scale id."""
    by_scale: dict[str, list[MeetingMoments]] = defaultdict(list)
    for r in rows:
        moments = Moments(int(r.n), float(r.total or 0.0), float(r.total_sq or 0.0))
        by_scale[r.scale_id].append(MeetingMoments(r.day, r.week, r.month, r.locale, moments))
    return by_scale


def group_trends(dashboard: Dashboard) -> list[ScaleTrend]:
    """Return every shown instrument's scale trends at the dashboard's grain, suppressed."""
    trends: list[ScaleTrend] = []
    for instrument, version_ids in dashboard.shown_instruments():
        rows = _scale_rows(queries.scale_moments_by_meeting(dashboard.group.id, version_ids)) if version_ids else {}
        for scale in instrument.scales:
            trends.append(_trend(dashboard, ScaleInfo.of(instrument, scale), rows.get(scale.id, [])))
    return trends


def scale_trend(dashboard: Dashboard, instrument_id: str, scale_id: str) -> ScaleTrend:
    """Return one scale's trend.

    :raises NotFound: when the group has no such instrument or scale.
    """
    if instrument_id not in dashboard.instruments:
        abort(404, description=f"This group has no instrument '{instrument_id}'.")
    instrument, version_ids = dashboard.instruments[instrument_id]
    try:
        scale = instrument.scale(scale_id)
    except KeyError:
        abort(404, description=f"The instrument '{instrument_id}' has no scale '{scale_id}'.")
    rows = queries.scale_moments_by_meeting(dashboard.group.id, version_ids, [scale_id]) if version_ids else []
    return _trend(dashboard, ScaleInfo.of(instrument, scale), _scale_rows(rows).get(scale_id, []))


def _trend(dashboard: Dashboard, info: ScaleInfo, rows: list[MeetingMoments]) -> ScaleTrend:
    """Suppress one scale's hierarchy and read its trend at the dashboard's grain."""
    cells = suppress_hierarchy(rows, dashboard.k)
    periods = periods_at(cells, dashboard.grain, dashboard.locale_key, dashboard.filters)
    overall = Period.from_cell(None, cells.get(("all", None, dashboard.locale_key)))
    labelled = [(p.start.isoformat() if p.start else "", p.summary) for p in periods]
    reasons = [p.hidden_because for p in periods]
    reading = trend_reading(labelled, info.label, info.higher_is_better, GRAIN_NAMES[dashboard.grain], reasons)
    means = [p.summary.mean if p.summary else None for p in periods]
    return ScaleTrend(info, dashboard.grain, periods, overall, reading, flag_not_changing(means, info.higher_is_better))


# --- Items -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDistribution:
    """One item's answers in one period: counts per value when shown, only n when hidden."""

    item_id: str
    text: str
    kind: str  # the item type's chart kind: diverging_bar or histogram
    reverse: bool
    anchors: tuple[tuple[float, str], ...]  # (value, label) in order, for likert items
    low: float
    high: float
    n: int
    counts: dict[float, int] | None
    hidden_because: str | None

    def as_dict(self, k: int) -> dict[str, Any]:
        """Return the JSON/CSV form; a hidden item keeps n and a reason, never its counts."""
        data: dict[str, Any] = {"item": self.item_id, "text": self.text, "reverse": self.reverse, "n": self.n}
        if self.hidden_because is not None:
            return {**data, "suppressed": True, "reason": REASONS[self.hidden_because].format(k=k)}
        counts = {str(value): count for value, count in sorted((self.counts or {}).items())}
        return {**data, "suppressed": False, "counts": counts}


@dataclass(frozen=True)
class ItemsView:
    """The item distributions of one instrument in one period."""

    instrument_id: str
    grain: str
    period: dt.date | None
    periods: list[dt.date]
    items: list[ItemDistribution]


def items_view(dashboard: Dashboard) -> ItemsView:
    """Return each numeric item's distribution for one instrument and one period, suppressed per item.

    Rule: the period is the one asked for (period=YYYY-MM-DD, a period start at the grain),
    else the latest; an item is shown only when its cell (item, period, language) survives
    suppression over the same hierarchy as the trends, so switching grain or language cannot
    expose it.

    :raises BadRequest: when no instrument is chosen or the period is not one of the group's.
    """
    from ..instruments import ITEM_TYPES

    instrument_id = dashboard.filters.instrument or next(iter(dashboard.instruments), None)
    if instrument_id is None:
        return ItemsView("", dashboard.grain, None, [], [])
    instrument, version_ids = dashboard.instruments[instrument_id]
    rows = queries.item_counts_by_meeting(dashboard.group.id, version_ids) if version_ids else []
    by_item: dict[str, list[MeetingMoments]] = defaultdict(list)
    for r in rows:
        by_item[r.item_id].append(MeetingMoments(r.day, r.week, r.month, r.locale, Moments(int(r.n))))
    grain, locale = dashboard.grain, dashboard.locale_key
    periods = [p.start for p in participation(dashboard) if p.start is not None]
    period = dashboard.filters.period or (periods[-1] if periods else None)
    if dashboard.filters.period and period not in periods:
        abort(
            400, description=f"There is no {grain} starting {period} with responses; choose one of the listed periods."
        )
    if period is None:
        return ItemsView(instrument_id, grain, None, periods, [])
    locale_arg = None if locale == ALL_LOCALES else locale
    counts: dict[str, dict[float, int]] = defaultdict(dict)
    for r in queries.item_value_counts(dashboard.group.id, version_ids, period, period_end(period, grain), locale_arg):
        counts[r.item_id][float(r.value)] = int(r.n)
    items = []
    for item in instrument.items:
        kind = ITEM_TYPES[item.type].chart_kind
        if kind not in ("diverging_bar", "histogram") or item.id not in by_item:
            continue
        cell = suppress_hierarchy(by_item[item.id], dashboard.k).get((grain, period, locale))
        low, high = instrument.numeric_range(item) or (0.0, 0.0)
        anchors = tuple(
            (float(a.value), instrument.text(a.label, display_locale())) for a in getattr(item, "anchors", ())
        )
        hidden = None if cell is None else cell.hidden_because
        items.append(
            ItemDistribution(
                item_id=item.id,
                text=instrument.text(item.text, display_locale()),
                kind=kind,
                reverse=item.reverse,
                anchors=anchors,
                low=low,
                high=high,
                n=0 if cell is None else cell.n,
                counts=None if hidden or cell is None else counts.get(item.id, {}),
                hidden_because=hidden,
            )
        )
    return ItemsView(instrument_id, grain, period, periods, items)


# --- Engagement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionMonth:
    """Participant codes active in a month and how many answered again in a later month."""

    month: dt.date
    n: int
    returned: int | None  # None when hidden (fewer than k codes) or too early to tell
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form."""
        return {"month": self.month.isoformat(), "n": self.n, "returned": self.returned, "note": self.note}


@dataclass(frozen=True)
class Engagement:
    """Responses per held meeting, meetings with any response, and return visits of participant codes."""

    meetings: list[tuple[dt.date, int]]
    meetings_with_response: int
    retention: list[RetentionMonth]


def engagement(dashboard: Dashboard) -> Engagement:
    """Return the group's engagement figures in the date range.

    Rule: responses per meeting are counts (they reveal no answer) and are always shown;
    a month's return rate is shown only when at least k participant codes answered that
    month, and the latest month is "too early to tell" because nobody could come back yet.
    """
    f = dashboard.filters
    meetings = [(r.day, int(r.n)) for r in queries.meetings_with_responses(dashboard.group.id) if f.includes(r.day)]
    months = [r for r in queries.returning_participants_by_month(dashboard.group.id)]
    retention = []
    for index, r in enumerate(months):
        n = int(r.n)
        if n < dashboard.k:
            retention.append(RetentionMonth(r.month, n, None, _("fewer than %(k)d participant codes", k=dashboard.k)))
        elif index == len(months) - 1:
            retention.append(RetentionMonth(r.month, n, None, _("too early to tell")))
        else:
            retention.append(RetentionMonth(r.month, n, int(r.returned), ""))
    retention = [m for m in retention if _in_range(f, m.month, "month")]
    return Engagement(meetings, sum(1 for _, n in meetings if n > 0), retention)


# --- Reliability and change ---------------------------------------------------------------------

LOW_ALPHA = 0.7
# Below this many complete responses alpha is too unstable to base reliable change on.
MIN_ALPHA_N_FOR_CHANGE = 20
# An alpha this close to 1 means identical answers across items: no measurement error to speak of, so no RCI.
MAX_TRUSTED_ALPHA = 0.995


@dataclass(frozen=True)
class ScaleReliability:
    """Cronbach's alpha of one scale on this group's answers, with n and a plain note."""

    scale: ScaleInfo
    items: int
    n: int
    alpha: float | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form."""
        return {
            "instrument": self.scale.instrument_id,
            "scale": self.scale.scale_id,
            "label": self.scale.label,
            "items": self.items,
            "n": self.n,
            "alpha": None if self.alpha is None else round(self.alpha, 3),
            "note": self.note,
        }


def _alpha(dashboard: Dashboard, instrument: Instrument, scale: Scale, version_ids: list[int]) -> ScaleReliability:
    """Compute one scale's alpha from SQL sums (all-time, all languages of this group)."""
    from ..stats import cronbach_alpha_from_sums

    info, k_items = ScaleInfo.of(instrument, scale), len(scale.items)
    if k_items < 2:
        note = _("One question only: internal consistency does not apply.")
        return ScaleReliability(info, k_items, 0, None, note)
    reverse = {}
    for item_id in scale.items:
        bounds = instrument.numeric_range(item_id)
        if instrument.item(item_id).reverse and bounds:
            reverse[item_id] = bounds[0] + bounds[1]
    row = queries.item_moments_for_alpha(dashboard.group.id, version_ids, scale.items, reverse) if version_ids else None
    n = int(row[0]) if row is not None else 0
    if row is None or n < dashboard.k:
        note = _("Fewer than %(k)d complete responses: not shown.", k=dashboard.k)
        return ScaleReliability(info, k_items, n, None, note)
    sums = [float(v or 0.0) for v in row[1:]]
    result = cronbach_alpha_from_sums(n, sums[:k_items], sums[k_items : 2 * k_items], sums[-2], sums[-1])
    if result is None:
        return ScaleReliability(info, k_items, n, None, _("Answers do not vary enough to estimate consistency."))
    note = (
        ""
        if result.value >= LOW_ALPHA
        else _("Low: the questions of this scale do not move together much in this group, so read its trend with care.")
    )
    if n < MIN_ALPHA_N_FOR_CHANGE:
        rough = _("Based on only %(n)d complete responses, so this estimate is rough.", n=n)
        note = (note + " " if note else "") + rough
    return ScaleReliability(info, k_items, n, result.value, note)


def reliability(dashboard: Dashboard) -> list[ScaleReliability]:
    """Return Cronbach's alpha for every scale of the shown instruments."""
    return [
        _alpha(dashboard, instrument, scale, ids)
        for instrument, ids in dashboard.shown_instruments()
        for scale in instrument.scales
    ]


@dataclass(frozen=True)
class ScaleChange:
    """Reliable change (Jacobson-Truax) of linked participants on one scale, or why it is not shown."""

    scale: ScaleInfo
    pairs: int
    improved: int | None
    unchanged: int | None
    worsened: int | None
    sd: float | None
    reliability: float | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form (counts only when shown)."""
        return {
            "instrument": self.scale.instrument_id,
            "scale": self.scale.scale_id,
            "label": self.scale.label,
            "pairs": self.pairs,
            "improved": self.improved,
            "unchanged": self.unchanged,
            "worsened": self.worsened,
            "sd": None if self.sd is None else round(self.sd, 3),
            "reliability": None if self.reliability is None else round(self.reliability, 3),
            "note": self.note,
        }


def change(dashboard: Dashboard) -> list[ScaleChange]:
    """Return the share of linked participants whose score reliably improved, stayed or worsened, per scale.

    Rule (Jacobson-Truax): for each participant code with two or more scored responses,
    RCI = (latest - first) / (SD * sqrt(2) * sqrt(1 - alpha)), where SD is the SD of the
    first scores and alpha the scale's Cronbach's alpha, both from this group's data;
    |RCI| > 1.96 is a reliable change. Shown only with at least k pairs and an alpha from at
    least 20 complete responses; counts, never a person.
    """
    import statistics

    from ..stats import change_shares

    results = []
    for item in reliability(dashboard):
        instrument, ids = dashboard.instruments[item.scale.instrument_id]
        pairs = queries.first_and_latest_scores(dashboard.group.id, ids, item.scale.scale_id) if ids else []
        empty = ScaleChange(item.scale, len(pairs), None, None, None, None, None, "")
        if item.alpha is None or item.n < MIN_ALPHA_N_FOR_CHANGE:
            results.append(
                replace(
                    empty,
                    note=_(
                        "Needs a reliability estimate from at least %(n)d complete responses.", n=MIN_ALPHA_N_FOR_CHANGE
                    ),
                )
            )
            continue
        if item.alpha > MAX_TRUSTED_ALPHA:
            results.append(
                replace(
                    empty,
                    note=_(
                        "Every question was answered the same way, so measurement error "
                        "cannot be estimated from this group's answers."
                    ),
                )
            )
            continue
        sd = statistics.stdev([first for first, _ in pairs]) if len(pairs) >= 2 else 0.0
        shares = change_shares(pairs, sd, item.alpha, item.scale.higher_is_better, dashboard.k)
        if shares is None:
            results.append(
                replace(empty, note=_("Shown once at least %(k)d linked participants answered twice.", k=dashboard.k))
            )
            continue
        results.append(
            ScaleChange(item.scale, shares.n, shares.improved, shares.unchanged, shares.worsened, sd, item.alpha, "")
        )
    return results


# --- Comments --------------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)")


def mask_contacts(text: str) -> str:
    """Replace e-mail addresses and phone numbers (7+ digits with separators) before display."""
    text = EMAIL.sub("[e-mail removed]", text)
    return PHONE.sub(lambda m: "[phone removed]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)


@dataclass(frozen=True)
class CommentsView:
    """The free-text answers of one period, or why they are withheld."""

    grain: str
    period: dt.date | None
    periods: list[dt.date]
    n: int
    comments: list[tuple[dt.date | None, str]]  # the date only in the meeting view
    withheld: str


def comments(dashboard: Dashboard) -> CommentsView:
    """Return the period's free-text answers, newest meeting first, masked; none below k responses.

    Rule: the period (period=YYYY-MM-DD at the grain, default the latest) must hold at least
    k responses and its response count must not be suppressed; otherwise nothing is returned.

    :raises BadRequest: when the period asked for has no responses.
    """
    grain = dashboard.grain
    periods = [p for p in participation(dashboard) if p.start is not None]
    starts = [p.start for p in periods if p.start is not None]
    period = dashboard.filters.period or (starts[-1] if starts else None)
    if dashboard.filters.period and period not in starts:
        abort(
            400, description=f"There is no {grain} starting {period} with responses; choose one of the listed periods."
        )
    if period is None:
        return CommentsView(grain, None, [], 0, [], "There are no responses yet.")
    chosen = periods[starts.index(period)]
    if chosen.suppressed:
        return CommentsView(
            grain,
            period,
            starts,
            chosen.n,
            [],
            f"This {grain} has {chosen.n} responses; comments appear when a {grain} has at least "
            f"{dashboard.k} (and its results can be shown).",
        )
    from ..instruments import ITEM_TYPES

    text_items = sorted(
        {
            item.id
            for instrument, _ in dashboard.shown_instruments()
            for item in instrument.items
            if ITEM_TYPES[item.type].sensitive
        }
    )
    meetings = shown_meetings(dashboard)
    locale = None if dashboard.filters.locale == "*" else dashboard.filters.locale
    rows = (
        queries.text_answers(dashboard.group.id, text_items, period, period_end(period, grain), meetings, locale)
        if text_items and meetings
        else []
    )
    dated = grain == "meeting"  # a date per comment in a week or month would name its meeting
    return CommentsView(
        grain, period, starts, chosen.n, [(day if dated else None, mask_contacts(text)) for day, text in rows], ""
    )


def shown_meetings(dashboard: Dashboard) -> list[dt.date]:
    """Return the meetings whose own cell is shown under the filters in force (language included)."""
    cells = periods_at(dashboard.response_cells, "meeting", dashboard.locale_key, dashboard.filters, counts_only=True)
    return [cell.start for cell in cells if cell.start is not None and not cell.suppressed]


# --- Comparison across groups -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupComparison:
    """One group's latest and previous period on one scale (hidden cells carry no statistics)."""

    code: str
    name: str
    k: int
    previous: Period
    latest: Period


@dataclass(frozen=True)
class ScaleComparison:
    """Every visible group on one scale, and the all-groups total when it exposes no hidden group."""

    scale: ScaleInfo
    grain: str
    previous_start: dt.date | None
    latest_start: dt.date | None
    groups: list[GroupComparison]
    total_latest: Period
    total_previous: Period


def comparison(groups: Sequence[Group], args: Mapping[str, str]) -> tuple[Filters, list[str], list[ScaleComparison]]:
    """Compare every visible group's latest period with the previous one, per scale of one instrument.

    Returns the parsed filters, the instrument ids on offer and one comparison per scale.

    Rule: periods are calendar weeks or months (grain, default month) shared by all groups:
    the latest is the one holding the most recent response of any of these groups. Each
    group's cell is the same suppressed cell its own dashboard shows. The all-groups total
    is shown only when no group's cell for that period is hidden (else a total minus the
    shown groups would expose the hidden ones), and only over at least k responses.

    :raises BadRequest: on an unknown filter or a grain of "meeting".
    """

    by_group = {g.id: group_instruments(g) for g in groups}
    instrument_ids = sorted({iid for found in by_group.values() for iid in found})
    filters = parse_filters(args, instrument_ids, [])
    grain = "month" if filters.grain in ("auto", "") else filters.grain
    if grain == "meeting":
        abort(400, description="Groups meet on different days: compare by week or month.")
    instrument_id = filters.instrument or (instrument_ids[0] if instrument_ids else None)
    if instrument_id is None:
        return filters, instrument_ids, []
    cells_by_group: dict[int, dict[str, dict[CellKey, Cell[Summary]]]] = {}
    starts: set[dt.date] = set()
    instrument: Instrument | None = None
    for g in groups:
        if instrument_id not in by_group[g.id]:
            continue
        instrument, ids = by_group[g.id][instrument_id]
        rows = _scale_rows(queries.scale_moments_by_meeting(g.id, ids)) if ids else {}
        cells_by_group[g.id] = {sid: suppress_hierarchy(r, effective_k(g.min_group_size)) for sid, r in rows.items()}
        starts.update(p for cells in cells_by_group[g.id].values() for (gr, p, loc) in cells if gr == grain and p)
    if instrument is None:
        return filters, instrument_ids, []
    ordered = sorted(starts)
    latest = ordered[-1] if ordered else None
    previous = ordered[-2] if len(ordered) > 1 else None
    k_all = max((effective_k(g.min_group_size) for g in groups), default=effective_k(0))
    result = []
    for scale in instrument.scales:
        rows_out = []
        for g in groups:
            if g.id not in cells_by_group:
                continue
            cells = cells_by_group[g.id].get(scale.id, {})
            rows_out.append(
                GroupComparison(
                    g.code,
                    g.name,
                    effective_k(g.min_group_size),
                    Period.from_cell(previous, cells.get((grain, previous, ALL_LOCALES))),
                    Period.from_cell(latest, cells.get((grain, latest, ALL_LOCALES))),
                )
            )
        total = _all_groups(latest, [r.latest for r in rows_out], k_all)
        total_previous = _all_groups(previous, [r.previous for r in rows_out], k_all)
        info = ScaleInfo.of(instrument, scale)
        result.append(ScaleComparison(info, grain, previous, latest, rows_out, total, total_previous))
    return filters, instrument_ids, result


def _all_groups(start: dt.date | None, periods: Sequence[Period], k_all: int) -> Period:
    """Pool one period over all groups, only when no group's cell is hidden and there are at least k answers."""
    from ..stats import pool_summaries

    parts = [p for p in periods if p.n > 0]
    total_n = sum(p.n for p in parts)
    if parts and not any(p.suppressed for p in parts) and total_n >= k_all:
        return Period(start, total_n, pool_summaries([p.summary for p in parts]), None)
    return Period(start, total_n, None, "complement" if total_n >= k_all else "small_cell")
