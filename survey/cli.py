"""`flask` commands: setup, demo data, backups; each subsystem adds its own group here."""

from __future__ import annotations

import os
import sqlite3
from importlib import import_module
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as migrate_db_group
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .instruments.commands import instruments_cli

demo_cli = AppGroup("demo", help="Demo data for trying the app.")


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(instruments_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(import_module("survey.retention").responses_cli)
    app.cli.add_command(import_module("survey.release.commands").release_cli)
    app.cli.add_command(import_module("survey.coordinator.commands").users_cli)
    app.cli.add_command(import_module("survey.coordinator.commands").groups_cli)
    # Flask-Migrate owns the `db` group; backups belong beside upgrade and downgrade.
    migrate_db_group.add_command(backup_command)


def database_label() -> str:
    """Describe the database URL for messages, without its password."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


@click.command("setup")
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Seed demo data (with its published logins) into an empty database. Default: only with SURVEY_DEV=1.",
)
@with_appcontext
def setup_command(demo: bool | None) -> None:
    """Migrate the database and, with --demo (or SURVEY_DEV=1), seed demo data when it has no groups yet."""
    from . import demo as demo_data

    if demo is None:
        demo = os.environ.get("SURVEY_DEV") == "1"

    try:
        upgrade(revision="heads")
    except OperationalError as error:
        raise click.ClickException(f"Cannot reach the database at {database_label()}: {error.orig}") from None
    if not demo:
        click.echo(f"Database at {database_label()} is up to date.")
        return
    created = demo_data.seed_if_empty()
    if created:
        click.echo(f"Seeded demo data: {created}")
    demo_data.print_demo_login()


@demo_cli.command("seed")
@click.option("--weeks", default=8, show_default=True, help="Weeks of synthetic meetings per group.")
def demo_seed(weeks: int) -> None:
    """Add a demo group with a few weeks of synthetic responses."""
    from . import demo

    click.echo(demo.seed(weeks=weeks))


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write an online backup of the SQLite database to PATH (PostgreSQL: use pg_dump)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("This database is not SQLite: back it up with pg_dump (see README, Backups).")
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file name.")
    source = sqlite3.connect(url.database or "")
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target, pages=1024, progress=_backup_progress)
    finally:
        target.close()
        source.close()
    click.echo(f"Backed up {database_label()} to {path}")


def _backup_progress(status: int, remaining: int, total: int) -> None:
    """Show how far an online backup has got."""
    click.echo(f"\rcopied {total - remaining} of {total} pages", nl=False, err=True)
    if remaining == 0:
        click.echo("", err=True)
