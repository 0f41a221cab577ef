"""The current app, request and request globals themselves, for code that runs on every participant request.

Flask's `current_app`, `request` and `g` are werkzeug LocalProxy objects. Reading an attribute
through one (`request.args`, `current_app.config`, `g.get`) first fails the ordinary attribute
lookup on the proxy, which raises and catches an AttributeError before the proxy's `__getattr__`
finds the object: about 0.8 us each, against 0.14 us for the object itself (measured), and a
participant's whole submission made about a hundred such reads in this app's own code. Taking the
object once per call (LocalProxy's documented `_get_current_object`) and reading from it gives the
same values. Outside the hot paths the proxies are simpler to read and stay.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, current_app, g, request


def app() -> Flask:
    """Return the app of the current app context.

    :raises RuntimeError: outside an app context (as current_app does).
    """
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def this_request() -> Request:
    """Return the request of the current request context.

    :raises RuntimeError: outside a request context (as request does).
    """
    return request._get_current_object()  # type: ignore[attr-defined,no-any-return]


def request_globals() -> Any:
    """Return the current app context's `g` (flask.ctx._AppCtxGlobals).

    :raises RuntimeError: outside an app context (as g does).
    """
    return g._get_current_object()
