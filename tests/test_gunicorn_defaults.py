"""gunicorn listens on the loopback address unless told otherwise."""

from __future__ import annotations

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
