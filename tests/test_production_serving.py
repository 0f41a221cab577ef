"""Production serving: hashed and compressed static files, compressed pages, quiet logs, required secrets."""

from __future__ import annotations

import gzip
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import url_for

from survey.config import ConfigError, load_settings
from survey.serving import hashed_names

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
# gunicorn atoms that would put a client, its browser or its request details in the log.
IDENTIFYING_ATOMS = ["%(h)s", "%(a)s", "%(f)s", "%(q)s", "%(r)s", "%(u)s", "%({"]


def test_access_log_format_has_no_client_address_or_browser() -> None:
    settings = runpy.run_path(str(GUNICORN_CONF))
    log_format = settings["access_log_format"]
    assert [atom for atom in IDENTIFYING_ATOMS if atom in log_format] == []
    assert "%(s)s" in log_format and "%(U)s" in log_format  # still useful: status and path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in time")


def test_gunicorn_access_log_never_contains_the_client_address(tmp_path) -> None:
    port = free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        **os.environ,
        "SECRET_KEY": "serving-test-secret",
        "SURVEY_PARTICIPANT_CODE_KEY": "serving-test-code-key",
        "SURVEY_PUBLIC_URL": "https://survey.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(error_log),
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "survey:create_app()"]
    process = subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        for path in ("/healthz", "/static/site.css", "/no-such-page?email=someone@example.org"):
            try:
                urllib.request.urlopen(base + path, timeout=5).close()  # noqa: S310
            except urllib.error.HTTPError as error:
                assert error.code == 404
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = access_log.read_text().splitlines()
    assert len(lines) >= 3
    assert [line for line in lines if "127.0.0.1" in line or "someone@example.org" in line] == []
    assert any('"GET /no-such-page" 404' in line for line in lines)
    # The error log names the bound address once ("Listening at"), never a client.
    assert [
        line for line in error_log.read_text().splitlines() if "127.0.0.1" in line and "Listening at" not in line
    ] == []


def test_static_url_carries_a_content_hash_and_is_cached_for_a_year(app) -> None:
    with app.test_request_context():
        url = url_for("static", filename="site.css")
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", url)
    response = app.test_client().get(url)
    response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.data == (ROOT / "static" / "site.css").read_bytes()
    assert "immutable" in response.headers["Cache-Control"] and "max-age=315360000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_plain_static_name_still_served_with_a_short_lifetime(client) -> None:
    response = client.get("/static/site.css")
    response.close()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "max-age=60, public"


def test_static_text_is_gzipped_for_browsers_that_accept_it(app) -> None:
    with app.test_request_context():
        url = url_for("static", filename="participant/offline.js")
    response = app.test_client().get(url, headers={"Accept-Encoding": "gzip, br"})
    response.get_data()
    response.close()
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == (ROOT / "static" / "participant" / "offline.js").read_bytes()
    assert "Accept-Encoding" in response.headers["Vary"]


def test_changed_content_gets_a_new_name(tmp_path) -> None:
    (tmp_path / "app.js").write_text("one")
    (tmp_path / "noext").write_text("x")
    first = hashed_names(tmp_path)
    (tmp_path / "app.js").write_text("two")
    second = hashed_names(tmp_path)
    assert first["app.js"] != second["app.js"] and re.fullmatch(r"app\.[0-9a-f]{12}\.js", second["app.js"])
    assert re.fullmatch(r"noext\.[0-9a-f]{12}", second["noext"])


@pytest.fixture
def big_page_app(make_app):
    app = make_app()
    app.add_url_rule("/_big", "big", lambda: "<p>" + "words and more words " * 200 + "</p>")
    return app


def test_anonymous_html_is_gzipped(big_page_app) -> None:
    response = big_page_app.test_client().get("/_big", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"<p>words")
    assert "Accept-Encoding" in response.headers["Vary"]


def test_pages_for_a_session_are_not_compressed_against_breach(big_page_app) -> None:
    client = big_page_app.test_client()
    client.set_cookie(big_page_app.config["SESSION_COOKIE_NAME"], "anything")
    response = client.get("/_big", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers and response.data.startswith(b"<p>words")


def test_pages_for_a_session_are_not_compressed_over_https_either(big_page_app) -> None:
    client = big_page_app.test_client()  # over HTTPS the session cookie is named __Host-session (accounts.py)
    client.set_cookie("__Host-session", "anything", domain="localhost", secure=True)
    response = client.get("/_big", headers={"Accept-Encoding": "gzip"}, base_url="https://localhost")
    assert "Content-Encoding" not in response.headers and response.data.startswith(b"<p>words")


def test_uncompressed_when_the_browser_does_not_accept_gzip(big_page_app) -> None:
    response = big_page_app.test_client().get("/_big", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers


def test_production_requires_a_participant_code_key(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SURVEY_PARTICIPANT_CODE_KEY is not set"):
        load_settings(tmp_path, {}, {"SECRET_KEY": "set"})


def test_production_starts_with_both_secrets(tmp_path) -> None:
    settings = load_settings(
        tmp_path, {}, {"SECRET_KEY": "a", "SURVEY_PARTICIPANT_CODE_KEY": "b", "SURVEY_PUBLIC_URL": "https://s.example"}
    )
    assert settings["SURVEY_PARTICIPANT_CODE_KEY"] == "b"


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"DEBUG": True}])
def test_development_and_testing_derive_a_participant_code_key(tmp_path, mode) -> None:
    settings = load_settings(tmp_path, {**mode, "SECRET_KEY": "s"}, {})
    assert settings["SURVEY_PARTICIPANT_CODE_KEY"] and settings["SURVEY_PARTICIPANT_CODE_KEY"] != "s"
