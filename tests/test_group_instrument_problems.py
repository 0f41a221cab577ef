"""A group whose questionnaire did not load tells its coordinator why (and admins exactly where)."""

from __future__ import annotations

import shutil

import pytest

from survey.config import PROJECT_ROOT
from survey.extensions import db
from survey.models import GroupInstrument

from .coordinator_support import add_group, add_user, log_in_as


@pytest.fixture
def app(make_app, tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "instruments" / "craving.yaml", folder)
    text = (PROJECT_ROOT / "instruments" / "checkin.yaml").read_text(encoding="utf-8")
    broken = text.replace("estimated_minutes: 2", "estimated_minutes: 2\ncolour: red", 1)
    (folder / "checkin.yaml").write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("colour: red") + 1
    app = make_app(SURVEY_INSTRUMENTS_DIR=str(folder))
    app.config["TEST_BROKEN"] = f"{folder / 'checkin.yaml'}:{line}: unknown key &#39;colour&#39;"
    add_group(app, "BROKEN22")  # asks the check-in
    group_id = add_group(app, "HEALTHY2")
    with app.app_context():
        db.session.query(GroupInstrument).filter_by(group_id=group_id).update({"instrument_id": "craving"})
        db.session.commit()
    return app


def page_for(app, role: str, code: str) -> str:
    client = app.test_client()
    log_in_as(client, app, add_user(app, f"{role}@example.org", role=role, groups={code: "manage"}))
    return client.get(f"/groups/{code}").get_data(as_text=True)


def test_admin_sees_the_file_and_line_that_broke_the_groups_questionnaire(app) -> None:
    body = page_for(app, "admin", "BROKEN22")
    assert "The questionnaire “checkin” is not being asked" in body
    assert app.config["TEST_BROKEN"] in body


def test_coordinator_is_told_in_plain_words_without_server_paths(app) -> None:
    body = page_for(app, "coordinator", "BROKEN22")
    assert "The questionnaire “checkin” is not being asked" in body
    assert "Its file could not be loaded, so participants of this group do not see its questions" in body
    assert "An administrator can see exactly what is wrong" in body
    assert "colour" not in body and "checkin.yaml" not in body


def test_an_id_nothing_defines_is_explained(app) -> None:
    with app.app_context():
        db.session.query(GroupInstrument).update({"instrument_id": "gone"})
        db.session.commit()
    body = page_for(app, "coordinator", "HEALTHY2")
    assert "No instrument file or upload on this server has this id" in body


def test_a_healthy_group_shows_no_warning(app) -> None:
    assert "is not being asked" not in page_for(app, "coordinator", "HEALTHY2")
