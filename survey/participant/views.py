"""Participant pages: the survey form, its submission, the thank-you page, privacy and help.

Nothing here touches the session or sets a cookie; the language travels in the URL and the
form. The POST is exempt from Flask-WTF's CSRF (which needs a session cookie) and protected
instead by the signed form token and the cross-site checks in guards.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Connection
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden, HTTPException

from .. import catalog, groups, unproxied
from ..database import read_connection
from ..extensions import csrf, limiter
from ..groups import ParticipantGroup
from ..i18n import explicit_locale, language_links, select_locale, use_locale_hints
from ..meetings import MeetingSlot, current_slot, next_opening
from ..schedule_words import moment_words
from . import blank_form, pipeline, thanks, tokens
from . import form as forms
from .guards import is_cross_site
from .resources import parse_setting, support_resources

bp = Blueprint("participant", __name__)
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
NONCE_PATTERN = tokens.STORED_NONCE_PATTERN


class Unavailable(HTTPException):
    """A friendly participant-facing error page (404 or 410) in the participant's language."""

    def __init__(self, code: int, title: str, message: str) -> None:
        super().__init__(description=message)
        self.code = code
        self.title = title


@bp.record_once
def _check_settings(state: Any) -> None:
    """Fail at start-up, not on a participant's phone, when the support resources are malformed."""
    parse_setting(state.app.config.get("SURVEY_SUPPORT_RESOURCES"))


@bp.after_request
def _participant_headers(response: Any) -> Any:
    """Send no referrer at all and keep pages out of shared caches.

    With no-referrer, browsers send `Origin: null` on the form's POST; the cross-site guard then
    relies on Sec-Fetch-Site and the signed form token (see guards.py).
    """
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


@bp.errorhandler(HTTPException)
def participant_error(error: HTTPException) -> ResponseReturnValue:
    """Render any error on a participant page in the participant's language, with a way to help."""
    code = error.code or 500
    if isinstance(error, Unavailable):
        title, message = error.title, error.description or ""
    else:
        title, message = generic_error_text(code)
    return render_page("participant/unavailable.html", code, title=title, message=message)


def generic_error_text(code: int) -> tuple[str, str]:
    """Return a plain title and message for an HTTP error on a participant page."""
    texts = {
        400: (_("We could not read this form"), _("Please go back, reload the page and try again.")),
        403: (
            _("This form was sent from another website"),
            _(
                "For your safety, answers are only accepted from this survey's own page. Please open the link "
                "from your group again."
            ),
        ),
        404: (_("Page not found"), _("Please check the link, or scan your group's QR code again.")),
        413: (_("Your answers were too long to send"), _("Please go back, shorten the longest answer and try again.")),
        429: (
            _("Too many answers at once"),
            _("Many answers were sent from this network in a short time. Please wait a minute and try again."),
        ),
    }
    return texts.get(code, (_("Something went wrong"), _("Please go back and try again in a moment.")))


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a participant page with its language, language switch and help links."""
    locale = select_locale()
    return render_template(
        template,
        page_locale=locale,
        languages=language_links(locale),
        lang=locale,
        **context,
    ), status


def find_group(code: str, connection: Connection | None = None) -> ParticipantGroup:
    """Return the group with this public code (any letter case), as participant pages need it
    (read through the session, or through `connection` when given).

    :raises Unavailable: 404 when there is none.
    """
    group = None
    if CODE_PATTERN.match(code):
        group = groups.find_participant_group(code, connection=connection)
    if group is None:
        raise survey_not_found()
    # A single-language group's language beats the phone's; the switch (an explicit ?lang=) still wins.
    use_locale_hints(override=group.default_locale if group.single_language else None, fallback=group.default_locale)
    return group


def survey_not_found() -> Unavailable:
    """The friendly 404 for an unknown group code, in the browser's language."""
    use_locale_hints()
    return Unavailable(
        404, _("We could not find this survey"), _("Please check the link, or scan your group's QR code again.")
    )


def check_accepting(group: ParticipantGroup) -> None:
    """Raise a friendly 410 when the group takes no new answers.

    :raises Unavailable: for an archived or closed group.
    """
    if not group.accepts_answers:
        refuse_new_answers(group)


