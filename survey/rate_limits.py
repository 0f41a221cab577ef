"""Where rate-limit counters live: Redis when REDIS_URL is set (shared by every server), else memory.

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

from limits.storage import MemoryStorage

SCHEME = "survey-memory"
SWEEP_SECONDS = 1.0


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
