"""The default dashboard views, built once after a publication and stored for every app server.

The default views are the group's pages and JSON documents without a query string (dashboard, questions,
comments, report; participation, questions, engagement, reliability, change) and every JSON document those
pages load (their data-figure-src, which carry the grain shown and the period), in each interface language,
for an admin and for a coordinator (a page's frame differs by the reader's role only). Each is built by
its own view (views.SHOWN: what a request runs once its access and release check are done) in a request
made up for it: its address, the language as the browser's, and a reader with no e-mail (the frames'
slots keep the reader's own texts out). What memo.remembered keeps in that request is what
survey/release/stored_views.py stores, so a stored view is what a fresh process would build.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import time
from collections.abc import Hashable, Iterable

from flask import Flask, request
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from .. import access, catalog, i18n
from ..accounts import Reader
from ..database import request_reads
from ..models import Group
from ..release import stored_views
from . import memo, views

PAGES = ("dashboard.group", "dashboard.items", "dashboard.comments", "dashboard.report")
DOCUMENTS = (
    "dashboard.participation_json",
    "dashboard.items_json",
    "dashboard.engagement_json",
    "dashboard.reliability_json",
    "dashboard.change_json",
)
ROLES = ("admin", "coordinator")
_FIGURE_SRC = re.compile(r'data-figure-src="([^"]+)"')
Entry = tuple[tuple[Hashable, ...], object]
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Build and store the default views of every group this app publishes, once each publication commits."""
    app.extensions[stored_views.BUILDER] = functools.partial(build_and_store, app)


def build_and_store(app: Flask, group_ids: Iterable[int]) -> None:
    """Build the groups' default views and store those still of the groups' current publication."""
    for group_id in sorted(group_ids):
        started = time.perf_counter()
        entries = default_views(app, group_id)
        with app.app_context():
            stored = stored_views.write(group_id, entries)
        log.info("group %s: %s dashboard views stored in %.2f s", group_id, stored, time.perf_counter() - started)


def default_views(app: Flask, group_id: int) -> list[Entry]:
    """Return (memo key without the day, value) of everything the group's default views keep."""
    with app.app_context():
        row = request_reads().execute(Group.__table__.select().where(Group.id == group_id)).first()
        group = access.group_for_publication(row.code) if row else None  # read once: the same for every view
    if row is None or group is None:
        return []
    addresses = app.url_map.bind("localhost")
    pages, documents = ([addresses.build(e, {"code": row.code}) for e in names] for names in (PAGES, DOCUMENTS))
    root = str(app.config["APPLICATION_ROOT"]).rstrip("/")  # the pages' links carry it; a request's path does not
    entries: list[Entry] = []
    for locale in i18n.SUPPORTED_LOCALES:
        loaded = set(documents)
        for role in ROLES:
            for path in pages:
                page = _build(app, group, path, locale, role, entries)
                loaded.update(html.unescape(src).removeprefix(root) for src in _FIGURE_SRC.findall(page))
        for address in sorted(loaded):  # JSON is the same for every role
            _build(app, group, address, locale, ROLES[-1], entries)
    return entries


def _build(app: Flask, group: access.ReadGroup, address: str, locale: str, role: str, entries: list[Entry]) -> str:
    """Request one view of the group as a reader of this role and language would, add what it kept to `entries` and
    return its text (a refused view keeps nothing and returns "")."""
    with app.app_context(), app.test_request_context(address, headers={"Accept-Language": locale}):
        catalog.refresh_if_due()  # as before a request: the uploads' version, part of the key, read
        login_user(Reader(0, "", role, 0, None))
        kept: list[Entry] = []
        request.environ[memo.RECORDING] = kept
        rule, arguments = request.url_rule, dict(request.view_args or {})
        show = views.SHOWN.get(rule.endpoint) if rule is not None else None
        arguments.pop("code", None)  # the group was read once for every view (default_views)
        if show is None:
            return ""
        try:
            result = show(group, **arguments)
        except HTTPException as refused:  # refused views are never stored
            log.info("%s not stored: %s", address, refused)
            return ""
        entries += kept
        return result if isinstance(result, str) else ""
