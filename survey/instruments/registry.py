"""Loaded instruments, looked up by id (the current version) or by content hash (any version)."""

from __future__ import annotations

from .loader import InstrumentIssue, LoadResult
from .model import Instrument


class InstrumentRegistry:
    """The instruments of one directory, keyed by id and by content hash."""

    def __init__(self, result: LoadResult) -> None:
        self._by_id = dict(result.instruments)
        self._by_hash = {inst.content_hash: inst for inst in result.instruments.values()}
        self.issues: list[InstrumentIssue] = list(result.issues)
        self._problems = {key: list(value) for key, value in result.problems.items()}
        self.sources = dict(result.files)  # id -> the file or upload that defines it

    def get(self, instrument_id: str) -> Instrument | None:
        """Return the current version of an instrument, or None."""
        return self._by_id.get(instrument_id)

    def by_hash(self, content_hash: str) -> Instrument | None:
        """Return the loaded or added instrument with this content hash, or None."""
        return self._by_hash.get(content_hash)

    def add(self, instrument: Instrument) -> None:
        """Make an older version, rebuilt from its stored definition, findable by hash."""
        self._by_hash.setdefault(instrument.content_hash, instrument)

    def known(self) -> list[Instrument]:
        """Return every version findable by hash: the current ones and those added."""
        return list(self._by_hash.values())

    def problems_of(self, instrument_id: str) -> list[InstrumentIssue]:
        """Return the issues that kept this id from loading ([] when it loaded, or nothing defines it)."""
        return [] if instrument_id in self._by_id else list(self._problems.get(instrument_id, []))

    def all(self) -> list[Instrument]:
        """Return the current instruments, sorted by id."""
        return [self._by_id[key] for key in sorted(self._by_id)]
