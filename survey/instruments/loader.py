"""Load instrument files, reporting every problem as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checks import instrument_problems
from .partial import data_path, problems_beside
from .item_types import ITEM_TYPES
from .model import Instrument
from .yaml_lines import YamlProblem, line_of, parse_yaml, to_plain

MAX_FILE_BYTES = 256 * 1024  # a large instrument is a few KB; a 3 MB file took 45 s to parse at every start
_NO_IDENTIFIERS = "there is no type for identifying data such as e-mail, phone number, address or device id"


@dataclass(frozen=True)
class InstrumentIssue:
    """One problem in an instrument file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class InstrumentError(Exception):
    """An instrument that could not be loaded, with all of its issues."""

    def __init__(self, issues: list[InstrumentIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass
class LoadResult:
    """The instruments that loaded from a directory, and the issues of those that did not."""

    instruments: dict[str, Instrument] = field(default_factory=dict)
    issues: list[InstrumentIssue] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)


def load_instrument_text(text: str, path: str = "<string>") -> Instrument:
    """Load one instrument from YAML text.

    :raises InstrumentError: listing every problem found.
    """
    return _load(text, path)[0]


def load_instrument_file(path: str | Path) -> Instrument:
    """Load one instrument from a YAML file.

    :raises InstrumentError: listing every problem found.
    """
    return load_instrument_text(_read(Path(path)), str(path))


def load_directory(directory: str | Path, max_bytes: int = MAX_FILE_BYTES) -> LoadResult:
    """Load every *.yaml file in a directory; a broken file never stops the others.

    Two files with one instrument id are both refused, each issue naming the other file: which
    one to serve is the administrator's decision, never the order of their names.
    """
    result = LoadResult()
    loaded: dict[str, list[tuple[Path, Instrument, int]]] = {}
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            instrument, root = _load(_read(path, max_bytes), str(path))
        except InstrumentError as error:
            result.issues.extend(error.issues)
            continue
        loaded.setdefault(instrument.id, []).append((path, instrument, line_of(root, ("id",))[0]))
    for instrument_id, copies in loaded.items():
        if len(copies) == 1:
            path, instrument, _line = copies[0]
            result.instruments[instrument_id] = instrument
            result.files[instrument_id] = path
            continue
        for path, _instrument, line in copies:
            others = ", ".join(str(other) for other, _, _ in copies if other != path)
            message = f"instrument id '{instrument_id}' is already used by {others}; neither file is loaded"
            result.issues.append(InstrumentIssue(str(path), line, message))
    return result


def instrument_from_data(data: Any, path: str, root: Any = None) -> Instrument:
    """Validate plain data (parsed YAML or a stored definition) into an Instrument.

    :raises InstrumentError: listing every problem found.
    """
    if not isinstance(data, dict):
        raise InstrumentError(
            [InstrumentIssue(path, 1, "an instrument must be a mapping of keys such as id, title and items")]
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
        raise InstrumentError([InstrumentIssue(path, 1, "the file is empty")])
    return instrument_from_data(data, path, root), root


def _read(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the file's text, refusing a file larger than max_bytes before reading or parsing it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InstrumentError(
                [InstrumentIssue(str(path), 1, f"the file is {size} bytes, more than the limit of {max_bytes}")]
            )
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentError([InstrumentIssue(str(path), 1, f"cannot read the file: {error}")]) from None


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
    kind, name = detail["type"], _dotted(where)
    allowed = ", ".join(ITEM_TYPES)
    if kind == "missing":
        return f"missing required key '{where[-1]}'" + (f" in {_dotted(where[:-1])}" if len(where) > 1 else "")
    if kind == "extra_forbidden":
        return f"unknown key '{where[-1]}'" + (f" in {_dotted(where[:-1])}" if len(where) > 1 else "")
    if kind == "union_tag_invalid":
        return f"unknown item type '{detail['ctx']['tag']}'; allowed types: {allowed} ({_NO_IDENTIFIERS})"
    if kind == "union_tag_not_found":
        return f"{name}: an item needs a 'type', one of: {allowed}"
    if where and where[-1] == "when_hidden":
        return f"{name}: must be 'missing' or a number"
    if kind == "string_type":
        return f'{name}: should be text; put quotes around values such as "1.0"'
    message = detail["msg"].removeprefix("Value error, ")
    return f"{name}: {message}" if name else message


def _dotted(where: tuple[Any, ...]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _sorted(issues: list[InstrumentIssue]) -> list[InstrumentIssue]:
    return sorted(issues, key=lambda issue: issue.line)
