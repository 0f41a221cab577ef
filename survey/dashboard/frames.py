"""A dashboard page kept as a frame: rendered once per key, the reader's own parts filled in per request.

Once a page's results are kept (memo.py), what is left of it per request is its header, filters
and waiting meetings, all following from the same key plus the reader's role and the release
check's waiting list, and three texts that are the reader's own: their e-mail, the form token of
the log-out button and, on the report, when it was generated. So the page is rendered once with a
placeholder at each of those (a slot), kept in the memo as the text between them, and each request
joins the pieces with its own values, escaped as the template escapes them: the same bytes as a
full render (tests/test_dashboard_frames.py compares them). A request with anything else of its
own (a flashed message, the admin's warning about open demo accounts) renders the whole page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from flask import render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from .. import access
from ..models import Group
from . import memo

# Control characters that no template writes and markupsafe leaves alone, around each slot's name.
SLOT = "\x1e{}\x1e"
EMAIL, CSRF, GENERATED = (SLOT.format(name) for name in ("email", "csrf", "generated"))
_SLOTS = re.compile("(\x1e(?:email|csrf|generated)\x1e)")


def render_page(
    template: str,
    group: Group | access.ReadGroup,
    name: str,
    extra: Hashable,
    context: Callable[[], dict[str, Any]],
    generated: str = "",
) -> str:
    """Render a dashboard page from its kept frame, or whole when the request has parts of its own.

    `extra` is what the page shows beyond memo.key (its waiting meetings); `context` gives the template's
    values, and is called only when the page is rendered (a kept frame needs none of them); `generated`,
    the report's moment of generation, is filled in per request like the reader's e-mail and form token.
    """
    values_once = functools.cache(context)  # the template's values, made at most once, and only if rendered
    if not frame_applies():
        return render_template(template, **values_once())
    key = (name, access.is_admin(), request.script_root, extra)
    pieces = memo.remembered(group, key, lambda: frame(template, values_once()), stored=True)
    if pieces is None:  # the page's own text holds a slot's mark: never kept as a frame
        return render_template(template, **values_once())
    values = {
        EMAIL: str(escape(current_user.email)),
        CSRF: str(escape(generate_csrf())),
        GENERATED: str(escape(generated)),
    }
    return fill(pieces, values)


def frame_applies() -> bool:
    """Tell whether this request's page differs from its frame only by the slots' values."""
    if "_flashes" in session:
        return False
    from ..coordinator import open_demo_logins  # the warning the layout shows an admin (one read, admins only)

    return not open_demo_logins()


def frame(template: str, context: dict[str, Any]) -> tuple[str, ...] | None:
    """Render the page with a mark at each slot and return the text split at them (slots at odd places), or
    None when the page's own text holds the mark character: then only a whole render is exact."""
    tokens: list[str] = []

    def token_mark() -> str:
        tokens.append(CSRF)
        return CSRF

    marks: dict[str, Any] = {"reader_email": EMAIL, "csrf_token": token_mark}
    if "facts" in context:
        marks["facts"] = replace(context["facts"], generated=GENERATED)
    pieces = tuple(_SLOTS.split(render_template(template, **{**context, **marks})))
    printed = {EMAIL: 1, CSRF: len(tokens), GENERATED: int("facts" in context)}  # the layout prints one e-mail
    slots = pieces[1::2]
    exact = "\x1e" not in "".join(pieces[0::2]) and all(slots.count(m) == n for m, n in printed.items())
    return pieces if exact else None


def fill(pieces: tuple[str, ...], values: dict[str, str]) -> str:
    """Join a frame's pieces, each slot (every other piece) replaced by this request's value."""
    return "".join(values[piece] if position % 2 else piece for position, piece in enumerate(pieces))
