"""Reliability: Cronbach's alpha per scale on the group's complete released responses, with n and a plain note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ..instruments import Instrument, Scale
from ..stats import cronbach_alpha_from_sums
from . import published
from .context import Dashboard
from .periods import ScaleInfo

LOW_ALPHA = 0.7
# Below this many complete responses alpha is too unstable to base reliable change on.
MIN_ALPHA_N_FOR_CHANGE = 20


@dataclass(frozen=True)
class ScaleReliability:
    """Cronbach's alpha of one scale on this group's answers, with n and a plain note."""

    scale: ScaleInfo
    items: int
    n: int
    alpha: float | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form."""
        return {
            **self.scale.identity(),
            "items": self.items,
            "n": self.n,
            "alpha": None if self.alpha is None else round(self.alpha, 3),
            "note": self.note,
        }


def _alpha(dashboard: Dashboard, instrument: Instrument, scale: Scale, row: list[Any] | None) -> ScaleReliability:
    """Compute one scale's alpha from its stored sums (all-time, all languages of this group)."""
    info, k_items = ScaleInfo.of(instrument, scale), len(scale.items)
    if k_items < 2:
        note = _("One question only: internal consistency does not apply.")
        return ScaleReliability(info, k_items, 0, None, note)
    n = int(row[0]) if row is not None else 0
    if row is None or n < dashboard.k:
        note = _("Fewer than %(k)d complete responses: not shown.", k=dashboard.k)
        return ScaleReliability(info, k_items, n, None, note)
    sums = [float(v) for v in row[1:]]
    result = cronbach_alpha_from_sums(n, sums[:k_items], sums[k_items : 2 * k_items], sums[-2], sums[-1])
    if result is None:
        return ScaleReliability(info, k_items, n, None, _("Answers do not vary enough to estimate consistency."))
    note = (
        ""
        if result.value >= LOW_ALPHA
        else _("Low: the questions of this scale do not move together much in this group, so read its trend with care.")
    )
    if n < MIN_ALPHA_N_FOR_CHANGE:
        rough = _("Based on only %(n)d complete responses, so this estimate is rough.", n=n)
        note = (note + " " if note else "") + rough
    return ScaleReliability(info, k_items, n, result.value, note)


def reliability(dashboard: Dashboard) -> list[ScaleReliability]:
    """Return Cronbach's alpha for every scale of the shown instruments, from the sums stored at publication."""
    stored = published.alpha_sums(dashboard.group.id)
    return [
        _alpha(dashboard, instrument, scale, stored.get((instrument.id, scale.id)))
        for instrument, _ids in dashboard.shown_instruments()
        for scale in instrument.scales
    ]
