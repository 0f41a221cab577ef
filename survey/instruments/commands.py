"""`flask instruments check|list|schema`: the authors' tools for instrument files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .loader import (
    MAX_FILE_BYTES,
    InstrumentError,
    LoadResult,
    Parsed,
    add_problems,
    combine,
    parse_directory,
    parse_text,
    read_text,
)
from .schema import schema_text

instruments_cli = AppGroup("instruments", help="Check, list and describe questionnaire files.")


def _load_paths(paths: tuple[str, ...]) -> LoadResult:
    """Load files and directories together; an id defined twice among them refuses both, as the app does."""
    targets = [Path(p) for p in paths] or [Path(current_app.config["SURVEY_INSTRUMENTS_DIR"])]
    max_bytes = int(current_app.config.get("SURVEY_INSTRUMENT_MAX_BYTES") or MAX_FILE_BYTES)
    parsed: list[Parsed] = []
    failed = LoadResult()
    for target in targets:
        if target.is_dir():
            found, broken = parse_directory(target, max_bytes)
            parsed.extend(found)
            for instrument_id, issues in broken.problems.items():
                add_problems(failed, instrument_id, issues)
            continue
        try:
            parsed.append(parse_text(read_text(target, max_bytes), str(target)))
        except InstrumentError as error:
            add_problems(failed, error.instrument_id or target.stem, error.issues)
    return combine(parsed, failed)


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
