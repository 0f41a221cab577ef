"""Dashboard pages and endpoints: access, filters in the URL, empty states, the bundled plotly.js."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version

from survey.config import PROJECT_ROOT

from .dashboard_support import MONDAY, add_group, add_responses, add_user, craving, log_in


@pytest.fixture
def seeded(app):
    with app.app_context():
        group = add_group("GRPA", k=3)
        for n in range(4):
            add_responses(group, MONDAY + dt.timedelta(weeks=n), craving([2, 3, 4, 5]))
        add_group("GRPB", k=3)
    return app


def login_as(app, client, role="admin", groups=None):
    with app.app_context():
        from survey.extensions import db
        from survey.models import Group

        memberships = {db.session.query(Group).filter_by(code=c).one(): a for c, a in (groups or {}).items()}
        log_in(client, app, add_user(role, memberships))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("grain=fortnight", "Unknown grain 'fortnight'"),
        ("instrument=nope", "Unknown instrument 'nope'"),
        ("lang=xx", "Unknown lang 'xx'"),
        ("from=2026-13-01", "'from' must be a date"),
        ("from=2026-02-01&to=2026-01-01", "is after the end date"),
        ("colour=red", "Unknown filter 'colour'"),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/groups/GRPA/dashboard",
        "/groups/GRPA/dashboard/participation.json",
        "/groups/GRPA/dashboard/trend/checkin/craving.json",
    ],
)
def test_bad_filters_are_400_with_a_message(seeded, client, path, query, message) -> None:
    login_as(seeded, client)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize(
    "path",
    [
        "/groups/GRPA/dashboard/trend/checkin/nope.json",
        "/groups/GRPA/dashboard/trend/nope/craving.json",
        "/groups/NOPE/dashboard",
        "/groups/NOPE/dashboard/participation.json",
    ],
)
def test_unknown_group_or_scale_is_404(seeded, client, path) -> None:
    login_as(seeded, client)
    assert client.get(path).status_code == 404


def test_coordinator_sees_only_their_groups(seeded, client) -> None:
    login_as(seeded, client, "coordinator", {"GRPB": "viewer"})
    assert client.get("/groups/GRPA/dashboard").status_code == 404
    assert client.get("/groups/GRPA/dashboard/export.csv").status_code == 404
    assert client.get("/groups/GRPB/dashboard").status_code == 200


def test_logged_out_visitors_do_not_get_data(seeded, client) -> None:
    response = client.get("/groups/GRPA/dashboard/trend/checkin/craving.json")
    assert response.status_code in (302, 401)


def test_filters_round_trip_through_the_url(seeded, client) -> None:
    login_as(seeded, client)
    page = client.get("/groups/GRPA/dashboard?grain=week&lang=en&instrument=checkin&from=2026-01-01").get_data(
        as_text=True
    )
    assert "trend/checkin/craving.json?from=2026-01-01&amp;instrument=checkin&amp;lang=en&amp;grain=week" in page
    body = client.get("/groups/GRPA/dashboard/trend/checkin/craving.json?grain=week&from=2026-01-12").get_json()
    assert [p["start"] for p in body["data"]] == ["2026-01-12", "2026-01-19", "2026-01-26"]


def test_group_without_responses_shows_how_to_start(seeded, client) -> None:
    login_as(seeded, client)
    response = client.get("/groups/GRPB/dashboard")
    assert response.status_code == 200
    assert "No responses yet" in response.get_data(as_text=True)


def test_dashboard_page_has_no_inline_script_and_loads_local_plotly(seeded, client) -> None:
    login_as(seeded, client)
    page = client.get("/groups/GRPA/dashboard").get_data(as_text=True)
    assert "<script>" not in page and "cdn.plot.ly" not in page
    assert "vendor/plotly" in page and 'data-figure-src="/groups/GRPA/dashboard/trend/checkin/craving.json' in page


def test_plotly_only_on_dashboard_pages(seeded, client) -> None:
    login_as(seeded, client)
    assert "vendor/plotly" not in client.get("/groups").get_data(as_text=True)


def test_bundled_plotly_matches_the_python_package() -> None:
    head = (Path(PROJECT_ROOT) / "static" / "vendor" / "plotly.min.js").read_text(encoding="utf-8")[:200]
    assert f"plotly.js v{get_plotlyjs_version()}" in head


def test_plotly_css_is_extracted_from_the_bundled_version() -> None:
    css = (Path(PROJECT_ROOT) / "static" / "dashboard" / "plotly.css").read_text(encoding="utf-8")
    assert ".js-plotly-plot .plotly .modebar{" in css


def test_plotly_is_served_with_a_year_long_cache(seeded, client) -> None:
    login_as(seeded, client)
    page = client.get("/groups/GRPA/dashboard").get_data(as_text=True)
    src = page.split('<script src="', 1)[1].split('"', 1)[0]
    assert "vendor/plotly" in src
    with client.get(src) as response:  # WhiteNoise streams the file: close it
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers.get("Cache-Control", "")


def test_views_and_exports_read_only_the_suppressed_layer() -> None:
    # One door to the answers: only the privacy layer's read side (published.py) imports queries.py,
    # so a new view module cannot read raw rows or unsuppressed cells.
    folder = Path(PROJECT_ROOT) / "survey" / "dashboard"
    doors = {"queries.py", "published.py"}
    for path in sorted(folder.glob("*.py")):
        if path.name not in doors:
            source = path.read_text(encoding="utf-8")
            assert "queries" not in source and "suppress_hierarchy" not in source, path.name


def test_dashboard_pages_keep_the_strict_style_policy(seeded, client) -> None:
    login_as(seeded, client)
    policy = client.get("/groups/GRPA/dashboard").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_plotly_style_injections_are_pre_empted(seeded, client) -> None:
    # plotly.js skips injecting a <style> (blocked by the CSP) when these elements already exist.
    bundle = (Path(PROJECT_ROOT) / "static" / "vendor" / "plotly.min.js").read_text(encoding="utf-8")
    login_as(seeded, client)
    page = client.get("/groups/GRPA/dashboard").get_data(as_text=True)
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in page
    for marker in set(re.findall(r'getElementById\("([0-9a-f]{64})"\)', bundle)):
        assert f'id="{marker}"' in page
