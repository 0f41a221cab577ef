"""Content hashes identify exact versions; stored definitions rebuild identical instruments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from survey.instruments import Instrument, InstrumentError, load_instrument_text

MINIMAL = (Path(__file__).parent / "instrument_fixtures" / "minimal.yaml").read_text(encoding="utf-8")
REFORMATTED = """\
# The same instrument, written differently: comments, key order, flow style, quoting.
locales:
  - en
  - es
id: "minimal"
title:
  es: Mínimo   # Spanish first
  en: Minimal
version: '1'
estimated_minutes: 1
construct: Testing
validated: false
disclaimer: {es: No validado., en: Not validated.}
licence: {holder: Tests, type: CC0-1.0, modification_allowed: true, redistribution_allowed: true}
response_scales: {agree: {anchors: [{label: {en: No, es: No}, value: 1},
  {value: 2, label: {en: Maybe, es: Quizá}}, {value: 3, label: {en: Yes, es: Sí}}]}}
items:
  - {id: q1, type: slider, text: {en: One, es: Uno}, min: 0, max: 10, step: 1,
     min_label: {en: Low, es: Bajo}, max_label: {en: High, es: Alto}, required: false}
  - {id: q2, type: likert, response_scale: agree, reverse: true, text: {en: Two, es: Dos}}
  - id: q3
    type: single_choice
    show_if: {all: [{item: q1, op: ">", value: 0}]}
    text: {en: Three, es: Tres}
    options: [{value: a, label: {en: A, es: A}}, {value: b, label: {en: B, es: B}}]
  - {id: q4, type: text, max_length: 20, text: {en: Four, es: Cuatro}}
scales:
  - id: s1
    label: {en: Scale, es: Escala}
    items: [q2]
    higher_is_better: true
    method: mean
    bands: [{id: lo, label: {en: Lo, es: Bajo}, min: 1, max: 2}, {id: hi, label: {en: Hi, es: Alto}, min: 2, max: 3}]
alerts:
  - id: a1
    message: {en: Help is here., es: Aquí hay ayuda.}
    condition: {any: [{item: q1, op: ">=", value: 8}, {scale: s1, op: "<", value: 2}]}
"""


def test_hash_is_sha256_of_canonical_definition() -> None:
    import hashlib

    instrument = load_instrument_text(MINIMAL)
    canonical = json.dumps(instrument.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert instrument.content_hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_reformatting_keeps_the_hash() -> None:
    assert load_instrument_text(REFORMATTED).content_hash == load_instrument_text(MINIMAL).content_hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{en: Two, es: Dos}", "{en: Two!, es: Dos}"),  # a label
        ("{en: Maybe, es: Quizá}", "{en: Perhaps, es: Quizá}"),  # an anchor
        ("    reverse: true\n", ""),  # scoring
        ("value: 8}", "value: 7}"),  # an alert threshold
        ('version: "1"', 'version: "2"'),  # the author's label
    ],
)
def test_changing_meaning_changes_the_hash(old: str, new: str) -> None:
    assert old in MINIMAL
    assert load_instrument_text(MINIMAL.replace(old, new)).content_hash != load_instrument_text(MINIMAL).content_hash


def test_definition_round_trips_through_json() -> None:
    instrument = load_instrument_text(MINIMAL)
    stored = json.loads(json.dumps(instrument.definition()))  # as a database JSON column returns it
    rebuilt = Instrument.from_definition(stored)
    assert rebuilt.content_hash == instrument.content_hash
    assert rebuilt == instrument
    assert rebuilt.item("q2").value_range() == (1.0, 3.0)  # likert scales are re-attached


def test_invalid_definition_raises_instrument_error() -> None:
    definition = load_instrument_text(MINIMAL).definition()
    definition["scales"][0]["items"] = ["q9"]
    with pytest.raises(InstrumentError, match="names item 'q9'"):
        Instrument.from_definition(definition)


def test_instrument_is_frozen() -> None:
    instrument = load_instrument_text(MINIMAL)
    with pytest.raises(Exception, match="frozen"):
        instrument.id = "other"  # type: ignore[misc]
