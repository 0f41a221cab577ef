"""Participant-facing text: one string, or a map from locale to string."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, RootModel

from .messages import Message, _l


def _text_or_translations(value: object) -> object:
    """Reject anything but a string or a map of strings, with one clear message."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    raise ValueError(Message(_l("must be text, or a map from locale to text (for example en: ..., es: ...)")))


class LocalizedText(RootModel[Annotated[str | dict[str, str], BeforeValidator(_text_or_translations)]]):
    """A text shown to participants, plain or translated per locale."""

    model_config = ConfigDict(frozen=True, strict=True)

    def missing_locales(self, locales: tuple[str, ...]) -> list[Message]:
        """Return the problems of this text against the instrument's declared locales."""
        value = self.root
        if isinstance(value, str):
            # A plain string cannot say which language it is in, so it is only
            # unambiguous when the instrument has a single locale.
            if len(locales) > 1:
                message = _l("needs a translation for each locale (%(locales)s), not one plain string")
                return [Message(message, locales=", ".join(locales))]
            return []
        missing, undeclared = (
            _l("missing translation for '%(locale)s'"),
            _l("translation for undeclared locale '%(locale)s'"),
        )
        problems = [Message(missing, locale=loc) for loc in locales if not value.get(loc, "").strip()]
        problems += [Message(undeclared, locale=loc) for loc in value if loc not in locales]
        return problems

    def in_locale(self, locale: str, fallback: str) -> str:
        """Return the text for locale, else for the fallback locale."""
        value = self.root
        if isinstance(value, str):
            return value
        return value.get(locale) or value.get(fallback) or next(iter(value.values()), "")
