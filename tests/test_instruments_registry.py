"""Meta-tests: shipped instruments load, every type and key is documented, the schema is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from survey.instruments import (
    ITEM_TYPES,
    AnswerError,
    Instrument,
    InstrumentRegistry,
    json_schema,
    load_directory,
    load_instrument_text,
)
from survey.instruments.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENTS = ROOT / "instruments"
README = (INSTRUMENTS / "README.md").read_text(encoding="utf-8")
MINIMAL = (Path(__file__).parent / "instrument_fixtures" / "minimal.yaml").read_text(encoding="utf-8")


def test_every_shipped_instrument_loads_without_issues() -> None:
    result = load_directory(INSTRUMENTS)
    assert [str(issue) for issue in result.issues] == []
    assert set(result.instruments) == {"checkin", "recovery_self_efficacy", "craving", "belonging"}


@pytest.mark.parametrize("instrument", load_directory(INSTRUMENTS).instruments.values(), ids=lambda i: i.id)
def test_shipped_instruments_are_unvalidated_bilingual_and_cited(instrument: Instrument) -> None:
    assert instrument.validated is False and instrument.disclaimer is not None
    assert instrument.locales == ("en", "es")
    assert instrument.citations
    assert not instrument.bands_are_clinical


def test_checkin_is_short_and_has_the_expected_scales() -> None:
    checkin = load_directory(INSTRUMENTS).instruments["checkin"]
    assert checkin.estimated_minutes <= 2
    assert [scale.id for scale in checkin.scales] == ["self_efficacy", "craving", "belonging", "helpfulness"]
    comment = checkin.item("comment")
    assert ITEM_TYPES[comment.type].sensitive and not comment.required
    assert [alert.id for alert in checkin.alerts] == ["strong_craving"]


@pytest.mark.parametrize("name", ITEM_TYPES)
def test_every_item_type_is_documented(name: str) -> None:
    assert re.search(rf"^### {name}$", README, re.MULTILINE), f"instruments/README.md has no '### {name}' section"


@pytest.mark.parametrize("key", Instrument.model_json_schema(by_alias=True)["properties"])
def test_every_top_level_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in README


def test_committed_schema_matches_the_models() -> None:
    committed = (INSTRUMENTS / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate with: flask instruments schema > instruments/schema.json"
    assert json.loads(committed) == json_schema()


@pytest.mark.parametrize("name", ["email", "phone", "phone_number", "address", "device_id", "name"])
def test_no_item_type_for_identifying_data(name: str) -> None:
    assert name not in ITEM_TYPES
    assert name not in re.findall(r'"const": "([^"]+)"', json.dumps(json_schema()))


def test_registry_entries_are_complete() -> None:
    for name, kind in ITEM_TYPES.items():
        assert kind.name == name
        assert kind.chart_kind in {"diverging_bar", "histogram", "bar", "none"}
        assert kind.macro and kind.description
        assert kind.model.model_fields["type"].annotation.__args__ == (name,)  # type: ignore[union-attr]


INSTRUMENT = load_instrument_text(
    MINIMAL.replace(
        "\nscales:\n",
        "\n  - {id: q5, type: yes_no, text: {en: Five, es: Cinco}}\n"
        "  - {id: q6, type: integer, min: 0, max: 30, text: {en: Six, es: Seis}}\n"
        "  - {id: q7, type: multiple_choice, text: {en: Seven, es: Siete},"
        " options: [{value: x, label: {en: X, es: X}}, {value: y, label: {en: Y, es: Y}}]}\n"
        "\nscales:\n",
        1,
    )
)
PARSED = [
    ("q1", ["7"], 7.0),
    ("q1", [""], None),
    ("q1", [], None),
    ("q2", ["3"], 3.0),
    ("q3", ["b"], "b"),
    ("q4", ["  hi  "], "hi"),
    ("q5", ["yes"], 1.0),
    ("q5", ["no"], 0.0),
    ("q6", ["30"], 30.0),
    ("q7", ["y", "x"], ("x", "y")),
    ("q7", [""], None),
]
REFUSED = [
    ("q1", ["11"], "between 0 and 10"),
    ("q1", ["2.5"], "steps of 1"),
    ("q1", ["nan"], "enter a number"),
    ("q1", ["1", "2"], "only one"),
    ("q2", ["4"], "answers shown"),
    ("q3", ["z"], "answers shown"),
    ("q4", ["x" * 21], "20 characters"),
    ("q4", ["a", "b"], "one box"),
    ("q5", ["maybe"], "yes or no"),
    ("q6", ["31"], "between 0 and 30"),
    ("q6", ["1.5"], "whole number"),
    ("q7", ["x", "q"], "answers shown"),
]


@pytest.mark.parametrize(("item_id", "raw", "expected"), PARSED)
def test_parse_valid_answers(item_id: str, raw: list[str], expected: object) -> None:
    item = INSTRUMENT.item(item_id)
    assert ITEM_TYPES[item.type].parse(item, raw) == expected


@pytest.mark.parametrize(("item_id", "raw", "fragment"), REFUSED)
def test_parse_refuses_invalid_answers_readably(item_id: str, raw: list[str], fragment: str) -> None:
    item = INSTRUMENT.item(item_id)
    with pytest.raises(AnswerError) as caught:
        ITEM_TYPES[item.type].parse(item, raw)
    assert fragment in caught.value.message and caught.value.message.startswith("Please")


def test_instrument_registry_by_id_and_hash(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    registry = InstrumentRegistry(load_directory(tmp_path))
    minimal = registry.get("minimal")
    assert minimal is not None and registry.by_hash(minimal.content_hash) is minimal
    assert registry.get("nope") is None and registry.by_hash("0" * 64) is None
    assert registry.all() == [minimal]
    assert len(registry.issues) == 1
    older = load_instrument_text(MINIMAL.replace('version: "1"', 'version: "0"'))
    registry.add(older)
    assert registry.by_hash(older.content_hash) is older and registry.get("minimal") is minimal


def test_numeric_range_and_lookups() -> None:
    assert INSTRUMENT.numeric_range("q1") == (0.0, 10.0)
    assert INSTRUMENT.numeric_range("q2") == (1.0, 3.0)
    assert INSTRUMENT.numeric_range("q3") is None
    assert INSTRUMENT.scale("s1").id == "s1"
    assert INSTRUMENT.scale_range("s1") == (1.0, 3.0)
    with pytest.raises(KeyError):
        INSTRUMENT.item("zz")
    with pytest.raises(KeyError):
        INSTRUMENT.scale("zz")
