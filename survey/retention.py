"""Retention: an admin deletes a group's responses older than a date (page and command), audited.

Answers and scores go with their responses (ON DELETE CASCADE); released rollups of the purged
meetings lose their sums and counts, and every dashboard cell is audited again (survey.release).
The deletion and its audit event are committed in one transaction, so the log never misses a
deletion and never records one that did not happen.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

import click
from flask import Blueprint, flash, redirect, render_template, url_for
from flask.cli import AppGroup
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import delete, func, select
from wtforms import BooleanField, DateField, HiddenField, SelectField
from wtforms.validators import InputRequired, ValidationError

from . import audit
from .access import admin_required
from .database import begin_write
from .extensions import db
from .models import Group, Response
from .release.service import forget_before

bp = Blueprint("retention", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class Purge:
    """What a purge removed."""

    group_code: str
    before: dt.date
    deleted: int


def responses_before_query(group: Group, before: dt.date):  # type: ignore[no-untyped-def]
    """Rule: a response is older than the date when its meeting took place strictly before it."""
    return (Response.group_id == group.id) & (Response.meeting_date < before)


def count_responses_before(group: Group, before: dt.date) -> int:
    """Return how many of the group's responses a purge at this date would delete."""
    query = select(func.count()).select_from(Response).where(responses_before_query(group, before))
    return int(db.session.scalar(query) or 0)


@dataclass(frozen=True)
class PurgePreview:
    """Exactly what a purge at this date would delete: responses and meetings, first and last meeting date."""

    responses: int
    meetings: int
    first: dt.date | None
    last: dt.date | None


def preview_purge(group: Group, before: dt.date) -> PurgePreview:
    """Count what a purge would delete, without deleting anything."""
    query = select(
        func.count(),
        func.count(func.distinct(Response.meeting_date)),
        func.min(Response.meeting_date),
        func.max(Response.meeting_date),
    ).where(responses_before_query(group, before))
    responses, meetings, first, last = db.session.execute(query).one()
    return PurgePreview(int(responses or 0), int(meetings or 0), first, last)


class PreviewChanged(Exception):
    """The number of responses a purge would delete is not the number the admin confirmed."""

    def __init__(self, now: int) -> None:
        super().__init__(now)
        self.now = now


def purge_responses(
    group_code: str, before: dt.date, actor_email: str | None = None, expected: int | None = None
) -> Purge:
    """Delete the group's responses (with answers and scores) from meetings before the date, audited.

    :raises LookupError: when no group has this code.
    :raises PreviewChanged: when `expected` is given and the purge would now delete another number.
    """
    begin_write()
    group = db.session.scalar(select(Group).filter_by(code=group_code))
    if group is None:
        db.session.rollback()
        raise LookupError(group_code)
    if expected is not None and (now := count_responses_before(group, before)) != expected:
        db.session.rollback()  # counted inside the write transaction, so nothing can change in between
        raise PreviewChanged(now)
    result = db.session.execute(
        delete(Response).where(responses_before_query(group, before)).execution_options(synchronize_session=False)
    )
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    forget_before(group, before)  # released figures of the purged meetings go too, audited again
    audit.record(
        "delete_responses",
        target=group.code,
        detail=f"{deleted} responses from meetings before {before}",
        actor_email=actor_email,
    )
    db.session.commit()
    return Purge(group.code, before, deleted)


def not_in_future(_form: FlaskForm, field: DateField) -> None:
    """Refuse a date after today: it would also delete answers still to come this week."""
    if field.data and field.data > dt.date.today():
        raise ValidationError(_("Choose today or an earlier date."))


def confirmed_after_preview(form: PurgeForm, field: BooleanField) -> None:
    """Require the box on the second step only (the first step previews and deletes nothing)."""
    if form.expected.data and form.before.data and form.expected_count() is not None and not field.data:
        raise ValidationError(_("Tick the box to confirm."))


