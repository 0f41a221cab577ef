"""Production serving: static files under content-hashed names, cached for a year, gzip-compressed.

WhiteNoise serves every file in static/ twice: under its plain name (`/static/site.css`, cached
for a minute, for the service worker and old pages) and under a name carrying a hash of its
content (`/static/site.3f2a9c0d1e4b.css`, cached for a year as immutable), which is what
`url_for('static', ...)` returns. A changed file gets a new name, so browsers never see a stale
one. Text files also get a gzip copy, written once into a cache folder keyed by the content
hash, that WhiteNoise sends to browsers that accept it.

HTML and JSON pages are gzip-compressed here too, but only for requests that carry no cookie at
all (participants: the app sets them none): compressing pages that carry a logged-in user's CSRF
token next to reflected input would open the BREACH side channel, so coordinator pages are left to
the proxy. No cookie at all, rather than no cookie of the session's name, because that name is
`__Host-session` over HTTPS (accounts.py) and `session` otherwise.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, Response
from whitenoise import WhiteNoise
from whitenoise.responders import StaticFile

from . import unproxied
from .security import CSP, HSTS

HASH_LENGTH = 12
ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = {".css", ".js", ".json", ".svg", ".html", ".txt", ".map", ".webmanifest"}
COMPRESSED_TYPES = {"text/html", "application/json"}
MIN_COMPRESS_BYTES = 512


def init_app(app: Flask) -> None:
    """Serve static files through WhiteNoise with hashed names, and gzip anonymous pages."""
    app.after_request(compress_response)
    if app.debug or not app.static_folder:
        return  # development: plain Flask static files, so edits show at once
    static_root = Path(app.static_folder)
    cache_dir = Path(app.config.get("SURVEY_STATIC_CACHE") or Path(app.instance_path) / "static-cache")
    manifest = hashed_names(static_root)
    app.config["SURVEY_STATIC_MANIFEST"] = manifest
    app.url_defaults(lambda endpoint, values: _hashed_static_url(manifest, endpoint, values))
    # Wrapping wsgi_app is Flask's documented middleware pattern; mypy sees it as a method.
    app.wsgi_app = HashedStatic(  # type: ignore[method-assign]
        app.wsgi_app, static_root, app.static_url_path or "/static", manifest, cache_dir
    )


def _hashed_static_url(manifest: dict[str, str], endpoint: str, values: dict) -> None:
    """Point url_for('static', filename=...) at the file's hashed name."""
    if endpoint == "static" and values.get("filename") in manifest:
        values["filename"] = manifest[values["filename"]]


def static_files(root: Path) -> Iterator[Path]:
    """Yield every regular file under root, skipping hidden files and compressed copies."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.suffix not in {".gz", ".br"}:
            yield path


def content_hash(path: Path) -> str:
    """Return the first HASH_LENGTH hex digits of the file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


def hashed_name(relative: str, digest: str) -> str:
    """Return `dir/name.<digest>.ext` for `dir/name.ext`."""
    stem, dot, suffix = relative.rpartition(".")
    if not dot or "/" in suffix:
        return f"{relative}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def hashed_names(root: Path) -> dict[str, str]:
    """Map each static file's relative name to its content-hashed name."""
    return {
        path.relative_to(root).as_posix(): hashed_name(path.relative_to(root).as_posix(), content_hash(path))
        for path in static_files(root)
    }


def gzip_copy(path: Path, digest: str, cache_dir: Path) -> Path | None:
    """Return a gzip copy of a text file in cache_dir (written once, atomically), or None if not worth it."""
    if path.suffix not in COMPRESSIBLE:
        return None
    target = cache_dir / f"{digest}{path.suffix}.gz"
    if target.exists():
        return target
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) >= len(data) * 0.95:
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Several workers may start at once: write a private temporary file, then rename it into place.
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(packed)
    os.replace(temporary, target)
    return target


class HashedStatic(WhiteNoise):
    """WhiteNoise serving each static file under its plain and its content-hashed URL."""

    def __init__(self, application, root: Path, prefix: str, manifest: dict[str, str], cache_dir: Path) -> None:
        super().__init__(application, max_age=60, add_headers_function=_static_headers)
        self.hashed_urls = {f"{prefix.rstrip('/')}/{name}" for name in manifest.values()}
        for relative, hashed in manifest.items():
            path = root / relative
            gz = gzip_copy(path, content_hash(path), cache_dir)
            for url in (f"{prefix.rstrip('/')}/{relative}", f"{prefix.rstrip('/')}/{hashed}"):
                self.files[url] = self._static_file(path, url, gz)

    def _static_file(self, path: Path, url: str, gz: Path | None) -> StaticFile:
        """Build WhiteNoise's responder for one URL, with the gzip copy as an alternative."""
        encodings = {"gzip": str(gz)} if gz else {}
        return StaticFile(str(path), _headers_of(self, path, url), encodings=encodings)

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        """Serve as WhiteNoise does, adding HSTS to static files sent over HTTPS (as pages get it)."""
        if environ.get("wsgi.url_scheme") != "https":
            return super().__call__(environ, start_response)

        def start_with_hsts(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            if not any(name.lower() == "strict-transport-security" for name, _ in headers):
                headers = [*headers, ("Strict-Transport-Security", HSTS)]
            return start_response(status, headers, exc_info)

        return super().__call__(environ, start_with_hsts)

    def immutable_file_test(self, path: str, url: str) -> bool:
        """Hashed names never change content, so browsers may keep them for a year."""
        return url in self.hashed_urls


def _headers_of(noise: WhiteNoise, path: Path, url: str) -> list[tuple[str, str]]:
    """Return the headers WhiteNoise would send for this file (type, caching, security)."""
    from wsgiref.headers import Headers

    headers = Headers([])
    noise.add_mime_headers(headers, str(path), url)
    noise.add_cache_headers(headers, str(path), url)
    _static_headers(headers, str(path), url)
    return headers.items()


def _static_headers(headers, path: str, url: str) -> None:  # type: ignore[no-untyped-def]
    """Give static files the same protective headers as pages."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = CSP
    headers["Referrer-Policy"] = "no-referrer"


def compress_response(response: Response) -> Response:
    """Gzip an HTML or JSON page for a visitor without any cookie, when the browser accepts it."""
    if "Vary" in response.headers:
        response.vary.add("Accept-Encoding")
    else:  # the same header, without parsing and rewriting an empty set (every participant page)
        response.headers["Vary"] = "Accept-Encoding"
    environ = unproxied.this_request().environ  # not through the proxy (unproxied.py)
    if (
        "HTTP_COOKIE" in environ  # a session's page (see the module docstring), never compressed here
        or "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", "")
        or response.direct_passthrough
        or response.mimetype not in COMPRESSED_TYPES
        or "Content-Encoding" in response.headers
        or response.status_code < 200
        or response.status_code in (204, 304)
    ):
        return response
    data = response.get_data()
    if len(data) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response
