"""A participant on a phone: open the link, answer, send, see the thank-you; in Spanish; without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

THANKS = re.compile(r"/s/[A-Z0-9]+/thanks\?r=[A-Za-z0-9_.-]+$")


def answer_checkin(page: Any, craving: int = 2) -> None:
    """Tap a few answers of the check-in: two sliders rendered as buttons, a likert item."""
    page.locator("#f-confidence_overall-7").check()
    page.locator(f"#f-craving_now-{craving}").check()
    page.locator("#f-belonged-3").check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_open_answer_send_and_see_thank_you(
    live_server: LiveServer, new_context: Callable[..., Any], javascript: bool
) -> None:
    page = new_context(locale="en-US", java_script_enabled=javascript).new_page()
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.resource_type) if request.method == "POST" else None)
    page.goto(f"{live_server.url}/s/BROWSEEN")
    assert page.locator("html").get_attribute("lang") == "en"
    answer_checkin(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(THANKS)
    assert posts == (["fetch"] if javascript else ["document"])  # offline.js sends it, or the plain form does
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you. Your answers are saved."
    screenshot(page, f"flow-thanks-{'js' if javascript else 'nojs'}")
    [response] = live_server.responses()
    assert {a.item_id: a.value_num for a in response.answers} == {
        "confidence_overall": 7.0,
        "craving_now": 2.0,
        "belonged": 4.0,
    }
    assert response.locale == "en"


def test_spanish_flow_from_the_browser_language(live_server: LiveServer, new_context: Callable[..., Any]) -> None:
    page = new_context(locale="es-MX").new_page()
    page.goto(f"{live_server.url}/s/BROWSEEN")
    assert page.locator("html").get_attribute("lang") == "es"
    answer_checkin(page)
    page.get_by_role("button", name="Enviar mis respuestas").click()
    page.wait_for_url(THANKS)
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Gracias" in page.get_by_role("heading", level=1).inner_text()
    [response] = live_server.responses()
    assert response.locale == "es"


def test_language_switch_on_a_spanish_group(live_server: LiveServer, phone: Any) -> None:
    """The visible switch wins over the browser's language and the group's default."""
    phone.goto(f"{live_server.url}/s/BROWSEES")
    assert phone.locator("html").get_attribute("lang") == "en"  # the browser asks for English
    phone.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    assert phone.locator("html").get_attribute("lang") == "es"
    answer_checkin(phone)
    phone.get_by_role("button", name="Enviar mis respuestas").click()
    phone.wait_for_url(THANKS)
    assert live_server.responses()[0].locale == "es"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_missing_required_item_keeps_every_other_answer(
    live_server: LiveServer, new_context: Callable[..., Any], javascript: bool
) -> None:
    page = new_context(locale="en-US", java_script_enabled=javascript).new_page()
    page.goto(f"{live_server.url}/s/BROWSERQ")
    page.locator("#f-stress-6").check()
    page.locator("#f-sudden_urge-3").check()
    page.locator("#participant_code").fill("blue-heron")
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    if javascript:  # offline.js showed the server's answer in place and moved focus to the summary
        assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Please check your answers" in summary.inner_text()
    assert page.title().startswith("Error:")  # the title says so too, with or without the script
    assert page.locator("#q-overall[aria-invalid], #q-overall.has-err").count() == 1
    assert page.locator("#f-stress-6").is_checked()
    assert page.locator("#f-sudden_urge-3").is_checked()
    assert page.locator("#participant_code").input_value() == "blue-heron"
    assert live_server.response_count() == 0
    page.locator("#f-overall-8").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(THANKS)
    [response] = live_server.responses()
    assert {a.item_id for a in response.answers} == {"overall", "stress", "sudden_urge"}
    assert response.participant_hash and "blue-heron" not in response.participant_hash


def test_required_counter_and_show_if_follow_the_answers(live_server: LiveServer, phone: Any) -> None:
    phone.goto(f"{live_server.url}/s/BROWSEET")
    counter = phone.locator("#required-left")
    assert counter.inner_text() == "2 required questions still need an answer."
    assert phone.locator("#q-days").is_hidden()  # shown only after "yes" to the question before it
    phone.locator("#f-mood-5").check()
    assert counter.inner_text() == "1 required question still needs an answer."
    phone.locator("#f-belong-2").check()
    assert counter.inner_text() == "All required questions are answered."
    phone.locator("#q-used").get_by_label("Yes").check()
    assert phone.locator("#q-days").is_visible()
    phone.locator("#q-used").get_by_label("No").check()
    assert phone.locator("#q-days").is_hidden()


def test_double_tap_stores_one_response(live_server: LiveServer, phone: Any) -> None:
    phone.goto(f"{live_server.url}/s/BROWSEEN")
    answer_checkin(phone)
    button = phone.get_by_role("button", name="Send my answers")
    button.dblclick()
    phone.wait_for_url(THANKS)
    assert live_server.response_count() == 1


def test_own_scores_stay_on_the_phone(live_server: LiveServer, phone: Any) -> None:
    """Asked for, the thank-you page keeps this response's scores in localStorage under the personal code."""
    show = "Show and keep my answers on this phone"
    for craving in (2, 3):
        phone.goto(f"{live_server.url}/s/BROWSEEN")
        answer_checkin(phone, craving=craving)
        phone.locator("#participant_code").fill("my-own-code")
        phone.get_by_role("button", name="Send my answers").click()
        phone.wait_for_url(THANKS)
        phone.get_by_role("button", name=show).click()
    history = phone.locator("#my-history")
    assert history.is_visible()
    assert history.locator("li").count() == 2 * phone.evaluate(
        "JSON.parse(localStorage.getItem('survey-own-scores'))[0].scores.length"
    )
    phone.reload()  # the same thank-you page again adds nothing
    phone.get_by_role("button", name=show).click()
    assert phone.evaluate("JSON.parse(localStorage.getItem('survey-own-scores')).length") == 2
    history.get_by_role("button", name="Remove my list from this phone").click()
    assert history.is_hidden()
    assert phone.evaluate("localStorage.getItem('survey-own-scores')") is None
