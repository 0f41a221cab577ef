"""The words of every CSV in the downloader's language: column headers, codes and yes/no.

In English (the source language) they are the stable machine names the exports have always had
(`meeting_date`, `figure`, `trend`, `True`), so a script reads an export downloaded with `ui=en`
the same way whoever downloads it; in Spanish a coordinator reads "fecha de la reunión", "tendencia"
and "sí". Item and scale columns (`checkin.craving_now`) are ids, the same in every language; the
codebook says what each is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_pgettext

HEADERS = {
    "figure": lazy_pgettext("CSV column", "figure"),
    "instrument": lazy_pgettext("CSV column", "instrument"),
    "scale": lazy_pgettext("CSV column", "scale"),
    "grain": lazy_pgettext("CSV column", "grain"),
    "language": lazy_pgettext("CSV column", "language"),
    "period_start": lazy_pgettext("CSV column", "period_start"),
    "n": lazy_pgettext("CSV column", "n"),
    "suppressed": lazy_pgettext("CSV column", "suppressed"),
    "reason": lazy_pgettext("CSV column", "reason"),
    "mean": lazy_pgettext("CSV column", "mean"),
    "sd": lazy_pgettext("CSV column", "sd"),
    "ci_low": lazy_pgettext("CSV column", "ci_low"),
    "ci_high": lazy_pgettext("CSV column", "ci_high"),
    "alpha": lazy_pgettext("CSV column", "alpha"),
    "improved": lazy_pgettext("CSV column", "improved"),
    "unchanged": lazy_pgettext("CSV column", "unchanged"),
    "worsened": lazy_pgettext("CSV column", "worsened"),
    "note": lazy_pgettext("CSV column", "note"),
    "row": lazy_pgettext("CSV column", "row"),
    "meeting_date": lazy_pgettext("CSV column", "meeting_date"),
    "version": lazy_pgettext("CSV column", "version"),
    "participant": lazy_pgettext("CSV column", "participant"),
    "column": lazy_pgettext("CSV column", "column"),
    "kind": lazy_pgettext("CSV column", "kind"),
    "label": lazy_pgettext("CSV column", "label"),
    "type": lazy_pgettext("CSV column", "type"),
    "values": lazy_pgettext("CSV column", "values"),
    "reverse_scored": lazy_pgettext("CSV column", "reverse_scored"),
    "scale_items": lazy_pgettext("CSV column", "scale_items"),
    "higher_is_better": lazy_pgettext("CSV column", "higher_is_better"),
}

CODES = {  # the values of the code columns (CODE_COLUMNS)
    "participation": lazy_pgettext("CSV value", "participation"),
    "trend": lazy_pgettext("CSV value", "trend"),
    "reliability": lazy_pgettext("CSV value", "reliability"),
    "change": lazy_pgettext("CSV value", "change"),
    "response": lazy_pgettext("CSV value", "response"),
    "item": lazy_pgettext("CSV value", "item"),
    "scale": lazy_pgettext("CSV value", "scale"),
    "version": lazy_pgettext("CSV value", "version"),
    "meeting": lazy_pgettext("CSV value", "meeting"),
    "week": lazy_pgettext("CSV value", "week"),
    "month": lazy_pgettext("CSV value", "month"),
    "all": lazy_pgettext("CSV value", "all"),
    "all time": lazy_pgettext("CSV value", "all time"),
    # the codebook's type column: item types and scale methods
    "likert": lazy_pgettext("CSV value", "likert"),
    "slider": lazy_pgettext("CSV value", "slider"),
    "single_choice": lazy_pgettext("CSV value", "single_choice"),
    "multiple_choice": lazy_pgettext("CSV value", "multiple_choice"),
    "yes_no": lazy_pgettext("CSV value", "yes_no"),
    "integer": lazy_pgettext("CSV value", "integer"),
    "text": lazy_pgettext("CSV value", "text"),
    "mean": lazy_pgettext("CSV value", "mean"),
    "sum": lazy_pgettext("CSV value", "sum"),
}
CODE_COLUMNS = frozenset({"figure", "kind", "grain", "period_start", "type"})
YES, NO = lazy_pgettext("CSV value", "True"), lazy_pgettext("CSV value", "False")


def header(name: str) -> str:
    """Return a column's header in the downloader's language (an item or scale column keeps its id)."""
    return str(HEADERS.get(name, name))


def cell(column: str, value: Any) -> Any:
    """Return a cell as the downloader reads it: codes and yes/no in their language, the rest as it is."""
    if isinstance(value, bool):
        return str(YES if value else NO)
    if column in CODE_COLUMNS and isinstance(value, str) and value in CODES:
        return str(CODES[value])
    return value
