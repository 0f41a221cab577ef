"""Two real app servers on one database: an instrument uploaded on one is answered on the other, never restarted."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

from .participant_support import EVERY_TYPE_YAML, VALID_ANSWERS
from .test_production_serving import GUNICORN_CONF, ROOT, free_port, wait_until_up

PASSWORD = "two servers share one database"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def environment(tmp_path: Path, port: int) -> dict[str, str]:
    """The settings an administrator gives every app server (the README's recipe), on one SQLite file."""
    return {
        **os.environ,
        "SECRET_KEY": "two-servers-secret",
        "SURVEY_PARTICIPANT_CODE_KEY": "two-servers-code-key",
        "SURVEY_PUBLIC_URL": "https://survey.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEY_INSTRUMENTS_RECHECK_SECONDS": "1",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(tmp_path / f"access-{port}.log"),
        "GUNICORN_ERROR_LOG": str(tmp_path / f"error-{port}.log"),
        "SURVEY_PASSWORD": PASSWORD,
    }


def flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app survey` command as an administrator would, returning its output."""
    command = [sys.executable, "-m", "flask", "--app", "survey", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def start_server(env: dict[str, str]) -> subprocess.Popen:
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "survey:create_app()"]
    return subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603


def csrf_of(page: requests.Response) -> str:
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def upload_as_admin(base: str) -> requests.Response:
    session = requests.Session()
    login = session.get(f"{base}/login", timeout=10)
    sent = session.post(
        f"{base}/login",
        data={"csrf_token": csrf_of(login), "email": "admin@example.org", "password": PASSWORD},
        timeout=30,
    )
    assert sent.status_code == 200 and "/login" not in sent.url, sent.text[:500]
    form = session.get(f"{base}/instruments/upload", timeout=10)
    files = {"file": ("every_type.yaml", EVERY_TYPE_YAML.encode("utf-8"), "application/yaml")}
    return session.post(f"{base}/instruments/upload", data={"csrf_token": csrf_of(form)}, files=files, timeout=30)


def test_an_instrument_uploaded_on_one_server_is_answered_on_the_other_without_a_restart(tmp_path) -> None:
    port_a, port_b = free_port(), free_port()
    env_a, env_b = environment(tmp_path, port_a), environment(tmp_path, port_b)
    flask(env_a, "db", "upgrade")
    flask(env_a, "users", "create", "admin@example.org", "--role", "admin")
    server_a, server_b = start_server(env_a), start_server(env_b)
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    try:
        wait_until_up(f"{base_a}/healthz", server_a)
        wait_until_up(f"{base_b}/healthz", server_b)
        assert requests.get(f"{base_b}/s/UPLOAD22", timeout=10).status_code == 404  # B has served requests already
        uploaded = upload_as_admin(base_a)
        assert uploaded.status_code == 200 and "Instrument every_type (version 1) is stored and served" in uploaded.text
        # A new process (the CLI) sees the upload too: it lets a group ask for it.
        flask(env_a, "groups", "create", "Upload test", "--code", "UPLOAD22", "--instrument", "every_type")
        deadline = time.monotonic() + 15
        page = requests.get(f"{base_b}/s/UPLOAD22", timeout=10)
        while page.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.3)
            page = requests.get(f"{base_b}/s/UPLOAD22", timeout=10)
        assert page.status_code == 200 and "Mood now" in page.text, page.text[:500]
        token = FORM_TOKEN.search(page.text)
        assert token
        answers = {"form_token": token.group(1), "lang": "en", "website": "", **VALID_ANSWERS}
        sent = requests.post(f"{base_b}/s/UPLOAD22", data=answers, allow_redirects=False, timeout=30)
        assert sent.status_code in {302, 303}, sent.text[:500]
        assert server_a.poll() is None and server_b.poll() is None  # neither server was restarted
    finally:
        for server in (server_a, server_b):
            server.terminate()
        for server in (server_a, server_b):
            server.wait(timeout=30)
    with sqlite3.connect(tmp_path / "shared.sqlite3") as connection:
        rows = connection.execute(
            "SELECT v.instrument_id, a.item_id, a.value_num FROM responses r "
            "JOIN instrument_versions v ON v.id = r.instrument_version_id JOIN answers a ON a.response_id = r.id "
            "WHERE a.item_id = 'mood'"
        ).fetchall()
    assert rows == [("every_type", "mood", 7.0)]
