"""Answers not released yet: how many people answered each meeting, and when its results can appear."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..access import ReadGroup
from ..meetings import group_zone
from ..models import Group
from ..release.service import waiting


@dataclass(frozen=True)
class WaitingMeeting:
    """A meeting whose answers are not on the dashboard yet (counts only: a count reveals no answer)."""

    day: dt.date
    people: int
    results_at: dt.datetime  # in the group's time zone
    late: bool  # released already; these later answers wait until at least k have gathered


def waiting_meetings(group: Group | ReadGroup) -> list[WaitingMeeting]:
    """Return the group's unreleased answers per meeting (all languages together), oldest first."""
    zone = group_zone(group)
    found: dict[tuple[dt.date, bool], WaitingMeeting] = {}
    for item in waiting(group):
        key = (item.meeting_date, item.late)
        before = found.get(key)
        people = item.people + (before.people if before else 0)
        found[key] = WaitingMeeting(item.meeting_date, people, item.releasable_at.astimezone(zone), item.late)
    return sorted(found.values(), key=lambda m: (m.day, m.late))
