"""Items, reliability, reliable change, engagement, comments and comparison, checked against hand computations."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from survey.dashboard.aggregates import mask_contacts
from survey.stats import classify_change

from .dashboard_support import MONDAY, add_group, add_responses, add_user, craving, log_in

BELONGING = [(4, 5, 2), (3, 3, 3), (5, 4, 1), (2, 2, 4), (4, 4, 2), (1, 2, 5)]


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


def belonging(rows):
    return [{"belonged": float(a), "honest": float(b), "outsider": float(c)} for a, b, c in rows]


def hand_alpha(rows) -> float:
    """Cronbach's alpha by the textbook formula, with 'outsider' reversed on the 1-5 scale."""
    keyed = [(a, b, 6 - c) for a, b, c in rows]
    k = 3
    item_var = sum(statistics.variance(col) for col in zip(*keyed, strict=True))
    total_var = statistics.variance([sum(r) for r in keyed])
    return k / (k - 1) * (1 - item_var / total_var)


@pytest.fixture
def admin(app, client):
    with app.app_context():
        log_in(client, app, add_user("admin"))
    return client


def reliability_of(client, scale: str) -> dict:
    data = client.get("/groups/GRPA/dashboard/reliability.json").get_json()["data"]
    return next(r for r in data if r["scale"] == scale)


def test_alpha_matches_a_hand_computation(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), belonging(BELONGING))
        # Only two of three items: left out of alpha (listwise), though it still has a scale score.
        add_responses(group, week(1), [{"belonged": 5.0, "honest": 1.0}])
    row = reliability_of(admin, "belonging")
    assert row["n"] == len(BELONGING)
    assert row["alpha"] == pytest.approx(hand_alpha(BELONGING), abs=1e-3)


def test_alpha_is_withheld_below_k_and_low_alpha_gets_a_note(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), belonging(BELONGING[:4]))
    assert reliability_of(admin, "belonging")["alpha"] is None
    with app.app_context():
        from survey.extensions import db
        from survey.models import Group

        group = db.session.query(Group).filter_by(code="GRPA").one()
        add_responses(group, week(1), belonging([(1, 5, 1), (5, 1, 5), (3, 3, 3), (2, 4, 4)]))
    row = reliability_of(admin, "belonging")
    assert row["alpha"] is not None and row["alpha"] < 0.7
    assert "Low" in row["note"]


def test_one_item_scale_has_no_alpha(app, admin) -> None:
    with app.app_context():
        add_responses(add_group("GRPA", k=3), week(0), craving([1, 2, 3, 4]))
    assert "One question" in reliability_of(admin, "craving")["note"]


def test_reliable_change_counts_linked_participants(app, admin) -> None:
    first = [
        (2, 2, 4),
        (3, 2, 4),
        (2, 3, 3),
        (3, 3, 3),
        (4, 3, 2),
        (2, 2, 5),
        (3, 4, 3),
        (4, 4, 3),
        (1, 2, 4),
        (3, 3, 2),
        (2, 1, 4),
        (4, 5, 2),
    ]
    later = [
        (5, 5, 1),
        (3, 3, 3),
        (2, 2, 4),
        (4, 4, 2),
        (5, 4, 1),
        (2, 2, 5),
        (3, 4, 3),
        (5, 5, 1),
        (1, 1, 5),
        (3, 4, 2),
        (2, 2, 4),
        (4, 5, 1),
    ]
    codes = [f"code-{i}" for i in range(len(first))]
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), belonging(first), participants=codes)
        add_responses(group, week(4), belonging(later), participants=codes)
    row = next(
        r for r in admin.get("/groups/GRPA/dashboard/change.json").get_json()["data"] if r["scale"] == "belonging"
    )
    assert row["pairs"] == len(codes)
    scores = [
        (statistics.fmean((a, b, 6 - c)), statistics.fmean((d, e, 6 - f)))
        for (a, b, c), (d, e, f) in zip(first, later, strict=True)
    ]
    assert row["sd"] == pytest.approx(statistics.stdev([s for s, _ in scores]), abs=1e-3)
    assert row["reliability"] == pytest.approx(hand_alpha(first + later), abs=1e-3)
    classes = [classify_change(a, b, row["sd"], row["reliability"], True) for a, b in scores]
    assert (row["improved"], row["unchanged"], row["worsened"]) == (
        classes.count("improved"),
        classes.count("unchanged"),
        classes.count("worsened"),
    )
    assert row["improved"] + row["unchanged"] + row["worsened"] == len(codes)


def test_change_needs_enough_linked_participants(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), belonging(BELONGING * 4))
        add_responses(group, week(1), belonging(BELONGING[:2]), participants=["a", "b"])
        add_responses(group, week(2), belonging(BELONGING[2:4]), participants=["a", "b"])
    row = next(
        r for r in admin.get("/groups/GRPA/dashboard/change.json").get_json()["data"] if r["scale"] == "belonging"
    )
    assert row["improved"] is None and "at least 5 linked participants" in row["note"]


