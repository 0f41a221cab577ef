"""Load instrument files, reporting every problem as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checks import instrument_problems
from .item_types import ITEM_TYPES
from .messages import Message, Translate, _l, in_language
from .model import Instrument
from .partial import data_path, problems_beside
from .yaml_lines import YamlProblem, line_of, parse_yaml, to_plain

MAX_FILE_BYTES = 256 * 1024  # a large instrument is a few KB; a 3 MB file took 45 s to parse at every start
# Pydantic's own sentences for the errors a file can cause, as msgids over the error's ctx: the English
# reads exactly as pydantic's (tests compare them with pydantic's templates), and a page can translate them.
PYDANTIC_SENTENCES: dict[str, str] = {
    "bool_type": _l("Input should be a valid boolean"),
    "dict_type": _l("Input should be a valid dictionary"),
    "finite_number": _l("Input should be a finite number"),
    "float_type": _l("Input should be a valid number"),
    "int_from_float": _l("Input should be a valid integer, got a number with a fractional part"),
    "int_type": _l("Input should be a valid integer"),
    "list_type": _l("Input should be a valid list"),
    "literal_error": _l("Input should be %(expected)s"),
    "model_attributes_type": _l("Input should be a valid dictionary or object to extract fields from"),
    "model_type": _l("Input should be a valid dictionary or instance of %(class_name)s"),
    "none_required": _l("Input should be None"),
    "string_pattern_mismatch": _l("String should match pattern '%(pattern)s'"),
    "string_too_long": _l("String should have at most %(max_length)s characters"),
    "string_too_long/1": _l("String should have at most %(max_length)s character"),
    "string_too_short": _l("String should have at least %(min_length)s characters"),
    "string_too_short/1": _l("String should have at least %(min_length)s character"),
    "too_long": _l("%(field_type)s should have at most %(max_length)s items after validation, not %(actual_length)s"),
    "too_long/1": _l("%(field_type)s should have at most %(max_length)s item after validation, not %(actual_length)s"),
    "too_short": _l("%(field_type)s should have at least %(min_length)s items after validation, not %(actual_length)s"),
    "too_short/1": _l(
        "%(field_type)s should have at least %(min_length)s item after validation, not %(actual_length)s"
    ),
    "tuple_type": _l("Input should be a valid tuple"),
}


@dataclass(frozen=True)
class InstrumentIssue:
    """One problem in an instrument file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def in_language(self, translate: Translate) -> str:
        """Return `path:line: message` with the message rendered by translate (a gettext)."""
        return f"{self.path}:{self.line}: {in_language(self.message, translate)}"


class InstrumentError(Exception):
    """An instrument that could not be loaded, with all of its issues (and its id, when the file gave one)."""

    def __init__(self, issues: list[InstrumentIssue], instrument_id: str | None = None) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues
        self.instrument_id = instrument_id


@dataclass(frozen=True)
class Parsed:
    """One valid instrument read from a file or an upload, before its id is compared with the others."""

    path: str
    instrument: Instrument
    id_line: int


@dataclass
class LoadResult:
    """The instruments that loaded, and the issues of those that did not.

    problems holds the same issues by the instrument id they concern (the file's id when it could
    be read, else the file's name without its extension), so a group can be told why its
    questionnaire is missing.
    """

    instruments: dict[str, Instrument] = field(default_factory=dict)
    issues: list[InstrumentIssue] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    problems: dict[str, list[InstrumentIssue]] = field(default_factory=dict)


def load_instrument_text(text: str, path: str = "<string>") -> Instrument:
    """Load one instrument from YAML text.

    :raises InstrumentError: listing every problem found.
    """
    return _load(text, path)[0]


def load_instrument_file(path: str | Path) -> Instrument:
    """Load one instrument from a YAML file.

    :raises InstrumentError: listing every problem found.
    """
    return load_instrument_text(read_text(Path(path)), str(path))


def parse_text(text: str, path: str) -> Parsed:
    """Load one instrument and remember the line of its id, for messages about duplicates.

    :raises InstrumentError: listing every problem found.
    """
    instrument, root = _load(text, path)
    return Parsed(path, instrument, line_of(root, ("id",))[0])


