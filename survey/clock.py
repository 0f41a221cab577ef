"""The one clock that session lifetimes and account links read (tests move it with monkeypatch)."""

from __future__ import annotations

import time


def now() -> float:
    """Return the current time in seconds since the epoch; call it as `clock.now()` so tests can replace it."""
    return time.time()
