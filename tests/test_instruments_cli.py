"""`flask instruments check|list|schema`, run on a bare Flask app so it needs no factory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from survey.instruments.commands import instruments_cli
from survey.instruments.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (Path(__file__).parent / "instrument_fixtures" / "minimal.yaml").read_text(encoding="utf-8")


def make_app(directory: Path) -> Flask:
    """Return a minimal app with the instruments commands and an instruments folder."""
    app = Flask(__name__)
    app.config["SURVEY_INSTRUMENTS_DIR"] = str(directory)
    app.cli.add_command(instruments_cli)
    return app


def run(directory: Path, *args: str) -> tuple[int, str]:
    """Run `flask instruments ...` through Flask's CliRunner and return (exit code, output)."""
    app = make_app(directory)
    result = app.test_cli_runner().invoke(args=["instruments", *args])
    return result.exit_code, result.output


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a folder holding the minimal instrument."""
    (tmp_path / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    return tmp_path


def test_check_default_folder_ok(folder: Path) -> None:
    assert run(folder, "check") == (0, "1 instruments OK\n")


def test_check_shipped_instruments() -> None:
    assert run(ROOT / "instruments", "check") == (0, "4 instruments OK\n")


def test_check_reports_every_issue_and_fails(folder: Path) -> None:
    bad = folder / "bad.yaml"
    bad.write_text(
        MINIMAL.replace("id: minimal", "id: other").replace("    type: text\n", "    type: email\n"), encoding="utf-8"
    )
    (folder / "syntax.yaml").write_text("id: [\n", encoding="utf-8")
    code, output = run(folder, "check")
    assert code == 1
    lines = output.splitlines()
    assert f"{bad}:43: unknown item type 'email'" in lines[0]
    assert lines[1].startswith(f"{folder / 'syntax.yaml'}:2: YAML error")
    assert len(lines) == 2


def test_check_does_not_stop_at_an_unknown_key(folder: Path) -> None:
    bad = folder / "minimal.yaml"
    text = (
        MINIMAL.replace("    max_length: 20\n", "    max_length: 20\n    maxlength: 5\n")
        .replace("    items: [q2]", "    items: [q2, q9]")
        .replace("{scale: s1, op:", "{scale: s9, op:")
    )
    bad.write_text(text, encoding="utf-8")
    code, output = run(folder, "check")
    assert (code, output.splitlines()) == (
        1,
        [
            f"{bad}:45: unknown key 'maxlength' in items[3]",
            f"{bad}:50: scale 's1' names item 'q9', which does not exist",
            f"{bad}:60: condition names scale 's9', which does not exist",
        ],
    )


def test_check_files_and_folders_given_as_arguments(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("other")
    copy = other / "copy.yaml"
    copy.write_text(MINIMAL, encoding="utf-8")
    assert run(other, "check", str(folder / "minimal.yaml")) == (0, "1 instruments OK\n")
    code, output = run(other, "check", str(folder), str(copy))
    assert code == 1 and "instrument id 'minimal' is already used" in output


def test_list(folder: Path) -> None:
    code, output = run(folder, "list")
    assert code == 0
    fields = output.strip().split("\t")
    assert fields[0:2] == ["minimal", "1"] and len(fields[2]) == 12
    assert fields[3:] == ["en,es", "4 items", "Minimal"]


def test_schema(folder: Path) -> None:
    code, output = run(folder, "schema")
    assert code == 0 and output == schema_text()
    assert json.loads(output)["properties"]["items"]["type"] == "array"
