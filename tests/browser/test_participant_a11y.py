"""Every participant page: no axe-core violation (WCAG 2.1 A and AA), no sideways scrolling on small
phones in portrait or landscape, and a screenshot of each saved under test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, axe_violations, describe, has_horizontal_scroll, screenshot
from tests.browser.test_participant_flow import THANKS, answer_checkin

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "small-portrait": {"width": 320, "height": 568},
    "landscape": {"width": 844, "height": 390},
}


def send(page: Any) -> None:
    page.get_by_role("button", name="Send my answers").click()


def form(code: str, lang: str = "") -> Callable[[Any, str], int | None]:
    def reach(page: Any, url: str) -> int | None:
        return page.goto(f"{url}/s/{code}{'?lang=' + lang if lang else ''}").status

    return reach


def form_with_errors(page: Any, url: str) -> int | None:
    page.goto(f"{url}/s/BROWSERQ")
    page.locator("#f-stress-6").check()
    send(page)
    page.locator("#error-summary").wait_for()
    return 400


def thanks(craving: int) -> Callable[[Any, str], int | None]:
    def reach(page: Any, url: str) -> int | None:
        page.goto(f"{url}/s/BROWSEEN")
        answer_checkin(page, craving=craving)
        send(page)
        page.wait_for_url(THANKS)
        return 200

    return reach


def plain(path: str) -> Callable[[Any, str], int | None]:
    def reach(page: Any, url: str) -> int | None:
        return page.goto(f"{url}{path}").status

    return reach


PAGES: dict[str, tuple[Callable[[Any, str], int | None], int]] = {
    "form": (form("BROWSEEN"), 200),
    "form-es": (form("BROWSEES", "es"), 200),
    "form-every-item-type": (form("BROWSEET"), 200),
    "form-with-errors": (form_with_errors, 400),
    "thanks": (thanks(craving=2), 200),
    "thanks-with-alert": (thanks(craving=9), 200),
    "privacy": (plain("/privacy"), 200),
    "help": (plain("/help"), 200),
    "not-found": (plain("/s/NOSUCHGROUP"), 404),
    "closed": (plain("/s/BROWSECL"), 410),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_fits_small_screens(live_server: LiveServer, phone: Any, name: str) -> None:
    reach, status = PAGES[name]
    assert reach(phone, live_server.url) == status
    violations = axe_violations(phone)
    screenshot(phone, f"page-{name}-phone")
    assert not violations, f"axe-core on {name}:\n{describe(violations)}"
    for label, size in VIEWPORTS.items():
        phone.set_viewport_size(size)
        if label != "phone":
            screenshot(phone, f"page-{name}-{label}")
        assert not has_horizontal_scroll(phone), f"{name} scrolls sideways at {size['width']}x{size['height']}"


def test_alert_page_shows_the_support_resources(live_server: LiveServer, phone: Any) -> None:
    thanks(craving=9)(phone, live_server.url)
    support = phone.get_by_role("region", name="Support is here for you")
    assert "988" in support.inner_text()
    assert support.locator("a[href^='tel:']").count() >= 1


def test_axe_finds_a_planted_defect(live_server: LiveServer, phone: Any) -> None:
    """The harness really runs axe: an input without a label is reported."""
    phone.goto(f"{live_server.url}/help")
    phone.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {violation["id"] for violation in axe_violations(phone)}


def test_tap_targets_are_at_least_44_px(live_server: LiveServer, phone: Any) -> None:
    form("BROWSEET")(phone, live_server.url)
    targets = ", ".join(
        ["main label.opt", "main button", "main input[type=text]", "main input[type=number]", "main textarea"]
        + ["header a", "footer a"]
    )
    small = phone.evaluate(
        """targets => [...document.querySelectorAll(targets)]
            .filter(el => el.offsetParent !== null && !el.closest('.hp'))
            .filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
            .map(el => el.outerHTML.slice(0, 80))""",
        targets,
    )
    assert small == []
