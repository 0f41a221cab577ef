"""The time zones a coordinator chooses from: common zones first, then every real place, labelled with its offset.

The raw IANA list has about 600 names, many of them aliases (`US/Eastern`), technical (`Factory`,
`localtime`) or misleading (`Etc/GMT+5` is UTC-5). Coordinators pick a city; the app stores its
canonical name, so existing groups keep whatever zone they had (it is always offered back).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

# Where this project's groups mostly meet: the United States, Latin America and Spain.
COMMON = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Mexico_City",
    "America/Tijuana",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Guatemala",
    "America/El_Salvador",
    "America/Santo_Domingo",
    "Europe/Madrid",
    "Europe/London",
    "UTC",
)
AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


def place_zones() -> list[str]:
    """Return every zone named after a place (Area/City), sorted, without aliases like US/* or Etc/*."""
    return sorted(name for name in available_timezones() if name.split("/", 1)[0] in AREAS and "/" in name)


def utc_offset_label(name: str, at: dt.datetime | None = None) -> str:
    """Label a zone with its offset now, e.g. "America/Chicago (UTC-06:00)", in the sign people expect."""
    offset = (at or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{name.replace('_', ' ')} (UTC{sign}{hours:02d}:{mins:02d})"


def zone_groups(current: str | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return (common zones, all places) as (value, label) choices; the current zone is always among them."""
    places = place_zones()
    if current and current not in COMMON and current not in places:
        places = sorted([*places, current])
    return [(name, utc_offset_label(name)) for name in COMMON], [(name, utc_offset_label(name)) for name in places]
