"""Behind a reverse proxy: take the client address and scheme from the proxy's X-Forwarded headers.

Only when SURVEY_PROXY_HOPS says how many proxies stand in front; otherwise the headers are
ignored, because anyone can send them. The client address is used for rate limits only (counted
in memory or Redis) and is never stored or logged.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Trust exactly SURVEY_PROXY_HOPS proxies, so every client gets its own rate-limit counter."""
    hops = int(app.config["SURVEY_PROXY_HOPS"])
    if hops < 0:
        raise ValueError("SURVEY_PROXY_HOPS must be 0 or more")
    if hops:
        # Wrapping wsgi_app is Flask's documented middleware pattern; mypy sees it as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
