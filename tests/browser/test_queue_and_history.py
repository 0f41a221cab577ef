"""The offline queue's retry rule, the shared phone's history, and Back then Send (with JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_offline import QUEUED, open_survey_and_wait_for_the_worker, wait_until
from tests.browser.test_participant_flow import THANKS, answer_checkin

pytestmark = pytest.mark.browser

QUEUE_ENTRY = """entry => new Promise((resolve, reject) => {
  const open = indexedDB.open("survey-offline", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("queue", { keyPath: "token" });
  open.onsuccess = () => {
    const tx = open.result.transaction("queue", "readwrite");
    tx.objectStore("queue").put(entry);
    tx.oncomplete = () => { open.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
})"""


def test_a_queued_submission_answered_with_a_4xx_leaves_the_queue(live_server: LiveServer, phone: Any) -> None:
    open_survey_and_wait_for_the_worker(phone, f"{live_server.url}/s/BROWSEEN")
    entry = {
        "token": "damaged~1",
        "action": f"{live_server.url}/s/BROWSECL",  # a closed group: 410, whatever is sent
        "savedAt": phone.evaluate("Date.now()"),
        "body": "form_token=damaged&lang=en&website=&craving_now=3",
    }
    phone.evaluate(QUEUE_ENTRY, entry)
    assert phone.evaluate(QUEUED) == 1
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(phone, lambda: phone.evaluate(QUEUED) == 0, "dropped after a 410", seconds=15)
    assert live_server.response_count() == 0


def send_checkin(page: Any, url: str, craving: int, code: str = "") -> None:
    page.goto(url)
    answer_checkin(page, craving=craving)
    if code:
        page.locator("#participant_code").fill(code)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(THANKS)


def history_items(page: Any) -> list[str]:
    return [str(text) for text in page.locator("#my-history li").all_inner_texts()]


def test_shared_phone_history_is_off_unless_asked_and_never_shows_another_persons_scores(
    live_server: LiveServer, phone: Any
) -> None:
    url = f"{live_server.url}/s/BROWSEEN"
    send_checkin(phone, url, craving=9, code="alpha-first")
    assert history_items(phone) == []  # nothing listed until asked
    assert phone.evaluate("localStorage.getItem('survey-own-scores')") is None  # nothing kept unasked
    phone.get_by_role("button", name="Show and keep my answers on this phone").click()
    assert any(": 9 / 10" in item for item in history_items(phone))  # the first person asked: they see theirs

    for code in ("", "beta-second"):  # the next people on the same phone
        send_checkin(phone, url, craving=1, code=code)
        assert history_items(phone) == []  # nothing listed until they ask
        phone.get_by_role("button", name="Show and keep my answers on this phone").click()
        items = history_items(phone)
        assert items and not any(": 9 / 10" in item for item in items), items

    send_checkin(phone, url, craving=4, code="alpha-first")  # the first person again, with their code
    phone.get_by_role("button", name="Show and keep my answers on this phone").click()
    items = history_items(phone)
    assert any(": 9 / 10" in item for item in items) and not any(": 1 / 10" in item for item in items), items


def test_back_then_send_stores_the_submission_once(live_server: LiveServer, phone: Any) -> None:
    url = f"{live_server.url}/s/BROWSEEN"
    send_checkin(phone, url, craving=5)
    first = phone.locator("h1").inner_text()
    phone.go_back()
    phone.get_by_role("button", name="Send my answers").wait_for()
    answer_checkin(phone, craving=5)  # the same answers, whether or not the browser restored them
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url(THANKS)
    assert phone.locator("h1").inner_text() == first
    assert live_server.response_count() == 1


def test_the_next_person_on_a_shared_phone_gets_a_new_response(live_server: LiveServer, phone: Any) -> None:
    url = f"{live_server.url}/s/BROWSEEN"
    send_checkin(phone, url, craving=5)
    send_checkin(phone, url, craving=5)  # the next person opens the link again and happens to answer the same
    assert live_server.response_count() == 2
    phone.go_back()  # and one who goes back and changes an answer is a new response too
    phone.get_by_role("button", name="Send my answers").wait_for()
    answer_checkin(phone, craving=8)
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url(THANKS)
    assert live_server.response_count() == 3
