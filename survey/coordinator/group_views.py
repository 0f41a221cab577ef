"""Group pages: the list, create, show with meetings, edit, archive, and the "now" view with its live count."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import audit, catalog
from .. import groups as group_service
from ..access import access_level, group_or_404, is_admin, visible_groups
from ..accounts import signed_in_account
from ..database import begin_write
from ..extensions import db
from ..groups import GroupError, GroupSettings
from ..instruments import Instrument
from ..instruments.length import form_length
from ..meetings import WindowStatus, window_status
from ..models import Group
from ..release import service as release_service
from ..schedule_words import describe, describe_schedule, moment_words, window_rule, window_words
from ..timezones import zone_groups
from ..users import add_membership
from . import schedule_form
from .blueprint import bp
from .confirmation import confirmation_page, is_confirmed
from .forms import ConfirmForm, GroupForm
from .posters import LANGUAGE_NAMES, now_lines, participant_url


def group_form(group: Group | None = None) -> GroupForm:
    """Build the group form with today's choices, prefilled from the group or the defaults."""
    if group is not None:
        settings = group_service.settings_of(group)
    else:
        settings = GroupSettings(
            name="",
            instrument_ids=tuple(group_service.default_instruments()),
            min_group_size=group_service.default_min_group_size(),
        )
    form = GroupForm(
        data={
            "name": settings.name,
            "default_locale": settings.default_locale,
            "single_language": settings.single_language,
            "timezone": settings.timezone,
            # On a POST only what was sent counts: a row's missing field is empty, not its stored value.
            **(schedule_form.rows_data(settings.schedule) if request.method != "POST" else {}),
            "instruments": list(settings.instrument_ids),
            "min_group_size": settings.min_group_size,
            "is_open": settings.is_open,
        },
    )
    form.default_locale.choices = [
        SelectChoice(loc, LANGUAGE_NAMES.get(loc, loc)) for loc in group_service.available_locales()
    ]
    common, places = zone_groups(settings.timezone)
    form.timezone.choices = {_("Common time zones"): common, _("All places"): places}
    if group is None:  # a new group: the page proposes the coordinator's own zone (static/timezone-guess.js)
        form.timezone.render_kw = {"data-propose-browser-zone": ""}
    schedule_form.localise_rows(form.repeating, form.one_off)
    form.instruments.choices = [SelectChoice(inst.id, questionnaire_choice(inst)) for inst in catalog.registry().all()]
    return form


def questionnaire_choice(instrument: Instrument) -> str:
    """Name a questionnaire on the group form with its length: "Check-in (checkin): 9 questions, about 2 minutes"."""
    length = form_length([instrument])
    return _(
        "%(title)s (%(id)s): %(questions)s, %(minutes)s",
        title=instrument.text(instrument.title, str(get_locale())),
        id=instrument.id,
        questions=ngettext("%(num)d question", "%(num)d questions", length.questions),
        minutes=ngettext("about %(num)d minute on a phone", "about %(num)d minutes on a phone", length.minutes),
    )


def settings_from(form: GroupForm) -> GroupSettings:
    """Read validated form data into group settings."""
    return GroupSettings(
        name=form.name.data or "",
        default_locale=form.default_locale.data or "",
        single_language=bool(form.single_language.data),
        timezone=form.timezone.data or "",
        schedule=schedule_form.schedule_entries(form.repeating, form.one_off),
        instrument_ids=tuple(form.instruments.data or ()),
        min_group_size=form.min_group_size.data or 0,
        is_open=bool(form.is_open.data),
    )


def show_error(form: GroupForm, error: GroupError) -> None:
    """Attach a service error to the field it concerns (the schedule as a whole, or the name field)."""
    if error.field == "schedule":
        form.schedule_problems.append(str(error))
        return
    field = form._fields.get(error.field) or form.name
    field.errors = [*field.errors, str(error)]


