"""Reliable change (Jacobson-Truax) of participants who chose a code: counts per scale, never a person."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _

from ..stats import change_shares
from . import published
from .context import Dashboard
from .periods import ScaleInfo
from .reliability import MIN_ALPHA_N_FOR_CHANGE, reliability

# An alpha this close to 1 means identical answers across items: no measurement error to speak of, so no RCI.
MAX_TRUSTED_ALPHA = 0.995


@dataclass(frozen=True)
class ScaleChange:
    """Reliable change (Jacobson-Truax) of linked participants on one scale, or why it is not shown."""

    scale: ScaleInfo
    pairs: int
    improved: int | None
    unchanged: int | None
    worsened: int | None
    sd: float | None
    reliability: float | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON/CSV form (counts only when shown)."""
        return {
            **self.scale.identity(),
            "pairs": self.pairs,
            "improved": self.improved,
            "unchanged": self.unchanged,
            "worsened": self.worsened,
            "sd": None if self.sd is None else round(self.sd, 3),
            "reliability": None if self.reliability is None else round(self.reliability, 3),
            "note": self.note,
        }


def change(dashboard: Dashboard) -> list[ScaleChange]:
    """Return the share of linked participants whose score reliably improved, stayed or worsened, per scale.

    Rule (Jacobson-Truax): for each participant code with two or more scored responses,
    RCI = (latest - first) / (SD * sqrt(2) * sqrt(1 - alpha)), where SD is the SD of the
    first scores and alpha the scale's Cronbach's alpha, both from this group's data;
    |RCI| > 1.96 is a reliable change. Shown only with at least k pairs and an alpha from at
    least 20 complete responses; counts, never a person.
    """
    results = []
    stored = published.change_pairs(dashboard.group.id)
    for item in reliability(dashboard):
        key = (item.scale.instrument_id, item.scale.scale_id)
        pairs = [(first, latest) for first, latest in stored.get(key, [])]
        empty = ScaleChange(item.scale, len(pairs), None, None, None, None, None, "")
        if item.alpha is None or item.n < MIN_ALPHA_N_FOR_CHANGE:
            results.append(
                replace(
                    empty,
                    note=_(
                        "Needs a reliability estimate from at least %(n)d complete responses.", n=MIN_ALPHA_N_FOR_CHANGE
                    ),
                )
            )
            continue
        if item.alpha > MAX_TRUSTED_ALPHA:
            results.append(
                replace(
                    empty,
                    note=_(
                        "Every question was answered the same way, so measurement error "
                        "cannot be estimated from this group's answers."
                    ),
                )
            )
            continue
        sd = statistics.stdev([first for first, _ in pairs]) if len(pairs) >= 2 else 0.0
        shares = change_shares(pairs, sd, item.alpha, item.scale.higher_is_better, dashboard.k)
        if shares is None:
            results.append(
                replace(empty, note=_("Shown once at least %(k)d linked participants answered twice.", k=dashboard.k))
            )
            continue
        results.append(
            ScaleChange(item.scale, shares.n, shares.improved, shares.unchanged, shares.worsened, sd, item.alpha, "")
        )
    return results
