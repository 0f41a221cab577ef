"""Who may see and change which group: the one place every coordinator view asks.

Admins see and manage every group. A coordinator sees only the groups they are a member of,
as manager (may change) or viewer (reads dashboards only). A group outside a coordinator's
reach answers 404, exactly like a group that does not exist, so codes cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, and_, bindparam, select

from .database import request_reads
from .extensions import db
from .groups import find_group, normalise_code
from .models import Group, GroupInstrument, Membership, ReleaseState, User

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
    membership = None if user.role == "admin" else db.session.get(Membership, (user.id, group.id))
    return level_of(user.role, membership.access if membership is not None else None)


def level_of(role: str, membership: str | None) -> str | None:
    """Return "manage", "view" or None for an account's role and its membership of a group (None: not a member)."""
    if role == "admin":
        return "manage"
    if membership is None:
        return None
    return "manage" if membership == "manager" else "view"


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


@dataclass(frozen=True)
class ReadGroup:
    """A group as a dashboard request reads it: its settings (as Group's columns), the questionnaires it asks
    and its publication stamp, from one plain read together with the reader's membership."""

    id: int
    name: str
    code: str
    default_locale: str
    single_language: bool
    timezone: str
    min_group_size: int
    is_open: bool
    archived_at: dt.datetime | None
    created_at: dt.datetime
    instrument_ids: tuple[str, ...]  # in order
    publication: tuple[Hashable, ...]  # when its cells were last published, then the asked questionnaires


_groups, _members = Group.__table__, Membership.__table__
_asked, _states = GroupInstrument.__table__, ReleaseState.__table__
# One row per asked questionnaire (one of NULLs when none), each carrying the group and the reader's access.
_READ_GROUP = (
    select(*_groups.c, _members.c.access, _states.c.audited_at, _asked.c.instrument_id)
    .select_from(_groups)
    .outerjoin(_members, and_(_members.c.group_id == _groups.c.id, _members.c.user_id == bindparam("user_id")))
    .outerjoin(_states, _states.c.group_id == _groups.c.id)
    .outerjoin(_asked, _asked.c.group_id == _groups.c.id)
    .where(_groups.c.code == bindparam("code"))
    .order_by(_asked.c.position)
)
_COLUMNS = [column.key for column in _groups.c]


def readable_group(code: str) -> ReadGroup:
    """Return the group with this code for a dashboard request, if the current user may see it (one read).

    The same rule as group_or_404(code): admins see every group, a coordinator only their groups.

    :raises NotFound: when the group does not exist or is outside the user's groups.
    """
    if "\x00" in code:  # as find_group: PostgreSQL refuses NUL in a parameter
        abort(404)
    parameters = {"code": normalise_code(code), "user_id": current_user.id}
    rows = request_reads().execute(_READ_GROUP, parameters).all()
    if not rows or level_of(current_user.role, rows[0].access) is None:
        abort(404)
    return _read_group(rows)


def group_for_publication(code: str) -> ReadGroup | None:
    """Return the group with this code as a dashboard request reads it, for nobody in particular: only for
    building its default views after a publication (survey/dashboard/prebuilt.py), never for a reader."""
    rows = request_reads().execute(_READ_GROUP, {"code": code, "user_id": None}).all()
    return _read_group(rows) if rows else None


def _read_group(rows: Sequence[Any]) -> ReadGroup:
    """Return the ReadGroup the rows of _READ_GROUP describe (one per asked questionnaire)."""
    first = rows[0]._mapping
    asked = tuple(row.instrument_id for row in rows)
    return ReadGroup(
        **{name: first[name] for name in _COLUMNS},
        instrument_ids=tuple(iid for iid in asked if iid is not None),
        publication=(first["audited_at"], *asked),
    )
