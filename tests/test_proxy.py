"""X-Forwarded headers are trusted only for the configured number of proxies."""

from __future__ import annotations

import pytest
from flask import request

from survey.extensions import _client_address


def echo_client(app):
    """Add a route that reports what the app believes about the client."""
    app.add_url_rule("/_client", "client", lambda: {"key": _client_address(), "secure": request.is_secure})
    return app.test_client()


@pytest.mark.parametrize(
    ("hops", "expected_key", "expected_secure"), [(0, "10.0.0.1", False), (1, "198.51.100.7", True)]
)
def test_forwarded_headers_trusted_only_behind_configured_proxies(
    make_app, hops, expected_key, expected_secure
) -> None:
    client = echo_client(make_app(SURVEY_PROXY_HOPS=hops))
    response = client.get(
        "/_client",
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
    )
    assert response.get_json() == {"key": expected_key, "secure": expected_secure}


def test_proxy_hops_from_the_environment_string(make_app) -> None:
    client = echo_client(make_app(SURVEY_PROXY_HOPS="1"))
    response = client.get(
        "/_client", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert response.get_json()["key"] == "203.0.113.9"


def test_negative_proxy_hops_is_refused(make_app) -> None:
    with pytest.raises(ValueError, match="SURVEY_PROXY_HOPS"):
        make_app(SURVEY_PROXY_HOPS=-1)
