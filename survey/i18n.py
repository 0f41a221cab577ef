"""Interface language: an explicit choice, then the browser's languages, then the group's default.

A logged-in coordinator's pages use the language chosen on their account page, when they chose one,
before the browser's languages.

No cookie holds the choice: it travels in the URL (`?lang=es`) and, on the survey form, in a
hidden `lang` field, so nothing on the phone remembers which language was picked.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from flask import Request, has_request_context, request, url_for
from flask_babel import get_locale, refresh
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from . import unproxied
from .security import SIGNED_IN_BLUEPRINTS

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LOCALE = "en"
_CHOSEN = "survey_locale"  # this request's locale, in flask.g
_EXPLICIT = "survey_explicit_locale"  # the page's own choice ("" for none), in flask.g


def supported(locale: str | None) -> str | None:
    """Return the locale if the interface is translated into it (ignoring a region), else None."""
    if not locale:
        return None
    base = locale.strip().replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else None


def explicit_locale() -> str | None:
    """Return the language chosen on the page (`?lang=` or the form's hidden field), if valid.

    Read once per request (kept in flask.g): every locale selection of the request asks again, and
    neither the query string nor the form changes within it.
    """
    if not has_request_context():
        return None
    state = unproxied.request_globals()  # not through the proxy, once (unproxied.py)
    found: str | None = state.get(_EXPLICIT)
    if found is None:
        found = supported(_chosen_on_page(unproxied.this_request())) or ""
        setattr(state, _EXPLICIT, found)
    return found or None


def _chosen_on_page(page: Request) -> str | None:
    """Return the language the request names, valid or not: `?lang=` (`?ui=` on dashboards), then the form's field."""
    # On dashboards `lang` filters the answers by their language; `ui` (the report's charts) sets the interface's.
    chosen = page.args.get("ui") if page.blueprint == "dashboard" else page.args.get("lang")
    if chosen is None and page.method == "POST" and page.mimetype == "application/x-www-form-urlencoded":
        try:
            chosen = page.form.get("lang")
        except HTTPException:  # a body too large or malformed: its error page still needs a language
            chosen = None
    return chosen


def account_locale(page: Request) -> str | None:
    """Return the language a logged-in coordinator chose for their account, on their own pages only."""
    if page.blueprint not in SIGNED_IN_BLUEPRINTS:
        return None  # participant pages never load an account
    from flask_login import current_user

    return supported(getattr(current_user, "locale", None)) if current_user.is_authenticated else None


def select_locale() -> str:
    """Flask-Babel's locale selector: explicit choice, stored hint, browser, group default."""
    if not has_request_context():
        return DEFAULT_LOCALE
    state = unproxied.request_globals()
    chosen: str | None = state.get(_CHOSEN)
    if chosen is None:  # worked out once per request, again only after use_locale_hints
        chosen = explicit_locale() or reader_locale()
        setattr(state, _CHOSEN, chosen)
    return chosen


def reader_locale() -> str:
    """Return the reader's own language: the locale chosen without this page's `?lang=`.

    A coordinator previewing a questionnaire in another language reads the preview's banner in this one.
    """
    state, page = unproxied.request_globals(), unproxied.this_request()
    return (
        supported(state.get("locale_override"))
        or account_locale(page)
        or browser_locale(page.environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        or supported(state.get("locale_fallback"))
        or DEFAULT_LOCALE
    )


@lru_cache(maxsize=64)
def browser_locale(accept_language: str) -> str | None:
    """Return the interface language an Accept-Language header prefers, if any (as request.accept_languages'
    best_match; parsed once per header text, since a browser sends the same header with every request)."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(SUPPORTED_LOCALES)


def use_locale_hints(*, override: str | None = None, fallback: str | None = None) -> str:
    """Record what the page knows about the language and return the locale now in force.

    `override` (the language a stored response was answered in) beats the browser's languages;
    `fallback` (the group's default) is used only when the browser asks for nothing we have.
    """
    state = unproxied.request_globals()
    state.locale_override = override
    state.locale_fallback = fallback
    state.pop(_CHOSEN, None)
    refresh()  # Flask-Babel caches the locale per request; pick up the new hints
    return select_locale()


def language_links(current: str) -> list[dict[str, str]]:
    """Return the switch's entries: locale, its own name, this page's URL in it, and whether it is current."""
    if not has_request_context() or request.endpoint is None:
        return []
    view_args = dict(request.view_args or {})
    return [
        {
            "locale": code,
            "name": name,
            "current": "true" if code == current else "",
            "href": url_for(request.endpoint, **view_args, lang=code),
        }
        for code, name in LANGUAGE_NAMES.items()
    ]


def template_locale() -> dict[str, str]:
    """Give every template the interface's locale (`<html lang>`), unless the view sets `page_locale`."""
    return {"interface_locale": str(get_locale() or DEFAULT_LOCALE)}