def parse_directory(directory: str | Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Parsed], LoadResult]:
    """Read every *.yaml file of a folder: the valid instruments, and a result holding the others' issues."""
    parsed: list[Parsed] = []
    failed = LoadResult()
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            parsed.append(parse_text(read_text(path, max_bytes), str(path)))
        except InstrumentError as error:
            add_problems(failed, error.instrument_id or path.stem, error.issues)
    return parsed, failed


def add_problems(result: LoadResult, instrument_id: str, issues: list[InstrumentIssue]) -> None:
    """Record issues in the result, in its flat list and under the instrument id they concern."""
    result.issues.extend(issues)
    result.problems.setdefault(instrument_id, []).extend(issues)


def combine(parsed: list[Parsed], failed: LoadResult | None = None) -> LoadResult:
    """Serve each id that exactly one source defines; refuse every source of an id that several define.

    Which one to serve is the administrator's decision, never the order of the names, so each
    refusal names the other sources. The issues of sources that failed to load are kept.
    """
    result = LoadResult()
    for instrument_id, issues in (failed.problems if failed else {}).items():
        add_problems(result, instrument_id, issues)
    copies: dict[str, list[Parsed]] = {}
    for one in parsed:
        copies.setdefault(one.instrument.id, []).append(one)
    for instrument_id, same in copies.items():
        if len(same) == 1:
            result.instruments[instrument_id] = same[0].instrument
            result.files[instrument_id] = same[0].path
            continue
        for one in same:
            others = ", ".join(other.path for other in same if other.path != one.path)
            message = Message(
                _l("instrument id '%(id)s' is already used by %(others)s; neither file is loaded"),
                id=instrument_id,
                others=others,
            )
            add_problems(result, instrument_id, [InstrumentIssue(one.path, one.id_line, message)])
    return result


def load_directory(directory: str | Path, max_bytes: int = MAX_FILE_BYTES) -> LoadResult:
    """Load every *.yaml file in a directory; a broken file never stops the others.

    Two files with one instrument id are both refused, each issue naming the other file.
    """
    return combine(*parse_directory(directory, max_bytes))


def instrument_from_data(data: Any, path: str, root: Any = None) -> Instrument:
    """Validate plain data (parsed YAML or a stored definition) into an Instrument.

    :raises InstrumentError: listing every problem found.
    """
    if not isinstance(data, dict):
        raise InstrumentError(
            [
                InstrumentIssue(
                    path, 1, Message(_l("an instrument must be a mapping of keys such as id, title and items"))
                )
            ]
        )
    data = to_plain(data) if root is None else data  # stored definitions use lists; the model wants tuples
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as error:
        issues = _pydantic_issues(error, path, root, data)
        # Also the whole-instrument checks on the parts that did validate: one error never hides the others.
        for loc, message in problems_beside(data, error, authoring=root is not None):
            issue = InstrumentIssue(path, line_of(root, loc)[0], message)
            if issue not in issues:
                issues.append(issue)
        raise InstrumentError(_sorted(issues)) from None
    problems = instrument_problems(instrument, authoring=root is not None)  # stored versions: no new lint
    if problems:
        issues = [InstrumentIssue(path, line_of(root, loc)[0], message) for loc, message in problems]
        raise InstrumentError(_sorted(issues))
    return instrument


def _load(text: str, path: str) -> tuple[Instrument, Any]:
    try:
        root = parse_yaml(text)
        data = to_plain(root)
    except YamlProblem as problem:
        raise InstrumentError([InstrumentIssue(path, problem.line, problem.message)]) from None
    if data is None:
        raise InstrumentError([InstrumentIssue(path, 1, Message(_l("the file is empty")))])
    try:
        return instrument_from_data(data, path, root), root
    except InstrumentError as error:
        given = data.get("id") if isinstance(data, dict) else None
        raise InstrumentError(error.issues, given if isinstance(given, str) else None) from None


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the file's text, refusing a file larger than max_bytes before reading or parsing it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            message = Message(
                _l("the file is %(size)s bytes, more than the limit of %(limit)s"), size=size, limit=max_bytes
            )
            raise InstrumentError([InstrumentIssue(str(path), 1, message)])
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = Message(_l("cannot read the file: %(error)s"), error=error)
        raise InstrumentError([InstrumentIssue(str(path), 1, message)]) from None


