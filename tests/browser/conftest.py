"""Browser fixtures: the app on a live server thread, Debian's chromium through Playwright, axe-core.

Chromium comes from apt (`make browser`), never from `playwright install`; when it is missing the
browser tests fail with a message saying how to install it, they are never skipped silently.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from survey.config import PROJECT_ROOT
from survey.extensions import db
from survey.models import Group, GroupInstrument, Response
from tests.participant_support import EVERY_TYPE_YAML, compile_catalogs

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class LiveServer:
    """A running app: its base URL and the app, for database checks."""

    url: str
    app: Flask

    def response_count(self) -> int:
        """Count the stored responses."""
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Response)) or 0

    def responses(self) -> list[Response]:
        """Return every stored response with its answers loaded."""
        with self.app.app_context():
            rows = db.session.scalars(select(Response).order_by(Response.id)).all()
            for row in rows:
                _ = row.answers
            db.session.expunge_all()
            return list(rows)


def add_group(
    app: Flask, code: str, locale: str = "en", instruments: tuple[str, ...] = ("checkin",), **fields: Any
) -> None:
    """Create a group with no weekly schedule, so today's meeting is open for answers."""
    with app.app_context():
        group = Group(name=f"Group {code}", code=code, default_locale=locale, timezone="UTC", **fields)
        group.instruments = [GroupInstrument(instrument_id=name, position=i) for i, name in enumerate(instruments)]
        db.session.add(group)
        db.session.commit()


@pytest.fixture
def live_server(make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[LiveServer]:
    """Serve a fresh app (file database, so it crosses threads) on a free local port.

    Groups: BROWSEEN (English, check-in), BROWSEES (Spanish, check-in), BROWSERQ (a required
    item), BROWSEET (every item type, with show_if), BROWSECL (closed: 410).
    """
    compile_catalogs()
    folder = tmp_path / "instruments"
    folder.mkdir()
    for name in ("checkin", "recovery_self_efficacy"):
        shutil.copy(PROJECT_ROOT / "instruments" / f"{name}.yaml", folder)
    (folder / "every_type.yaml").write_text(EVERY_TYPE_YAML, encoding="utf-8")
    app = make_app(SURVEY_INSTRUMENTS_DIR=str(folder))
    add_group(app, "BROWSEEN", "en")
    add_group(app, "BROWSEES", "es")
    add_group(app, "BROWSERQ", "en", instruments=("recovery_self_efficacy",))
    add_group(app, "BROWSEET", "en", instruments=("every_type",))
    add_group(app, "BROWSECL", "en", is_open=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium: Any) -> Any:
    """Debian's chromium (tests/conftest.py launches it once per session), with axe-core at hand."""
    if not AXE_SCRIPT.exists():
        pytest.fail(
            "axe-core is missing: run `npm ci` (make test does) to install node_modules/axe-core.", pytrace=False
        )
    return chromium


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """Make browser contexts (a phone by default); each one is closed after the test."""
    contexts: list[Any] = []
    page_errors: list[str] = []

    def build(**options: Any) -> Any:
        context = browser.new_context(**{**PHONE, **options})
        context.set_default_timeout(10_000)
        context.on("console", lambda message: record_console_error(message, page_errors))
        context.on("weberror", lambda error: page_errors.append(str(error.error)))
        contexts.append(context)
        return context

    yield build
    for context in contexts:
        context.close()
    assert not page_errors, f"the pages logged errors (a CSP violation or a script error?): {page_errors}"


def record_console_error(message: Any, errors: list[str]) -> None:
    """Keep console errors, except the browser's note about an HTTP error status (4xx pages are tested)."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


@pytest.fixture
def phone(new_context: Callable[..., Any]) -> Any:
    """A page in a phone-sized, touch, JavaScript-enabled context with English preferred."""
    return new_context(locale="en-US").new_page()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern, so the
        # tests keep the real CSP on (an inline script in our pages would show as an error).
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """Summarize axe violations for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def has_horizontal_scroll(page: Any) -> bool:
    """Tell whether the page is wider than the viewport."""
    return bool(page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth"))
