"""Jacobson-Truax reliable change: did a person's score move by more than measurement error?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .suppression import effective_k

ChangeClass = Literal["improved", "unchanged", "worsened"]


@dataclass(frozen=True, slots=True)
class ChangeShares:
    """How many paired participants improved, stayed the same or worsened, and the shares."""

    n: int
    improved: int
    unchanged: int
    worsened: int

    @property
    def improved_share(self) -> float:
        """Share of pairs that reliably improved."""
        return self.improved / self.n

    @property
    def unchanged_share(self) -> float:
        """Share of pairs with no reliable change."""
        return self.unchanged / self.n

    @property
    def worsened_share(self) -> float:
        """Share of pairs that reliably worsened."""
        return self.worsened / self.n


def reliable_change_index(first: float, latest: float, sd: float, reliability: float) -> float:
    """Return (latest - first) / (sd * sqrt(2) * sqrt(1 - reliability)).

    Edge cases: reliability below 0 is treated as 0 (no trust in the scale, widest error);
    reliability >= 1 or sd == 0 means no measurement error, so any difference is
    infinitely reliable (+/-inf) and no difference gives 0. Callers should pass a
    published or instrument-wide reliability, not a small group's sample alpha.

    :raises ValueError: when an input is NaN or sd is negative.
    """
    if any(math.isnan(x) for x in (first, latest, sd, reliability)):
        raise ValueError("reliable change inputs must not be NaN")
    if sd < 0:
        raise ValueError(f"sd must not be negative, got {sd!r}")
    difference = latest - first
    se_diff = sd * math.sqrt(2.0) * math.sqrt(1.0 - min(max(reliability, 0.0), 1.0))
    if se_diff == 0.0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return difference / se_diff


def classify_change(
    first: float,
    latest: float,
    sd: float,
    reliability: float,
    higher_is_better: bool,
    threshold: float = 1.96,
) -> ChangeClass:
    """Call a change improved or worsened only when |RCI| exceeds threshold, in the scale's good direction."""
    rci = reliable_change_index(first, latest, sd, reliability)
    if abs(rci) <= threshold:
        return "unchanged"
    return "improved" if (rci > 0) == higher_is_better else "worsened"


def change_shares(
    pairs: Sequence[tuple[float, float]],
    sd: float,
    reliability: float,
    higher_is_better: bool,
    min_n: int,
    threshold: float = 1.96,
) -> ChangeShares | None:
    """Count (first, latest) pairs by reliable change; None when fewer than effective_k(min_n) pairs."""
    if len(pairs) < effective_k(min_n):
        return None
    classes = [classify_change(first, latest, sd, reliability, higher_is_better, threshold) for first, latest in pairs]
    return ChangeShares(
        n=len(classes),
        improved=classes.count("improved"),
        unchanged=classes.count("unchanged"),
        worsened=classes.count("worsened"),
    )
