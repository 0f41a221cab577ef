"""Published summaries (alpha sums, change pairs, engagement counts): stored at publication, equal to the
test's own arithmetic on the released answers after a release, a late batch, a purge and a rebuild."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest
from flask import Flask
from sqlalchemy import delete, select

from survey.extensions import db
from survey.models import Group, InstrumentVersion, PublishedSummary
from survey.release import service
from survey.retention import purge_responses

from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in

DAYS = [MONDAY, MONDAY + dt.timedelta(days=7), dt.date(2026, 2, 2), dt.date(2026, 2, 9)]
CODES = ["a", "b", "c", "d", None]
BELONGING = ("belonged", "honest", "outsider")  # outsider is reverse-keyed on 1..5: it enters as 6 - x
EFFICACY = ("confidence_overall", "confidence_urge")


def sendings(seed: int, count: int) -> list[tuple[dict[str, float], str | None]]:
    """Complete check-in answers with participant codes, drawn from a seeded generator."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        answers = {item: float(rng.randint(1, 5)) for item in (*BELONGING, "helpful")}
        answers |= {item: float(rng.randint(0, 10)) for item in (*EFFICACY, "craving_now")}
        found.append((answers, rng.choice(CODES)))
    return found


class Sent:
    """What the test sent, per meeting in sending order, and which of it was released, for plain arithmetic."""

    def __init__(self) -> None:
        self.pending: dict[dt.date, list[tuple[dict[str, float], str | None]]] = defaultdict(list)
        self.released: dict[dt.date, list[tuple[dict[str, float], str | None]]] = defaultdict(list)

    def add(self, group: Group, day: dt.date, seed: int, count: int) -> None:
        rows = sendings(seed, count)
        add_responses(group, day, [a for a, _ in rows], participants=[c for _, c in rows])
        self.pending[day] += rows

    def release(self, days: list[dt.date]) -> None:
        for day in days:
            self.released[day] += self.pending.pop(day, [])

    def purge_before(self, day: dt.date) -> None:
        for earlier in [d for d in self.released if d < day]:
            self.released[earlier] = []

    def expected(self) -> dict[str, object]:
        """The summaries over the released answers (a meeting counts once released; purged, with no people)."""
        rows = [(day, a, c) for day in sorted(self.released) for a, c in self.released[day]]
        found: dict[str, object] = {"meetings": [[d.isoformat(), len(self.released[d])] for d in sorted(self.released)]}
        found["versions"] = list(db.session.scalars(select(InstrumentVersion.id)))  # the check-in's one version
        belonging = [[a["belonged"], a["honest"], 6 - a["outsider"]] for _, a, _ in rows]
        efficacy = [[a[i] for i in EFFICACY] for _, a, _ in rows]
        for name, xs in (("belonging", belonging), ("self_efficacy", efficacy)):
            totals = [sum(x) for x in xs]
            columns = list(zip(*xs, strict=True))
            found[f"alpha:checkin:{name}"] = [
                len(xs),
                *(sum(c) for c in columns),
                *(sum(v * v for v in c) for c in columns),
                sum(totals),
                sum(t * t for t in totals),
            ]
        scores = {
            "belonging": lambda a: (a["belonged"] + a["honest"] + 6 - a["outsider"]) / 3,
            "self_efficacy": lambda a: (a["confidence_overall"] + a["confidence_urge"]) / 2,
            "craving": lambda a: a["craving_now"],
            "helpfulness": lambda a: a["helpful"],
        }
        for name, score in scores.items():
            per_code = defaultdict(list)
            for _day, a, code in rows:  # rows are in meeting order, then in sending order
                if code is not None:
                    per_code[code].append(score(a))
            pairs = sorted([s[0], s[-1]] for s in per_code.values() if len(s) >= 2)
            found[f"change:checkin:{name}"] = pairs
        months: dict[dt.date, set[str]] = defaultdict(set)
        for day, _a, code in rows:
            if code is not None:
                months[day.replace(day=1)].add(code)
        found["returning"] = [
            [
                m.isoformat(),
                len(codes),
                sum(any(code in months[later] for later in months if later > m) for code in codes),
            ]
            for m, codes in sorted(months.items())
        ]
        return found


def stored() -> dict[str, object]:
    """The stored summaries, change pairs sorted (their order says nothing)."""
    found: dict[str, object] = {}
    for name, value in db.session.execute(select(PublishedSummary.name, PublishedSummary.value)):
        found[name] = sorted(value) if name.startswith("change:") else value
    return found


