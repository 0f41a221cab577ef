"""Validation messages in the participant's language.

The scoring engine is pure Python and speaks English; its messages are matched here and
rendered through the interface catalogues, so a Spanish form gets Spanish errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

Render = Callable[[re.Match[str]], str]

TRANSLATED: tuple[tuple[re.Pattern[str], Render], ...] = (
    (re.compile(r"This question needs an answer\."), lambda m: _("This question needs an answer.")),
    (re.compile(r"Please choose only one answer\."), lambda m: _("Please choose only one answer.")),
    (re.compile(r"Please enter a number\."), lambda m: _("Please enter a number.")),
    (re.compile(r"Please choose one of the answers shown\."), lambda m: _("Please choose one of the answers shown.")),
    (re.compile(r"Please choose from the answers shown\."), lambda m: _("Please choose from the answers shown.")),
    (re.compile(r"Please answer yes or no\."), lambda m: _("Please answer yes or no.")),
    (re.compile(r"Please enter a whole number\."), lambda m: _("Please enter a whole number.")),
    (re.compile(r"Please write your answer in one box\."), lambda m: _("Please write your answer in one box.")),
    (
        re.compile(r"Please remove the control character \(such as a NUL byte\) from your answer\."),
        lambda m: _("Please remove the control character (such as a NUL byte) from your answer."),
    ),
    (
        re.compile(r"Please choose a value between (?P<low>\S+) and (?P<high>\S+)\."),
        lambda m: _("Please choose a value between %(low)s and %(high)s.", low=m["low"], high=m["high"]),
    ),
    (
        re.compile(r"Please choose a value in steps of (?P<step>\S+)\."),
        lambda m: _("Please choose a value in steps of %(step)s.", step=m["step"]),
    ),
    (
        re.compile(r"Please enter a whole number between (?P<low>\S+) and (?P<high>\S+)\."),
        lambda m: _("Please enter a whole number between %(low)s and %(high)s.", low=m["low"], high=m["high"]),
    ),
    (
        re.compile(r"Please shorten your answer to (?P<n>\d+) characters or fewer\."),
        lambda m: _("Please shorten your answer to %(n)s characters or fewer.", n=m["n"]),
    ),
)


def translate_error(message: str) -> str:
    """Return the engine's message in the current language (unchanged when it is not known here)."""
    for pattern, render in TRANSLATED:
        match = pattern.fullmatch(message)
        if match:
            return render(match)
    return message
