"""Whole-instrument checks on the parts of an invalid file that did validate.

Field validation (pydantic) reports every broken key at once, but the checks that need the whole
instrument (references between items and scales, translations, bands) need a valid model. So an
unknown key would hide, until fixed, a scale naming an item that does not exist. Here the file is
repaired for checking only: unknown keys are dropped, broken items, scales, alerts and response
scales are left out, other broken top-level keys get a harmless stand-in; the checks then run on
what is left, and any problem that names a left-out part (or sits at a stand-in key) is dropped,
since it would only repeat or guess at an error already reported.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .checks import instrument_problems
from .items import Problem
from .model import Instrument

_COLLECTIONS = ("items", "scales", "alerts")
_STAND_INS: dict[str, Any] = {
    "id": "x",
    "version": "x",
    "construct": "x",
    "estimated_minutes": 1,
    "validated": True,
    "licence": {"type": "x", "holder": "x", "redistribution_allowed": True, "modification_allowed": True},
    "citations": (),
}
_TEXTS = ("title", "instructions", "time_frame", "disclaimer")


def problems_beside(data: dict[str, Any], error: ValidationError, authoring: bool) -> list[Problem]:
    """Return the whole-instrument problems of the valid parts of data, with locations in the original file."""
    details = error.errors(include_url=False)
    locs = [data_path(data, tuple(detail["loc"])) for detail in details]
    unknown = {loc for loc, detail in zip(locs, details, strict=True) if detail["type"] == "extra_forbidden"}
    if any(loc[:1] == ("locales",) for loc in locs):
        return []  # every translation check depends on the declared locales
    repaired = _without_unknown_keys(data, unknown)
    broken = {loc for loc in locs if loc not in unknown}
    left_out: set[str] = set()
    positions: dict[str, list[int]] = {}
    for name in _COLLECTIONS:
        bad = {loc[1] for loc in broken if len(loc) > 1 and loc[0] == name and isinstance(loc[1], int)}
        given = repaired.get(name)
        elements = list(given) if isinstance(given, tuple | list) else []  # `scales: 5` is a field error already
        left_out |= {str(e.get("id")) for i, e in enumerate(elements) if i in bad and isinstance(e, dict)}
        positions[name] = [i for i in range(len(elements)) if i not in bad]
        if name in repaired and isinstance(repaired[name], tuple | list):
            repaired[name] = tuple(elements[i] for i in positions[name])
    bad_scales = {loc[1] for loc in broken if len(loc) > 1 and loc[0] == "response_scales"}
    left_out |= {str(name) for name in bad_scales}
    if isinstance(repaired.get("response_scales"), dict):
        repaired["response_scales"] = {k: v for k, v in repaired["response_scales"].items() if k not in bad_scales}
    stand_in_keys = {loc[0] for loc in broken if loc and loc[0] not in _COLLECTIONS and loc[0] != "response_scales"}
    locales = tuple(data.get("locales") or ())
    for key in stand_in_keys:
        repaired[key] = {locale: "x" for locale in locales} if key in _TEXTS else _STAND_INS.get(key)
    try:
        instrument = Instrument.model_validate({k: v for k, v in repaired.items() if v is not None})
    except (ValidationError, ValueError, TypeError):
        return []  # too broken to check further; the field errors already say what to fix
    return [
        (_original(loc, positions), message)
        for loc, message in instrument_problems(instrument, authoring)
        if not (loc[:1] and loc[0] in stand_in_keys) and not any(f"'{name}'" in message for name in left_out)
    ]


def data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return a pydantic error location as a path in the data: without union tags, which the data lacks.

    A tagged union (the item types) puts the tag right after the list index; an item of type
    'text' also has a key 'text', so the tag is recognised by its place, not by its name alone.
    """
    path: list[Any] = []
    node, after_index = data, False
    for part in loc:
        if after_index and isinstance(node, dict) and node.get("type") == part:
            after_index = False
            continue
        after_index = False
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, tuple | list) and isinstance(part, int) and 0 <= part < len(node):
            node, after_index = node[part], True
        path.append(part)
    return tuple(path)


def _without_unknown_keys(data: Any, unknown: set[tuple[Any, ...]], at: tuple[Any, ...] = ()) -> Any:
    """Return a copy of data without the keys at the given locations."""
    if isinstance(data, dict):
        return {k: _without_unknown_keys(v, unknown, at + (k,)) for k, v in data.items() if at + (k,) not in unknown}
    if isinstance(data, tuple | list):
        return tuple(_without_unknown_keys(v, unknown, at + (i,)) for i, v in enumerate(data))
    return data


def _original(loc: tuple[str | int, ...], positions: dict[str, list[int]]) -> tuple[str | int, ...]:
    """Map a location in the repaired instrument back to the file (left-out elements shift positions)."""
    if len(loc) > 1 and loc[0] in positions and isinstance(loc[1], int) and loc[1] < len(positions[str(loc[0])]):
        return (loc[0], positions[str(loc[0])][loc[1]]) + loc[2:]
    return loc
