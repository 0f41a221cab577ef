"""Every interface string the code and templates use has a finished Spanish translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _finished(message) -> bool:
    """True when every form of the translation is filled in and none is marked fuzzy."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(forms)


def test_every_extracted_msgid_has_a_non_fuzzy_spanish_msgstr(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        wanted = {(message.context, message.id) for message in read_po(handle) if message.id}
    with (ROOT / "survey/translations/es/LC_MESSAGES/messages.po").open("rb") as handle:
        spanish = {(message.context, message.id): message for message in read_po(handle) if message.id}
    missing = sorted(str(msgid) for msgid in wanted if msgid not in spanish)
    untranslated = sorted(str(msgid) for msgid in wanted if msgid in spanish and not _finished(spanish[msgid]))
    assert not missing, f"not in the es catalogue (run `make catalog`): {missing}"
    assert not untranslated, f"empty or fuzzy in the es catalogue: {untranslated}"
