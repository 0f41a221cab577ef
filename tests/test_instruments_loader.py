"""The loader reports every problem of an instrument file as `path:line: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.instruments import (
    InstrumentError,
    InstrumentIssue,
    load_directory,
    load_instrument_file,
    load_instrument_text,
)

FIXTURES = Path(__file__).parent / "instrument_fixtures"
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def edited(line: int, new: str) -> str:
    """Return the minimal instrument with one (1-based) line replaced by new text."""
    lines = MINIMAL.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def issues_of(text: str) -> list[InstrumentIssue]:
    """Return the issues raised when loading text as bad.yaml."""
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, "bad.yaml")
    return caught.value.issues


def test_minimal_fixture_loads() -> None:
    instrument = load_instrument_file(FIXTURES / "minimal.yaml")
    assert instrument.id == "minimal"
    assert [item.id for item in instrument.items] == ["q1", "q2", "q3", "q4"]


def test_yaml_1_2_keeps_yes_and_no_as_strings() -> None:
    instrument = load_instrument_text(MINIMAL)
    labels = [anchor.label.root for anchor in instrument.response_scales["agree"].anchors]
    assert labels[0] == {"en": "No", "es": "No"}
    assert labels[2] == {"en": "Yes", "es": "Sí"}


BAD_LINES = [
    pytest.param(4, "construct: Testing\ncolour: red", 5, "unknown key 'colour'", id="unknown-top-key"),
    pytest.param(24, "    min: 0\n    minimum: 0", 25, "unknown key 'minimum'", id="unknown-item-key"),
    pytest.param(22, "    type: email", 22, "unknown item type 'email'", id="email-type"),
    pytest.param(22, "    type: phone_number", 22, "allowed types: likert, slider", id="phone-type"),
    pytest.param(22, "    kind: slider", 21, "an item needs a 'type'", id="missing-type"),
    pytest.param(27, "", 21, "missing required key 'max_label' in items[0]", id="missing-item-key"),
    pytest.param(28, "  - id: q1", 28, "duplicate item id 'q1'", id="duplicate-item"),
    pytest.param(
        38, "      - {value: a, label: {en: B, es: B}}", 38, "duplicate option value 'a'", id="duplicate-option"
    ),
    pytest.param(
        49, "    items: [q2, q9]", 49, "scale 's1' names item 'q9', which does not exist", id="scale-missing-item"
    ),
    pytest.param(49, "    items: [q4]", 49, "'q4', which is not numeric", id="scale-text-item"),
    pytest.param(
        41, "        - {item: q3, op: '>', value: 0}", 41, "does not come before this item", id="show-if-self"
    ),
    pytest.param(
        41, "        - {item: q4, op: '>', value: 0}", 41, "does not come before this item", id="show-if-later"
    ),
    pytest.param(
        41, "        - {item: q7, op: '>', value: 0}", 41, "item 'q7', which does not exist", id="show-if-missing"
    ),
    pytest.param(41, "        - {item: q1, op: '=~', value: 0}", 41, "op: Input should be", id="show-if-bad-op"),
    pytest.param(
        41, "        - {item: q1, op: '>', value: 11}", 41, "outside its range 0..10", id="show-if-out-of-range"
    ),
    pytest.param(
        41, "        - {item: q1, op: in, value: 3}", 41, "operator 'in' needs a list", id="show-if-in-scalar"
    ),
    pytest.param(
        58, "        - {item: q3, op: '>', value: a}", 58, "operator '>' needs a numeric item", id="alert-order-choice"
    ),
    pytest.param(
        58, "        - {item: q3, op: '==', value: c}", 58, "not one of its options", id="alert-unknown-option"
    ),
    pytest.param(
        59, "        - {scale: s9, op: '<', value: 2}", 59, "scale 's9', which does not exist", id="alert-missing-scale"
    ),
    pytest.param(25, "    max: 0", 25, "max (0) must be greater than min (0)", id="slider-min-ge-max"),
    pytest.param(25, "    max: 10\n    step: 3", 26, "step 3 does not divide the range 0..10", id="slider-step"),
    pytest.param(44, "    max_length: 0", 44, "max_length must be at least 1", id="text-max-length"),
    pytest.param(
        44, "    max_length: 20\n    required: true", 45, "free-text items are always optional", id="text-required"
    ),
    pytest.param(44, "    max_length: 20\n    reverse: true", 45, "cannot be reverse-scored", id="reverse-text"),
    pytest.param(37, "      - {value: a, label: {en: A, es: A}}", 0, "", id="noop-guard"),
    pytest.param(
        53, "      - {id: hi, label: {en: Hi, es: Alto}, min: 2.5, max: 3}", 53, "leaving a gap", id="band-gap"
    ),
    pytest.param(
        53, "      - {id: hi, label: {en: Hi, es: Alto}, min: 1.5, max: 3}", 53, "overlapping", id="band-overlap"
    ),
    pytest.param(
        53,
        "      - {id: hi, label: {en: Hi, es: Alto}, min: 2, max: 4}",
        53,
        "must end at the scale's maximum 3",
        id="band-past-max",
    ),
    pytest.param(50, "    higher_is_better: true\n    range: [0, 5]", 51, "range must be 1..3", id="declared-range"),
    pytest.param(
        50,
        "    higher_is_better: true\n    min_answered: 2",
        51,
        "min_answered must be between 1 and 1",
        id="min-answered",
    ),
    pytest.param(
        30,
        "    response_scale: agreement",
        30,
        "response scale 'agreement', which does not exist",
        id="missing-response-scale",
    ),
    pytest.param(18, "      - {value: 2.5, label: {en: Maybe, es: Quizá}}", 16, "evenly spaced", id="uneven-anchors"),
    pytest.param(23, "    text: {en: One}", 23, "missing translation for 'es'", id="missing-translation"),
    pytest.param(23, "    text: One", 23, "needs a translation for each locale", id="plain-string-two-locales"),
    pytest.param(23, "    text: {en: One, es: Uno, fr: Un}", 23, "undeclared locale 'fr'", id="extra-locale"),
    pytest.param(23, "    text: 5", 23, "must be text", id="text-not-string"),
    pytest.param(2, "version: 1.0", 2, "put quotes around", id="unquoted-version"),
    pytest.param(7, "", 6, "needs a 'disclaimer'", id="missing-disclaimer"),
    pytest.param(5, "estimated_minutes: 1\nestimated_minutes: 2", 6, "duplicate key", id="duplicate-yaml-key"),
    pytest.param(13, "locales: [en, es", 13, "YAML error: a list in [ ] that starts on this line", id="syntax-error"),
    pytest.param(
        41,
        "        - {item: q1, op: '>', value: 0}\n    when_hidden: yes",
        42,
        "must be 'missing' or a number",
        id="when-hidden-text",
    ),
    pytest.param(
        41,
        "        - {item: q1, op: '>', value: 0}\n    when_hidden: 1",
        42,
        "not numeric, so when_hidden",
        id="when-hidden-choice",
    ),
    pytest.param(
        27,
        "    max_label: {en: High, es: Alto}\n    when_hidden: 1",
        28,
        "no show_if",
        id="when-hidden-without-show-if",
    ),
    pytest.param(40, "      all: []\n      any:", 39, "exactly one of 'all' or 'any'", id="show-if-both"),
    pytest.param(40, "      every:", 40, "unknown key 'every'", id="show-if-unknown-join"),
]


@pytest.mark.parametrize(("line", "new", "expected_line", "fragment"), BAD_LINES)
def test_bad_instrument_reports_path_and_line(line: int, new: str, expected_line: int, fragment: str) -> None:
    text = edited(line, new)
    if not fragment:  # the edit keeps the file valid: the harness itself is sound
        load_instrument_text(text)
        return
    issues = issues_of(text)
    matching = [issue for issue in issues if fragment in issue.message]
    assert matching, [str(issue) for issue in issues]
    assert matching[0].line == expected_line, [str(issue) for issue in issues]
    assert str(matching[0]).startswith(f"bad.yaml:{expected_line}: ")


def test_all_errors_are_reported_at_once() -> None:
    text = edited(49, "    items: [q2, q9]").replace("    text: {en: Two, es: Dos}", "    text: {en: Two}")
    lines = sorted(issue.line for issue in issues_of(text))
    assert lines == [32, 49]


def test_issue_formats_as_path_line_message() -> None:
    issue = InstrumentIssue("instruments/craving.yaml", 14, "scale 'craving' names item 'q9', which does not exist")
    assert str(issue) == "instruments/craving.yaml:14: scale 'craving' names item 'q9', which does not exist"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text", "42"])
def test_not_a_mapping(text: str) -> None:
    [issue] = issues_of(text)
    assert issue.line == 1


SINGLE_LOCALE = """\
id: single
version: "1"
title: Plain
construct: Testing
estimated_minutes: 1
validated: false
disclaimer: Not validated.
licence: {type: CC0-1.0, holder: Tests, redistribution_allowed: true, modification_allowed: true}
locales: [en]
items:
  - {id: q1, type: yes_no, text: Plain question?}
