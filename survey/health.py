"""GET /healthz: 200 when the database answers and takes writes, 503 when it does not.

The write probe is real: on SQLite it takes the write lock (BEGIN IMMEDIATE, with a short busy
timeout), checks the free space next to the database file (SURVEY_MIN_FREE_BYTES) and, at most once
a minute, checkpoints and truncates the WAL; on PostgreSQL it commits a transaction with an id
(`txid_current()`), which writes a commit record to the WAL. The body also says where rate-limit
counters live: "degraded" (still 200: answers are taken) while Redis is unreachable.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import rate_limits
from .extensions import db, limiter

bp = Blueprint("health", __name__)
CHECKPOINT_EVERY_SECONDS = 60.0
_last_checkpoint = {"at": 0.0}
_checkpoint_lock = threading.Lock()


@bp.get("/healthz")
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    """Report whether the app can reach its database and write to it, and the rate-limit counters."""
    counters = rate_limits.storage_state()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", writes="failing", rate_limits=counters), 503
    problem = write_problem()
    if problem:
        current_app.logger.error("Health check: writes failing: %s", problem)
        return jsonify(status="unavailable", database="ok", writes=f"failing: {problem}", rate_limits=counters), 503
    status = "degraded" if counters.startswith("in-process fallback") else "ok"
    return jsonify(status=status, database="ok", writes="ok", rate_limits=counters)


def write_problem() -> str:
    """Return why a write would fail now, or "" when the probe wrote."""
    try:
        if db.engine.dialect.name == "sqlite":
            return _sqlite_write_problem()
        with db.engine.begin() as connection:
            connection.execute(text("SELECT txid_current()"))
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return f"{type(cause).__name__}: {(str(cause).splitlines() or [''])[0][:200]}"
    return ""


def _sqlite_write_problem() -> str:
    path = db.engine.url.database or ""
    minimum = int(current_app.config["SURVEY_MIN_FREE_BYTES"])  # the WAL alone may reach 8 MB between checkpoints
    if path and path != ":memory:":
        free = shutil.disk_usage(Path(path).resolve().parent).free
        if free < minimum:
            return f"less than {minimum} bytes free next to the database ({free} bytes)"
    timeout_ms = int(current_app.config["SURVEY_HEALTH_WRITE_TIMEOUT"] * 1000)
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection  # no SQLAlchemy transaction: BEGIN is ours (database.py)
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout={timeout_ms}")
        try:
            raw.execute("BEGIN IMMEDIATE")  # the write lock, as a submission takes it
            raw.execute("ROLLBACK")
            _checkpoint_now_and_then(raw)
        except Exception as error:  # noqa: BLE001 (sqlite3's own errors: locked, read-only, I/O)
            return f"{type(error).__name__}: {str(error)[:200]}"
        finally:
            raw.execute("PRAGMA busy_timeout=30000")
    return ""


def _checkpoint_now_and_then(raw) -> None:  # type: ignore[no-untyped-def]
    """Checkpoint the WAL into the database and truncate it, at most once a minute per process."""
    with _checkpoint_lock:
        if time.monotonic() - _last_checkpoint["at"] < CHECKPOINT_EVERY_SECONDS:
            return
        _last_checkpoint["at"] = time.monotonic()
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
