"""Admins are warned while the demo accounts, whose passwords the README publishes, are open outside development."""

from __future__ import annotations

from sqlalchemy import update

from survey import demo
from survey.extensions import db
from survey.models import User

from .coordinator_support import add_user, log_in_as, password_hash

WARNING = "Demo accounts are open on this site."


def seed_demo_accounts(app) -> None:
    with app.app_context():
        demo._seed_accounts()
        db.session.commit()


def page_as(app, role: str) -> str:
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=f"real-{role}@example.org"))
    log_in_as(client, app, user.id if user else add_user(app, f"real-{role}@example.org", role=role))
    return client.get("/groups").get_data(as_text=True)


def test_admin_is_warned_while_demo_accounts_keep_their_published_passwords(app) -> None:
    seed_demo_accounts(app)
    body = page_as(app, "admin")
    assert WARNING in body
    assert "The accounts demo-coordinator@example.org, demo-admin@example.org still have the passwords" in body
    assert 'href="/users"' in body


def test_coordinators_never_see_the_warning(app) -> None:
    seed_demo_accounts(app)
    assert WARNING not in page_as(app, "coordinator")


def test_the_warning_ends_when_each_account_is_disabled_or_its_password_changed(app) -> None:
    seed_demo_accounts(app)
    with app.app_context():
        db.session.execute(update(User).filter_by(email="demo-admin@example.org").values(password_hash=password_hash()))
        db.session.commit()
    body = page_as(app, "admin")
    assert "The account demo-coordinator@example.org still has the password" in body
    with app.app_context():
        db.session.execute(update(User).filter_by(email="demo-coordinator@example.org").values(is_active_account=False))
        db.session.commit()
    assert WARNING not in page_as(app, "admin")


def test_no_warning_without_demo_accounts(app) -> None:
    assert WARNING not in page_as(app, "admin")


def test_no_warning_in_development_where_the_demo_is_the_point(make_app) -> None:
    app = make_app(DEBUG=True)
    seed_demo_accounts(app)
    assert app.config["SURVEY_DEVELOPMENT"] is True
    assert WARNING not in page_as(app, "admin")
