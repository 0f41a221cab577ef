"""A missing setting is one clear line on standard error and exit code 2, from `flask` and from gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def production_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SURVEY_", "FLASK_"))}
    env.pop("SECRET_KEY", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'config.sqlite3'}", SURVEY_INSTANCE_PATH=str(tmp_path / "i"), **settings
    )
    return env


def assert_one_clear_line(result: subprocess.CompletedProcess, setting: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("settings", "missing"),
    [({}, "SECRET_KEY"), ({"SECRET_KEY": "s"}, "SURVEY_PARTICIPANT_CODE_KEY")],
)
@pytest.mark.parametrize("command", [["users", "list"], ["setup"], ["db", "upgrade"]])
def test_flask_commands_report_a_missing_setting_in_one_line(tmp_path, settings, missing, command) -> None:
    result = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "survey", *command],
        cwd=ROOT,
        env=production_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_clear_line(result, missing)


def test_gunicorn_reports_a_missing_setting_in_one_line(tmp_path) -> None:
    env = production_env(tmp_path, BIND="127.0.0.1:5131", WEB_CONCURRENCY="1")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "survey:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_clear_line(result, "SECRET_KEY")
