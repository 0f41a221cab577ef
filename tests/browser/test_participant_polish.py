"""A participant's first screen, big text, the send button, a remembered language and a shared phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, has_horizontal_scroll
from tests.browser.test_participant_flow import THANKS, answer_checkin

pytestmark = pytest.mark.browser

SMALL_PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("locale", ["en-US", "es-MX"])
def test_the_first_question_is_on_the_first_screen(
    live_server: LiveServer, new_context: Callable[..., Any], locale: str
) -> None:
    page = new_context(locale=locale, **SMALL_PHONE).new_page()
    page.goto(f"{live_server.url}/s/BROWSEEN")
    legend = page.locator(".q legend").first.bounding_box()
    first_option = page.locator(".q .opt").first.bounding_box()
    assert legend is not None and first_option is not None
    assert legend["y"] + legend["height"] <= 740, legend  # the whole question text
    assert first_option["y"] + first_option["height"] <= 740, first_option  # and a first answer to tap
    # The privacy promise is short above it and complete one tap away.
    details = page.locator(".notice details")
    assert not details.locator("li").first.is_visible()
    details.locator("summary").click()
    assert details.locator("li").first.is_visible()
    assert "IP" in details.inner_text()


def test_no_sideways_scrolling_at_200_percent_text(live_server: LiveServer, new_context: Callable[..., Any]) -> None:
    # The text-size setting of a phone browser scales the root font size; every length in our CSS is in rem/em.
    page = new_context(locale="en-US", bypass_csp=True, **SMALL_PHONE).new_page()
    for code in ("BROWSEEN", "BROWSEET"):
        page.goto(f"{live_server.url}/s/{code}")
        page.add_style_tag(content="html{font-size:200%}")
        assert not has_horizontal_scroll(page), code
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className)"
        )
        assert wide == [], wide


def test_a_zero_to_ten_scale_reads_in_two_even_rows(live_server: LiveServer, new_context: Callable[..., Any]) -> None:
    page = new_context(locale="en-US", bypass_csp=True, **SMALL_PHONE).new_page()
    for size in ("100%", "200%"):
        page.goto(f"{live_server.url}/s/BROWSEEN")
        page.add_style_tag(content=f"html{{font-size:{size}}}")
        rows = page.evaluate(
            "() => { const tops = {}; [...document.querySelector('#q-craving_now .scale').children].forEach(c => {"
            " const t = Math.round(c.getBoundingClientRect().top); tops[t] = (tops[t] || 0) + 1; });"
            " return Object.values(tops); }"
        )
        assert rows == [6, 5], (size, rows)  # 0-5 and 6-10, never 5/5/1


def test_the_send_button_itself_says_it_is_sending(live_server: LiveServer, phone: Any) -> None:
    held: list[Any] = []
    phone.route(
        re.compile(r".*/s/BROWSEEN$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    phone.goto(f"{live_server.url}/s/BROWSEEN")
    answer_checkin(phone)
    button = phone.locator("button.send")
    button.click()
    phone.wait_for_function("document.querySelector('button.send').textContent.includes('Sending')")
    assert button.inner_text() == "Sending your answers…"
    assert held, "the POST was held"
    held[0].continue_()
    phone.wait_for_url(THANKS)


def test_the_chosen_language_is_remembered_on_the_phone_without_a_cookie(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    context = new_context(locale="en-US")
    page = context.new_page()
    cookies: list[str] = []
    page.on("request", lambda request: cookies.append(request.headers.get("cookie", "")))
    page.goto(f"{live_server.url}/s/BROWSEEN")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    page.goto(f"{live_server.url}/s/BROWSEEN")  # the link opened again later, with no ?lang=
    page.wait_for_function("document.documentElement.lang === 'es'")
    assert "lang=es" in page.url
    assert context.cookies() == [] and not any(cookies)
    # An explicit choice in the address still wins.
    page.goto(f"{live_server.url}/s/BROWSEEN?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_shared_phone_is_told_that_someone_answered_already(
    live_server: LiveServer, new_context: Callable[..., Any]
) -> None:
    page = new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/s/BROWSEEN")
    note = page.locator("#answered-note")
    assert not note.is_visible()
    answer_checkin(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(THANKS)
    page.goto(f"{live_server.url}/s/BROWSEEN")
    assert note.is_visible()
    assert "only if you are someone else" in note.inner_text()
    page.goto(f"{live_server.url}/s/BROWSEES")  # another group on the same phone: no note
    assert not page.locator("#answered-note").is_visible()
    other = new_context(locale="en-US").new_page()  # another phone
    other.goto(f"{live_server.url}/s/BROWSEEN")
    assert not other.locator("#answered-note").is_visible()