def refuse_new_answers(group: ParticipantGroup) -> NoReturn:
    """Raise the friendly 410 of a group that takes no new answers: archived, or closed (also when it
    refused a sending and was opened again before this read).

    :raises Unavailable: always.
    """
    if group.archived_at is not None:
        raise Unavailable(410, _("This survey has ended"), _("This group no longer collects answers. Thank you."))
    raise Unavailable(
        410,
        _("The survey is closed for now"),
        _("This group is not taking answers at the moment. Please ask at your next meeting."),
    )


def open_meeting(group: ParticipantGroup) -> MeetingSlot:
    """Return the meeting open for answers now.

    :raises Unavailable: 410 when no meeting window is open.
    """
    slot = current_slot(group)
    if slot is None:
        opens = next_opening(group)
        window = _("The survey opens an hour before your group's meeting and stays open for a day after it.")
        if opens is not None:
            next_time = _("%(group)s: the survey opens next on %(when)s.", group=group.name, when=moment_words(opens))
            window = next_time + " " + window
        raise Unavailable(410, _("No meeting to answer for right now"), window)
    return slot


def current_plan(group: ParticipantGroup) -> forms.FormPlan:
    """Return the form of the group's instruments as loaded now.

    :raises Unavailable: 410 when none of them is loaded.
    """
    loaded = [catalog.registry().get(instrument_id) for instrument_id in group.instrument_ids]
    instruments = [instrument for instrument in loaded if instrument is not None]
    if not instruments:
        raise Unavailable(410, _("No questions right now"), _("This group has no questions to answer at the moment."))
    return forms.FormPlan.of(instruments)


def render_form(
    group: ParticipantGroup,
    plan: forms.FormPlan,
    signed_token: str,
    status: int = 200,
    cleaned: pipeline.Cleaned | None = None,
    raw: list[dict[str, list[str]]] | None = None,
    problem: str = "",
    typed_code: str = "",
) -> tuple[str, int]:
    """Render the first screen and the form, keeping what was entered and showing every problem."""
    locale = select_locale()
    sections = forms.sections(plan, locale, raw, cleaned.errors if cleaned else None)
    return render_page(
        "participant/survey.html",
        status,
        group=group,
        sections=sections,
        form_token=signed_token,
        problem=problem,
        errors=[f for section in sections for f in section.fields if f.error],
        code_error=bool(cleaned and cleaned.code_error),
        typed_code=typed_code,
        required_left=forms.required_left(plan, cleaned.answers if cleaned else None),
        k=thanks.group_k(group),
        has_required=any(i.required for s in plan.instruments for i in s.items),
    )


@bp.get("/s/<code>")
def survey(code: str) -> ResponseReturnValue:
    """Show the short privacy notice and the group's questionnaire for its open meeting."""
    with read_connection() as connection:  # the page's one read, without the ORM session
        group = find_group(code, connection)
    check_accepting(group)
    slot = open_meeting(group)
    plan = current_plan(group)
    return blank_page(group, plan, tokens.issue(group.id, plan.content_hashes, slot.local_date, slot.starts_at))


def blank_page(group: ParticipantGroup, plan: forms.FormPlan, signed_token: str) -> str:
    """Return the blank form with this token, rendered once per everything it shows (blank_form.py)."""
    page = unproxied.this_request()
    key = (
        page.script_root,
        page.view_args.get("code") if page.view_args else None,  # repeated in the language links
        select_locale(),
        group.id,
        group.code,
        group.name,
        thanks.group_k(group),
        plan.content_hashes,
    )
    before, after = blank_form.cache().get_or_render(
        key, lambda: render_form(group, plan, blank_form.TOKEN_PLACEHOLDER)[0]
    )
    return before + signed_token + after


def _rate_limit() -> str:
    return str(unproxied.app().config["SURVEY_RATE_LIMIT"])


# Every participant POST (the answers) counts against SURVEY_RATE_LIMIT per client address. Declared on the
# blueprint rather than on the view, Flask-Limiter checks it once per request, before the view, instead
# of once before the view (finding no limit) and again in it.
limiter.limit(_rate_limit, methods=["POST"])(bp)


@bp.post("/s/<code>")
def submit(code: str) -> ResponseReturnValue:
    """Store the answers once per form token and send the participant to the thank-you page.

    The one path of every POST: everything is checked once, in the order below, and the answers are
    written once (pipeline.store), whatever the outcome. The write itself finds the group (the token's,
    under this address, taking answers), so the group is read only for a page that shows it: every
    refusal reads it first (an unknown address is a 404 before any other problem, a token of another
    group shows the form again), and so does a POST that names no language (the group's may apply).
    """
    if not CODE_PATTERN.match(code):
        raise survey_not_found()
    with read_connection() as connection:  # the POST's reads and its one write, without the ORM session
        addressed = Addressed(code, connection)
        if explicit_locale() is None:
            addressed.group()  # the group's language applies
        return submit_to(addressed)


