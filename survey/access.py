"""Who may see and change which group: the one place every coordinator view asks.

Admins see and manage every group. A coordinator sees only the groups they are a member of,
as manager (may change) or viewer (reads dashboards only). A group outside a coordinator's
reach answers 404, exactly like a group that does not exist, so codes cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from .extensions import db
from .groups import find_group
from .models import Group, Membership, User

Need = Literal["view", "manage"]
P = ParamSpec("P")
R = TypeVar("R")


def is_admin(user: User | None = None) -> bool:
    """Tell whether the (current) user is an active admin."""
    user = user or current_user
    return bool(getattr(user, "is_authenticated", False)) and user.role == "admin"


def visible_groups_query(user: User, need: Need = "view", include_archived: bool = False) -> Select[Any]:
    """Select the groups this user may see (or manage), ordered by name."""
    query = select(Group).order_by(Group.name)
    if not include_archived:
        query = query.where(Group.archived_at.is_(None))
    if user.role == "admin":
        return query
    membership = select(Membership.group_id).where(Membership.user_id == user.id)
    if need == "manage":
        membership = membership.where(Membership.access == "manager")
    return query.where(Group.id.in_(membership))


def visible_groups(user: User | None = None, need: Need = "view", include_archived: bool = False) -> list[Group]:
    """Return the groups the (current) user may see or manage."""
    user = user or current_user
    return list(db.session.scalars(visible_groups_query(user, need, include_archived)))


def access_level(user: User, group: Group) -> str | None:
    """Return "manage", "view" or None for this user on this group."""
    if user.role == "admin":
        return "manage"
    membership = db.session.get(Membership, (user.id, group.id))
    if membership is None:
        return None
    return "manage" if membership.access == "manager" else "view"


def group_or_404(code: str, need: Need = "view") -> Group:
    """Return the group with this code if the current user may reach it.

    :raises NotFound: when the group does not exist or is outside the user's groups.
    :raises Forbidden: when a viewer asks to change it.
    """

    group = find_group(code)
    if group is None:
        abort(404)
    level = access_level(current_user, group)
    if level is None:
        abort(404)
    if need == "manage" and level != "manage":
        abort(403)
    return group


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Let only logged-in admins through; others get 403 (or the login page when logged out)."""

    @login_required
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not is_admin():
            abort(403)
        return view(*args, **kwargs)

    return wrapper
