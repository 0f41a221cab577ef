"""Rate-limit counters in memory: limits' storage, swept once a second instead of a thread per request."""

from __future__ import annotations

import time

from survey import rate_limits
from survey.extensions import limiter


def test_the_default_storage_is_the_sweeping_memory_storage(make_app) -> None:
    """tests/test_participant_bad_input.py checks the participant limit's 429 on this same default storage."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        assert isinstance(limiter.storage, rate_limits.SweepingMemoryStorage)


def test_redis_is_used_when_configured() -> None:
    assert rate_limits.storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert rate_limits.storage_uri(None) == "survey-memory://"


def test_requests_spread_over_time_share_one_sweeper_thread() -> None:
    """limits' own storage starts a new 10 ms timer thread whenever the last one has run; this one keeps one."""
    storage = rate_limits.SweepingMemoryStorage()
    time.sleep(0.02)  # the 10 ms timer limits' constructor starts has run
    storage.incr("k", expiry=60)
    sweeper = storage.timer
    assert sweeper.interval == rate_limits.SWEEP_SECONDS
    for _ in range(4):
        time.sleep(0.015)  # longer than limits' 10 ms timer
        storage.incr("k", expiry=60)
    assert storage.timer is sweeper
    assert storage.get("k") == 5


def test_counters_still_expire_on_time() -> None:
    storage = rate_limits.SweepingMemoryStorage()
    storage.incr("k", expiry=0.05)
    assert storage.get("k") == 1
    time.sleep(0.1)
    assert storage.get("k") == 0  # checked against its expiry on every read, sweep or no sweep


def test_every_limit_is_on_a_post_so_page_views_skip_the_limiter(app) -> None:
    """extensions._reads_are_not_limited lets GET, HEAD and OPTIONS skip Flask-Limiter; that is only
    right while no limit is declared for them (this reads Flask-Limiter's registry of limits)."""
    manager = limiter.limit_manager
    assert manager.application_limits == [] and manager.default_limits == []
    declared = {name: [limit.methods for limit in limits] for name, limits in manager._decorated_limits.items()}
    declared |= {name: [limit.methods for limit in limits] for name, limits in manager._blueprint_limits.items()}
    assert "participant" in declared, declared
    assert any(name.endswith("coordinator.auth.login.login") for name in declared), declared
    assert all(methods == ("post",) for limits in declared.values() for methods in limits), declared
    with app.test_request_context("/s/ABC123", method="GET"):
        assert any(check() for check in limiter._request_filters)
    with app.test_request_context("/s/ABC123", method="POST"):
        assert not any(check() for check in limiter._request_filters)


def test_page_views_do_not_reach_flask_limiters_hooks(make_app) -> None:
    """rate_limits.skip_page_views: a GET runs none of Flask-Limiter's request hooks (which would call its
    request filters to find the page exempt); a POST still does, so its limit is still checked."""
    calls: list[str] = []

    def spy() -> bool:
        calls.append("filter")
        return False

    app = make_app(RATELIMIT_ENABLED=True)
    limiter._request_filters.insert(0, spy)  # first: the read filter would answer before it
    try:
        client = app.test_client()
        client.get("/privacy")
        client.get("/s/NOSUCH")
        assert calls == []
        client.post("/s/NOSUCH", data={"form_token": "x"})
        assert calls, "a POST must still reach the limiter"
    finally:
        limiter._request_filters.remove(spy)


def test_each_of_flask_limiters_request_hooks_is_kept_off_page_views(make_app) -> None:
    """Its before, after and teardown hooks are each wrapped (rate_limits.skip_page_views), none left bare."""
    app = make_app(RATELIMIT_ENABLED=True)
    registries = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    wrapped = [[hook for hook in registry[None] if hasattr(hook, "limiter_hook")] for registry in registries]
    assert all(len(hooks) == 1 for hooks in wrapped), wrapped
    hook_owners = [getattr(hook.limiter_hook, "__self__", None) for hooks in wrapped for hook in hooks]
    assert hook_owners[0] is limiter and hook_owners[2] is limiter  # bound methods; the after hook is a partial
