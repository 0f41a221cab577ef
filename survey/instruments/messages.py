"""Messages for instrument authors: English text that remembers its message id, so a page can translate it.

The checks are shared by `flask instruments check` (English) and the admin's upload page (the
reader's language), and they stay free of Flask: each message is written once, marked with `_l`
for `make catalog`, and kept with its parameters. As a string it is the English sentence, so the
CLI, the logs and the tests read it unchanged; `in_language` renders it again with a translator.
"""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]


def _l(msgid: str) -> str:
    """Mark an author message for extraction (`make catalog` runs `pybabel extract -k _l`); it is translated later."""
    return msgid


class Message(str):
    """An English author message (the msgid filled with its parameters) that can be rendered in another language."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        """Fill the msgid with the parameters (other messages among them render as their English text)."""
        text = msgid % {name: str(value) for name, value in params.items()} if params else msgid
        message = super().__new__(cls, text)
        message.msgid, message.params = msgid, params
        return message


def in_language(text: str, translate: Translate) -> str:
    """Return a message rendered with translate (a gettext), parameters that are messages too; other text unchanged."""
    if not isinstance(text, Message):
        return text
    translated = translate(text.msgid)
    if not text.params:
        return translated
    params = text.params.items()
    return translated % {
        name: in_language(value, translate) if isinstance(value, str) else value for name, value in params
    }
