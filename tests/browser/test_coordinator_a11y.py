"""Coordinator pages in a real browser on a tablet: axe-core finds nothing, the keyboard works, the CSP holds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.coordinator_support import PASSWORD, add_user

from .conftest import axe_violations, describe, has_horizontal_scroll

pytestmark = pytest.mark.browser

TABLET: dict[str, Any] = {"viewport": {"width": 768, "height": 1024}, "is_mobile": False, "has_touch": True}
PAGES = (
    "/groups",
    "/groups?archived=1",
    "/groups/new",
    "/groups/BROWSEEN",
    "/groups/BROWSEEN/edit",
    "/groups/BROWSEEN/now",
    "/groups/BROWSEES/poster",
    "/groups/BROWSEES/poster?paper=letter",
    "/users",
    "/users/new",
    "/audit",
    "/instruments",
    "/instruments/checkin/preview?lang=es",
    "/account",
    "/account/password",
)


def log_in(page: Any, base: str, email: str) -> None:
    """Log in through the form with the keyboard only."""
    page.goto(base + "/login")
    page.keyboard.press("Tab")  # the skip link
    page.focus("#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/groups")


@pytest.fixture
def admin_page(live_server, new_context) -> Any:
    """A tablet page logged in as an admin."""
    add_user(live_server.app, "admin@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US").new_page()
    log_in(page, live_server.url, "admin@example.org")
    return page


def test_login_page_has_no_axe_violations(live_server, new_context) -> None:
    page = new_context(**TABLET, locale="en-US").new_page()
    page.goto(live_server.url + "/login")
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.click("button[type=submit]")  # empty form: per-field messages, still accessible
    assert page.locator(".error").count() == 2
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("path", PAGES)
def test_coordinator_page_has_no_axe_violations_on_a_tablet(live_server, admin_page, path) -> None:
    response = admin_page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    violations = axe_violations(admin_page)
    assert violations == [], describe(violations)
    assert not has_horizontal_scroll(admin_page)


def test_group_form_errors_are_accessible_and_keep_input(live_server, admin_page) -> None:
    admin_page.goto(live_server.url + "/groups/new")
    admin_page.fill("#name", "Kept name")
    admin_page.fill("#min_group_size", "1")
    admin_page.click("button.primary")
    assert admin_page.input_value("#name") == "Kept name"
    assert admin_page.get_attribute("#min_group_size", "aria-invalid") == "true"
    violations = axe_violations(admin_page)
    assert violations == [], describe(violations)


def test_now_screen_script_runs_under_the_csp(live_server, admin_page) -> None:
    admin_page.goto(live_server.url + "/groups/BROWSEEN/now")
    assert admin_page.locator(".js-only").first.is_visible()  # the script ran (it reveals this hint)
    assert admin_page.evaluate("document.querySelector('.now-qr').naturalWidth") > 0


# The widest content of any element that scrolls sideways (a table inside an overflow wrapper counts too:
# a coordinator should not have to pan a table to read one group's row).
WIDEST_SCROLLER = """Math.max(0, ...[...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible'
               && !e.closest('.js-plotly-plot, .visually-hidden'))
  .map(e => e.scrollWidth))"""
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_coordinator_pages_fit_a_390_px_phone(live_server, new_context) -> None:
    """Every coordinator page, dashboards included, fits a 390 px wide phone without sideways scrolling."""
    add_user(live_server.app, "phone-admin@example.org", role="admin")
    page = new_context(**PHONE, locale="en-US").new_page()
    log_in(page, live_server.url, "phone-admin@example.org")
    too_wide = []
    for path in (
        *PAGES,
        "/groups/BROWSEEN/dashboard",
        "/groups/BROWSEEN/dashboard/items",
        "/groups/BROWSEEN/dashboard/report",
        "/groups/BROWSEEN/dashboard/comments",
        "/dashboard/compare",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        widest = page.evaluate(WIDEST_SCROLLER)
        if has_horizontal_scroll(page) or widest > 390:
            too_wide.append((path, page.evaluate("document.scrollingElement.scrollWidth"), widest))
    assert too_wide == [], too_wide


def test_new_group_proposes_the_browsers_time_zone(live_server, new_context) -> None:
    add_user(live_server.app, "tz-browser@example.org", role="admin")
    page = new_context(**TABLET, locale="en-US", timezone_id="America/Chicago").new_page()
    log_in(page, live_server.url, "tz-browser@example.org")
    page.goto(live_server.url + "/groups/new")
    assert page.input_value("#timezone") == "America/Chicago"
    page.goto(live_server.url + "/groups/BROWSEEN/edit")
    assert page.input_value("#timezone") == "UTC"  # a stored zone is never changed by the browser's
