"""Absolute links for printing and sending: always on SURVEY_PUBLIC_URL, never on the request's Host header."""

from __future__ import annotations

from flask import current_app, request


def absolute_url(path: str) -> str:
    """Return `path` (starting with /) on the site's public base URL.

    Only development and tests (where the setting may be unset) fall back to the request's own address;
    production refuses to start without it, so a forged Host header never reaches a poster, a QR code or
    an invitation link.
    """
    base = current_app.config.get("SURVEY_PUBLIC_URL") or request.url_root
    return base.rstrip("/") + path
