"""Signed, timed strings in itsdangerous's URL-safe format, made without two of its per-call costs.

The participant's form token and thank-you ticket are signed on every form and every POST. Two
costs of itsdangerous's own URLSafeTimedSerializer are dropped here, neither of which changes what
is signed, with which key, or how a signature is checked (itsdangerous's own code does both):

- it tries zlib on every payload and keeps the result when shorter: about 20 us a call, more than
  the signing itself, for payloads of a few dozen bytes. Here payloads are written uncompressed;
  itsdangerous (and so this class) reads compressed and uncompressed payloads alike, so a token
  issued before this change still reads.
- it builds a new signer for every call, which derives its HMAC key again (a SHA-1 of the salt and
  the secret) each time: here one signer per serializer, whose derived keys are kept.
"""

from __future__ import annotations

import functools
from typing import Any

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import Signer
from itsdangerous.url_safe import URLSafeSerializerMixin


class KeptKeySigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each secret's key once."""

    @functools.cache  # noqa: B019 (a signer lives as long as its serializer: one per key and salt)
    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """Return the HMAC key of this secret (the newest when None), derived once."""
        return super().derive_key(secret_key)


class CompactSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer writing uncompressed payloads, with one signer for every call."""

    signer = KeptKeySigner

    def dump_payload(self, obj: Any) -> bytes:
        """Return the payload as compact JSON in URL-safe base64, never zlib-compressed."""
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))  # JSON, past the zlib step

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """Return this serializer's one signer (itsdangerous builds a new one per call)."""
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        kept: Signer | None = self.__dict__.get("_kept_signer")
        if kept is None:
            kept = self.__dict__["_kept_signer"] = super().make_signer(salt)
        return kept


@functools.lru_cache(maxsize=16)
def serializer(secret_key: str, salt: str) -> CompactSerializer:
    """Return the serializer of this key and salt (one per pair: it keeps no state between calls)."""
    return CompactSerializer(secret_key, salt=salt)