class Addressed:
    """The group a POST was sent to, read from the database only when a page needs it (then once)."""

    def __init__(self, code: str, connection: Connection) -> None:
        self.address, self.code, self.connection = code, groups.normalise_code(code), connection
        self._group: ParticipantGroup | None = None

    def group(self) -> ParticipantGroup:
        """Return the group, read on the first call (with its language hints, as find_group does).

        :raises Unavailable: 404 when there is none.
        """
        if self._group is None:
            self._group = find_group(self.address, self.connection)
        return self._group


def submit_to(addressed: Addressed) -> ResponseReturnValue:
    """Check the POST against the address it was sent to, in the order the participant should hear of problems."""
    page = unproxied.this_request()
    if is_cross_site(page):
        addressed.group()  # an unknown address answers 404 first
        raise Forbidden()
    form = page.form
    try:
        token = tokens.read(_single(form, "form_token"))
    except tokens.TokenError:
        return restart_form(addressed.group(), form, stale_page())
    try:
        plan = pipeline.plan_for_token(token)
    except pipeline.UnknownVersion:
        return refused(
            addressed,
            token,
            form,
            lambda group: restart_form(
                group,
                form,
                _("The questions changed since this page was opened. Please check your answers and send them again."),
            ),
        )
    return submit_plan(addressed, token, plan, form)


def stale_page() -> str:
    """The problem shown with a fresh form when the token is damaged, too old or of another group."""
    return _("This page was open too long or was damaged. Please check your answers and send them again.")


def refused(
    addressed: Addressed,
    token: tokens.FormToken,
    form: MultiDict[str, str],
    page: Callable[[ParticipantGroup], ResponseReturnValue],
) -> ResponseReturnValue:
    """Answer a refusal with its page, for the group read now; a token of another group is told first
    (the form again, with a new token), whatever else was wrong."""
    group = addressed.group()
    if group.id != token.group_id:
        return restart_form(group, form, stale_page())
    return page(group)


def submit_plan(
    addressed: Addressed,
    token: tokens.FormToken,
    plan: forms.FormPlan,
    form: MultiDict[str, str],
) -> ResponseReturnValue:
    """Validate against the version shown and store, or show the form again with the problems."""
    signed = _single(form, "form_token")

    def again(**shown: Any) -> ResponseReturnValue:
        """Show this form again (400) with what was sent and its problems, for the group read now (see refused)."""
        return refused(addressed, token, form, lambda group: render_form(group, plan, signed, 400, **shown))

    try:
        raw = plan.split(form)
    except forms.FormShapeError:
        return again(
            raw=_lenient_split(plan, form),
            problem=_("This form had fields we did not expect. Please check your answers and send them again."),
        )
    if form.get("website", "").strip():
        # Honeypot filled: nothing is stored; a person who filled it by accident can send again.
        return again(raw=raw, problem=_("Your answers could not be sent. Please check them and send them again."))
    if nothing_answered(raw):
        return again(raw=raw, problem=_("You did not answer any question, so nothing was stored."))
    cleaned = pipeline.clean(plan, raw, form.get("participant_code"))
    if not cleaned.ok:
        return again(cleaned=cleaned, raw=raw, typed_code=form.get("participant_code", ""))
    stored = pipeline.store(addressed.connection, addressed.code, token, plan, cleaned, select_locale())
    if not stored.addressed:  # the token's group is not this address's: 404, or the form again
        return refused(addressed, token, form, lambda group: restart_form(group, form, stale_page()))
    if stored.new and not stored.stored:  # the group takes no answers (410)
        return refused(addressed, token, form, refuse_new_answers)
    return thanks_redirect(addressed.code, stored.nonce)


def restart_form(group: ParticipantGroup, form: MultiDict[str, str], problem: str) -> ResponseReturnValue:
    """Show the current form with a new token, keeping the answers that still fit it."""
    check_accepting(group)
    slot = open_meeting(group)
    plan = current_plan(group)
    signed = tokens.issue(group.id, plan.content_hashes, slot.local_date, slot.starts_at)
    return render_form(group, plan, signed, 400, raw=_lenient_split(plan, form), problem=problem)


