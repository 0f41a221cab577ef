"""GET /healthz: 200 when the database answers and takes writes, 503 when it does not.

The body also says where rate-limit counters live; "degraded" (still 200: answers are taken) while
Redis is unreachable and each process counts on its own.
"""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import rate_limits
from .extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    """Report whether the app can reach its database, and the state of the rate-limit counters."""
    counters = rate_limits.storage_state()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", rate_limits=counters), 503
    status = "degraded" if counters.startswith("in-process fallback") else "ok"
    return jsonify(status=status, database="ok", rate_limits=counters)
