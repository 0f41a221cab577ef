"""No input, however malformed, makes the loader fail with anything but InstrumentError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from survey.instruments import Instrument, InstrumentError, load_instrument_text

MINIMAL = (Path(__file__).parent / "instrument_fixtures" / "minimal.yaml").read_text(encoding="utf-8")
KEYS = [
    "id",
    "type",
    "items",
    "scales",
    "text",
    "min",
    "max",
    "show_if",
    "all",
    "any",
    "item",
    "op",
    "value",
    "bands",
    "locales",
    "en",
    "es",
    "label",
    "anchors",
    "options",
    "reverse",
    "when_hidden",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["slider", "likert", "email", ">", "in", "q1", "missing", "yes"]),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


def loads_or_reports(text: str) -> None:
    """Load text, accepting only an Instrument or an InstrumentError with issues."""
    try:
        assert isinstance(load_instrument_text(text, "fuzz.yaml"), Instrument)
    except InstrumentError as error:
        assert error.issues
        assert all(issue.line >= 1 and str(issue).startswith("fuzz.yaml:") for issue in error.issues)


def dump(data: Any) -> str:
    """Return data as YAML text."""
    import io

    stream = io.StringIO()
    YAML(typ="safe").dump(data, stream)
    return stream.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    loads_or_reports(text)


@settings(max_examples=300, deadline=None)
@given(structures)
def test_random_structures(data: Any) -> None:
    loads_or_reports(dump(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(MINIMAL) - 1), st.integers(0, 40), st.text(max_size=12))
def test_mutated_instrument(start: int, length: int, insert: str) -> None:
    loads_or_reports(MINIMAL[:start] + insert + MINIMAL[start + length :])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["top", "item", "scale", "alert"]), st.sampled_from(KEYS), structures)
def test_minimal_with_one_random_value(where: str, key: str, value: Any) -> None:
    data = YAML(typ="safe").load(MINIMAL)
    target = {"top": data, "item": data["items"][2], "scale": data["scales"][0], "alert": data["alerts"][0]}[where]
    target[key] = value
    loads_or_reports(dump(data))
