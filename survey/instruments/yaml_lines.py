"""YAML 1.2 reading that keeps line numbers, and lookup of a key path's line."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .messages import Message, _l
from .yaml_words import plain_yaml_error

MAX_NODES = 100_000  # guards against alias bombs ("billion laughs")


class YamlProblem(Exception):
    """A file that is not readable YAML, with the 1-based line to blame."""

    def __init__(self, line: int, message: Message) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(text: str) -> Any:
    """Parse YAML 1.2 into ruamel's round-trip nodes, which remember their lines.

    :raises YamlProblem: for syntax errors, duplicate keys and unreadable input.
    """
    yaml = YAML(typ="rt")  # round-trip mode keeps line numbers; duplicate keys are errors
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. reused anchors: legal YAML, not our concern
            return yaml.load(text)
    except MarkedYAMLError as error:
        line, message = plain_yaml_error(error)
        raise YamlProblem(line, yaml_error(message)) from None
    except (YAMLError, RecursionError, ValueError, TypeError, AttributeError) as error:
        # ruamel raises these for a few pathological inputs; an author still deserves a message.
        raise YamlProblem(1, yaml_error(str(error))) from None


def yaml_error(problem: str) -> Message:
    """Return a message that says the file is not readable YAML, and why."""
    return Message(_l("YAML error: %(problem)s"), problem=problem)


def to_plain(node: Any) -> Any:
    """Return plain Python data (dict, tuple, str, int, float, bool, None) for the nodes.

    :raises YamlProblem: for recursive aliases or documents too large to expand.
    """
    budget = [MAX_NODES]
    return _plain(node, budget, set())


def _plain(node: Any, budget: list[int], path: set[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(1, yaml_error(Message(_l("document too large once aliases are expanded"))))
    if isinstance(node, dict | list):
        if id(node) in path:
            raise YamlProblem(_line(node), yaml_error(Message(_l("an alias refers to itself"))))
        inner = path | {id(node)}
        if isinstance(node, dict):
            return {_key(k): _plain(v, budget, inner) for k, v in node.items()}
        return tuple(_plain(v, budget, inner) for v in node)
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)  # drop ruamel's scalar subclasses (ScalarFloat, LiteralScalarString...)
    if node is None:
        return None
    return str(node)  # dates, timestamps and other tagged scalars: let validation reject them as text


def _key(key: Any) -> Any:
    return key if isinstance(key, str | int | float | bool) or key is None else str(key)


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else 1


def line_of(root: Any, loc: Sequence[str | int]) -> tuple[int, tuple[str | int, ...]]:
    """Return the 1-based line for a key path and the parts of it found in the file.

    Parts absent from the file (pydantic's union tags) are skipped; a missing last
    key points at its parent mapping.
    """
    node, line, found = root, _line(root), []
    for part in loc:
        if isinstance(node, CommentedMap) and _has_key(node, part):
            key_line = node.lc.key(part)[0] if part in node.lc.data else None
            node = node[part]
            line = key_line + 1 if key_line is not None else _line(node)
            found.append(part)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            item_line = node.lc.item(part)[0] if part in node.lc.data else None
            node = node[part]
            line = item_line + 1 if item_line is not None else _line(node)
            found.append(part)
    return line, tuple(found)


def _has_key(node: CommentedMap, part: Any) -> bool:
    try:
        return part in node
    except TypeError:
        return False
