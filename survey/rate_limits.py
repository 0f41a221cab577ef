"""Where rate-limit counters live: Redis when REDIS_URL is set (shared by every server), else memory.

A Redis fault never fails a request: the Redis connection gives up after REDIS_TIMEOUT_SECONDS, and
Flask-Limiter then counts in this process's memory (logged: "Rate limit storage unreachable - falling
back to in-memory storage") until Redis answers again; `/healthz` says "degraded" meanwhile. Counters
in memory are per process, so `check_workers` (gunicorn's on_starting hook) refuses several workers
without Redis: "5 failed logins a minute" must mean 5, not 5 per worker.

The memory storage is limits' own `MemoryStorage`, with one change. Its counters expire when they
are read; separately, it sweeps expired counters from memory on a `threading.Timer` that lasts
10 ms and is started again by the next counted request once it has run. Under load that is a new
thread for almost every participant POST, and starting a thread waits for that thread to run:
measured in-process, it was the largest single cost of the rate limit. Here the sweep runs at most
once a second, which changes nothing a participant or an attacker can observe (a counter is checked
against its expiry on every read) and starts at most one thread a second.

The override names limits' private method (`_MemoryStorage__schedule_expiry`); requirements.lock
pins limits, and tests/test_rate_limits.py fails if the override stops being called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, current_app
from limits.storage import MemoryStorage

from . import unproxied
from .extensions import READ_ONLY_METHODS, limiter

SCHEME = "survey-memory"
SWEEP_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 0.5  # connect and read: a paused Redis costs a request half a second, once
PER_WORKER_FLAG = "SURVEY_PER_WORKER_RATE_LIMITS"  # "1": accept limits multiplied by the worker count


class SweepingMemoryStorage(MemoryStorage):
    """limits' memory storage, sweeping expired counters once a second instead of every 10 ms."""

    STORAGE_SCHEME = [SCHEME]

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (overrides limits' private name)
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True
            self.timer.start()


def storage_uri(redis_url: str | None) -> str:
    """Return Flask-Limiter's storage URI: Redis when configured, else this process's memory."""
    return redis_url or f"{SCHEME}://"


def init_app(app: Flask) -> None:
    """Configure Flask-Limiter: the storage, short Redis timeouts, the in-memory fallback; bind it."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(redis_url))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # logged; a limit never fails the request
    if redis_url:
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_timeout", REDIS_TIMEOUT_SECONDS)
        options.setdefault("socket_connect_timeout", REDIS_TIMEOUT_SECONDS)
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before, after, teardown = (list(registry.get(None, [])) for registry in hooks)
    limiter.init_app(app)
    limiter._storage_dead = False  # the limiter object outlives an app (tests build many): start healthy
    skip_page_views(app, before, after, teardown)


def skip_page_views(app: Flask, *known: list[Callable[..., Any]]) -> None:
    """Run the request hooks Flask-Limiter just added (those not `known` before it) on POSTs only.

    Every limit here is on a POST (extensions._reads_are_not_limited, checked by tests/test_rate_limits.py),
    yet Flask-Limiter's hooks work out on every page view that no limit applies, that there are no
    headers to add and that its per-request state (kept on the request context) is to be cleared: about
    a tenth of a whole submission's CPU, measured. A page view skips them.
    """
    before, after, teardown = known
    befores: list[Any] = app.before_request_funcs.setdefault(None, [])
    befores[:] = [hook if hook in before else _before_writes(hook) for hook in befores]
    afters: list[Any] = app.after_request_funcs.setdefault(None, [])
    afters[:] = [hook if hook in after else _after_writes(hook) for hook in afters]
    teardowns: list[Any] = app.teardown_request_funcs.setdefault(None, [])
    teardowns[:] = [hook if hook in teardown else _teardown_writes(hook) for hook in teardowns]


def _method() -> str:
    """The request's method, read from the request itself (a lookup through the request proxy costs more)."""
    return unproxied.this_request().method


def _before_writes(hook: Callable[[], Any]) -> Callable[[], Any]:
    """A before-request hook that runs for every method but GET, HEAD and OPTIONS."""

    def before_writes() -> Any:
        return None if _method() in READ_ONLY_METHODS else hook()

    before_writes.limiter_hook = hook  # type: ignore[attr-defined]  # what it wraps (tests)
    return before_writes


def _after_writes(hook: Callable[[Response], Response]) -> Callable[[Response], Response]:
    """An after-request hook that runs for every method but GET, HEAD and OPTIONS."""

    def after_writes(response: Response) -> Response:
        return response if _method() in READ_ONLY_METHODS else hook(response)

    after_writes.limiter_hook = hook  # type: ignore[attr-defined]
    return after_writes


def _teardown_writes(hook: Callable[[BaseException | None], None]) -> Callable[[BaseException | None], None]:
    """A teardown hook that runs for every method but GET, HEAD and OPTIONS."""

    def teardown_writes(error: BaseException | None) -> None:
        if _method() not in READ_ONLY_METHODS:
            hook(error)

    teardown_writes.limiter_hook = hook  # type: ignore[attr-defined]
    return teardown_writes


def storage_state() -> str:
    """Describe where counters live now, for /healthz: "in-process", "redis", the fallback, or "disabled"."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "disabled"
    storage = limiter.storage
    if isinstance(storage, MemoryStorage):
        return "in-process"
    try:
        healthy = bool(storage.check())
    except Exception:  # noqa: BLE001 (any storage error means the same: counting in memory)
        healthy = False
    return "redis" if healthy else "in-process fallback (storage unreachable)"


def check_workers(workers: int, environ: Mapping[str, str]) -> None:
    """Refuse several worker processes on per-process counters (gunicorn.conf.py's on_starting).

    :raises SystemExit: with one line saying what to set.
    """
    if workers > 1 and not environ.get("REDIS_URL") and environ.get(PER_WORKER_FLAG) != "1":
        raise SystemExit(
            f"{workers} gunicorn workers without REDIS_URL would each count rate limits on their own "
            f"({workers}x the configured limits). Set REDIS_URL, or WEB_CONCURRENCY=1, "
            f"or {PER_WORKER_FLAG}=1 to accept per-worker limits."
        )
