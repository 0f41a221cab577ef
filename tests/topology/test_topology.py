"""The README's deployment, run for real: nginx terminating TLS in front of two gunicorn app servers on one
PostgreSQL database and one Redis (tests/topology/conftest.py starts them from deploy/).

A correctness test under faults: it asserts what is stored and answered, never how fast. The tests run in
file order on one deployment, and each leaves it whole (what it kills it starts again).
"""

from __future__ import annotations

import http.client
import random
import re
import time
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from bench.load_zero_loss import Step, run_load, verify
from bench.loadlib import GROUP_CODE, open_form

from .conftest import CLOCK_AHEAD, COORDINATOR, PASSWORD, Topology
from .slow_clients import SlowCrowd
from .stack import AppServer, client_tls

pytestmark = pytest.mark.topology

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
THANKS = re.compile(r"/s/[A-Z0-9]+/thanks\?r=[A-Za-z0-9_.-]+$")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HSTS = "max-age=31536000; includeSubDomains"


def test_a_coordinator_logs_in_and_a_participant_answers_over_https(topology: Topology, chromium: Any) -> None:
    before = topology.response_count()
    desk = chromium.new_context(ignore_https_errors=True, locale="en-US")
    page = desk.new_page()
    page.goto(f"{topology.url}/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{topology.url}/groups")
    assert "Topology group" in page.locator("main").inner_text()
    assert all(cookie["secure"] for cookie in desk.cookies())  # X-Forwarded-Proto reached the app
    desk.close()

    answer_as_participant(topology, chromium)
    assert topology.response_count() == before + 1


def answer_as_participant(topology: Topology, chromium: Any) -> None:
    """Open the group's link on a phone, answer, send, and see the thank-you page."""
    phone = chromium.new_context(ignore_https_errors=True, locale="en-US", **PHONE)
    page = phone.new_page()
    page.goto(f"{topology.url}/s/{GROUP_CODE}")
    page.locator("#f-confidence_overall-7").check()
    page.locator("#f-craving_now-2").check()
    page.locator("#f-belonged-3").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you. Your answers are saved."
    phone.close()


def test_the_proxy_sets_the_client_and_scheme_and_logs_no_address(topology: Topology) -> None:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", topology.nginx.https_port, context=client_tls(topology.nginx.cert)
    )
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http", "X-Forwarded-Ssl": "off"}
    connection.request("GET", "/login", headers=spoofed)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 200
    assert [v for k, v in answer.getheaders() if k.lower() == "strict-transport-security"] == [HSTS]
    assert "Secure" in (answer.getheader("Set-Cookie") or "")
    plain = http.client.HTTPConnection("127.0.0.1", topology.nginx.http_port, timeout=10)
    plain.request("GET", f"/s/{GROUP_CODE}?lang=es")
    moved = plain.getresponse()
    moved.read()
    plain.close()
    assert (moved.status, moved.getheader("Location")) == (301, f"https://127.0.0.1/s/{GROUP_CODE}?lang=es")
    lines = topology.nginx.access_log.read_text().splitlines()
    assert lines and [line for line in lines if "127.0.0." in line or "203.0.113" in line or "?" in line] == []


def get(topology: Topology, path: str) -> int:
    """GET a path through nginx; return the status."""
    browser = topology.participant()
    try:
        return browser.request("GET", path)[0]
    finally:
        browser.close()


