"""Log fields are escaped: a path with %0A, %0D or other control characters never starts a forged log line."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys

import pytest

from survey.log_escaping import escape_log_field

from .test_production_serving import GUNICORN_CONF, ROOT, free_port, wait_until_up


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("/s/ABCD2345", "/s/ABCD2345"),
        ("/x\n[01/Dec/2026] fake", "/x\\x0a[01/Dec/2026] fake"),
        ("/x\r\nnext", "/x\\x0d\\x0anext"),
        ("/red\x1b[31m", "/red\\x1b[31m"),
        ('/q"uote\\', '/q\\"uote\\\\'),
        ("/sep\u2028\u0085\u202e", "/sep\\u2028\\x85\\u202e"),
        ("/café/día", "/café/día"),
    ],
)
def test_control_characters_quotes_and_backslashes_are_escaped(raw: str, logged: str) -> None:
    assert escape_log_field(raw) == logged


def test_the_apps_own_log_records_escape_their_values(app, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error("Unhandled error on %s %s", "GET", "/x\nFAKE forged line")
    assert caplog.records[-1].getMessage() == "Unhandled error on GET /x\\x0aFAKE forged line"


def raw_request(port: int, path: str) -> bytes:
    """Send one GET with the path exactly as given (as curl --path-as-is does) and return the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("ascii"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.split(b"\r\n", 1)[0]


def test_gunicorn_access_log_keeps_one_line_per_request(tmp_path) -> None:
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "SECRET_KEY": "log-test-secret",
        "SURVEY_PARTICIPANT_CODE_KEY": "log-test-code-key",
        "SURVEY_PUBLIC_URL": "https://survey.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "survey:create_app()"]
    process = subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603
    forged = "/nope%0A%5B01/Jan/2026:00:00:00%20+0000%5D%20%22GET%20/admin%22%20200%200%201ms%0D"
    paths = [forged, "/s/AB%0D%0AFAKE", "/red%1B%5B31m%E2%80%A8", "/healthz"]
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        statuses = [raw_request(port, path) for path in paths]
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert all(status.startswith(b"HTTP/1.1 ") for status in statuses), statuses
    lines = access_log.read_text(encoding="utf-8").splitlines()
    stamp = re.compile(r'^\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET ')
    assert [line for line in lines if not stamp.match(line)] == []
    probes = [line for line in lines[: -len(paths)] if '"GET /healthz" ' in line]
    assert len(probes) == len(lines) - len(paths)  # the start-up probes of /healthz, then one line per request
    lines = lines[-len(paths) - 1 :]
    assert '"GET /nope\\x0a[01/Jan/2026:00:00:00 +0000] \\"GET /admin\\" 200 0 1ms\\x0d" 404' in lines[1]
    assert '"GET /s/AB\\x0d\\x0aFAKE"' in lines[2]
    # WSGI paths are bytes read as Latin-1: the UTF-8 of U+2028 arrives as "â\x80¨", its C1 control escaped.
    assert '"GET /red\\x1b[31m\u00e2\\x80\u00a8"' in lines[3]
