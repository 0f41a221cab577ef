"""The sentence a coordinator reads about a scale's trend, in their language (the rule: survey.stats.trend)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext

from ..stats import Summary, trend_direction

PERIOD_WORDS = {
    "meeting": lambda n: ngettext("%(num)d meeting", "%(num)d meetings", n),
    "week": lambda n: ngettext("%(num)d week", "%(num)d weeks", n),
    "month": lambda n: ngettext("%(num)d month", "%(num)d months", n),
}
EACH_PERIOD = {
    "meeting": lambda amount, n: ngettext(
        "%(amount)s person had a score at each meeting",
        "%(amount)s people had a score at each meeting",
        n,
        amount=amount,
    ),
    "week": lambda amount, n: ngettext(
        "%(amount)s person had a score each week", "%(amount)s people had a score each week", n, amount=amount
    ),
    "month": lambda amount, n: ngettext(
        "%(amount)s person had a score each month", "%(amount)s people had a score each month", n, amount=amount
    ),
}


def _periods(period_name: str, count: int) -> str:
    """Return "1 week", "2 weeks"... through ngettext for the grain's own word."""
    return PERIOD_WORDS.get(period_name, PERIOD_WORDS["week"])(count)


def trend_reading(
    periods: Sequence[tuple[str, Summary | None]],
    scale_label: str,
    higher_is_better: bool,
    period_name: str = "week",
    reasons: Sequence[str | None] | None = None,
) -> str:
    """Return one sentence a coordinator can read about the trend (see trend_direction for the rule).

    `reasons` gives, per period, why a hidden one is hidden ("small_cell" or "complement"), so the
    sentence can say "too few" only of periods that had too few. A scale's n counts people with a score.
    All wording lives here, through gettext/ngettext, so it reaches the translation catalogue in one place.
    """
    direction = trend_direction(periods)
    count = len(periods)
    label = f"“{scale_label}”"
    good = {"risen": higher_is_better, "fallen": not higher_is_better}.get(direction)
    over = _periods(period_name, count)
    if direction == "too_little":
        sentence = _("There are not yet enough answers to tell how %(label)s is changing", label=label)
    elif direction == "same":
        sentence = _("%(label)s has stayed about the same over the last %(periods)s", label=label, periods=over)
    elif direction == "risen":
        sentence = _("%(label)s has risen over the last %(periods)s", label=label, periods=over)
    else:
        sentence = _("%(label)s has fallen over the last %(periods)s", label=label, periods=over)
    if good is not None:
        sentence += _(", a change for the better") if good else _(", a change for the worse")
    counts = [summary.n for _, summary in periods if summary is not None]
    if counts:
        low, high = min(counts), max(counts)
        amount = f"{low}" if low == high else f"{low}–{high}"
        sentence += "; " + EACH_PERIOD.get(period_name, EACH_PERIOD["week"])(amount, high)
    why = list(reasons) if reasons is not None else [None] * count
    hidden = [why[i] for i, (_label, summary) in enumerate(periods) if summary is None]
    complement = sum(1 for r in hidden if r == "complement")
    too_few = len(hidden) - complement
    notes = []
    if too_few:
        notes.append(_("%(periods)s had too few answers to show", periods=_periods(period_name, too_few)))
    if complement:
        notes.append(
            _("%(periods)s hidden to protect another that had too few", periods=_periods(period_name, complement))
        )
    if notes:
        sentence += " (" + "; ".join(notes) + ")"
    return sentence + "."
