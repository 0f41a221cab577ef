"""Offline: the survey opens again without a connection, and answers sent offline are kept and sent once."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_participant_flow import THANKS, answer_checkin

pytestmark = pytest.mark.browser

SAVED = "Your answers are saved on this phone and will be sent when the connection returns."
WAITING = "Answers saved on this phone are waiting to be sent."
SENT = "Your saved answers have been sent."

WAIT_UNTIL_CACHED = """async () => {
  await navigator.serviceWorker.ready;
  for (let i = 0; i < 200; i++) {
    if (navigator.serviceWorker.controller && await caches.match(location.pathname)) return true;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return false;
}"""
CACHED_TOKEN = """async () => {
  const page = await (await caches.match(location.pathname)).text();
  return page.match(/name="form_token" value="([^"]+)"/)[1];
}"""
QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("survey-offline", 1);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
  open.onerror = () => reject(open.error);
})"""


def open_survey_and_wait_for_the_worker(page: Any, url: str) -> None:
    """Open the survey and wait until the service worker controls it and the page is cached."""
    page.goto(url)
    assert page.evaluate(WAIT_UNTIL_CACHED), "the service worker never took control or never cached the page"


def wait_for_status(page: Any, words: str) -> None:
    """Wait until the status region says these words."""
    page.wait_for_function("words => document.getElementById('offline-status').textContent.includes(words)", arg=words)


def wait_until(page: Any, condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Poll a condition (checked in the browser and the database) until it holds; fail after a generous deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after {seconds:.0f} s"
        page.wait_for_timeout(100)


def status_text(page: Any) -> str:
    return str(page.locator("#offline-status").inner_text())


def form_token(page: Any) -> str:
    return str(page.locator("input[name=form_token]").input_value())


def test_service_worker_is_registered_at_the_root(live_server: LiveServer, phone: Any) -> None:
    open_survey_and_wait_for_the_worker(phone, f"{live_server.url}/s/BROWSEEN")
    scope = phone.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)")
    assert scope == f"{live_server.url}/"
    phone.evaluate("fetch('/static/coordinator.css').then(response => response.text())")  # not its business
    phone.reload()
    cached = phone.evaluate(
        "caches.open('survey-v1').then(cache => cache.keys()).then(keys => keys.map(r => new URL(r.url).pathname))"
    )
    assert "/s/BROWSEEN" in cached
    assert any(path.startswith("/static/participant/offline.") for path in cached)
    assert not [path for path in cached if "coordinator" in path or "thanks" in path]


def test_answers_sent_offline_are_sent_once_when_the_connection_returns(live_server: LiveServer, phone: Any) -> None:
    open_survey_and_wait_for_the_worker(phone, f"{live_server.url}/s/BROWSEEN")
    phone.context.set_offline(True)
    answer_checkin(phone)
    phone.get_by_role("button", name="Send my answers").click()
    wait_for_status(phone, "saved on this phone")
    assert SAVED in status_text(phone)
    assert phone.evaluate(QUEUED) == 1
    screenshot(phone, "offline-saved")
    assert live_server.response_count() == 0

    phone.context.set_offline(False)  # the page hears `online`, sends, and shows its own thank-you page
    phone.wait_for_url(THANKS)
    assert live_server.response_count() == 1
    phone.goto(f"{live_server.url}/s/BROWSEEN")  # every page load sends what waits: nothing is left
    assert phone.evaluate(QUEUED) == 0
    [response] = live_server.responses()
    assert {a.item_id for a in response.answers} == {"confidence_overall", "craving_now", "belonged"}


def test_survey_reopens_offline_from_the_cache_and_sends_on_the_next_load(live_server: LiveServer, phone: Any) -> None:
    url = f"{live_server.url}/s/BROWSEEN"
    open_survey_and_wait_for_the_worker(phone, url)
    cached = phone.evaluate(CACHED_TOKEN)
    phone.context.set_offline(True)
    answer_checkin(phone)
    phone.get_by_role("button", name="Send my answers").click()
    wait_for_status(phone, "saved on this phone")

    phone.reload()  # no network: the service worker answers from its cache
    assert form_token(phone) == cached
    assert phone.get_by_role("button", name="Send my answers").is_visible()
    phone.wait_for_function("() => document.getElementById('offline-status').textContent.length > 0")
    assert WAITING in status_text(phone)
    screenshot(phone, "offline-reopened")
    assert live_server.response_count() == 0

    phone.context.set_offline(False)  # `online` (or Background Sync) sends it; this page is not its form
    wait_for_status(phone, "have been sent")
    assert SENT in status_text(phone)
    link = phone.locator("#offline-status a")
    assert re.search(THANKS, link.get_attribute("href") or "")
    assert phone.evaluate(QUEUED) == 0
    phone.reload()
    assert live_server.response_count() == 1


