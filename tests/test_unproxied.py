"""survey.unproxied returns the very objects Flask's proxies stand for, and fails where they fail."""

from __future__ import annotations

import pytest
from flask import Flask, current_app, g, request

from survey import unproxied


def test_the_objects_behind_the_proxies(app: Flask) -> None:
    with app.test_request_context("/s/ABC?lang=es", method="POST", data={"lang": "en"}):
        assert unproxied.app() is current_app._get_current_object()  # type: ignore[attr-defined]
        assert unproxied.this_request() is request._get_current_object()  # type: ignore[attr-defined]
        assert unproxied.request_globals() is g._get_current_object()
        g.marker = "kept"
        assert unproxied.request_globals().get("marker") == "kept"
        assert unproxied.this_request().args["lang"] == "es" and unproxied.this_request().form["lang"] == "en"


def test_outside_a_context_as_the_proxies() -> None:
    for read in (unproxied.app, unproxied.this_request, unproxied.request_globals):
        with pytest.raises(RuntimeError):
            read()
