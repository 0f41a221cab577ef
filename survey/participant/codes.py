"""Optional participant codes: kept only as a keyed hash, never as typed."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

MAX_CODE_LENGTH = 40


class CodeError(ValueError):
    """The typed code cannot be used (too long)."""


def normalise_code(typed: str) -> str:
    """Return the code as compared: Unicode-normalised, trimmed, inner spaces removed, case-folded."""
    text = unicodedata.normalize("NFKC", typed)
    return "".join(text.split()).casefold()


def hash_code(typed: str | None, key: str) -> str | None:
    """Return the HMAC-SHA256 hex of the normalised code, or None when no code was typed.

    :raises CodeError: if the code is longer than MAX_CODE_LENGTH characters.
    """
    code = normalise_code(typed or "")
    if not code:
        return None
    if len(code) > MAX_CODE_LENGTH:
        raise CodeError(typed)
    return hmac.new(key.encode("utf-8"), code.encode("utf-8"), hashlib.sha256).hexdigest()
