"""Participant page weight and server render time (a benchmark run by hand, not a test).

Builds the app on a temporary SQLite database with one open group, fetches its survey page and
every same-origin stylesheet and script the page references, and prints each one's size raw and
gzip-compressed against the 20 KB budget; then times the page's render over many GETs through
the Flask test client and through a real threaded HTTP server on 127.0.0.1, side by side.

    .venv/bin/python bench/participant_weight.py [--requests 500] [--code BENCHGRP]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from survey import create_app  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Group, GroupInstrument  # noqa: E402

BUDGET = 20 * 1024


class AssetFinder(HTMLParser):
    """Collect the stylesheets, scripts and images a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").split() and found.get("href"):
            self.assets.append(found["href"] or "")
        elif tag in {"script", "img"} and found.get("src"):
            self.assets.append(found["src"] or "")


def page_assets(html: str) -> list[str]:
    """Return the same-origin paths of the CSS, JS and images a page references, in order."""
    finder = AssetFinder()
    finder.feed(html)
    return [asset for asset in dict.fromkeys(finder.assets) if not urlsplit(asset).netloc]


def compressed_size(body: bytes) -> int:
    """Return the size of the body gzip-compressed at level 6 (what a typical proxy sends)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def build_app(folder: Path, code: str, instruments: list[str]) -> Flask:
    """Return an app on a migrated SQLite database with one open group (no schedule: today's meeting)."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SURVEY_PARTICIPANT_CODE_KEY": "bench-participant-code-key",
            "SURVEY_PUBLIC_URL": "http://127.0.0.1",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "SURVEY_SQLITE_SYNCHRONOUS": "NORMAL",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        group = Group(name="Benchmark group", code=code, default_locale="en", timezone="UTC")
        group.instruments = [GroupInstrument(instrument_id=name, position=i) for i, name in enumerate(instruments)]
        db.session.add(group)
        db.session.commit()
    return app


def weigh(app: Flask, path: str) -> list[tuple[str, int, int]]:
    """Return (path, raw bytes, gzip bytes) for the page and each asset it references."""
    client = app.test_client()
    page = client.get(path)
    if page.status_code != 200:
        raise SystemExit(f"GET {path} answered {page.status_code}; is the participant blueprint there?")
    rows = [(path, len(page.data), compressed_size(page.data))]
    for asset in page_assets(page.get_data(as_text=True)):
        with client.get(asset) as response:
            body = response.get_data()
        rows.append((asset, len(body), compressed_size(body)))
    return rows


def percentile(samples: list[float], share: float) -> float:
    """Return the nearest-rank percentile of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def time_test_client(app: Flask, path: str, count: int) -> list[float]:
    """Time `count` GETs of the page through the Flask test client, in milliseconds."""
    client = app.test_client()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def time_real_server(app: Flask, path: str, count: int) -> list[float]:
    """Time `count` GETs of the page over HTTP from a threaded server on 127.0.0.1, in milliseconds."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}{path}"
    samples = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        server.shutdown()
        server.server_close()
    return samples


def main() -> None:
    """Print the page weight table, then the render times side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="GETs per timing run (default 500)")
    parser.add_argument("--code", default="BENCHGRP", help="group code to create")
    parser.add_argument("--instrument", action="append", help="instrument id(s) the group asks (default checkin)")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder), args.code, args.instrument or ["checkin"])
        path = f"/s/{args.code}"
        rows = weigh(app, path)
        print(f"Participant page weight: {path} ({', '.join(args.instrument or ['checkin'])})")
        print(f"  {'resource':<44} {'raw B':>8} {'gzip B':>8}")
        for name, raw, packed in rows:
            print(f"  {name:<44} {raw:>8} {packed:>8}")
        raw_total, packed_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
        verdict = "within" if packed_total <= BUDGET else "OVER"
        print(f"  {'total':<44} {raw_total:>8} {packed_total:>8}")
        print(f"  budget {BUDGET} B compressed: {verdict} ({packed_total / BUDGET:.0%} used)")
        with app.test_client().get("/sw.js") as worker:
            body = worker.get_data()
        print(f"  not counted (fetched after load, once): /sw.js {len(body)} B raw, {compressed_size(body)} B gzip")
        print()
        print(f"Server render time of GET {path}, {args.requests} requests each (ms):")
        print(f"  {'through':<28} {'median':>8} {'p95':>8} {'max':>8}")
        for label, timer in (("Flask test client", time_test_client), ("threaded HTTP on 127.0.0.1", time_real_server)):
            samples = timer(app, path, args.requests)
            print(
                f"  {label:<28} {statistics.median(samples):>8.2f} {percentile(samples, 0.95):>8.2f} "
                f"{max(samples):>8.2f}"
            )
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