def nothing_answered(raw: list[dict[str, list[str]]]) -> bool:
    """Tell whether a form came with no answer at all (every question's values blank)."""
    return not any(value.strip() for values in raw for field in values.values() for value in field)


def _lenient_split(plan: forms.FormPlan, form: MultiDict[str, str]) -> list[dict[str, list[str]]]:
    """Return the submitted values of the plan's fields, ignoring every other field."""
    known = set(plan.names.values())
    return plan.split(MultiDict([(k, v) for k, v in form.items(multi=True) if k in known]))


def _single(form: MultiDict[str, str], name: str) -> str:
    """Return the one value of a control field ('' when missing)."""
    values = form.getlist(name)
    return values[0] if len(values) == 1 else ""


def thanks_redirect(code: str, nonce: str) -> ResponseReturnValue:
    """Send the browser to the thank-you page with 303, so a reload does not post again.

    The page's address carries a short-lived signed ticket in its query string, never the nonce in
    its path: the access log writes the path alone.
    """
    return redirect(url_for("participant.thanks", code=code, r=thanks.issue_ticket(nonce)), 303)


def thanks_gone() -> Unavailable:
    """The friendly page for a thank-you page asked for after its short lifetime (or at an old address)."""
    return Unavailable(
        410,
        _("This thank-you page is closed"),
        _("Your answers are safe. To keep them private, this page is shown only for a short while after sending."),
    )


@bp.get("/s/<code>/thanks", endpoint="thanks")
def thanks_page(code: str) -> ResponseReturnValue:
    """Thank the participant, with support resources on an alert; no group figure at all.

    One read (the group and this submission's stored rows, thanks.stored_submission), no ORM session,
    nothing recomputed: the alerts and scores were fixed when the answers were stored.
    """
    page = unproxied.this_request()
    expired = False
    try:
        nonce = thanks.read_ticket(page.args.get("r", ""))
    except thanks.TicketExpired:
        nonce, expired = "", True
    except thanks.TicketInvalid:
        nonce = ""
    found = None
    if CODE_PATTERN.match(code):
        with read_connection() as connection:
            found = thanks.stored_submission(
                groups.normalise_code(code), nonce if NONCE_PATTERN.match(nonce) else "", connection
            )
    if found is None:
        raise survey_not_found()
    answered_in = found.responses[0].locale if found.responses and not expired else None
    locale = use_locale_hints(override=answered_in, fallback=found.default_locale)
    if expired:
        raise thanks_gone()
    if not found.responses:
        raise Unavailable(
            404,
            _("We could not find these answers"),
            _("If you just sent them, they are safe. You can close this page."),
        )
    alerts = thanks.alert_messages(found.responses, locale)
    key = (page.script_root, code, locale, found.code, tuple(alerts))  # all the frame shows (thanks.page_cache)
    before, after = thanks.page_cache().get_or_render(
        key,
        lambda: render_page(
            "participant/thanks.html",
            group=found,
            alerts=alerts,
            resources=support_resources(locale) if alerts else [],
            own_scores=thanks.OWN_SCORES_PLACEHOLDER,
        )[0],
    )
    own = thanks.own_scores_block(thanks.own_scores(found.responses, locale))
    return before + own + after, 200, {"Cache-Control": "no-store"}


@bp.get("/s/<code>/thanks/<token>")
def old_thanks_address(code: str, token: str) -> ResponseReturnValue:
    """The former permanent address of a thank-you page: closed, it shows nobody's scores."""
    find_group(code)
    raise thanks_gone()


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """The full privacy notice, with the deployment's retention sentence."""
    use_locale_hints()
    return render_page(
        "participant/privacy.html",
        retention=current_app.config.get("SURVEY_RETENTION") or "",
        k=max(thanks.K_FLOOR, int(current_app.config["SURVEY_MIN_GROUP_SIZE"])),
        back_code=_back_code(),
    )


@bp.get("/help", endpoint="help")
def help_page() -> ResponseReturnValue:
    """Where to get help now; the survey itself is not monitored."""
    use_locale_hints()
    return render_page("participant/help.html", resources=support_resources(select_locale()), back_code=_back_code())


def _back_code() -> str:
    """Return the survey code to link back to, when the page was opened from a survey."""
    code = request.args.get("code", "")
    return code if CODE_PATTERN.match(code) else ""


csrf.exempt(submit)
