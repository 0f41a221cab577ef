"""Find English interface text on a page meant to be Spanish (shared by the page and browser tests).

Three nets, because an untranslated string is either in the catalogue (wrapped, but shown in
English) or nowhere (never wrapped): the English sentences of the catalogue's msgids, any text
that is exactly one of its labels ("Taking part"), and common English words. Data is taken out
first: group names and codes, e-mail addresses, instrument text in every language, and whatever
sits in an element marked with another language (`lang="en"`), such as the English lines of a
two-language group's poster."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from survey.instruments import Instrument
from survey.instruments.localized import LocalizedText

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%\{[a-z]+\}|%%|%")
# Words that do not occur in Spanish interface text; short Spanish words (a, de, en, no, con, es) are left out.
ENGLISH_WORDS = frozenset(
    """the and with this that your you of for from have has not are is was be will can which what when who
    by on in at to it or an all these there their they them than then into only per none yet
    group groups meeting meetings response responses answers question questions people week weeks month
    months shown hidden show mean score dashboard report print password account users log edit new save
    cancel delete download back trends comments chart loading language languages code codes time zone
    compare change scale reliable participants participant printable filter clear action status
    questionnaire questionnaires open closed archived manager viewer admin role""".split()  # noqa: SIM905
)
# English sentences the dashboard builds that are allowed on Spanish pages (none: all are in the catalogue).
BUILT_IN_AGGREGATES: tuple[str, ...] = ()  # every sentence the dashboard builds is in the catalogue now
ATTRIBUTES = ("aria-label", "alt", "title", "placeholder", "data-title", "data-chart-failed")


class VisibleText(HTMLParser):
    """Collect the text a reader meets (text and labelling attributes), except scripts and other languages."""

    def __init__(self, locale: str) -> None:
        super().__init__(convert_charrefs=True)
        self.locale = locale
        self.stack: list[tuple[str, bool]] = []  # (tag, inside another language)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        foreign = (self.stack[-1][1] if self.stack else False) if lang is None else not lang.startswith(self.locale)
        if tag == "html":
            foreign = False
        if tag in ("script", "style", "template"):
            foreign = True
        if not foreign:
            self.parts += [values[name] or "" for name in ATTRIBUTES if values.get(name)]
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col", "path", "rect"):
            self.stack.append((tag, foreign))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_text(page: str, locale: str = "es") -> str:
    """Return a page's readable text in `locale`, one part per line."""
    parser = VisibleText(locale)
    parser.feed(page)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


@cache
def catalogue_sentences() -> tuple[str, ...]:
    """Return the fixed English pieces of every msgid that reads as a sentence (three words or more)."""
    with (ROOT / "survey/translations/es/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    pieces: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for piece in PLACEHOLDER.split(msgid or ""):
                piece = piece.strip(" ,.;:()“”\"'")
                if len(piece.split()) >= 3:
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


@cache
def catalogue_labels() -> frozenset[str]:
    """Return every msgid without placeholders whose Spanish differs from it: a label or heading on its own."""
    with (ROOT / "survey/translations/es/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    labels = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid and not PLACEHOLDER.search(msgid) and msgid not in strings:
                labels.add(msgid.strip(" .:,;·()"))
    return frozenset(labels)


def instrument_texts(instruments: Iterable[Instrument]) -> set[str]:
    """Return every participant-facing text of these instruments, in every language (data, not interface)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, LocalizedText):
            found.update([value.root] if isinstance(value.root, str) else value.root.values())
        elif isinstance(value, (list, tuple)):
            for part in value:
                walk(part)
        elif isinstance(value, dict):
            for part in value.values():
                walk(part)
        elif hasattr(value, "__pydantic_fields__"):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    for instrument in instruments:
        walk(instrument)
        found.add(instrument.id)
    return {text for text in found if text}


def english_in(text: str, data: Iterable[str] = ()) -> list[str]:
    """Return the English interface sentences, labels and words found in `text`, after taking the data out."""
    data = set(data)
    labels = catalogue_labels()
    found = [
        f"label: {line.strip()!r}"
        for line in text.splitlines()
        if line.strip(" .:,;·()") in labels and line.strip() not in data
    ]
    for known in sorted({d for d in data if d}, key=len, reverse=True):
        text = text.replace(known, " ")
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", " ", text)  # e-mail addresses
    text = re.sub(r"https?://\S+|/[\w/.?=&-]+", " ", text)  # links and paths
    text = re.sub(r"\b[0-9a-f]{8,}\b", " ", text)  # content hashes ("d83bd266be01" is no English "be")
    for pattern in BUILT_IN_AGGREGATES:
        text = re.sub(pattern, " ", text)
    text = html.unescape(text)
    found += [f"sentence: {piece!r}" for piece in catalogue_sentences() if piece in text]
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
    found += [f"word: {word!r}" for word in sorted(words & ENGLISH_WORDS)]
    return found