def test_items_show_distributions_only_at_or_above_k(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        add_responses(group, week(0), belonging(BELONGING))
        add_responses(group, week(1), belonging(BELONGING[:2]))
        add_responses(group, week(2), belonging(BELONGING[:3]))
    shown = admin.get(f"/groups/GRPA/dashboard/items.json?grain=meeting&period={week(0)}").get_json()
    belonged = next(i for i in shown["data"] if i["item"] == "belonged")
    assert belonged["counts"] == {"1.0": 1, "2.0": 1, "3.0": 1, "4.0": 2, "5.0": 1}
    assert next(i for i in shown["data"] if i["item"] == "outsider")["reverse"] is True
    assert shown["figures"] and any("reverse-scored" in str(f) for f in shown["figures"])
    hidden = admin.get(f"/groups/GRPA/dashboard/items.json?grain=meeting&period={week(1)}").get_json()
    assert all(i["suppressed"] and "counts" not in i for i in hidden["data"])
    refused = admin.get("/groups/GRPA/dashboard/items.json?grain=meeting&period=2020-01-01")
    assert refused.status_code == 400
    assert "There is no meeting starting January 1, 2020" in refused.get_data(as_text=True)
    spanish = admin.get("/groups/GRPA/dashboard/items.json?grain=meeting&period=2020-01-01&ui=es")
    assert spanish.status_code == 400 and "1 de enero de 2020" in spanish.get_data(as_text=True)


def test_engagement_counts_meetings_and_returns(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        codes = ["a", "b", "c", "d"]
        add_responses(group, dt.date(2026, 1, 6), craving([1, 2, 3, 4]), participants=codes)
        add_responses(group, dt.date(2026, 2, 3), craving([1, 2, 3]), participants=["a", "b", None])
        add_responses(group, dt.date(2026, 3, 3), craving([1, 2, 3]), participants=["a", "x", "y"])
    data = admin.get("/groups/GRPA/dashboard/engagement.json").get_json()["data"]
    assert [m["n"] for m in data["meetings"]] == [4, 3, 3]
    assert data["meetings_with_response"] == 3
    months = {m["month"]: m for m in data["retention"]}
    assert months["2026-01-01"]["returned"] == 2  # a and b answered again later; c and d did not
    assert months["2026-02-01"]["n"] == 2 and months["2026-02-01"]["returned"] is None  # 2 codes: below k
    assert months["2026-03-01"]["note"] == "too early to tell"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("write me at jo.smith+x@example.org please", "write me at [e-mail removed] please"),
        ("call 555-123-4567 anytime", "call [phone removed] anytime"),
        ("my number is +44 (0)20 7946 0958.", "my number is [phone removed]."),
        ("we met 3 times in 2024", "we met 3 times in 2024"),
    ],
)
def test_contacts_are_masked(raw, masked) -> None:
    assert mask_contacts(raw) == masked


def test_comments_appear_only_with_k_responses_and_are_masked(app, admin) -> None:
    with app.app_context():
        group = add_group("GRPA", k=5)
        notes = [{"craving_now": 2.0, "comment": text} for text in ("great night", "mail me a@b.org", "ok", "", "")]
        add_responses(group, week(0), notes)
        add_responses(group, week(1), [{"craving_now": 2.0, "comment": "only two of us"}, {"craving_now": 3.0}])
        add_responses(group, week(2), craving([1, 2, 3]))  # a second small meeting, so week 0 needs no complement
    page = admin.get(f"/groups/GRPA/dashboard/comments?grain=meeting&period={week(0)}").get_data(as_text=True)
    assert "great night" in page and "[e-mail removed]" in page and "a@b.org" not in page
    assert "asked not to write names" in page
    small = admin.get(f"/groups/GRPA/dashboard/comments?grain=meeting&period={week(1)}").get_data(as_text=True)
    assert "only two of us" not in small and "comments appear when" in small


def test_comparison_hides_small_groups_and_a_revealing_total(app, client) -> None:
    with app.app_context():
        big, small = add_group("GRPA", k=5), add_group("GRPB", k=5)
        add_responses(big, dt.date(2026, 1, 6), craving([2, 3, 4, 5, 6]))
        add_responses(big, dt.date(2026, 2, 3), craving([2, 3, 4, 5, 6, 7]))
        add_responses(small, dt.date(2026, 2, 4), craving([9, 9]))
        log_in(client, app, add_user("coordinator", {big: "viewer", small: "viewer"}))
    body = client.get("/dashboard/compare/craving.json?grain=month").get_json()
    rows = {r["group"]: r for r in body["data"]}
    assert rows["GRPA"]["latest"]["mean"] == 4.5 and rows["GRPA"]["latest"]["n"] == 6
    assert rows["GRPB"]["latest"]["suppressed"] and "mean" not in rows["GRPB"]["latest"]
    assert body["total_latest"]["suppressed"] and "mean" not in body["total_latest"]  # 8 - 6 would give GRPB
    assert "not enough responses" in client.get("/dashboard/compare").get_data(as_text=True)


def test_comparison_lists_only_the_users_groups(app, client) -> None:
    with app.app_context():
        mine, other = add_group("GRPA", k=3), add_group("GRPB", k=3)
        add_responses(mine, week(0), craving([1, 2, 3]))
        add_responses(other, week(0), craving([1, 2, 3]))
        log_in(client, app, add_user("coordinator", {mine: "manager"}))
    body = client.get("/dashboard/compare/craving.json").get_json()
    assert [r["group"] for r in body["data"]] == ["GRPA"]
    assert client.get("/dashboard/compare?grain=meeting").status_code == 400
