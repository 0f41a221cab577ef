"""`flask users ...` and `flask groups ...`: the scripted way to do what the admin pages do."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from survey import demo
from survey.accounts import verify_password
from survey.extensions import db
from survey.groups import CODE_ALPHABET
from survey.models import AuditEvent, Group, Membership, User

from .coordinator_support import PASSWORD, add_group, add_user

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def app(make_app):
    """The app without CSRF, so tests can post the login form."""
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def cli(app):
    """Run a `flask` command against the test app."""
    runner = app.test_cli_runner()

    def run(*args: str, password: str | None = None, prompt: str | None = None):  # type: ignore[no-untyped-def]
        env = {"SURVEY_PASSWORD": password} if password is not None else {"SURVEY_PASSWORD": ""}
        return runner.invoke(args=list(args), env=env, input=prompt)

    return run


def get_user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_users_create_reads_the_password_from_the_environment(app, cli) -> None:
    add_group(app, "GRPAAAA2")
    result = cli(
        "users", "create", "Ana@Example.org", "--role", "coordinator", "--group", "grpaaaa2", password=NEW_PASSWORD
    )
    assert result.exit_code == 0, result.output
    user = get_user(app, "ana@example.org")
    assert user is not None and user.role == "coordinator" and verify_password(user.password_hash, NEW_PASSWORD)
    with app.app_context():
        membership = db.session.scalar(select(Membership))
        assert membership is not None and membership.access == "manager"
        event = db.session.scalar(select(AuditEvent))
        assert event is not None and (event.action, event.actor_email) == ("user.create", "cli")


def test_users_create_prompts_twice_without_the_environment(app, cli) -> None:
    result = cli("users", "create", "root@example.org", "--role", "admin", prompt=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    user = get_user(app, "root@example.org")
    assert user is not None and user.role == "admin"


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("users", "create", "ana@example.org"), "short", "Use at least 12 characters."),
        (("users", "create", "not-an-email"), NEW_PASSWORD, "Enter an e-mail address"),
        (("users", "create", "taken@example.org"), NEW_PASSWORD, "already exists"),
        (("users", "create", "ana@example.org", "--group", "NOPE1234"), NEW_PASSWORD, "No group with code NOPE1234"),
        (("users", "create", "ana@example.org", "--role", "owner"), NEW_PASSWORD, "Invalid value for '--role'"),
        (("users", "disable", "nobody@example.org"), None, "No account for nobody@example.org"),
        (("users", "set-password", "taken@example.org"), "short", "Use at least 12 characters."),
    ],
    ids=["short-password", "bad-email", "duplicate", "unknown-group", "unknown-role", "unknown-user", "short-reset"],
)
def test_users_commands_refuse_bad_input(app, cli, args, password, message) -> None:
    add_user(app, "taken@example.org")
    result = cli(*args, password=password)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert [u.email for u in db.session.scalars(select(User))] == ["taken@example.org"]
        assert verify_password(db.session.scalar(select(User)).password_hash, PASSWORD)


def test_users_list_disable_enable_and_set_password(app, cli) -> None:
    add_group(app, "GRPAAAA2")
    add_user(app, "ana@example.org", groups={"GRPAAAA2": "viewer"})
    add_user(app, "root@example.org", role="admin")
    listing = cli("users", "list").output
    assert "ana@example.org\tcoordinator\tactive\tGRPAAAA2 (viewer)" in listing
    assert "root@example.org\tadmin\tactive\tall groups" in listing
    assert cli("users", "disable", "ANA@example.org").exit_code == 0
    disabled = get_user(app, "ana@example.org")
    assert disabled is not None and not disabled.is_active_account and disabled.session_version == 2
    assert cli("users", "enable", "ana@example.org").exit_code == 0
    assert cli("users", "set-password", "ana@example.org", password=NEW_PASSWORD).exit_code == 0
    changed = get_user(app, "ana@example.org")
    assert changed is not None and changed.is_active_account and verify_password(changed.password_hash, NEW_PASSWORD)
    assert changed.session_version == 3


def test_groups_create_prints_the_participant_link(app, cli) -> None:
    add_user(app, "ana@example.org")
    result = cli("groups", "create", "Monday Circle", "--instrument", "checkin", "--coordinator", "ana@example.org")
    assert result.exit_code == 0, result.output
    match = re.search(r"Participant link: /s/([A-Z0-9]+)$", result.output.strip())
    assert match is not None
    code = match.group(1)
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(code=code))
        assert group is not None and group.instrument_ids == ["checkin"] and group.min_group_size == 5
        assert db.session.scalar(select(Membership)).access == "manager"
    assert f"{code}\topen\tMonday Circle\t/s/{code}" in cli("groups", "list").output


def test_groups_create_with_a_chosen_code(app, cli) -> None:
    result = cli("groups", "create", "Thursday", "--code", "thu2town")
    assert result.exit_code == 0 and "/s/THU2TOWN" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("groups", "create", "Dup", "--code", "GRPAAAA2"), "already used"),
        (("groups", "create", "Bad", "--code", "no spaces!"), "4 to 16 letters and digits"),
        (("groups", "create", "X", "--instrument", "nope"), "unknown: nope"),
        (("groups", "create", "X", "--coordinator", "ghost@example.org"), "No account for ghost@example.org"),
        (("groups", "create", "X", "--min-group-size", "2"), "cannot be below 3"),
        (("groups", "create", "X", "--timezone", "Mars/Olympus"), "Unknown time zone"),
        (("groups", "create", "   "), "Give the group a name"),
    ],
    ids=[
        "duplicate-code",
        "bad-code",
        "unknown-instrument",
        "unknown-coordinator",
        "k-below-floor",
        "bad-timezone",
        "blank-name",
    ],
)
def test_groups_create_refuses_bad_input(app, cli, args, message) -> None:
    add_group(app, "GRPAAAA2")
    result = cli(*args)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert [g.code for g in db.session.scalars(select(Group))] == ["GRPAAAA2"]


def test_demo_seed_creates_the_documented_demo_logins(app, cli) -> None:
    assert cli("demo", "seed", "--weeks", "1").exit_code == 0
    listing = cli("users", "list").output
    assert "demo-coordinator@example.org\tcoordinator\tactive\tDEMO2TUE (manager), DEMO4JUE (viewer)" in listing
    assert "demo-admin@example.org\tadmin\tactive\tall groups" in listing
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for email, password, _role, _groups in demo.DEMO_ACCOUNTS:
        assert f"`{email}`" in readme and f"`{password}`" in readme
        assert log_in(app, email, password) == 302


def log_in(app, email: str, password: str) -> int:
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_demo_login_is_printed_only_while_the_password_is_the_documented_one(app, cli) -> None:
    cli("demo", "seed", "--weeks", "1")

    @click.command()
    def show() -> None:
        demo.print_demo_login()

    with app.app_context():
        assert "demo-coordinator@example.org / demo coordinator 2026" in CliRunner().invoke(show).output
    cli("users", "set-password", "demo-coordinator@example.org", password=NEW_PASSWORD)
    with app.app_context():
        assert "demo-coordinator@example.org" not in CliRunner().invoke(show).output
