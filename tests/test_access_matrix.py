"""Every logged-in route × every kind of visitor, derived from the app's URL map.

A new route under the coordinator, dashboard, auth or admin paths is picked up automatically and
must answer as its kind requires: logged out -> the login page; a group outside one's reach -> 404;
a viewer asking to change a group -> 403; a coordinator on an admin page -> 403; otherwise 200.
A route that needs a URL parameter this file does not know fails loudly: add it to PARAMS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from survey import create_app
from survey.catalog import registry

from .conftest import BASE_CONFIG
from .coordinator_support import add_group, add_user, log_in_as

CHECKED_PREFIXES = ("coordinator.", "dashboard.", "auth.", "retention.")
CHECKED_PATHS = ("/groups", "/users", "/dashboard", "/instruments", "/audit", "/account", "/admin", "/logout")
# Public by design: the login page, and the page of a signed invitation or reset link (its token is the key).
PUBLIC = {"auth.login", "auth.set_password_by_link"}
# Pages only admins may open, whatever group a coordinator has.
ADMIN_ONLY = {
    "coordinator.users",
    "coordinator.user_new",
    "coordinator.user_edit",
    "coordinator.user_reset_password",
    "coordinator.user_reset_link",
    "coordinator.user_set_active",
    "coordinator.audit_log",
    "coordinator.instrument_upload",
    "retention.purge",
    "dashboard.responses_csv",
    "dashboard.codebook_csv",
}
# Group routes that accept POST but change nothing, so viewers may use them (none so far).
VIEWER_MAY_POST: set[str] = set()
GROUP = "MATRIXG2"
OTHER_GROUP = "OTHERGR2"
ROLES = ("logged_out", "other_coordinator", "viewer", "manager", "admin")


def checked_rules(app: Flask) -> list[Rule]:
    """Return every rule that must check who is asking."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint not in PUBLIC
            and (rule.endpoint.startswith(CHECKED_PREFIXES) or rule.rule.startswith(CHECKED_PATHS))
        ),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def cases() -> list[Any]:
    """One case per (rule, method, role); built from a throwaway app's URL map at collection time."""
    app = create_app({**BASE_CONFIG, "DATABASE_URL": "sqlite://"})
    found = []
    for rule in checked_rules(app):
        for method in sorted({"GET", "POST"} & (rule.methods or set())):
            for role in ROLES:
                found.append(
                    pytest.param(
                        rule.endpoint, rule.rule, method, role, id=f"{rule.endpoint}-{rule.rule}-{method}-{role}"
                    )
                )
    return found


CASES = cases()


def scale_of_checkin() -> str:
    """Return a scale id of the check-in instrument."""
    instrument = registry().get("checkin")
    assert instrument is not None and instrument.scales
    return instrument.scales[0].id


# URL parameter name -> how to fill it from the fixture world.
PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "code": lambda world: GROUP,
    "user_id": lambda world: world["target_user"],
    "instrument_id": lambda world: "checkin",
    "scale_id": lambda world: scale_of_checkin(),
}


def build_url(app: Flask, rule_text: str, world: dict[str, Any]) -> str:
    """Fill the rule's parameters by name; an unknown name fails the test loudly."""
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
    values = {}
    for name in rule.arguments:
        if name not in PARAMS:
            pytest.fail(
                f"{rule.endpoint} ({rule.rule}) has a parameter {name!r} this matrix cannot fill: "
                "add it to PARAMS in tests/test_access_matrix.py"
            )
        with app.app_context():
            values[name] = PARAMS[name](world)
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def expected(app: Flask, endpoint: str, rule_text: str, method: str, role: str) -> str:
    """Return the outcome a visitor of this role must get: login, 404, 403 or ok."""
    if role == "logged_out":
        return "login"
    if role == "admin":
        return "ok"
    if endpoint in ADMIN_ONLY:
        return "403"
    if "<code>" not in rule_text:
        return "ok"
    if role == "other_coordinator":
        return "404"
    changes = method == "POST" or "POST" in methods_of(app, endpoint, rule_text)
    if role == "viewer" and changes and endpoint not in VIEWER_MAY_POST:
        return "403"
    return "ok"


def methods_of(app: Flask, endpoint: str, rule_text: str) -> set[str]:
    """Return the methods a rule accepts."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    return set(rule.methods or ())


@pytest.fixture
def world(make_app) -> dict[str, Any]:
    """Two groups; a manager and a viewer of one, a coordinator of the other, an admin, and a target account."""
    app = make_app(WTF_CSRF_ENABLED=False)
    add_group(app, GROUP, "Matrix group")
    add_group(app, OTHER_GROUP, "Other group")
    return {
        "app": app,
        "admin": add_user(app, "admin@example.org", role="admin"),
        "manager": add_user(app, "manager@example.org", groups={GROUP: "manager"}),
        "viewer": add_user(app, "viewer@example.org", groups={GROUP: "viewer"}),
        "other_coordinator": add_user(app, "other@example.org", groups={OTHER_GROUP: "manager"}),
        "target_user": add_user(app, "target@example.org", groups={OTHER_GROUP: "viewer"}),
    }


def test_the_matrix_covers_the_coordinator_routes() -> None:
    endpoints = {case.values[0] for case in CASES}
    assert {
        "coordinator.groups",
        "coordinator.group",
        "coordinator.group_now_count",
        "auth.logout",
        "coordinator.users",
        "coordinator.audit_log",
        "coordinator.instrument_upload",
    } <= endpoints
    assert "auth.login" not in endpoints and not any(e.startswith("participant.") for e in endpoints)


def access_problem(world: dict[str, Any], endpoint: str, rule_text: str, method: str, role: str) -> str | None:
    """Request the route as this role; return what is wrong with the answer, or None."""
    app = world["app"]
    client = app.test_client()
    if role != "logged_out":
        log_in_as(client, app, world[role])
    response = client.open(build_url(app, rule_text, world), method=method)
    outcome = expected(app, endpoint, rule_text, method, role)
    status, location = response.status_code, response.headers.get("Location", "")
    if outcome == "login":
        good = status == 302 and location.startswith("/login?next=")
    elif outcome in ("403", "404"):
        good = status == int(outcome)
    elif method == "GET":
        good = status == 200
    else:  # a POST with an empty form: done (redirect) or refused for its content, never for access
        good = status in (200, 302, 303, 400) and not location.startswith("/login?next=")
    return None if good else f"{role} {method} {rule_text}: expected {outcome}, got {status} {location}".strip()


@pytest.mark.parametrize(("endpoint", "rule_text", "method", "role"), CASES)
def test_access(world, endpoint, rule_text, method, role) -> None:
    assert access_problem(world, endpoint, rule_text, method, role) is None


def test_a_route_without_checks_fails_the_matrix(world) -> None:
    app = world["app"]
    app.add_url_rule("/groups/<code>/leak", "coordinator.leak", lambda code: "answers of " + code)
    assert "coordinator.leak" in {rule.endpoint for rule in checked_rules(app)}
    for role in ("logged_out", "other_coordinator"):
        assert access_problem(world, "coordinator.leak", "/groups/<code>/leak", "GET", role) is not None


def test_an_unknown_url_parameter_fails_loudly(world) -> None:
    app = world["app"]
    app.add_url_rule("/groups/<code>/x/<mystery>", "coordinator.mystery", lambda code, mystery: "")
    with pytest.raises(pytest.fail.Exception, match="parameter 'mystery'"):
        build_url(app, "/groups/<code>/x/<mystery>", world)
