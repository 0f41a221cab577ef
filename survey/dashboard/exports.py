"""CSV exports: the aggregates exactly as the dashboard shows them, and (for admins) responses with a codebook."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import random
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..instruments import ITEM_TYPES, Instrument
from . import published
from .aggregates import Dashboard, change, group_trends, mask_contacts, participation, reliability
from .csv_words import cell, header

AGGREGATE_COLUMNS = (  # one table for every figure; columns a figure does not use stay empty
    "figure",
    "instrument",
    "scale",
    "grain",
    "language",
    "period_start",
    "n",
    "suppressed",
    "reason",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "alpha",
    "improved",
    "unchanged",
    "worsened",
    "note",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """Return a text cell that a spreadsheet would read as a formula with a leading ' (numbers unchanged).

    Carriage returns inside text become newlines: the writer quotes a cell holding a newline, but
    not one holding a bare carriage return, which would otherwise break the row.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def csv_text(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    """Write rows as CSV text with a header (missing keys left empty); every text cell made inert.

    Every CSV the app serves is written here, so no cell starting with = + - @, a tab or a carriage
    return reaches a spreadsheet as a live formula (CSV injection), and headers, codes and yes/no
    are in the downloader's language (survey/dashboard/csv_words.py).
    """
    names = list(columns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore", lineterminator="\n")
    writer.writerow({name: inert(header(name)) for name in names})
    writer.writerows({key: inert(cell(key, value)) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def aggregate_rows(dashboard: Dashboard) -> Iterator[dict[str, Any]]:
    """Yield every figure's cells as the JSON endpoints return them (suppressed the same way)."""
    base = {"grain": dashboard.grain, "language": dashboard.locale_key}
    for period in participation(dashboard):
        yield {**base, "figure": "participation", **period.as_dict(dashboard.k), "period_start": period.start}
    for trend in group_trends(dashboard):
        scale = {"instrument": trend.scale.instrument_id, "scale": trend.scale.scale_id}
        for period in trend.periods:
            yield {**base, **scale, "figure": "trend", **period.as_dict(dashboard.k), "period_start": period.start}
        yield {
            **base,
            **scale,
            "figure": "trend",
            "grain": "all",
            **trend.overall.as_dict(dashboard.k),
            "period_start": "all time",
        }


def measure_rows(dashboard: Dashboard) -> Iterator[dict[str, Any]]:
    """Yield reliability and reliable-change rows as the JSON endpoints return them."""
    for item in reliability(dashboard):
        yield {"figure": "reliability", **item.as_dict(), "n": item.n, "suppressed": item.alpha is None}
    for found in change(dashboard):
        yield {"figure": "change", **found.as_dict(), "n": found.pairs, "suppressed": found.improved is None}


def aggregate_csv(dashboard: Dashboard) -> str:
    """Return the aggregate CSV of a dashboard view."""
    return csv_text(AGGREGATE_COLUMNS, itertools.chain(aggregate_rows(dashboard), measure_rows(dashboard)))


# --- Admin: response-level export and codebook -------------------------------------------------------


def _columns(instruments: Iterable[Instrument], include_text: bool) -> tuple[list[str], list[str]]:
    """Return the item and scale columns of these instruments, in instrument order (free text only when asked)."""
    items: list[str] = []
    scales: list[str] = []
    for instrument in instruments:
        for item in instrument.items:
            if (include_text or not ITEM_TYPES[item.type].sensitive) and f"{instrument.id}.{item.id}" not in items:
                items.append(f"{instrument.id}.{item.id}")
        for scale in instrument.scales:
            if f"{instrument.id}.{scale.id}.score" not in scales:
                scales.append(f"{instrument.id}.{scale.id}.score")
    return items, scales


RESPONSE_COLUMNS = ("row", "meeting_date", "language", "instrument", "version", "participant")


def response_csv_lines(dashboard: Dashboard) -> Iterator[str]:
    """Return the response-level CSV as chunks: one row per response, one column per item and scale score.

    Rule: admins only (enforced by the view); free text only when text=1, masked for contacts
    as on the comments page; participant codes are replaced by pseudonyms that are new for every
    export, and rows carry per-export numbers (no response id) in a random order within each
    meeting, so exports cannot be joined and the order tells no time.
    Everything the rows need is read now, so the chunks can be streamed after the request's
    objects have expired.
    """
    shown = dashboard.shown_instruments()
    items, scales = _columns([instrument for instrument, _ in shown], dashboard.filters.include_text)
    version_ids = [vid for _, ids in shown for vid in ids]
    instrument_of = {vid: instrument.id for instrument, ids in shown for vid in ids}
    f = dashboard.filters
    return _response_chunks(dashboard.group.id, version_ids, instrument_of, items, scales, f)


def _response_chunks(
    group_id: int, version_ids: list[int], instrument_of: dict[int, str], items: list[str], scales: list[str], f: Any
) -> Iterator[str]:
    """Yield the header, then each meeting's rows (shuffled), read 500 responses at a time."""
    yield csv_text([*RESPONSE_COLUMNS, *items, *scales], [])
    salt = secrets.token_bytes(16)
    numbers = itertools.count(1)
    meeting: list[Any] = []
    for response in published.export_responses(group_id, version_ids, f.start, f.end):
        if f.locale != "*" and response.locale != f.locale:
            continue
        if meeting and response.meeting_date != meeting[0].meeting_date:
            yield _meeting_rows(meeting, instrument_of, items, scales, salt, numbers)
            meeting = []
        meeting.append(response)
    if meeting:
        yield _meeting_rows(meeting, instrument_of, items, scales, salt, numbers)


def _meeting_rows(
    meeting: list[Any],
    instrument_of: dict[int, str],
    items: list[str],
    scales: list[str],
    salt: bytes,
    numbers: Iterator[int],
) -> str:
    """Write one meeting's responses as CSV rows, in a random order, numbered for this export only."""
    random.SystemRandom().shuffle(meeting)
    return "".join(
        _response_batch(meeting[start : start + 500], instrument_of, items, scales, salt, numbers)
        for start in range(0, len(meeting), 500)
    )


def _response_batch(
    batch: list[Any],
    instrument_of: dict[int, str],
    items: list[str],
    scales: list[str],
    salt: bytes,
    numbers: Iterator[int],
) -> str:
    """Write one batch of responses as CSV rows."""
    answers, scores = published.export_answers_and_scores([r.id for r in batch])
    prefix_of = {r.id: instrument_of[r.instrument_version_id] for r in batch}
    values: dict[int, dict[str, Any]] = {r.id: {} for r in batch}
    for response_id, item_id, number, text in answers:
        values[response_id][f"{prefix_of[response_id]}.{item_id}"] = (
            number if number is not None else mask_contacts(text)
        )
    for response_id, scale_id, value in scores:
        values[response_id][f"{prefix_of[response_id]}.{scale_id}.score"] = round(value, 4)
    rows = []
    for r in batch:
        pseudonym = hashlib.sha256(salt + r.participant_hash.encode()).hexdigest()[:10] if r.participant_hash else ""
        rows.append(
            {
                "row": next(numbers),
                "meeting_date": r.meeting_date.isoformat(),
                "language": r.locale,
                "instrument": instrument_of[r.instrument_version_id],
                "version": r.instrument_version_id,
                "participant": pseudonym,
                **values[r.id],
            }
        )
    text = csv_text([*RESPONSE_COLUMNS, *items, *scales], rows)
    return text.split("\n", 1)[1]  # the header was written once, first


CODEBOOK_COLUMNS = (
    "column",
    "kind",
    "instrument",
    "version",
    "label",
    "type",
    "values",
    "reverse_scored",
    "scale_items",
    "higher_is_better",
)


# Headers and codes are in the downloader's language, the machine names in English (csv_words.py).
RESPONSE_COLUMN_DESCRIPTIONS = {
    "row": _l("Row number in this export only (rows are in a random order within each meeting)"),
    "meeting_date": _l("Meeting date in the group's time zone"),
    "language": _l("Language the questionnaire was answered in"),
    "instrument": _l("Instrument id"),
    "version": _l("Stored instrument version id (see the 'version' rows below)"),
    "participant": _l("Pseudonym of the participant code, new for every export (empty when none was given)"),
}


def value_range(low: float, high: float) -> str:
    """Return a numeric range as the codebook states it ("0 to 10")."""
    return _("%(low)s to %(high)s", low=f"{low:g}", high=f"{high:g}")


def codebook_rows(dashboard: Dashboard) -> Iterator[dict[str, Any]]:
    """Describe every column of the response-level export, from the instrument versions answered."""
    locale = str(get_locale() or "en")
    for name, label in RESPONSE_COLUMN_DESCRIPTIONS.items():
        yield {"column": header(name), "kind": "response", "label": str(label)}
    for instrument, ids in dashboard.shown_instruments():
        yield {
            "column": "",
            "kind": "version",
            "instrument": instrument.id,
            "version": " ".join(map(str, ids)),
            "label": instrument.text(instrument.title, locale),
        }
        for item in instrument.items:
            anchors = getattr(item, "anchors", ())
            bounds = instrument.numeric_range(item)
            values = "; ".join(f"{a.value}={instrument.text(a.label, locale)}" for a in anchors) or (
                value_range(*bounds)
                if bounds
                else _("free text")
                if ITEM_TYPES[item.type].sensitive
                else "; ".join(o.value for o in getattr(item, "options", ()))
            )
            yield {
                "column": f"{instrument.id}.{item.id}",
                "kind": "item",
                "instrument": instrument.id,
                "label": instrument.text(item.text, locale),
                "type": item.type,
                "values": values,
                "reverse_scored": item.reverse,
            }
        for scale in instrument.scales:
            low, high = instrument.scale_range(scale)
            yield {
                "column": f"{instrument.id}.{scale.id}.score",
                "kind": "scale",
                "instrument": instrument.id,
                "label": instrument.text(scale.label, locale),
                "type": scale.method,
                "values": value_range(low, high),
                "scale_items": " ".join(scale.items),
                "higher_is_better": scale.higher_is_better,
            }


def codebook_csv(dashboard: Dashboard) -> str:
    """Return the codebook (data dictionary) as CSV."""
    return csv_text(CODEBOOK_COLUMNS, codebook_rows(dashboard))
