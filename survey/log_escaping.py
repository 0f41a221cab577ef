"""Log fields that cannot forge log lines: control characters, quotes and backslashes written as escapes.

A request path is decoded before it is logged, so `/x%0A[01/Dec/2026] "GET /admin" 200` would
otherwise start a second, fake line in the access log (and `%1B` would send terminal escapes to
whoever reads it). gunicorn's access log uses EscapingLogger (gunicorn.conf.py); the app's own
log records use EscapeArguments (app_logging.py), which escapes the values passed to a message.
"""

from __future__ import annotations

import logging
from typing import Any


def escape_log_field(value: str, quotes: bool = True) -> str:
    """Return the text with unprintable characters (controls, line separators, bidi overrides) escaped.

    Backslashes are escaped too, so an escape in the log always means one; and quotes, unless the
    caller escapes them itself (gunicorn does).
    """
    special = '\\"' if quotes else "\\"
    if value.isprintable() and not any(ch in value for ch in special):
        return value  # the common case: nothing to do
    out = []
    for ch in value:
        code = ord(ch)
        if ch in special:
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def _escaped(value: Any, quotes: bool = True) -> Any:
    return escape_log_field(value, quotes) if isinstance(value, str) else value


class EscapeArguments(logging.Filter):
    """Escape the string arguments of a record (a path, an e-mail typed by someone), never the message itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's arguments in place; always keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _escaped(arg) for key, arg in record.args.items()}
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a runtime dependency; the app itself does not need it
    _GunicornLogger = object  # type: ignore[assignment,misc]


class EscapingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger, with every access-log field escaped (set as logger_class in gunicorn.conf.py)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Return gunicorn's atoms with each text value escaped (gunicorn itself then escapes the quotes)."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _escaped(value, quotes=False) for key, value in atoms.items()}