def test_without_background_sync_the_next_page_load_sends(live_server: LiveServer, new_context: Any) -> None:
    """Safari and Firefox have no Background Sync: a page closed offline sends on the next visit."""
    context = new_context(locale="en-US")
    context.add_init_script("self.ServiceWorkerRegistration && delete ServiceWorkerRegistration.prototype.sync")
    page = context.new_page()
    open_survey_and_wait_for_the_worker(page, f"{live_server.url}/s/BROWSEEN")
    assert page.evaluate("navigator.serviceWorker.ready.then(registration => 'sync' in registration)") is False
    context.set_offline(True)
    answer_checkin(page)
    page.get_by_role("button", name="Send my answers").click()
    wait_for_status(page, "saved on this phone")
    page.close()
    context.set_offline(False)
    assert live_server.response_count() == 0  # nobody sent it while no page was open

    later = context.new_page()
    later.goto(f"{live_server.url}/help")
    wait_for_status(later, "have been sent")
    assert live_server.response_count() == 1
    assert later.evaluate(QUEUED) == 0


def test_incomplete_answers_sent_offline_come_back_with_the_errors(live_server: LiveServer, phone: Any) -> None:
    """Validation happens on the server: a queued form missing a required answer is shown again, answers kept."""
    open_survey_and_wait_for_the_worker(phone, f"{live_server.url}/s/BROWSERQ")
    phone.context.set_offline(True)
    phone.locator("#f-stress-4").check()
    phone.get_by_role("button", name="Send my answers").click()
    wait_for_status(phone, "saved on this phone")
    phone.context.set_offline(False)
    phone.locator("#error-summary").wait_for()
    assert phone.locator("#f-stress-4").is_checked()
    assert live_server.response_count() == 0
    phone.locator("#f-overall-9").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url(THANKS)
    assert live_server.response_count() == 1
    assert phone.evaluate(QUEUED) == 0  # the same token succeeded, so the kept copy is gone


def test_offline_messages_speak_the_page_language(live_server: LiveServer, new_context: Any) -> None:
    page = new_context(locale="es-ES").new_page()
    open_survey_and_wait_for_the_worker(page, f"{live_server.url}/s/BROWSEES")
    assert page.locator("html").get_attribute("lang") == "es"
    page.context.set_offline(True)
    answer_checkin(page)
    page.get_by_role("button", name="Enviar mis respuestas").click()
    saved = page.locator("#offline-status").get_attribute("data-saved") or ""
    assert saved and "phone" not in saved  # translated by the Spanish catalogue
    page.wait_for_function("text => document.getElementById('offline-status').textContent === text", arg=saved)
    page.context.set_offline(False)
    page.wait_for_url(THANKS)
    assert live_server.responses()[0].locale == "es"


def test_two_people_answering_offline_on_one_phone_are_both_stored(live_server: LiveServer, phone: Any) -> None:
    """A shared phone with no signal: the second person answers on the same cached page; nothing is lost."""
    url = f"{live_server.url}/s/BROWSEEN"
    open_survey_and_wait_for_the_worker(phone, url)
    phone.context.set_offline(True)
    for craving in (2, 8):
        phone.reload()  # the page comes from the worker's cache, with the same form token both times
        answer_checkin(phone, craving=craving)
        phone.get_by_role("button", name="Send my answers").click()
        wait_for_status(phone, "saved on this phone")
    assert phone.evaluate(QUEUED) == 2
    phone.context.set_offline(False)
    phone.reload()  # every page load sends what waits
    # An entry leaves the queue only once its answer came back, so the server has stored it by then; the
    # stored count alone says nothing about the queue (the last answer may still be on its way back).
    wait_until(phone, lambda: phone.evaluate(QUEUED) == 0, "sent from the phone")
    cravings = sorted(
        a.value_num for response in live_server.responses() for a in response.answers if a.item_id == "craving_now"
    )
    assert cravings == [2.0, 8.0]
    assert phone.evaluate(QUEUED) == 0