class PurgeForm(FlaskForm):
    """Which group and date (step one: preview), then the previewed count and an explicit confirmation."""

    group = SelectField(_l("Group"), validators=[InputRequired(_l("Choose a group."))])
    before = DateField(
        _l("Delete responses from meetings before"),
        validators=[InputRequired(_l("Enter a date, like 2024-01-31.")), not_in_future],
    )
    expected = HiddenField()  # "CODE|DATE|COUNT" the admin was shown; empty on the first step
    confirm = BooleanField(
        _l("I understand that the deleted responses cannot be recovered."), validators=[confirmed_after_preview]
    )

    def expected_count(self) -> int | None:
        """Return the previewed count, or None on the first step or when group or date changed since the preview."""
        code, _sep, rest = (self.expected.data or "").partition("|")
        day, _sep, count = rest.partition("|")
        if code != self.group.data or day != self.before.data.isoformat() or not count.isdigit():
            return None
        return int(count)


def purge_form() -> PurgeForm:
    """Return the form with every group (archived ones too) as choices."""
    form = PurgeForm()
    groups = db.session.scalars(select(Group).order_by(Group.name))
    form.group.choices = [(group.code, f"{group.name} ({group.code})") for group in groups]
    return form


@bp.route("/retention", methods=["GET", "POST"])
@admin_required
def purge():  # type: ignore[no-untyped-def]
    """Show the form; a first valid POST previews what would go, a confirmed second one deletes exactly that."""
    form = purge_form()
    if not form.validate_on_submit():
        if form.errors.keys() == {"confirm"}:  # a valid preview whose box was left unticked: show it again
            return render_preview(form, previewed_group(form), None, 400)
        return render_template("retention/purge.html", form=form), 400 if form.errors else 200
    group = previewed_group(form)
    expected = form.expected_count()
    if expected is None:
        return render_preview(form, group, None, 200)
    try:
        result = purge_responses(group.code, form.before.data, expected=expected)
    except PreviewChanged:
        changed = _("The number of responses changed since you checked. Check again.")
        return render_preview(form, group, changed, 409)
    message = ngettext(
        "Deleted %(num)d response of %(group)s from meetings before %(date)s.",
        "Deleted %(num)d responses of %(group)s from meetings before %(date)s.",
        result.deleted,
        group=result.group_code,
        date=format_date(result.before),
    )
    flash(message, "success")
    return redirect(url_for("retention.purge"), code=303)


def previewed_group(form: PurgeForm) -> Group:
    """Return the chosen group (the SelectField has already refused codes that do not exist)."""
    group = db.session.scalar(select(Group).filter_by(code=form.group.data))
    assert group is not None
    return group


def render_preview(form: PurgeForm, group: Group, problem: str | None, status: int):  # type: ignore[no-untyped-def]
    """Show exactly what a purge would delete now, with the confirmation step."""
    preview = preview_purge(group, form.before.data)
    form.expected.data = f"{group.code}|{form.before.data.isoformat()}|{preview.responses}"
    form.confirm.data = False
    page = render_template("retention/purge.html", form=form, group=group, preview=preview, problem=problem)
    return page, status


responses_cli = AppGroup("responses", help="Stored responses: retention.")


@responses_cli.command("purge")
@click.option("--group", "group_code", required=True, help="The group's code.")
@click.option(
    "--before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Delete responses from meetings before this date (YYYY-MM-DD).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(group_code: str, before: dt.datetime, yes: bool) -> None:
    """Delete a group's responses from meetings before a date (recorded in the audit log)."""
    group = db.session.scalar(select(Group).filter_by(code=group_code))
    if group is None:
        raise click.ClickException(f"No group has the code {group_code!r}.")
    count = count_responses_before(group, before.date())
    if not yes:
        click.confirm(f"Delete {count} responses of {group.code} from meetings before {before.date()}?", abort=True)
    result = purge_responses(group.code, before.date(), actor_email=f"command line ({getpass.getuser()})")
    click.echo(f"Deleted {result.deleted} responses of {result.group_code} from meetings before {result.before}.")