"""


def test_single_locale_instrument_accepts_plain_strings() -> None:
    instrument = load_instrument_text(SINGLE_LOCALE)
    assert instrument.text(instrument.title, "es") == "Plain"


def test_text_falls_back_to_the_first_locale() -> None:
    instrument = load_instrument_text(MINIMAL)
    assert instrument.text(instrument.title, "es") == "Mínimo"
    assert instrument.text(instrument.title, "de") == "Minimal"


@pytest.mark.parametrize("text", ["id: &a [*a]\n", "a: &a {b: *a}\n", "key: !!binary zz\n", "d: 2024-01-01\n"])
def test_odd_yaml_is_an_issue_not_a_crash(text: str) -> None:
    assert issues_of(text)


def test_directory_keeps_loading_after_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "a_broken.yaml").write_text("id: [\n", encoding="utf-8")
    (tmp_path / "b_good.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "c_same_id.yaml").write_text("# a copy\n" + MINIMAL, encoding="utf-8")
    (tmp_path / "d_other.yaml").write_text(MINIMAL.replace("id: minimal", "id: other", 1), encoding="utf-8")
    result = load_directory(tmp_path)
    assert list(result.instruments) == ["other"]  # the two files sharing 'minimal' are both refused
    broken, first, second = result.issues
    assert broken.path.endswith("a_broken.yaml")
    b_good, c_same = tmp_path / "b_good.yaml", tmp_path / "c_same_id.yaml"
    assert str(first) == f"{b_good}:1: instrument id 'minimal' is already used by {c_same}; neither file is loaded"
    assert str(second) == f"{c_same}:2: instrument id 'minimal' is already used by {b_good}; neither file is loaded"


def test_unreadable_file_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: caf\xe9\n")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.issues[0].line == 1


def test_unknown_keys_do_not_hide_the_whole_instrument_checks() -> None:
    text = (
        edited(49, "    items: [q2, q9]")
        .replace("construct: Testing", "construct: Testing\ncolour: red")
        .replace("    max_length: 20", "    max_length: 20\n    maxlength: 5")
        .replace('{item: q1, op: ">", value: 0}', '{item: q7, op: ">", value: 0}')
    )
    messages = [str(issue) for issue in issues_of(text)]
    assert messages == [
        "bad.yaml:5: unknown key 'colour'",
        "bad.yaml:42: condition names item 'q7', which does not exist",
        "bad.yaml:46: unknown key 'maxlength' in items[3]",
        "bad.yaml:51: scale 's1' names item 'q9', which does not exist",
    ]


def test_a_broken_item_is_left_out_of_the_whole_instrument_checks_without_false_alarms() -> None:
    # q2 lacks its response scale: the scale naming q2 must not also be told q2 "does not exist".
    text = edited(30, "").replace("    text: {en: Four, es: Cuatro}", "    text: {en: Four}")
    messages = [str(issue) for issue in issues_of(text)]
    assert messages == [
        "bad.yaml:28: missing required key 'response_scale' in items[1]",
        "bad.yaml:45: missing translation for 'es'",  # q4, after the left-out q2
    ]


YAML_MISTAKES = [
    pytest.param("items:\n  - id: q1\n - id: q2\n", 3, "indented differently from the lines around it", id="seq"),
    pytest.param("a:\n    b: 1\n  c: 2\n", 3, "indented differently from the lines around it", id="map"),
    pytest.param("title:\n  en: A\n   es: B\n", 3, "indented differently", id="deeper"),
    pytest.param("title: Hello: world\n", 1, "needs quotes around it", id="colon-in-text"),
    pytest.param("a:\n\tb: 1\n", 2, "only spaces", id="tab"),
    pytest.param("id: a\nid: b\n", 2, "duplicate key 'id'", id="duplicate-key"),
    pytest.param('a: "hello\nb: 2\n', 1, "never closed", id="unclosed-quote"),
    pytest.param("a: [1, 2\nb: 3\n", 1, "not closed with ']'", id="open-list"),
    pytest.param("a: {x: 1\nb: 3\n", 1, "not closed with '}'", id="open-map"),
    pytest.param("a: *nope\n", 1, "'&nope' that is not defined", id="undefined-alias"),
    pytest.param("a: 1\nhello\nb: 2\n", 2, "neither 'key: value' nor a list entry", id="no-colon"),
    pytest.param("a: @foo\n", 1, "cannot start with '@'", id="at-sign"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), YAML_MISTAKES)
def test_yaml_syntax_errors_are_in_plain_words(text: str, line: int, fragment: str) -> None:
    [issue] = issues_of(text)
    assert (issue.line, fragment in issue.message) == (line, True), str(issue)
    assert not any(word in issue.message for word in ("<block", "scanning", "token", "stream")), str(issue)
