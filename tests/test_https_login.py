"""Login over HTTPS with CSRF on, sending the headers Chromium sends under each page's referrer policy."""

from __future__ import annotations

import re

from tests.coordinator_support import PASSWORD, add_user

HTTPS = "https://localhost"


def test_a_browser_logs_in_over_https_with_csrf_on(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    add_user(app, "ana@example.org")
    client = app.test_client()
    page = client.get("/login", base_url=HTTPS)
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    headers = {"Origin": HTTPS, "Referer": f"{HTTPS}/login"}  # same-origin policy: Chromium sends both
    data = {"csrf_token": token, "email": "ana@example.org", "password": PASSWORD}
    response = client.post("/login", data=data, headers=headers, base_url=HTTPS)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_a_cross_origin_post_is_still_refused(make_app) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    add_user(app, "ana@example.org")
    client = app.test_client()
    page = client.get("/login", base_url=HTTPS)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    headers = {"Origin": "https://evil.example", "Referer": "https://evil.example/x"}
    data = {"csrf_token": token, "email": "ana@example.org", "password": PASSWORD}
    assert client.post("/login", data=data, headers=headers, base_url=HTTPS).status_code == 400
