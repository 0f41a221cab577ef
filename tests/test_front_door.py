"""The site root, the links of every error page, and the favicon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .coordinator_support import add_user, log_in_as

ROOT = Path(__file__).resolve().parent.parent


def status_of(client, url: str) -> int:  # type: ignore[no-untyped-def]
    """GET url and close the response (static files are streamed from an open file)."""
    response = client.get(url)
    response.close()
    return response.status_code


def test_root_sends_visitors_to_the_login_and_participants_to_the_qr_code(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/login"' in page
    assert "QR code" in page


def test_root_redirects_a_logged_in_coordinator_to_their_groups(app) -> None:
    user = add_user(app, "front@example.org")
    client = app.test_client()
    log_in_as(client, app, user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.endswith("/groups")


@pytest.mark.parametrize("path", ["/no-such-page", "/s/NOSUCHGROUP"])
def test_every_link_on_an_error_page_exists(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    links = re.findall(r'href="([^"#]+)"', response.get_data(as_text=True))
    assert links
    for link in links:
        if link.split("?")[0] == path:
            continue  # the language switch: this same page in another language
        assert status_of(client, link) == 200, link


def test_error_templates_never_link_to_a_hard_coded_path() -> None:
    for template in (ROOT / "templates" / "errors").glob("*.html"):
        assert re.findall(r'href="/', template.read_text()) == [], template.name


def test_favicon_ico_is_served(client) -> None:
    response = client.get("/favicon.ico")
    response.close()
    assert response.status_code == 200
    assert response.mimetype.startswith("image/")


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/s/NOSUCHGROUP"])
def test_every_page_names_a_favicon_that_resolves(client, path) -> None:
    page = client.get(path).get_data(as_text=True)
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)
    assert icon, path
    assert status_of(client, icon.group(1)) == 200


def test_poster_names_a_favicon(app) -> None:
    from .coordinator_support import add_group

    add_group(app, "FRONT1")
    user = add_user(app, "poster@example.org", role="admin")
    client = app.test_client()
    log_in_as(client, app, user)
    assert '<link rel="icon"' in client.get("/groups/FRONT1/poster").get_data(as_text=True)
