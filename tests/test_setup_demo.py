"""`flask setup` seeds demo data (and its published logins) only with SURVEY_DEV=1 or --demo."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Group, User


def counts(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Group)),
            db.session.scalar(select(func.count()).select_from(User)),
        )


def test_setup_without_dev_or_flag_never_seeds_demo_accounts(app, monkeypatch) -> None:
    monkeypatch.delenv("SURVEY_DEV", raising=False)
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert counts(app) == (0, 0)
    assert "demo" not in result.output.lower()


def test_setup_seeds_demo_data_in_development(app, monkeypatch) -> None:
    monkeypatch.setenv("SURVEY_DEV", "1")
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert counts(app) == (2, 2)


def test_setup_with_the_demo_flag_seeds(app, monkeypatch) -> None:
    monkeypatch.delenv("SURVEY_DEV", raising=False)
    assert app.test_cli_runner().invoke(args=["setup", "--demo"]).exit_code == 0
    assert counts(app) == (2, 2)