@bp.route("/groups")
@login_required
def groups() -> ResponseReturnValue:
    """List the groups this user may see (archived ones on request)."""
    show_archived = request.args.get("archived") == "1"
    rows = [(g, access_level(current_user, g)) for g in visible_groups(include_archived=show_archived)]
    return render_template(
        "coordinator/groups.html", rows=rows, show_archived=show_archived, schedule_text=schedule_text
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def group_new() -> ResponseReturnValue:
    """Create a group; a coordinator who creates one manages it."""
    form = group_form()
    if form.validate_on_submit():
        begin_write()
        try:
            group = group_service.create_group(settings_from(form), code=form.code.data or None)
        except GroupError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            if not is_admin():
                add_membership(signed_in_account(), group, "manager")
            audit.record("group.create", target=group.code, detail=group.name)
            db.session.commit()
            flash(_("Group “%(name)s” created. Its code is %(code)s.", name=group.name, code=group.code), "success")
            return redirect(url_for("coordinator.group", code=group.code))
    status = 400 if form.is_submitted() else 200
    return render_template("coordinator/group_form.html", form=form, group=None, window_rule=window_rule()), status


@bp.route("/groups/<code>")
@login_required
def group(code: str) -> ResponseReturnValue:
    """Show a group's settings, links and meetings with their response counts."""
    found = group_or_404(code)
    return render_template(
        "coordinator/group.html",
        group=found,
        can_manage=access_level(current_user, found) == "manage",
        meetings=group_service.meetings_with_counts(found),
        link=participant_url(found),
        schedule=[(describe(entry), window_words(entry)) for entry in group_service.current_schedule(found)],
        window_rule=window_rule(),
        status=window_status_of(found),
        moment=moment_words,
        languages=group_service.group_languages(found),
        length=group_service.group_form_length(found),
        unavailable=catalog.unavailable(found.instrument_ids),
    )


@bp.route("/groups/<code>/edit", methods=["GET", "POST"])
@login_required
def group_edit(code: str) -> ResponseReturnValue:
    """Change a group's settings (managers and admins)."""
    found = group_or_404(code, need="manage")
    form = group_form(found)
    if form.validate_on_submit():
        begin_write()
        old_k = found.min_group_size
        try:
            group_service.update_group(found, settings_from(form))
            release_service.change_k(found, old_k, by_admin=is_admin())
        except GroupError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            audit.record("group.update", target=found.code, detail=found.name)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("coordinator.group", code=found.code))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "coordinator/group_form.html", form=form, group=found, archive_form=ConfirmForm(), window_rule=window_rule()
        ),
        status,
    )


@bp.route("/groups/<code>/archive", methods=["POST"])
@login_required
def group_archive(code: str) -> ResponseReturnValue:
    """Archive a group (or bring it back with `restore=1`); its data stays."""
    found = group_or_404(code, need="manage")
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("coordinator.group_edit", code=found.code)), 303
    restore = request.form.get("restore") == "1"
    if not restore and not is_confirmed():
        return confirmation_page(
            _("Archive “%(name)s”?", name=found.name),
            _(
                "The group leaves your list and its survey closes: participants who scan its code see that it is "
                "closed. Its answers and dashboards stay, and you can bring it back at any time."
            ),
            _("Archive group"),
            {},
            url_for("coordinator.group_edit", code=found.code),
        )
    begin_write()
    group_service.set_archived(found, archived=not restore)
    audit.record("group.unarchive" if restore else "group.archive", target=found.code, detail=found.name)
    db.session.commit()
    if restore:
        flash(_("“%(name)s” is back in the list.", name=found.name), "success")
    else:
        flash(_("“%(name)s” is archived and closed to responses.", name=found.name), "success")
    return redirect(url_for("coordinator.group", code=found.code))


@bp.route("/groups/<code>/now")
@login_required
def group_now(code: str) -> ResponseReturnValue:
    """The meeting screen: the meeting answers count for, a large QR code and its count; or when the survey opens."""
    found = group_or_404(code)
    status = window_status_of(found)
    return render_template(
        "coordinator/now.html",
        group=found,
        link=participant_url(found),
        status=status,
        count=meeting_count(found, status),
        moment=moment_words,
        wall=now_lines(
            group_service.group_languages(found), meeting_count(found, status), archived=found.archived_at is not None
        ),
    )


@bp.route("/groups/<code>/now/count.json")
@login_required
def group_now_count(code: str) -> ResponseReturnValue:
    """The number of people who answered for the meeting open now (a count only, never answers)."""
    found = group_or_404(code)
    status = window_status_of(found)
    meeting = status.meeting.local_date.isoformat() if status.meeting else None
    response = jsonify(count=meeting_count(found, status), date=meeting, open=status.meeting is not None)
    response.headers["Cache-Control"] = "no-store"
    return response


def window_status_of(group: Group) -> WindowStatus:
    """Return the group's answer window now, decided exactly as a participant's scan decides it."""
    participant_view = group_service.find_participant_group(group.code)
    if participant_view is None:  # the group was just read; only a concurrent deletion gets here
        return WindowStatus(None, None, None)
    return window_status(participant_view)


def meeting_count(group: Group, status: WindowStatus) -> int:
    """Return how many people answered for the open meeting (0 when none is open)."""
    return group_service.responses_on(group, status.meeting.local_date) if status.meeting else 0


def schedule_text(group: Group) -> str:
    """Describe a group's schedule in one line (the groups list)."""
    return describe_schedule(group_service.current_schedule(group))
