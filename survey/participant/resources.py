"""Support resources shown on the help page and when an answer crosses an alert.

SURVEY_SUPPORT_RESOURCES is a JSON list (or, in code, a list of dicts) of resources, each with
`name`, `contact` and optional `href` (for example `tel:988`) and `note`; each text is a
string or a map from locale to string. Unset: the US defaults below, in English and Spanish.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from ..config import ConfigError

TEXT_KEYS = ("name", "contact", "note")
SETTING = "SURVEY_SUPPORT_RESOURCES"
SAFE_LINKS = ("tel:", "sms:", "https://", "http://", "mailto:")


@dataclass(frozen=True)
class Resource:
    """One place to get help, in the page's language."""

    name: str
    contact: str
    href: str
    note: str


def default_resources() -> list[Resource]:
    """Return the US defaults: the 988 Lifeline and SAMHSA's National Helpline."""
    return [
        Resource(
            _("988 Suicide & Crisis Lifeline"),
            _("Call or text 988"),
            "tel:988",
            _("Free and confidential, 24 hours a day. For Spanish, call and press 2."),
        ),
        Resource(
            _("SAMHSA National Helpline"),
            "1-800-662-4357",
            "tel:+18006624357",
            _("Free, confidential, 24/7, in English and Spanish: treatment referral and information."),
        ),
    ]


def parse_setting(value: Any) -> list[dict[str, Any]] | None:
    """Return the configured resources as a list of dicts, or None for the defaults.

    :raises ConfigError: if the value is not a list of resources with a name and a contact.
    """
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{SETTING} is not valid JSON: {error}") from None
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConfigError(f"{SETTING} must be a JSON list of objects with 'name' and 'contact'.")
    for index, entry in enumerate(value):
        missing = [key for key in ("name", "contact") if not entry.get(key)]
        unknown = sorted(set(entry) - {*TEXT_KEYS, "href"})
        if missing or unknown:
            raise ConfigError(
                f"{SETTING} entry {index}: missing {missing or 'nothing'}, unknown keys {unknown or 'none'}."
            )
        if entry.get("href") and not str(entry["href"]).startswith(SAFE_LINKS):
            raise ConfigError(f"{SETTING} entry {index}: href must start with one of {', '.join(SAFE_LINKS)}.")
    return value


def _in_locale(text: Any, locale: str) -> str:
    """Return a configured text in locale, else English, else any translation."""
    if isinstance(text, Mapping):
        return str(text.get(locale) or text.get("en") or next(iter(text.values()), ""))
    return str(text or "")


def support_resources(locale: str) -> list[Resource]:
    """Return this deployment's support resources in locale."""
    configured = parse_setting(current_app.config.get(SETTING))
    if configured is None:
        return default_resources()
    return [
        Resource(
            name=_in_locale(entry["name"], locale),
            contact=_in_locale(entry["contact"], locale),
            href=str(entry.get("href") or ""),
            note=_in_locale(entry.get("note"), locale),
        )
        for entry in configured
    ]
