"""Meetings on several days through the real form, with the server's clock moved (Debian's libfaketime).

A gunicorn serves the app with its clock set to each meeting's evening (LD_PRELOAD libfaketime,
one server start per day); participants GET the form and POST answers over HTTP as a phone would.
Then `flask release run`, under a moved clock too, must release exactly the meetings whose answer
window and grace period have closed, and the dashboard must show what the test's own arithmetic
says, with the lone person's meeting hidden. The meetings lie in the future of the real clock, so
nothing but the moved clock can release them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from bench.loadlib import GROUP_CODE, ROOT, SECRETS, Browser, Server, prepare_database
from tests.conftest import ON_POSTGRES
from tests.dashboard_support import add_user, log_in
from tests.topology.stack import faketime_library

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
MONDAY = dt.datetime(2027, 3, 1, 18, 30)  # a Monday evening, months after the real clock
MEETINGS = {  # each evening's craving answers
    MONDAY: [2, 4, 6, 8],
    MONDAY + dt.timedelta(days=3): [1, 5, 9],
    MONDAY + dt.timedelta(days=7): [7],  # one person only: never shown alone
}


def clock(moment: dt.datetime, monotonic: bool = True) -> dict[str, str]:
    """The environment that starts a process with its clock at this UTC moment (it ticks on).

    With the monotonic clock moved too, a timed wait on a thread (limits' 10 ms sweep timer) waits
    until the real clock reaches the moved one, so a short-lived command keeps its monotonic clock.
    """
    try:
        library = faketime_library()
    except LookupError as error:  # `make test` installs it (make topology-tools): missing is a broken set-up
        pytest.fail(str(error), pytrace=False)
    moved = {"LD_PRELOAD": library, "FAKETIME": moment.strftime("@%Y-%m-%d %H:%M:%S"), "TZ": "UTC"}
    return moved if monotonic else {**moved, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def answer(browser: Browser, craving_now: int) -> None:
    """One participant: GET the form, POST their answers, follow the 303 to the thank-you page."""
    status, _headers, page = browser.request("GET", f"/s/{GROUP_CODE}")
    assert status == 200
    token = TOKEN.search(page.decode()).group(1)  # type: ignore[union-attr]
    body = urlencode({"form_token": token, "lang": "en", "website": "", "craving_now": str(craving_now)})
    status, headers, _data = browser.request("POST", f"/s/{GROUP_CODE}", body)
    assert status == 303, _data[:300]
    thanks = urlsplit(headers["location"])
    assert browser.request("GET", thanks.path + (f"?{thanks.query}" if thanks.query else ""))[0] == 200


def release_at(database_url: str, moment: dt.datetime) -> str:
    """Run `flask release run` with the clock at this moment; return what it printed."""
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **clock(moment, monotonic=False),
    }
    command = [sys.executable, "-m", "flask", "--app", "survey", "release", "run"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


@pytest.mark.skipif(ON_POSTGRES, reason="runs once, on its own SQLite file, in the SQLite pass")
def test_meetings_on_several_days_are_released_by_the_moved_clock_alone(tmp_path: Path, make_app) -> None:
    database_url = f"sqlite:///{tmp_path / 'travel.sqlite3'}"
    prepare_database(database_url)
    with sqlite3.connect(tmp_path / "travel.sqlite3") as connection:
        connection.execute("UPDATE groups SET min_group_size = 3")
    for evening, values in MEETINGS.items():
        server = Server("survey:create_app()", database_url, workers=1, threads=2, extra_env=clock(evening))
        server.start()
        try:
            browser = Browser(server.port)
            for value in values:
                answer(browser, value)
            browser.close()
        finally:
            server.crash()  # every answer was acknowledged and stored; a graceful stop would wait on the moved clock

    last = max(MEETINGS)
    early = release_at(database_url, last + dt.timedelta(hours=1))  # the last meeting's window is still open
    assert "released 2 batch(es)" in early
    late = release_at(database_url, last + dt.timedelta(days=3))  # its window and grace period have closed
    assert "released 1 batch(es)" in late

    app = make_app(DATABASE_URL=database_url, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    cells = client.get(f"/groups/{GROUP_CODE}/dashboard/trend/checkin/craving.json?grain=meeting").get_json()["data"]
    shown = {c["start"]: (c["n"], c["mean"]) for c in cells if not c["suppressed"]}
    hidden = {c["start"]: c["n"] for c in cells if c["suppressed"]}
    expected = {
        day.date().isoformat(): (len(v), round(sum(v) / len(v), 3)) for day, v in MEETINGS.items() if len(v) >= 3
    }
    assert shown == expected
    assert hidden == {last.date().isoformat(): 1}
