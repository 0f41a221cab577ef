"""`flask instruments check|list|schema`: the authors' tools for instrument files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .loader import InstrumentError, InstrumentIssue, LoadResult, load_directory, load_instrument_file
from .schema import schema_text

instruments_cli = AppGroup("instruments", help="Check, list and describe questionnaire files.")


def _load_paths(paths: tuple[str, ...]) -> LoadResult:
    """Load files and directories together; duplicate ids across them are reported."""
    targets = [Path(p) for p in paths] or [Path(current_app.config["SURVEY_INSTRUMENTS_DIR"])]
    result = LoadResult()
    for target in targets:
        if target.is_dir():
            part = load_directory(target)
        else:
            part = LoadResult()
            try:
                instrument = load_instrument_file(target)
                part.instruments[instrument.id], part.files[instrument.id] = instrument, target
            except InstrumentError as error:
                part.issues.extend(error.issues)
        result.issues.extend(part.issues)
        for instrument_id, instrument in part.instruments.items():
            if instrument_id in result.instruments:
                message = f"instrument id '{instrument_id}' is already used by {result.files[instrument_id]}"
                result.issues.append(InstrumentIssue(str(part.files[instrument_id]), 1, message))
                continue
            result.instruments[instrument_id] = instrument
            result.files[instrument_id] = part.files[instrument_id]
    return result


@instruments_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def check_command(paths: tuple[str, ...]) -> None:
    """Validate instrument files or directories (default: SURVEY_INSTRUMENTS_DIR)."""
    result = _load_paths(paths)
    for issue in result.issues:
        click.echo(str(issue))
    if result.issues:
        raise SystemExit(1)
    click.echo(f"{len(result.instruments)} instruments OK")


@instruments_cli.command("list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def list_command(paths: tuple[str, ...]) -> None:
    """List the valid instruments: id, version, short hash, locales, items, title."""
    result = _load_paths(paths)
    for instrument_id in sorted(result.instruments):
        inst = result.instruments[instrument_id]
        title = inst.text(inst.title, inst.locales[0])
        fields = [
            inst.id,
            inst.version,
            inst.content_hash[:12],
            ",".join(inst.locales),
            f"{len(inst.items)} items",
            title,
        ]
        click.echo("\t".join(fields))
    for issue in result.issues:
        click.echo(str(issue), err=True)


@instruments_cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the instrument format."""
    click.echo(schema_text(), nl=False)
