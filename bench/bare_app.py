"""The baseline of bench/throughput.py: a bare Flask app doing one INSERT per POST and one SELECT per thank-you.

It serves the same kind of form (GET /s/<code> with a signed token and seven questions), on
POST checks the token's signature and stores the raw answers with one INSERT, and its thank-you
page (the POST's 303) reads them back with one SELECT and shows them, on the same
database with the same settings as the real app (SQLite: WAL, busy timeout, BEGIN IMMEDIATE and
SURVEY_SQLITE_SYNCHRONOUS, FULL by default; PostgreSQL: a pooled psycopg connection), behind the
same gunicorn configuration. Run: gunicorn -c gunicorn.conf.py 'bench.bare_app:create_app()'.
"""

from __future__ import annotations

import html
import os

from flask import Flask, abort, redirect, request
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

QUESTIONS = {
    "q1": range(0, 11),
    "q2": range(0, 11),
    "q3": range(0, 11),
    "q4": range(1, 6),
    "q5": range(1, 6),
    "q6": range(1, 6),
    "q7": range(1, 6),
}
SELECT = text("SELECT answers FROM bare_responses WHERE token = :token")
CREATE = "CREATE TABLE IF NOT EXISTS bare_responses (token VARCHAR(64) PRIMARY KEY, answers TEXT NOT NULL)"


def make_engine(url: str) -> Engine:
    """Return an engine with the real app's SQLite settings (or plain pooled PostgreSQL)."""
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})
    synchronous = os.environ.get("SURVEY_SQLITE_SYNCHRONOUS", "FULL").upper()
    assert synchronous in {"FULL", "NORMAL", "EXTRA"}

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", f"synchronous={synchronous}"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_app() -> Flask:
    """Build the bare app on DATABASE_URL."""
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text(CREATE))
    signer = URLSafeTimedSerializer(os.environ["SECRET_KEY"], salt="bare")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.get("/s/<code>")
    def form(code: str) -> str:
        token = signer.dumps({"n": os.urandom(16).hex()})
        questions = "".join(
            f"<fieldset><legend>{name}</legend>"
            + "".join(f'<label><input type="radio" name="{name}" value="{v}">{v}</label>' for v in values)
            + "</fieldset>"
            for name, values in QUESTIONS.items()
        )
        return (
            f'<!doctype html><title>Survey</title><form id="survey-form" method="post" action="/s/{code}">'
            f'<input type="hidden" name="form_token" value="{token}">{questions}<button>Send</button></form>'
        )

    @app.post("/s/<code>")
    def submit(code: str):  # type: ignore[no-untyped-def]
        try:
            nonce = signer.loads(request.form["form_token"], max_age=7 * 86400)["n"]
        except (BadData, KeyError):
            abort(400)
        answers = "&".join(f"{name}={request.form.get(name, '')}" for name in QUESTIONS)
        insert = text("INSERT INTO bare_responses (token, answers) VALUES (:token, :answers) ON CONFLICT DO NOTHING")
        with engine.begin() as connection:
            connection.execute(insert, {"token": nonce, "answers": answers})
        return redirect(f"/s/{code}/thanks/{nonce}", 303)

    @app.get("/s/<code>/thanks/<nonce>")
    def thanks(code: str, nonce: str) -> str:
        with engine.connect() as connection:
            answers = connection.execute(SELECT, {"token": nonce}).scalar()
        if answers is None:
            abort(404)
        return f"<!doctype html><title>Thank you</title><h1>Thank you</h1><p>{html.escape(answers)}</p>"

    return app


if __name__ == "__main__":
    print("bench/bare_app.py is served by bench/throughput.py through gunicorn; nothing to run alone.")
