"""The common-password check (ASVS 6.2.4): a new password must not be a well-known one.

The list is Django's copy of the top Pwned Passwords (survey/data/README.md names its source and
licence). A password is common when, lower-cased and trimmed, it is on the list, or it is a listed
password with digits and punctuation added before or after it (at the app's 12-character minimum
almost every listed password appears only in that padded form), or it is made only of digits and
punctuation, or of three characters or fewer repeated.
"""

from __future__ import annotations

import gzip
import string
from functools import cache
from pathlib import Path

LIST_PATH = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
PADDING = string.digits + string.punctuation + " "
# A stem this short is a word of any passphrase ("cat", "love"); only longer listed stems are refused.
MIN_STEM_LENGTH = 6
MAX_DISTINCT_TRIVIAL = 3  # "aaaaaaaaaaaa", "abababababab"


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list as a set of lower-case passwords (read once per process)."""
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def is_common(password: str) -> bool:
    """Tell whether the password is a listed one, alone or padded with digits and punctuation."""
    candidate = password.strip().lower()
    listed = common_passwords()
    if candidate in listed:
        return True
    stem = candidate.strip(PADDING)
    if not stem or len(set(candidate)) <= MAX_DISTINCT_TRIVIAL:
        return True  # only digits and punctuation, or a character or two repeated: guessed as early
    return len(stem) >= MIN_STEM_LENGTH and stem in listed
