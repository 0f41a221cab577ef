"""At start-up every valid instrument is served and each broken one is logged with path:line."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from survey import catalog

SHIPPED = Path(__file__).parent.parent / "instruments"


def test_one_broken_file_never_takes_the_site_down(make_app, tmp_path, caplog) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(SHIPPED / "belonging.yaml", folder / "belonging.yaml")
    lines = (SHIPPED / "belonging.yaml").read_text(encoding="utf-8").splitlines()
    lines[2] = "id: broken"
    lines.insert(3, "colour: red")  # an unknown key on line 4
    (folder / "broken.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        app = make_app(SURVEY_INSTRUMENTS_DIR=str(folder))
    with app.app_context():
        assert [i.id for i in catalog.registry().all()] == ["belonging"]
        issues = [str(issue) for issue in catalog.registry().issues]
    assert any(issue.startswith(f"{folder / 'broken.yaml'}:4: ") for issue in issues), issues
    assert any("broken.yaml:4:" in record.getMessage() for record in caplog.records)
    assert app.test_client().get("/healthz").status_code == 200


def test_shipped_instruments_all_load(app) -> None:
    with app.app_context():
        ids = {i.id for i in catalog.registry().all()}
        assert catalog.registry().issues == []
    assert {"checkin", "belonging", "craving", "recovery_self_efficacy"} <= ids
