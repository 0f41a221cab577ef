"""survey/signing.py: itsdangerous's URL-safe timed format without the zlib attempt, read by itsdangerous alike."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey.signing import serializer

COMPRESSIBLE = {"n": "a" * 200}  # itsdangerous's own serializer writes this compressed (a leading ".")


def test_payloads_are_written_uncompressed_and_read_by_itsdangerous() -> None:
    signed = serializer("key", "salt").dumps(COMPRESSIBLE)
    assert not signed.startswith(".")
    assert URLSafeTimedSerializer("key", salt="salt").loads(signed) == COMPRESSIBLE


def test_tokens_itsdangerous_wrote_compressed_still_read() -> None:
    signed = URLSafeTimedSerializer("key", salt="salt").dumps(COMPRESSIBLE)
    assert signed.startswith(".")
    assert serializer("key", "salt").loads(signed) == COMPRESSIBLE


@pytest.mark.parametrize(("key", "salt"), [("other key", "salt"), ("key", "other salt")])
def test_another_key_or_salt_is_refused(key: str, salt: str) -> None:
    signed = serializer("key", "salt").dumps("nonce")
    with pytest.raises(BadSignature):
        serializer(key, salt).loads(signed)


def test_a_changed_payload_is_refused() -> None:
    signed = serializer("key", "salt").dumps({"g": 1})
    payload, rest = signed.split(".", 1)
    forged = URLSafeTimedSerializer("unused").dump_payload({"g": 2}).decode()
    with pytest.raises(BadSignature):
        serializer("key", "salt").loads(f"{forged}.{rest}")
    assert payload != forged
