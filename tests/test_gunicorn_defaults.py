"""gunicorn: loopback unless told otherwise; each worker freezes its start-up state for the garbage collector."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

GUNICORN_CONF = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")


def test_gunicorn_binds_loopback_by_default(monkeypatch) -> None:
    monkeypatch.delenv("BIND", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert runpy.run_path(GUNICORN_CONF)["bind"] == "127.0.0.1:8000"


def test_gunicorn_bind_is_configurable(monkeypatch) -> None:
    monkeypatch.setenv("BIND", "0.0.0.0:9000")
    assert runpy.run_path(GUNICORN_CONF)["bind"] == "0.0.0.0:9000"


def test_worker_start_up_state_is_kept_out_of_full_collections() -> None:
    hook = runpy.run_path(GUNICORN_CONF)["post_worker_init"]
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        hook(object())
        assert gc.get_freeze_count() > 0  # what existed when the worker started is frozen
        assert gc.isenabled()  # the collector still runs over everything made afterwards
    finally:
        gc.unfreeze()
