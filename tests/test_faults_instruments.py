"""Broken instrument folders: one id in two files refuses both, loudly; oversized files are refused before
parsing; every load error reaches the app's logger and gunicorn's error log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from survey import catalog, create_app
from survey.instruments import load_directory

from .conftest import BASE_CONFIG
from .participant_support import EVERY_TYPE_YAML


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "every_type.yaml").write_text(EVERY_TYPE_YAML, encoding="utf-8")
    return folder


def test_an_impostor_sorting_first_does_not_replace_the_original(folder: Path) -> None:
    impostor = EVERY_TYPE_YAML.replace("{en: Every type,", "{en: IMPOSTER copy,")
    (folder / "a_copy.yaml").write_text(impostor, encoding="utf-8")
    result = load_directory(folder)
    assert "every_type" not in result.instruments
    messages = [str(issue) for issue in result.issues]
    assert len(messages) == 2
    for message in messages:
        assert "a_copy.yaml" in message and "every_type.yaml" in message and "'every_type'" in message


def test_an_oversized_file_is_refused_before_parsing(folder: Path) -> None:
    big = folder / "big.yaml"
    big.write_text("id: [\n" + "#" * 300_000 + "\n", encoding="utf-8")  # would be a YAML error if parsed
    result = load_directory(folder)
    (issue,) = result.issues
    assert str(issue) == f"{big}:1: the file is {big.stat().st_size} bytes, more than the limit of {256 * 1024}"
    assert list(result.instruments) == ["every_type"]


def test_the_size_limit_is_a_setting(folder: Path) -> None:
    app = create_app({**BASE_CONFIG, "SURVEY_INSTRUMENTS_DIR": str(folder), "SURVEY_INSTRUMENT_MAX_BYTES": 100})
    with app.app_context():
        assert catalog.registry().all() == []
        assert "more than the limit of 100" in str(catalog.registry().issues[0])


def test_load_errors_reach_gunicorns_error_log(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    gunicorn = logging.getLogger("gunicorn.error")
    handler = Collect()
    gunicorn.addHandler(handler)
    try:
        create_app({**BASE_CONFIG, "SURVEY_INSTRUMENTS_DIR": str(folder)})
    finally:
        gunicorn.removeHandler(handler)
    assert any(str(folder / "broken.yaml") in record.getMessage() for record in records)
