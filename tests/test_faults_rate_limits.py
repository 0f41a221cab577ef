"""Rate-limit storage faults: Redis down or paused never fails a participant's answer or a login."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from survey import rate_limits
from survey.extensions import limiter

from . import participant_support as support
from .coordinator_support import add_user, log_in_with_form
from .participant_support import make_group, response_count, submit

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient

CLOSED_PORT = 5141  # in this helper's range; nothing listens on it
REAL_REDIS = "redis://127.0.0.1:6379/7"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: Redis paused (SIGSTOP) looks like this."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 5143))
    server.listen(64)
    yield 5143
    server.close()


def redis_app(make_app, instruments_dir, url: str, **settings) -> Flask:  # type: ignore[no-untyped-def]
    app = make_app(
        SURVEY_INSTRUMENTS_DIR=str(instruments_dir),
        RATELIMIT_ENABLED=True,
        REDIS_URL=url,
        WTF_CSRF_ENABLED=False,
        **settings,
    )
    support.compile_catalogs()
    make_group(app)
    return app


def real_redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REAL_REDIS, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("which", ["closed", "silent"])
def test_answers_are_stored_when_redis_is_down_or_paused(make_app, instruments_dir, request, which) -> None:
    port = CLOSED_PORT if which == "closed" else request.getfixturevalue("silent_port")
    app = redis_app(make_app, instruments_dir, f"redis://127.0.0.1:{port}/0")
    client = app.test_client()
    started = time.monotonic()
    for _ in range(3):
        reply = submit(client)
        assert reply.status_code == 303, reply.get_data(as_text=True)[:300]
    assert time.monotonic() - started < 4  # short socket timeouts, not redis-py's default of none
    assert response_count(app) == 3


def test_in_process_counters_still_limit_while_redis_is_down(make_app, instruments_dir) -> None:
    app = redis_app(make_app, instruments_dir, f"redis://127.0.0.1:{CLOSED_PORT}/0", SURVEY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [submit(client).status_code for _ in range(3)] == [303, 303, 429]
    assert response_count(app) == 2


def test_login_works_when_redis_is_down(make_app, instruments_dir) -> None:
    app = redis_app(make_app, instruments_dir, f"redis://127.0.0.1:{CLOSED_PORT}/0")
    add_user(app, "coord@example.org")
    client = app.test_client()
    assert log_in_with_form(client, "coord@example.org", "wrong password!").status_code == 401
    assert log_in_with_form(client, "coord@example.org").status_code == 302


def test_healthz_reports_the_rate_limit_fallback(make_app, instruments_dir) -> None:
    app = redis_app(make_app, instruments_dir, f"redis://127.0.0.1:{CLOSED_PORT}/0")
    body = app.test_client().get("/healthz").get_json()
    assert body["rate_limits"] == "in-process fallback (storage unreachable)"
    assert body["status"] == "degraded"


def test_healthz_without_redis_says_so(make_app, instruments_dir) -> None:
    app = make_app(SURVEY_INSTRUMENTS_DIR=str(instruments_dir), RATELIMIT_ENABLED=True)
    body = app.test_client().get("/healthz").get_json()
    assert body["rate_limits"] == "in-process"
    assert body["status"] == "ok"


def test_the_fallback_is_logged(make_app, instruments_dir, caplog) -> None:
    app = redis_app(make_app, instruments_dir, f"redis://127.0.0.1:{CLOSED_PORT}/0")
    with caplog.at_level("WARNING"):
        assert submit(app.test_client()).status_code == 303
    assert any("falling back to in-memory storage" in record.getMessage() for record in caplog.records)


@pytest.mark.skipif(not real_redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_real_redis_counts_are_shared_by_two_apps(make_app, instruments_dir) -> None:
    redis.Redis.from_url(REAL_REDIS).flushdb()
    first = redis_app(make_app, instruments_dir, REAL_REDIS, SURVEY_RATE_LIMIT="3 per minute")
    second = make_app(
        SURVEY_INSTRUMENTS_DIR=str(instruments_dir), RATELIMIT_ENABLED=True, REDIS_URL=REAL_REDIS
    )  # same database, same Redis: a second app server
    second.config["SURVEY_RATE_LIMIT"] = "3 per minute"
    codes = [submit(first.test_client()).status_code, submit(second.test_client()).status_code]
    codes += [submit(first.test_client()).status_code, submit(second.test_client()).status_code]
    assert codes == [303, 303, 303, 429]
    body = first.test_client().get("/healthz").get_json()
    assert body["rate_limits"] == "redis" and body["status"] == "ok"
    redis.Redis.from_url(REAL_REDIS).flushdb()


@pytest.mark.skipif(not real_redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_the_redis_connection_has_short_timeouts(make_app, instruments_dir) -> None:
    app = redis_app(make_app, instruments_dir, REAL_REDIS)
    with app.app_context():
        options = limiter.storage.storage.connection_pool.connection_kwargs
    assert 0 < options["socket_timeout"] <= 1 and 0 < options["socket_connect_timeout"] <= 1


@pytest.mark.parametrize(
    ("workers", "environ", "refused"),
    [
        (1, {}, False),
        (4, {}, True),
        (4, {"REDIS_URL": "redis://127.0.0.1:6379/0"}, False),
        (2, {"SURVEY_PER_WORKER_RATE_LIMITS": "1"}, False),
    ],
)
def test_several_workers_need_shared_counters(workers, environ, refused) -> None:
    if refused:
        with pytest.raises(SystemExit) as stopped:
            rate_limits.check_workers(workers, environ)
        assert "REDIS_URL" in str(stopped.value.code)
    else:
        rate_limits.check_workers(workers, environ)


def test_gunicorn_defaults_to_one_worker_without_redis() -> None:
    import runpy

    from survey.config import PROJECT_ROOT

    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 1 or settings.get("on_starting") is not None
    assert settings["on_starting"].__name__ == "on_starting"
