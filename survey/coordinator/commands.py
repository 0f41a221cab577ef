"""`flask users ...` and `flask groups ...`: what the admin pages do, for scripted deployments."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from .. import audit
from .. import groups as group_service
from .. import users as user_service
from ..database import begin_write
from ..extensions import db
from ..groups import GroupError, GroupSettings
from ..models import User
from ..users import AccountError
from .posters import participant_path

users_cli = AppGroup("users", help="Coordinator and admin accounts.")
groups_cli = AppGroup("groups", help="Peer-support groups and their participant links.")
CLI_ACTOR = "cli"


def read_password(email: str) -> str:
    """Return SURVEY_PASSWORD when set, otherwise ask twice without echoing."""
    from_env = os.environ.get("SURVEY_PASSWORD")
    if from_env:
        return from_env
    return str(click.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True))


def commit_or_fail(action: str, target: str, detail: str = "") -> None:
    """Record the change in the audit log as done from the command line, and commit."""
    audit.record(action, target=target, detail=detail, actor_email=CLI_ACTOR)
    db.session.commit()


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(user_service.ROLES), default="coordinator", show_default=True)
@click.option("--group", "codes", multiple=True, metavar="CODE", help="Group this coordinator manages (repeatable).")
@click.option("--viewer", is_flag=True, help="Give read-only (viewer) access to the --group groups instead.")
def users_create(email: str, role: str, codes: tuple[str, ...], viewer: bool) -> None:
    """Create an account; the password comes from SURVEY_PASSWORD or a prompt."""
    found = [group_service.find_group(code) for code in codes]
    missing = [code for code, group in zip(codes, found, strict=True) if group is None]
    if missing:
        raise click.ClickException(f"No group with code {', '.join(missing)}; see `flask groups list`.")
    password = read_password(user_service.normalise_email(email))
    begin_write()
    try:
        user = user_service.create_user(email, password, role)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    for group in found:
        if group is not None:
            user_service.add_membership(user, group, "viewer" if viewer else "manager")
    db.session.flush()
    commit_or_fail(
        "user.create", user.email, f"role {role}; groups: {user_service.describe_memberships(user) or 'none'}"
    )
    click.echo(f"Created {role} {user.email}" + (f" for {', '.join(codes)}" if codes else ""))


@users_cli.command("list")
def users_list() -> None:
    """List every account with its role, state and groups."""
    for user in user_service.all_users():
        state = "active" if user.is_active_account else "disabled"
        groups = "all groups" if user.role == "admin" else (user_service.describe_memberships(user) or "no groups")
        click.echo(f"{user.email}\t{user.role}\t{state}\t{groups}")


def user_or_fail(email: str) -> User:
    """Return the account for this e-mail or stop with a message."""
    user = user_service.find_user(email)
    if user is None:
        raise click.ClickException(f"No account for {user_service.normalise_email(email)}; see `flask users list`.")
    return user


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account; its open sessions end at their next request."""
    begin_write()
    user = user_or_fail(email)
    user_service.set_active(user, False)
    commit_or_fail("user.disable", user.email)
    click.echo(f"Disabled {user.email}")


@users_cli.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Enable a disabled account again."""
    begin_write()
    user = user_or_fail(email)
    user_service.set_active(user, True)
    commit_or_fail("user.enable", user.email)
    click.echo(f"Enabled {user.email}")


@users_cli.command("set-password")
@click.argument("email")
def users_set_password(email: str) -> None:
    """Set a new password (SURVEY_PASSWORD or a prompt); open sessions of the account end."""
    user_or_fail(email)
    password = read_password(user_service.normalise_email(email))
    begin_write()
    user = user_or_fail(email)
    try:
        user_service.set_password(user, password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    commit_or_fail("user.password_reset", user.email)
    click.echo(f"New password set for {user.email}")


@groups_cli.command("create")
@click.argument("name")
@click.option("--code", help="Public code (4-16 letters and digits); random when omitted.")
@click.option(
    "--instrument", "instruments", multiple=True, metavar="ID", help="Questionnaire (repeatable); default: checkin."
)
@click.option(
    "--coordinator", "coordinators", multiple=True, metavar="EMAIL", help="Manager of the group (repeatable)."
)
@click.option("--locale", default="en", show_default=True, help="Default language.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone, e.g. America/Chicago.")
@click.option("--min-group-size", type=int, default=None, help="k; default SURVEY_MIN_GROUP_SIZE (never below 3).")
def groups_create(
    name: str,
    code: str | None,
    instruments: tuple[str, ...],
    coordinators: tuple[str, ...],
    locale: str,
    timezone: str,
    min_group_size: int | None,
) -> None:
    """Create a group and print its participant link (/s/<code>)."""
    begin_write()
    try:
        managers = user_service.users_by_email(coordinators)
        settings = GroupSettings(
            name=name,
            default_locale=locale,
            timezone=timezone,
            instrument_ids=instruments or tuple(group_service.default_instruments()),
            min_group_size=min_group_size if min_group_size is not None else group_service.default_min_group_size(),
        )
        group = group_service.create_group(settings, code=code)
    except (GroupError, AccountError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    for manager in managers:
        user_service.add_membership(manager, group, "manager")
    commit_or_fail("group.create", group.code, group.name)
    click.echo(f"Created group {group.name!r} with code {group.code}")
    click.echo(f"Participant link: {participant_path(group)}")


@groups_cli.command("list")
@click.option("--archived", is_flag=True, help="Include archived groups.")
def groups_list(archived: bool) -> None:
    """List groups with their code, state and participant link."""
    for group in group_service.all_groups(include_archived=archived):
        state = "archived" if group.archived_at else ("open" if group.is_open else "closed")
        click.echo(f"{group.code}\t{state}\t{group.name}\t{participant_path(group)}")
