"""Absolute links (group page, poster, QR codes) come from SURVEY_PUBLIC_URL, never from the Host header."""

from __future__ import annotations

import pytest

from survey.config import ConfigError, load_settings

from .coordinator_support import add_group, add_user, log_in_as

EVIL = "evil.example"


def get_with_forged_host(app, user: int, path: str):  # type: ignore[no-untyped-def]
    """GET path as the logged-in user, with `Host: evil.example` (a cookie-less client, so the jar cannot drop it)."""
    client = app.test_client()
    log_in_as(client, app, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    forged = app.test_client(use_cookies=False)
    return forged.get(path, headers={"Host": EVIL, "Cookie": f"{cookie.key}={cookie.value}"})


@pytest.fixture
def public_app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(SURVEY_PUBLIC_URL="https://survey.example.org/")
    add_group(app, "PUBL1")
    user = add_user(app, "admin@example.org", role="admin")
    return app, user


@pytest.mark.parametrize("path", ["/groups/PUBL1", "/groups/PUBL1/poster", "/groups/PUBL1/qr.svg"])
def test_links_use_the_public_url_not_the_host_header(public_app, path) -> None:
    app, user = public_app
    response = get_with_forged_host(app, user, path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert EVIL not in body
    assert "https://survey.example.org/s/PUBL1" in body


def test_png_qr_code_encodes_the_public_url(public_app) -> None:
    import segno

    app, user = public_app
    response = get_with_forged_host(app, user, "/groups/PUBL1/qr.png")
    assert response.status_code == 200
    expected = segno.make("https://survey.example.org/s/PUBL1", error="m", micro=False)
    wrong = segno.make(f"http://{EVIL}/s/PUBL1", error="m", micro=False)
    import io

    def png(code) -> bytes:  # type: ignore[no-untyped-def]
        out = io.BytesIO()
        code.save(out, kind="png", scale=20, border=4)
        return out.getvalue()

    assert response.data == png(expected)
    assert response.data != png(wrong)


def test_production_requires_a_public_url(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SURVEY_PUBLIC_URL"):
        load_settings(tmp_path, {}, {"SECRET_KEY": "a", "SURVEY_PARTICIPANT_CODE_KEY": "b"})


@pytest.mark.parametrize("value", ["survey.example.org", "ftp://x.example", "https://x.example/?q=1", "https://"])
def test_public_url_must_be_an_http_origin(tmp_path, value) -> None:
    with pytest.raises(ConfigError, match="SURVEY_PUBLIC_URL"):
        load_settings(tmp_path, {"TESTING": True, "SURVEY_PUBLIC_URL": value}, {})


def test_development_without_public_url_uses_the_request(make_app) -> None:
    app = make_app()
    add_group(app, "PUBL2")
    user = add_user(app, "dev@example.org", role="admin")
    client = app.test_client()
    log_in_as(client, app, user)
    assert "http://localhost/s/PUBL2" in client.get("/groups/PUBL2").get_data(as_text=True)
