"""`flask release`: release due answers (for cron) and rebuild rollups from the raw answers."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import Group
from . import rollups, service

release_cli = AppGroup("release", help="Release answers to dashboards; rebuild rollups from the answers.")


def _groups(code: str | None) -> list[Group]:
    """Return the group with this code, or every group.

    :raises click.ClickException: when no group has the code.
    """
    query = select(Group).order_by(Group.id)
    if code:
        query = query.where(Group.code == code.strip().upper())
    found = list(db.session.scalars(query))
    if code and not found:
        raise click.ClickException(f"No group has the code {code}.")
    return found


@release_cli.command("run")
@click.option("--group", "code", default=None, help="Only this group's code (default: every group).")
def run_command(code: str | None) -> None:
    """Release every meeting whose answer window and grace period have closed (safe to run from cron)."""
    total = 0
    for group in _groups(code):
        released = service.release_due(group)
        total += released
        if released:
            click.echo(f"{group.code}: released {released} batch(es)")
    click.echo(f"Released {total} batch(es).")


@release_cli.command("rebuild")
@click.option("--group", "code", default=None, help="Only this group's code (default: every group).")
def rebuild_command(code: str | None) -> None:
    """Write every released batch's rollup cells again from the raw answers, and audit again."""
    groups = _groups(code)
    with click.progressbar(groups, label="Rebuilding rollups", show_pos=True) as bar:
        for group in bar:
            begin_write()
            count = rollups.rebuild(group.id)
            service.republish(group)
            db.session.commit()
            click.echo(f" {group.code}: {count} batch(es)", err=True)
