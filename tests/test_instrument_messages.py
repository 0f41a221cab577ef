"""Author messages keep their msgid: English as text (the CLI), and any language when a page renders them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from pydantic_core._pydantic_core import list_all_errors

from survey.config import PROJECT_ROOT
from survey.instruments import InstrumentError
from survey.instruments.loader import PYDANTIC_SENTENCES, instrument_from_data, load_instrument_text
from survey.instruments.messages import Message, in_language
from survey.instruments.yaml_lines import parse_yaml, to_plain

from .participant_support import EVERY_TYPE_YAML, compile_catalogs

CATALOGUE = PROJECT_ROOT / "survey/translations/es/LC_MESSAGES/messages.po"


@pytest.fixture(scope="module")
def spanish() -> Translations:
    compile_catalogs()
    return Translations.load(str(PROJECT_ROOT / "survey/translations"), ["es"])


def translated_msgids() -> set[str]:
    with CATALOGUE.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id and message.string and not message.fuzzy}


def test_a_message_is_its_english_text_and_renders_again_in_another_language(spanish: Translations) -> None:
    inner = Message("unknown key '%(key)s' in %(parent)s", key="colour", parent="licence")
    outer = Message("%(where)s: %(problem)s", where="scales[0]", problem=inner)
    assert outer == "scales[0]: unknown key 'colour' in licence"
    assert in_language(outer, spanish.gettext) == "scales[0]: clave desconocida 'colour' en licence"
    assert in_language("plain text", spanish.gettext) == "plain text"  # text that is no message passes unchanged


@pytest.mark.parametrize("key", sorted(PYDANTIC_SENTENCES))
def test_the_pydantic_sentences_read_exactly_as_pydantic_writes_them(key: str) -> None:
    kind, _, singular = key.partition("/")
    [template] = [error["message_template_python"] for error in list_all_errors() if error["type"] == kind]
    english = re.sub(r"\{(\w+)\}", r"%(\1)s", template.replace("{expected_plural}", "" if singular else "s"))
    assert PYDANTIC_SENTENCES[key] == english


WRONG_VALUES: tuple[Any, ...] = ("x", 5, 1.5, True, None, (1, 2), {"a": 1}, (), "BAD ID", "")


def mutations(node: Any) -> Iterator[Any]:
    """Yield copies of the data with one value, at any depth, replaced by a wrong one, or one key left out."""
    if not isinstance(node, dict | tuple):
        return
    for key, child in list(node.items() if isinstance(node, dict) else enumerate(node)):
        for changed in (*WRONG_VALUES, *mutations(child)):
            yield {**node, key: changed} if isinstance(node, dict) else node[:key] + (changed,) + node[key + 1 :]
        if isinstance(node, dict):
            yield {k: v for k, v in node.items() if k != key}


def test_every_problem_a_broken_file_can_have_is_a_translated_message() -> None:
    """Each wrong value or missing key of a valid file: every problem has a msgid that Spanish translates."""
    base = to_plain(parse_yaml(EVERY_TYPE_YAML))
    known, count = translated_msgids(), 0
    seen: set[str] = set()

    def note(msgid: str) -> str:
        seen.add(msgid)
        return msgid

    for data in mutations(base):
        try:
            instrument_from_data(json.loads(json.dumps(data)), "x.yaml")  # as stored: lists, not tuples
        except InstrumentError as error:
            for issue in error.issues:
                count += 1
                assert isinstance(issue.message, Message), str(issue)
                in_language(issue.message, note)
    assert count > 1000 and seen and seen <= known, sorted(seen - known)


@pytest.mark.parametrize(
    ("text", "spanish_text"),
    [
        ("id: a\nid: b\n", "error de YAML: clave repetida 'id': aparece dos veces en el mismo lugar; deje solo una"),
        ("a:\n\tb: 1\n", "error de YAML: aquí hay un tabulador; YAML solo admite espacios para la sangría"),
        ("", "el archivo está vacío"),
        ("[1, 2]", "un cuestionario debe ser un mapa de claves como id, title e items"),
    ],
)
def test_files_that_are_no_instrument_say_so_in_spanish(spanish: Translations, text: str, spanish_text: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, "x.yaml")
    [issue] = caught.value.issues
    assert issue.in_language(spanish.gettext) == f"x.yaml:{issue.line}: {spanish_text}"
