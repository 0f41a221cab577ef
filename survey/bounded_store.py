"""A bounded least-recently-used map shared by a worker's threads (kept dashboard results, verified cookies)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class Store:
    """A bounded least-recently-used map, safe to share between a worker's threads."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        """Return the kept value (and mark it recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        """Keep a value, forgetting the least recently used beyond the bound."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
