"""Shared pieces of the load benchmarks and tests: a database to serve, a gunicorn to start and stop,
and an HTTP client that behaves like a participant's browser (GET the form, fill it, POST it).

Not a benchmark itself; `python bench/loadlib.py` does nothing.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from itsdangerous import URLSafeTimedSerializer

ROOT = Path(__file__).resolve().parent.parent
GROUP_CODE = "BENCH1"
SECRETS = {
    "SECRET_KEY": "bench-secret-key",
    "SURVEY_PARTICIPANT_CODE_KEY": "bench-participant-code-key",
    "SURVEY_PUBLIC_URL": "http://127.0.0.1",
}


# ---------------------------------------------------------------- the database


def sqlalchemy_url(url: str) -> str:
    """Return the URL SQLAlchemy uses (psycopg 3 for PostgreSQL)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of this URL when it does not exist yet (on a fresh machine)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(sqlalchemy_url(url))
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if found.first() is None:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        engine.dispose()


def prepare_database(url: str, instruments: tuple[str, ...] = ("checkin",)) -> None:
    """Empty the database (creating it if needed), migrate it, and add one open group without a schedule."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import text

    from survey import create_app
    from survey.extensions import db
    from survey.models import Group, GroupInstrument

    if url.startswith("postgresql"):
        create_postgres_database(url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = create_app({"TESTING": True, **SECRETS, "DATABASE_URL": url})
    with app.app_context():
        if not url.startswith("sqlite"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(revision="heads")
        group = Group(name="Benchmark group", code=GROUP_CODE, timezone="UTC")
        group.instruments = [GroupInstrument(instrument_id=i, position=n) for n, i in enumerate(instruments)]
        db.session.add(group)
        db.session.commit()
        db.engine.dispose()


def query_rows(url: str, sql: str) -> list[tuple]:
    """Run one read-only query on the database and return its rows."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


CONSISTENCY_SQL = """
SELECT
  (SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id)),
  (SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.response_id = r.id)),
  (SELECT count(*) FROM answers a WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.id = a.response_id)),
  (SELECT count(*) FROM scores s WHERE NOT EXISTS (SELECT 1 FROM responses r WHERE r.id = s.response_id)),
  (SELECT count(*) FROM responses r WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE m.id = r.meeting_id))
"""


def integrity_problems(url: str) -> list[str]:
    """Return what is wrong with the stored data: SQLite's integrity check, then responses without
    answers or scores, answers or scores without a response, responses without a meeting."""
    problems = []
    if url.startswith("sqlite"):
        result = query_rows(url, "PRAGMA integrity_check")
        if result != [("ok",)]:
            problems.append(f"PRAGMA integrity_check: {result[:5]}")
    labels = [
        "responses without answers",
        "responses without scores",
        "orphan answers",
        "orphan scores",
        "responses without meeting",
    ]
    for label, count in zip(labels, query_rows(url, CONSISTENCY_SQL)[0], strict=True):
        if count:
            problems.append(f"{count} {label}")
    return problems


# ---------------------------------------------------------------- the server


