"""The audit log: who did what and when (logins, user and group changes, exports, deletions)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Select, func, select

from .extensions import db
from .models import AuditEvent


def record(action: str, target: str = "", detail: str = "", actor_email: str | None = None) -> AuditEvent:
    """Add an audit event for the current user (or the given e-mail) to the session; the caller commits."""
    authenticated = bool(getattr(current_user, "is_authenticated", False))
    event = AuditEvent(
        actor_id=current_user.id if authenticated else None,
        actor_email=actor_email if actor_email is not None else (current_user.email if authenticated else ""),
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    return event


def events_query(action: str = "", actor: str = "") -> Select[AuditEvent]:
    """Select audit events, newest first, with this exact action and an actor e-mail containing `actor`."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(func.lower(AuditEvent.actor_email).contains(actor.strip().lower(), autoescape=True))
    return query


def recorded_actions() -> list[str]:
    """Return every action name present in the log, for the filter's choices."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
