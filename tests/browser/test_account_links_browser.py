"""Invitation and reset links in a real browser: an admin makes one, its owner sets a password in their language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.coordinator_support import add_user

from .conftest import axe_violations, describe
from .test_coordinator_a11y import TABLET, log_in

pytestmark = pytest.mark.browser

CHOSEN = "una frase larga y propia"


def set_password(page: Any, password: str) -> None:
    """Fill the link page's two password fields and send them."""
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("main button[type=submit]")


def test_an_invited_spanish_coordinator_sets_their_password_and_logs_in(live_server, new_context) -> None:
    base = live_server.url
    add_user(live_server.app, "admin@example.org", role="admin")
    admin = new_context(**TABLET, locale="en-US").new_page()
    log_in(admin, base, "admin@example.org")
    admin.goto(base + "/users/new")
    admin.fill("#email", "nueva@example.org")
    admin.click("main button[type=submit]")
    link = admin.input_value("#account-link")
    assert link.startswith(base + "/account/set-password?token=")
    assert axe_violations(admin) == [], describe(axe_violations(admin))

    invited = new_context(locale="es-ES").new_page()  # a phone that asks for Spanish
    invited.goto(link)
    assert invited.locator("h1").inner_text() == "Elija su contraseña"
    assert axe_violations(invited) == [], describe(axe_violations(invited))
    set_password(invited, "password1234")
    assert "de las más comunes" in invited.locator("#password-error").inner_text()
    set_password(invited, CHOSEN)
    invited.wait_for_url(base + "/login")
    assert "Su contraseña está guardada." in invited.locator(".messages").inner_text()
    invited.fill("#email", "nueva@example.org")
    invited.fill("#password", CHOSEN)
    invited.click("main button[type=submit]")
    invited.wait_for_url(base + "/groups")

    again = new_context(locale="es-ES").new_page()
    response = again.goto(link)
    assert response is not None and response.status == 410
    assert "Este enlace ya se ha usado." in again.locator("main").inner_text()


def test_a_reset_link_made_by_an_admin_replaces_the_password(live_server, new_context) -> None:
    base = live_server.url
    add_user(live_server.app, "admin@example.org", role="admin")
    coordinator_id = add_user(live_server.app, "ana@example.org")
    admin = new_context(**TABLET, locale="en-US").new_page()
    log_in(admin, base, "admin@example.org")
    admin.goto(f"{base}/users/{coordinator_id}")
    admin.click("text=Make a reset link")
    link = admin.input_value("#account-link")
    owner = new_context(locale="en-US").new_page()
    owner.goto(link)
    set_password(owner, "a new passphrase of mine")
    owner.wait_for_url(base + "/login")
    owner.fill("#email", "ana@example.org")
    owner.fill("#password", "a new passphrase of mine")
    owner.click("main button[type=submit]")
    owner.wait_for_url(base + "/groups")
