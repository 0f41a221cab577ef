"""YAML syntax errors in plain words, for authors who never read a parser's vocabulary.

ruamel.yaml says "expected <block end>, but found '<block sequence start>'"; an author needs "this
line is indented differently from the lines around it". Each rule below matches the parser's
problem text and names the line to blame (some errors are noticed a line or more after the cause).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ruamel.yaml.error import MarkedYAMLError

from .messages import Message, _l

_INDENT = _l(
    "this line is indented differently from the lines around it (keys of one level must start in the same column)"
)
_COLON = _l(
    "a colon followed by a space is in an unexpected place: either this line is indented differently from the "
    "lines around it, or a text containing ': ' needs quotes around it"
)


def _duplicate_key(problem: str) -> Message:
    match = re.search(r'duplicate key "(.*?)"', problem)
    key = match.group(1) if match else "?"
    return Message(_l("duplicate key '%(key)s': it appears twice in the same place; keep one of them"), key=key)


def _bad_start(problem: str) -> Message:
    if "'\\t'" in problem:
        return Message(_l("a tab is used here; YAML allows only spaces for indentation"))
    match = re.search(r"found character '(.*?)'", problem)
    char = match.group(1) if match else "?"
    return Message(_l("a value cannot start with '%(char)s'; put quotes around the text"), char=char)


def _undefined_alias(problem: str) -> Message:
    match = re.search(r"undefined alias '(.*?)'", problem)
    name = match.group(1) if match else "?"
    return Message(_l("'*%(name)s' refers to an anchor '&%(name)s' that is not defined earlier in the file"), name=name)


def _unknown_escape(problem: str) -> Message:
    match = re.search(r"escape character '(.*?)'", problem)
    char = match.group(1) if match else "?"
    message = _l(
        "'\\%(char)s' is not a known escape in a double-quoted text; use single quotes, or write '\\\\' for a backslash"
    )
    return Message(message, char=char)


# (text in the parser's problem, blame the context line?, plain message or a function of the problem text)
_RULES: list[tuple[str, bool, str | Callable[[str], Message]]] = [
    ("expected <block end>", False, _INDENT),
    ("mapping values are not allowed here", False, _COLON),
    (
        "could not find expected ':'",
        True,
        _l(
            "this line is neither 'key: value' nor a list entry ('- ...'): add the missing colon, "
            "or indent it further if it continues the text above"
        ),
    ),
    ("cannot start any token", False, _bad_start),
    ("duplicate key", False, _duplicate_key),
    (
        "found unexpected end of stream",
        True,
        _l("a quoted text that starts on this line is never closed: add the closing quote"),
    ),
    ("escape character", False, _unknown_escape),
    ("expected ',' or ']'", True, _l("a list in [ ] that starts on this line is not closed with ']' or lacks a comma")),
    ("expected ',' or '}'", True, _l("a map in { } that starts on this line is not closed with '}' or lacks a comma")),
    ("undefined alias", False, _undefined_alias),
]


def plain_yaml_error(error: MarkedYAMLError) -> tuple[int, Message]:
    """Return the 1-based line to blame and a plain-words message for a YAML syntax error."""
    problem = error.problem or ""
    problem_line = _line(error.problem_mark) or _line(error.context_mark) or 1
    context_line = _line(error.context_mark) or problem_line
    for needle, blame_context, message in _RULES:
        if needle in problem:
            text = message(problem) if callable(message) else Message(message)
            return (context_line if blame_context else problem_line), text
    raw = " ".join(part for part in (error.context, error.problem) if part)
    return problem_line, Message(_l("this is not valid YAML here (the YAML reader says: %(raw)s)"), raw=raw)


def _line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None
