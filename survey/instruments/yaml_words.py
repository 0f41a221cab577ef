"""YAML syntax errors in plain words, for authors who never read a parser's vocabulary.

ruamel.yaml says "expected <block end>, but found '<block sequence start>'"; an author needs "this
line is indented differently from the lines around it". Each rule below matches the parser's
problem text and names the line to blame (some errors are noticed a line or more after the cause).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ruamel.yaml.error import MarkedYAMLError

_INDENT = "this line is indented differently from the lines around it (keys of one level must start in the same column)"
_COLON = (
    "a colon followed by a space is in an unexpected place: either this line is indented differently from the "
    "lines around it, or a text containing ': ' needs quotes around it"
)


def _duplicate_key(problem: str) -> str:
    match = re.search(r'duplicate key "(.*?)"', problem)
    key = match.group(1) if match else "?"
    return f"duplicate key '{key}': it appears twice in the same place; keep one of them"


def _bad_start(problem: str) -> str:
    if "'\\t'" in problem:
        return "a tab is used here; YAML allows only spaces for indentation"
    match = re.search(r"found character '(.*?)'", problem)
    char = match.group(1) if match else "?"
    return f"a value cannot start with '{char}'; put quotes around the text"


def _undefined_alias(problem: str) -> str:
    match = re.search(r"undefined alias '(.*?)'", problem)
    name = match.group(1) if match else "?"
    return f"'*{name}' refers to an anchor '&{name}' that is not defined earlier in the file"


def _unknown_escape(problem: str) -> str:
    match = re.search(r"escape character '(.*?)'", problem)
    char = match.group(1) if match else "?"
    return (
        f"'\\{char}' is not a known escape in a double-quoted text; use single quotes, or write '\\\\' for a backslash"
    )


# (text in the parser's problem, blame the context line?, plain message or a function of the problem text)
_RULES: list[tuple[str, bool, str | Callable[[str], str]]] = [
    ("expected <block end>", False, _INDENT),
    ("mapping values are not allowed here", False, _COLON),
    (
        "could not find expected ':'",
        True,
        "this line is neither 'key: value' nor a list entry ('- ...'): add the missing colon, "
        "or indent it further if it continues the text above",
    ),
    ("cannot start any token", False, _bad_start),
    ("duplicate key", False, _duplicate_key),
    (
        "found unexpected end of stream",
        True,
        "a quoted text that starts on this line is never closed: add the closing quote",
    ),
    ("escape character", False, _unknown_escape),
    ("expected ',' or ']'", True, "a list in [ ] that starts on this line is not closed with ']' or lacks a comma"),
    ("expected ',' or '}'", True, "a map in { } that starts on this line is not closed with '}' or lacks a comma"),
    ("undefined alias", False, _undefined_alias),
]


def plain_yaml_error(error: MarkedYAMLError) -> tuple[int, str]:
    """Return the 1-based line to blame and a plain-words message for a YAML syntax error."""
    problem = error.problem or ""
    problem_line = _line(error.problem_mark) or _line(error.context_mark) or 1
    context_line = _line(error.context_mark) or problem_line
    for needle, blame_context, message in _RULES:
        if needle in problem:
            text = message(problem) if callable(message) else message
            return (context_line if blame_context else problem_line), text
    raw = " ".join(part for part in (error.context, error.problem) if part)
    return problem_line, f"this is not valid YAML here (the YAML reader says: {raw})"


def _line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None
