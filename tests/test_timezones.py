"""Time zones a coordinator picks from: places, not aliases; offsets with the sign people expect."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from survey.timezones import COMMON, place_zones, utc_offset_label, zone_groups

from .coordinator_support import add_group, add_user, log_in_as


@pytest.mark.parametrize("junk", ["Factory", "localtime", "Etc/GMT+5", "US/Eastern", "EST5EDT", "GMT"])
def test_technical_and_alias_names_are_not_offered(junk) -> None:
    common, places = zone_groups()
    assert junk not in {value for value, _label in common + places}


def test_common_zones_come_first_and_all_exist() -> None:
    common, places = zone_groups()
    assert [value for value, _label in common] == list(COMMON)
    assert set(COMMON) - {"UTC"} <= set(place_zones())
    assert 300 < len(places) < 500  # every place, but not the ~600 raw names


@pytest.mark.parametrize(
    ("zone", "when", "label"),
    [
        ("America/Bogota", dt.datetime(2026, 7, 1, tzinfo=dt.UTC), "America/Bogota (UTC-05:00)"),
        ("America/Chicago", dt.datetime(2026, 1, 15, tzinfo=dt.UTC), "America/Chicago (UTC-06:00)"),
        ("America/Chicago", dt.datetime(2026, 7, 15, tzinfo=dt.UTC), "America/Chicago (UTC-05:00)"),
        ("Asia/Kolkata", dt.datetime(2026, 7, 1, tzinfo=dt.UTC), "Asia/Kolkata (UTC+05:30)"),
        (
            "America/Argentina/Buenos_Aires",
            dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
            "America/Argentina/Buenos Aires (UTC-03:00)",
        ),
    ],
)
def test_labels_carry_the_offset_at_that_moment(zone, when, label) -> None:
    assert utc_offset_label(zone, when) == label


def test_a_groups_unusual_zone_is_still_offered_back() -> None:
    _common, places = zone_groups("Etc/GMT+5")
    assert "Etc/GMT+5" in {value for value, _label in places}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def test_group_form_offers_grouped_places_and_proposes_the_browser_zone(app, client) -> None:
    log_in_as(client, app, add_user(app, "tz-admin@example.org", role="admin"))
    body = client.get("/groups/new").get_data(as_text=True)
    assert '<optgroup label="Common time zones">' in body and '<optgroup label="All places">' in body
    assert 'value="Factory"' not in body and 'value="localtime"' not in body
    assert "data-propose-browser-zone" in body and "/static/timezone-guess." in body
    add_group(app, "TZEDITAA", "Old zone", timezone="Etc/GMT+5")
    edit = client.get("/groups/TZEDITAA/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="Etc/GMT\+5">|<option value="Etc/GMT\+5" selected>', edit)
    assert "data-propose-browser-zone" not in edit  # editing never changes a stored zone by itself