def wait_until_free(port: int, timeout: float) -> None:
    """Wait until nothing accepts connections on 127.0.0.1:port.

    :raises RuntimeError: when something still does after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} is still in use")
        time.sleep(0.2)


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A gunicorn serving an app on 127.0.0.1:port, started with the repository's gunicorn.conf.py."""

    app_spec: str
    database_url: str
    port: int = field(default_factory=free_port)
    workers: int = 2
    threads: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        """Return the environment of the server: secrets, database, sizing, no rate limit, quiet log."""
        return {
            **os.environ,
            **SECRETS,
            "DATABASE_URL": self.database_url,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "GUNICORN_ACCESS_LOG": os.devnull,
            "SURVEY_RATE_LIMIT": "1000000 per minute",
            "SURVEY_PER_WORKER_RATE_LIMITS": "1",  # several workers without Redis: the limit is not measured
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }

    def start(self, timeout: float = 60) -> Server:
        """Start gunicorn and wait until /healthz answers.

        :raises RuntimeError: when something else still listens on the port (a server stopped a moment
            ago whose workers linger would otherwise answer the health check in this one's place).
        """
        wait_until_free(self.port, timeout)
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.app_spec]
        if self.log_path:
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=log, stderr=log)
        else:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return self
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
            finally:
                connection.close()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pids(self) -> list[int]:
        """Return the process ids of the current workers (children of our gunicorn master)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_worker(self) -> int:
        """SIGKILL one worker (gunicorn's master starts a new one); return its pid."""
        pid = random.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def crash(self) -> None:
        """SIGKILL the master and every worker at once, like a power cut of the app server only."""
        assert self.process is not None
        pids = self.worker_pids()
        self.process.kill()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop gunicorn gracefully."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.crash()


# ---------------------------------------------------------------- the participant


TAG = re.compile(r"<(form|/form|input|textarea|select|/select|option)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)(?:="([^"]*)")?')


@dataclass
class SurveyForm:
    """form#survey-form: its action, hidden fields and the choices of every question."""

    action: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def add(self, tag: str, a: dict[str, str], select: str | None) -> None:
        """Record one control."""
        kind = a.get("type", "text")
        if tag == "input" and kind == "hidden":
            self.hidden.append((a["name"], html.unescape(a.get("value", ""))))
        elif tag == "input" and kind == "radio":
            self.choices.setdefault(a["name"], []).append(html.unescape(a.get("value", "")))
        elif tag == "input" and kind == "checkbox":
            self.multi.setdefault(a["name"], []).append(html.unescape(a.get("value", "")))
        elif tag == "input" and kind in {"number", "range"}:
            low, high = int(float(a.get("min") or 0)), int(float(a.get("max") or 10))
            self.choices.setdefault(a["name"], [str(v) for v in range(low, high + 1)])
        elif tag == "textarea" or (tag == "input" and kind in {"text", "email", "search"}):
            self.texts.append(a["name"])
        elif tag == "option" and select and a.get("value"):
            self.choices.setdefault(select, []).append(html.unescape(a["value"]))


def read_form(page: str) -> SurveyForm:
    """Parse the survey page with a regular expression (an HTML parser would cost the client more CPU
    than the server spends, on a 2-core machine where both compete).

    :raises ValueError: when it has no survey form.
    """
    form, inside, select = SurveyForm(), False, None
    for match in TAG.finditer(page):
        tag = match.group(1).lower()
        attributes = {k.lower(): v or "" for k, v in ATTRIBUTE.findall(match.group(2))}
        if tag == "form" and attributes.get("id") == "survey-form":
            inside, form.action = True, html.unescape(attributes.get("action", ""))
        elif tag == "/form":
            inside = False
        elif inside and tag == "select":
            select = attributes.get("name")
        elif inside and tag == "/select":
            select = None
        elif inside:
            form.add(tag, attributes, select)
    if not form.action or not any(name == "form_token" for name, _ in form.hidden):
        raise ValueError("no survey form on this page")
    return form


def fill(form: SurveyForm, rng: random.Random) -> list[tuple[str, str]]:
    """Answer every question like a participant would (the honeypot stays empty)."""
    pairs = list(form.hidden)
    pairs += [(name, rng.choice(values)) for name, values in form.choices.items()]
    for name, values in form.multi.items():
        pairs += [(name, value) for value in rng.sample(values, rng.randint(0, len(values)))]
    for name in form.texts:
        if name == "website":
            pairs.append((name, ""))
        elif name == "participant_code":
            pairs.append((name, rng.choice(["", f"code{rng.randint(1, 50)}"])))
        else:
            pairs.append((name, rng.choice(["", "Good meeting, thank you.", "Ñandú – 🙂 ok"])))
    return pairs


def nonce_of(signed_token: str) -> str:
    """Read the idempotency nonce from a form token without its key (the payload is signed, not secret)."""
    _valid, payload = URLSafeTimedSerializer("unused").loads_unsafe(signed_token)
    return str(payload["n"])


class Browser:
    """One participant's connection to 127.0.0.1:port (kept alive, reopened after any error).

    With `tls` it speaks HTTPS (as through the TLS proxy of the topology test); with `source` it connects
    from that local address (127.0.0.0/8), so a proxy in front sees each participant as its own client.
    """

    def __init__(
        self, port: int, timeout: float = 30, tls: ssl.SSLContext | None = None, source: str | None = None
    ) -> None:
        self.port, self.timeout, self.tls = port, timeout, tls
        self.source = (source, 0) if source else None
        self.connection: http.client.HTTPConnection | None = None
        self.origin = f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    def connect(self) -> http.client.HTTPConnection:
        """Open a new connection (HTTPS when this browser has a TLS context)."""
        if self.tls is not None:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=self.timeout, source_address=self.source, context=self.tls
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout, source_address=self.source)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """Send one request; raise OSError (or http.client errors) when the server does not answer."""
        if self.connection is None:
            self.connection = self.connect()
        headers = {"Sec-Fetch-Site": "same-origin", "Origin": self.origin, "Accept": "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except OSError:
            self.close()
            raise
        except http.client.HTTPException as error:  # e.g. an answer cut short by a killed worker
            self.close()
            raise ConnectionError(repr(error)) from None
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def request_and_hang_up(self, method: str, path: str, body: str) -> None:
        """Send a request on a fresh connection and close it without reading the answer."""
        connection = self.connect()
        headers = {
            "Sec-Fetch-Site": "same-origin",
            "Origin": self.origin,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            connection.request(method, path, body=body, headers=headers)
        finally:
            connection.close()

    def close(self) -> None:
        """Drop the connection."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Submission:
    """One filled form: its nonce, the body to POST, and what happened to it."""

    nonce: str
    path: str
    body: str
    acknowledged: bool = False
    attempts: int = 0
    thanks: str = ""  # the address the acknowledging 303 sent the browser to


def open_form(browser: Browser, code: str, rng: random.Random) -> Submission:
    """GET the survey page and fill it in.

    :raises RuntimeError: when the page is not a survey form.
    """
    status, _headers, data = browser.request("GET", f"/s/{code}")
    if status != 200:
        raise RuntimeError(f"GET /s/{code} answered {status}")
    form = read_form(data.decode("utf-8"))
    pairs = fill(form, rng)
    token = next(value for name, value in pairs if name == "form_token")
    return Submission(nonce=nonce_of(token), path=form.action, body=urlencode(pairs))


def post(browser: Browser, submission: Submission) -> bool:
    """POST the answers once; True when the server acknowledged them (303 to the group's thank-you page).

    The thank-you address carries a signed, short-lived ticket instead of the nonce, so any 303 to it
    after this POST acknowledges these answers (stored now, or already stored by an earlier try).

    :raises RuntimeError: on an answer that retrying cannot fix (a 4xx other than 429).
    """
    submission.attempts += 1
    status, headers, data = browser.request("POST", submission.path, submission.body)
    where = urlsplit(headers.get("location", "")).path.rstrip("/")
    if status == 303 and (where.endswith("/thanks") or where.endswith(f"/thanks/{submission.nonce}")):  # app, bare app
        submission.acknowledged = True
        location = urlsplit(headers["location"])
        submission.thanks = location.path + (f"?{location.query}" if location.query else "")
        return True
    if 400 <= status < 500 and status != 429:
        raise RuntimeError(f"POST answered {status}: {data[:300]!r}")
    return False


def open_thanks(browser: Browser, submission: Submission) -> None:
    """Follow the acknowledging 303 to the thank-you page, as the participant's browser does.

    :raises RuntimeError: when the page does not answer 200.
    """
    status, _headers, _data = browser.request("GET", submission.thanks)
    if status != 200:
        raise RuntimeError(f"GET {submission.thanks.split('?')[0]} answered {status}")


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of the values (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def chunks(total: int, parts: int) -> Iterator[int]:
    """Split total into `parts` nearly equal whole numbers."""
    for index in range(parts):
        yield total // parts + (1 if index < total % parts else 0)


if __name__ == "__main__":
    print("bench/loadlib.py is a library for the other benchmarks; nothing to run.")
