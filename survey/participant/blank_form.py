"""The blank survey page, rendered once per group, language and instrument versions.

Rendering the form (Jinja and gettext over every question) is most of the cost of a
participant's GET, yet two blank forms of the same group differ only in their signed token. So
the page is rendered once with a placeholder where the token goes, kept in a small
least-recently-used cache per app process, and each GET fills in its own token.

The key holds everything the page shows: the group's id, code, name and summary threshold, the
language, the instrument versions (content hashes), and the address it was asked at (script
root and code as typed, which the language links repeat). Renaming a group, changing its
threshold or an instrument gives a new key, so no page is ever stale; old entries just age out.
A form shown again with answers or problems is never cached. The thank-you page keeps its frame
in a PageCache of its own the same way (thanks.py), with its own placeholder.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from .. import unproxied

EXTENSION_KEY = "survey.blank_forms"
TOKEN_PLACEHOLDER = "__survey_form_token__"  # noqa: S105 (a marker, not a secret)
MAX_PAGES = 512  # about 20 KB each: at most ~10 MB per process


class PageCache:
    """A thread-safe least-recently-used map from a key to a rendered page."""

    def __init__(self, size: int = MAX_PAGES, placeholder: str = TOKEN_PLACEHOLDER) -> None:
        self.size = size
        self.placeholder = placeholder
        self._pages: OrderedDict[Hashable, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> tuple[str, str]:
        """Return the page kept under this key, split at its token, rendering and keeping it on a miss."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = split_at_token(
            render(), self.placeholder
        )  # outside the lock: two threads may render one key, harmlessly
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


def cache() -> PageCache:
    """Return this app's cache of blank forms (created on first use)."""
    return unproxied.app().extensions.setdefault(EXTENSION_KEY, PageCache())  # type: ignore[no-any-return]


def split_at_token(page: str, placeholder: str = TOKEN_PLACEHOLDER) -> tuple[str, str]:
    """Return the page before and after the (token) placeholder.

    :raises ValueError: if the page does not hold the placeholder exactly once.
    """
    if page.count(placeholder) != 1:
        raise ValueError("a cached page must hold its placeholder exactly once")
    before, _, after = page.partition(placeholder)
    return before, after
