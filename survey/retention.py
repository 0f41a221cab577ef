"""Retention: an admin deletes a group's responses older than a date (page and command), audited.

Answers and scores go with their responses (ON DELETE CASCADE). The deletion and its audit event
are committed in one transaction, so the log never misses a deletion and never records one that
did not happen.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

import click
from flask import Blueprint, flash, redirect, render_template, url_for
from flask.cli import AppGroup
from flask_wtf import FlaskForm
from sqlalchemy import delete, func, select
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from . import audit
from .access import admin_required
from .database import begin_write
from .extensions import db
from .models import Group, Response

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


def purge_responses(group_code: str, before: dt.date, actor_email: str | None = None) -> Purge:
    """Delete the group's responses (with answers and scores) from meetings before the date, audited.

    :raises LookupError: when no group has this code.
    """
    begin_write()
    group = db.session.scalar(select(Group).filter_by(code=group_code))
    if group is None:
        db.session.rollback()
        raise LookupError(group_code)
    result = db.session.execute(
        delete(Response).where(responses_before_query(group, before)).execution_options(synchronize_session=False)
    )
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
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
        raise ValidationError("Choose today or an earlier date.")


class PurgeForm(FlaskForm):
    """Which group, which date, and an explicit confirmation."""

    group = SelectField("Group", validators=[InputRequired("Choose a group.")])
    before = DateField(
        "Delete responses from meetings before",
        validators=[InputRequired("Enter a date, like 2024-01-31."), not_in_future],
    )
    confirm = BooleanField(
        "I understand that the deleted responses cannot be recovered.",
        validators=[DataRequired("Tick the box to confirm.")],
    )


def purge_form() -> PurgeForm:
    """Return the form with every group (archived ones too) as choices."""
    form = PurgeForm()
    groups = db.session.scalars(select(Group).order_by(Group.name))
    form.group.choices = [(group.code, f"{group.name} ({group.code})") for group in groups]
    return form


@bp.route("/retention", methods=["GET", "POST"])
@admin_required
def purge():  # type: ignore[no-untyped-def]
    """Show the purge form; on a valid POST delete, report how many, and come back here."""
    form = purge_form()
    if form.validate_on_submit():
        result = purge_responses(form.group.data, form.before.data)
        flash(
            f"Deleted {result.deleted} responses of {result.group_code} from meetings before {result.before}.",
            "success",
        )
        return redirect(url_for("retention.purge"), code=303)
    status = 400 if form.errors else 200
    return render_template("retention/purge.html", form=form), status


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