def log_in(topology: Topology, email: str, password: str, source: str, spoof: str | None = None) -> int:
    """Open the login page and send it, as a browser from `source` would; return the POST's status."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1",
        topology.nginx.https_port,
        timeout=20,
        context=client_tls(topology.nginx.cert),
        source_address=(source, 0),
    )
    headers = {"X-Forwarded-For": spoof} if spoof else {}
    try:
        connection.request("GET", "/login", headers=headers)
        page = connection.getresponse()
        token = CSRF.search(page.read().decode()).group(1)  # type: ignore[union-attr]
        cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
        body = urlencode({"csrf_token": token, "email": email, "password": password})
        headers |= {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": topology.url,
            "Referer": f"{topology.url}/login",
        }
        connection.request("POST", "/login", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def test_failed_logins_are_counted_across_both_app_servers(topology: Topology) -> None:
    # Per account (5 a minute): the sixth failure is refused, though neither server saw six.
    tries = []
    for attempt in range(6):
        if attempt % 2:  # one request in between, so that the POSTs do not all land on one server
            assert get(topology, "/healthz") == 200
        tries.append(log_in(topology, COORDINATOR, "not the password at all", "127.0.0.2"))
    assert tries == [401] * 5 + [429]
    seen = [server.requests_seen('"POST /login" 401') for server in topology.servers]
    assert all(0 < count < 5 for count in seen) and sum(seen) == 5, seen
    # Per client (20 a minute), by the address nginx saw: a new X-Forwarded-For each time changes nothing,
    # and another client is counted on its own.
    emails = [f"nobody{n}@example.org" for n in range(21)]
    tries = [
        log_in(topology, email, "wrong password", "127.0.0.3", spoof=f"198.51.100.{n}")
        for n, email in enumerate(emails)
    ]
    assert tries == [401] * 20 + [429]
    assert log_in(topology, "nobody@example.org", "wrong password", "127.0.0.4") == 401


def health(server: AppServer) -> dict[str, Any]:
    """Ask one app server directly (not through nginx) how it is."""
    import json

    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=10) as answer:  # noqa: S310
        return dict(json.loads(answer.read()))


def participants(topology: Topology, network: int) -> Any:
    """Each load client a phone of its own: its own loopback address, 127.0.<network>.<client + 10>."""
    return lambda client: topology.participant(source=f"127.0.{network}.{client + 10}", timeout=20)


def test_a_killed_app_server_and_a_redis_outage_lose_no_answer(topology: Topology) -> None:
    topology.ensure_running()
    topology.clear_responses()
    first, _second = topology.servers
    seen: dict[str, Any] = {}

    def kill_app_server() -> str:
        first.crash()
        return f"SIGKILLed app server {first.port} (master and workers)"

    def kill_redis() -> str:
        topology.redis.kill()
        seen["outage"] = health(topology.servers[1])
        return "SIGKILLed Redis"

    def restart_redis() -> str:
        topology.redis.start()
        seen["back"] = wait_for(lambda: health(topology.servers[1])["rate_limits"] == "redis")
        return "started Redis again"

    def restart_app_server() -> str:
        first.clock_ahead = CLOCK_AHEAD  # from here on, forms and thank-you tickets cross a clock skew
        first.start()
        return f"started app server {first.port} again, its clock {CLOCK_AHEAD} s ahead"

    steps: list[Step] = [(0.2, kill_app_server), (0.4, kill_redis), (0.65, restart_redis), (0.8, restart_app_server)]
    events: list[str] = []
    tally = run_load(participants(topology, 1), 50, 600, steps, log=events.append, time_limit=120)
    assert len(events) == 4, events  # every step ran: answers kept being acknowledged through each fault
    assert verify(topology.database_url, tally) == []
    assert len(tally.acknowledged) == 600 and tally.posts > 600
    assert topology.response_count() == 600
    assert seen["outage"]["status"] == "degraded" and seen["back"]


def wait_for(condition: Any, seconds: float = 15) -> bool:
    """Poll until the condition holds; return whether it did in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_two_hundred_slow_connections_do_not_stop_submissions(topology: Topology) -> None:
    topology.ensure_running()
    topology.clear_responses()
    crowd = SlowCrowd(topology.nginx.https_port, client_tls(topology.nginx.cert), f"/s/{GROUP_CODE}").start()
    try:
        assert crowd.pending() == 200
        tally = run_load(participants(topology, 2), 20, 200, time_limit=60)
        pending = crowd.pending()
        samples = list(crowd.pending_counts)
    finally:
        crowd.stop()
    assert verify(topology.database_url, tally) == []
    assert len(tally.acknowledged) == 200 == topology.response_count()
    # The crowd stayed in place while the answers went through (those nginx timed out were sent again).
    assert pending >= 190 and min(samples, default=pending) >= 190, (pending, samples)


def test_participants_answer_across_a_clock_skew_between_app_servers(topology: Topology, chromium: Any) -> None:
    topology.ensure_running()
    dates = []
    for server in topology.servers:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=10) as answer:  # noqa: S310
            dates.append(parsedate_to_datetime(answer.headers["Date"]))
    assert CLOCK_AHEAD - 1 <= (dates[0] - dates[1]).total_seconds() <= CLOCK_AHEAD + 1
    assert wait_for(lambda: served_by_both(topology), seconds=30)  # nginx retries a failed server after 10 s
    before = topology.response_count()
    answer_as_participant(topology, chromium)
    # Form, POST, thank-you page: three requests, so nginx's round robin sends each thank-you page to the other
    # server than its POST, ahead and behind in turn.
    phone, rng, thanked = topology.participant(), random.Random(7), []
    for _ in range(6):
        submission = open_form(phone, GROUP_CODE, rng)
        status, headers, _body = phone.request("POST", submission.path, submission.body)
        assert status == 303
        thanked.append(phone.request("GET", headers["location"].removeprefix(topology.url))[0])
    phone.close()
    assert thanked == [200] * 6
    assert topology.response_count() == before + 7


def served_by_both(topology: Topology) -> bool:
    """Send two requests through nginx; tell whether each app server answered one (both are in rotation)."""
    before = [server.requests_seen('"GET /favicon.ico"') for server in topology.servers]
    assert get(topology, "/favicon.ico") == get(topology, "/favicon.ico") == 200
    return all(
        server.requests_seen('"GET /favicon.ico"') > seen for server, seen in zip(topology.servers, before, strict=True)
    )