def _pydantic_issues(error: ValidationError, path: str, root: Any, data: Any) -> list[InstrumentIssue]:
    """Turn pydantic errors into issues, one per key path, at the line of that key."""
    issues: dict[tuple[Any, ...], InstrumentIssue] = {}
    details = error.errors(include_url=False)
    for detail in details:
        if detail["type"] == "too_short" and any(_inside(other["loc"], detail["loc"]) for other in details):
            continue  # "no items after validation" only repeats that the items themselves are broken
        loc = data_path(data, tuple(detail["loc"])) + (("type",) if detail["type"] == "union_tag_invalid" else ())
        line, found = line_of(root, loc)
        last = loc[-1] if loc else None
        where = found + ((last,) if detail["type"] in {"missing", "extra_forbidden"} and last not in found[-1:] else ())
        if where not in issues:  # a union reports one error per member; the first one is enough
            issues[where] = InstrumentIssue(path, line, _message(detail, where))
    return list(issues.values())


def _inside(loc: tuple[Any, ...], parent: tuple[Any, ...]) -> bool:
    return len(loc) > len(parent) and tuple(loc[: len(parent)]) == tuple(parent)


def _message(detail: Any, where: tuple[Any, ...]) -> str:
    """Say what a pydantic error means for the author, at the key path it concerns."""
    kind, name = detail["type"], _dotted(where)
    allowed = ", ".join(ITEM_TYPES)
    if kind in {"missing", "extra_forbidden"}:
        key, parent = where[-1], _dotted(where[:-1])
        if kind == "missing":
            msgid = (
                _l("missing required key '%(key)s' in %(parent)s") if parent else _l("missing required key '%(key)s'")
            )
        else:
            msgid = _l("unknown key '%(key)s' in %(parent)s") if parent else _l("unknown key '%(key)s'")
        return Message(msgid, key=key, parent=parent)
    if kind == "union_tag_invalid":
        msgid = _l(
            "unknown item type '%(type)s'; allowed types: %(allowed)s (there is no type for identifying data "
            "such as e-mail, phone number, address or device id)"
        )
        return Message(msgid, type=detail["ctx"]["tag"], allowed=allowed)
    problem: str
    if kind == "union_tag_not_found":
        problem = Message(_l("an item needs a 'type', one of: %(allowed)s"), allowed=allowed)
    elif where and where[-1] == "when_hidden":
        problem = Message(_l("must be 'missing' or a number"))
    elif kind == "string_type":
        problem = Message(_l('should be text; put quotes around values such as "1.0"'))
    else:
        problem = _pydantic_sentence(detail)
    return Message(_l("%(where)s: %(problem)s"), where=name, problem=problem) if name else problem


def _pydantic_sentence(detail: Any) -> str:
    """Return pydantic's sentence for an error, as a message when its type is known (else pydantic's English)."""
    kind, ctx = detail["type"], dict(detail.get("ctx") or {})
    if kind == "value_error":
        reason = ctx["error"].args[0] if ctx["error"].args else None
        return reason if isinstance(reason, Message) else str(detail["msg"]).removeprefix("Value error, ")
    if kind == "literal_error" and " or " in str(ctx["expected"]):  # "'mean' or 'sum'": the "or" is English too
        choices, last = str(ctx["expected"]).rsplit(" or ", 1)
        ctx["expected"] = Message(_l("%(choices)s or %(last)s"), choices=choices, last=last)
    if ctx.get("min_length", ctx.get("max_length")) == 1:
        kind += "/1"
    msgid = PYDANTIC_SENTENCES.get(kind)
    if msgid is None:
        return str(detail["msg"])  # a type no instrument file has produced yet
    return Message(msgid, **{name: value for name, value in ctx.items() if f"%({name})s" in msgid})


def _dotted(where: tuple[Any, ...]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _sorted(issues: list[InstrumentIssue]) -> list[InstrumentIssue]:
    return sorted(issues, key=lambda issue: issue.line)
