"""The schedule part of the group form: rows of repeating meetings and of one-off dates, without JavaScript.

Each row is a small sub-form; an empty row is ignored, a half-filled one is refused with a
message on the field that is missing. What a complete schedule may hold (past dates, overlapping
windows) is checked by survey/schedule_words.check_schedule, after these rows are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from wtforms import DateField, FieldList, Form, FormField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..schedule_words import day_name
from ..schedules import FORTNIGHTLY, ONCE, REPEATS, WEEKLY, ScheduleEntry

BLANK_ROWS = 2  # empty rows offered below the stored ones, so adding a meeting needs no script
MIN_ROWS = 2
WEEKDAY_VALUES = [str(day) for day in range(7)]


class ClockField(TimeField):
    """A time of day on the 24-hour clock, refused in plain words when impossible ("25:99")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read "HH:MM", or say how to write it."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Give a time on the 24-hour clock, like 19:00.")) from None


class CalendarDateField(DateField):
    """A date (the browser's date picker sends YYYY-MM-DD), refused in plain words when impossible."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read "YYYY-MM-DD", or say how to write it."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Give a date like 2026-12-31.")) from None


class RepeatingMeetingForm(Form):
    """One repeating meeting: a day, a start time, every week or every other week (with one of its dates)."""

    # Labels, hints and choices are set per request, in the coordinator's language (localise_rows).
    weekday = SelectField(choices=[], validate_choice=False)
    starts_at = ClockField(validators=[Optional()], format="%H:%M")
    repeat = SelectField(choices=[], validate_choice=False, default=WEEKLY)
    on_date = CalendarDateField(validators=[Optional()])

    def is_blank(self) -> bool:
        """Tell whether the row was left empty (its repeat choice alone says nothing)."""
        return not self.weekday.data and self.starts_at.data is None and self.on_date.data is None

    def validate(self, extra_validators: Any = None) -> bool:
        """Accept an empty row or a complete one; name the missing or unknown part otherwise."""
        ok = super().validate(extra_validators)
        if self.is_blank() or not ok:
            return ok
        if self.weekday.data not in WEEKDAY_VALUES:
            self.weekday.errors.append(_("Choose a day of the week, from Monday to Sunday."))
        if self.starts_at.data is None:
            self.starts_at.errors.append(_("Give the start time, like 19:00."))
        if self.repeat.data not in REPEATS:
            self.repeat.errors.append(_("Choose every week or every other week."))
        elif self.repeat.data == FORTNIGHTLY and self.on_date.data is None:
            self.on_date.errors.append(_("For every other week, give the date of one of its meetings."))
        return not (self.weekday.errors or self.starts_at.errors or self.repeat.errors or self.on_date.errors)

    def entry(self) -> ScheduleEntry:
        """Return the validated, complete row as a schedule line."""
        fortnightly = self.repeat.data == FORTNIGHTLY
        return ScheduleEntry(
            self.repeat.data, self.starts_at.data, int(self.weekday.data), self.on_date.data if fortnightly else None
        )


class OneOffMeetingForm(Form):
    """One meeting on a date of its own."""

    on_date = CalendarDateField(validators=[Optional()])  # labels: localise_rows
    starts_at = ClockField(validators=[Optional()], format="%H:%M")

    def is_blank(self) -> bool:
        """Tell whether the row was left empty."""
        return self.on_date.data is None and self.starts_at.data is None

    def validate(self, extra_validators: Any = None) -> bool:
        """Accept an empty row or a date with a time."""
        ok = super().validate(extra_validators)
        if self.is_blank() or not ok:
            return ok
        if self.on_date.data is None:
            self.on_date.errors.append(_("Give the date of the one-off meeting."))
        if self.starts_at.data is None:
            self.starts_at.errors.append(_("Give the start time, like 19:00."))
        return not (self.on_date.errors or self.starts_at.errors)

    def entry(self) -> ScheduleEntry:
        """Return the validated, complete row as a schedule line."""
        return ScheduleEntry(ONCE, self.starts_at.data, None, self.on_date.data)


def repeating_field() -> FieldList:
    """The rows of repeating meetings."""
    return FieldList(FormField(RepeatingMeetingForm), min_entries=MIN_ROWS, max_entries=12)


def one_off_field() -> FieldList:
    """The rows of one-off meetings."""
    return FieldList(FormField(OneOffMeetingForm), min_entries=MIN_ROWS, max_entries=12)


def rows_data(entries: Sequence[ScheduleEntry]) -> dict[str, list[dict[str, Any]]]:
    """Return the form data of a schedule: its lines, then blank rows to add more."""
    repeating: list[dict[str, Any]] = [
        {"weekday": str(e.weekday), "starts_at": e.starts_at, "repeat": e.kind, "on_date": e.on_date}
        for e in entries
        if e.kind in REPEATS
    ]
    one_off: list[dict[str, Any]] = [
        {"on_date": e.on_date, "starts_at": e.starts_at} for e in entries if e.kind == ONCE
    ]
    blank_repeating = {"weekday": "", "starts_at": None, "repeat": WEEKLY, "on_date": None}
    blank_one_off: dict[str, Any] = {"on_date": None, "starts_at": None}
    return {
        "repeating": repeating + [dict(blank_repeating)] * max(BLANK_ROWS, MIN_ROWS - len(repeating)),
        "one_off": one_off + [dict(blank_one_off)] * max(BLANK_ROWS, MIN_ROWS - len(one_off)),
    }


def localise_rows(repeating: FieldList, one_off: FieldList) -> None:
    """Give every row its labels, hints and choices in the coordinator's language."""
    days = [SelectChoice("", _("Choose a day"))] + [SelectChoice(str(d), day_name(d)) for d in range(7)]
    repeats = [SelectChoice(WEEKLY, _("Every week")), SelectChoice(FORTNIGHTLY, _("Every other week"))]
    for row in repeating:
        form = row.form
        form.weekday.choices, form.repeat.choices = days, repeats
        form.weekday.label.text, form.starts_at.label.text = _("Day"), _("Starts at")
        form.repeat.label.text, form.on_date.label.text = _("Repeats"), _("Date of one meeting")
        form.on_date.description = _("Only for every other week.")
    for row in one_off:
        row.form.on_date.label.text, row.form.starts_at.label.text = _("Date"), _("Starts at")


def schedule_entries(repeating: FieldList, one_off: FieldList) -> tuple[ScheduleEntry, ...]:
    """Return the schedule lines of the validated rows, skipping empty ones."""
    rows = [*(row.form for row in repeating), *(row.form for row in one_off)]
    return tuple(form.entry() for form in rows if not form.is_blank())