def at(monkeypatch, day: dt.date) -> None:
    """Make the release step see noon UTC on this day."""
    moment = dt.datetime.combine(day, dt.time(12), dt.UTC)
    monkeypatch.setattr("survey.release.service.now_utc", lambda: moment)


def alpha_by_hand(rows: list[list[float]]) -> float:
    """Cronbach's alpha from its definition: k/(k-1) * (1 - sum of item variances / variance of totals)."""

    def variance(values: list[float]) -> float:
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    k = len(rows[0])
    items = sum(variance([r[i] for r in rows]) for i in range(k))
    return k / (k - 1) * (1 - items / variance([sum(r) for r in rows]))


@pytest.fixture
def group_id(app: Flask) -> int:
    with app.app_context():
        return add_group("SUMM", k=3).id


def test_stored_summaries_follow_release_late_batch_purge_and_rebuild(app, group_id, monkeypatch) -> None:
    sent = Sent()
    with app.app_context():
        group = db.session.get(Group, group_id)
        for index, day in enumerate(DAYS):
            sent.add(group, day, seed=index, count=6 + index)
        at(monkeypatch, DAYS[1] + dt.timedelta(days=3))  # the two January meetings are due, February's not yet
        assert service.release_due(db.session.get(Group, group_id)) == 2
        sent.release(DAYS[:2])
        assert stored() == sent.expected()
        sent.add(db.session.get(Group, group_id), DAYS[0], seed=10, count=2)  # late, fewer than k = 3
        assert service.release_due(db.session.get(Group, group_id)) == 0
        assert stored() == sent.expected()
        sent.add(db.session.get(Group, group_id), DAYS[0], seed=11, count=1)  # the third late answer: a batch
        assert service.release_due(db.session.get(Group, group_id)) == 1
        sent.release([DAYS[0]])
        assert stored() == sent.expected()
        at(monkeypatch, DAYS[3] + dt.timedelta(days=3))
        assert service.release_due(db.session.get(Group, group_id)) == 2
        sent.release(DAYS[2:])
        incremental = stored()
        assert incremental == sent.expected()
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    reliability = client.get("/groups/SUMM/dashboard/reliability.json").get_json()["data"]
    rows = [[a["belonged"], a["honest"], 6 - a["outsider"]] for day in DAYS for a, _ in sent.released[day]]
    belonging = next(r for r in reliability if r["scale"] == "belonging")
    assert (belonging["n"], belonging["alpha"]) == (len(rows), round(alpha_by_hand(rows), 3))

    result = app.test_cli_runner().invoke(args=["release", "rebuild", "--group", "SUMM"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert stored() == incremental  # rebuild equals incremental
        db.session.execute(delete(PublishedSummary))  # as after the upgrade that added the table
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["release", "rebuild"]).exit_code == 0
    with app.app_context():
        assert stored() == incremental
        purge_responses("SUMM", DAYS[2], actor_email="admin@example.org")  # January's answers are deleted
        sent.purge_before(DAYS[2])
        assert stored() == sent.expected()


def test_a_dashboard_request_runs_no_sql_over_raw_answers_for_summaries(app, group_id, monkeypatch) -> None:
    sent = Sent()
    with app.app_context():
        group = db.session.get(Group, group_id)
        for index, day in enumerate(DAYS):
            sent.add(group, day, seed=index, count=5)
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    assert client.get("/groups/SUMM/dashboard").status_code == 200  # the first read releases everything
    pages = ("reliability.json", "change.json", "engagement.json")
    first = {page: client.get(f"/groups/SUMM/dashboard/{page}").get_json() for page in pages}

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a request ran the summaries' SQL")

    for name in ("item_moments_for_alpha", "first_and_latest_scores", "meetings_with_responses"):
        monkeypatch.setattr(f"survey.release.released_answers.{name}", refuse)
    monkeypatch.setattr("survey.release.released_answers.returning_participants_by_month", refuse)
    assert client.get("/groups/SUMM/dashboard").status_code == 200
    assert {page: client.get(f"/groups/SUMM/dashboard/{page}").get_json() for page in pages} == first
    assert [m["n"] for m in first["engagement.json"]["data"]["meetings"]] == [5, 5, 5, 5]
