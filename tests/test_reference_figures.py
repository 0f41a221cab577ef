"""The dashboard's JSON, CSV and report agree with tests/reference.py, which never calls the app's
scoring or statistics; the reference's own arithmetic is checked against published values first."""

from __future__ import annotations

import csv
import io
import re

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.extensions import db
from survey.models import Response

from . import reference as ref
from .dashboard_support import add_group, add_responses, add_user, log_in

GRAINS = ("meeting", "week", "month")
CODE = "REFGRP"

# Henderson HV, Velleman PF (1981). Building multiple regression models interactively. Biometrics 37(2):391-411
# (the "mtcars" data, from Motor Trend 1974): cylinders, gears, carburettors and horsepower of 32 cars.
MTCARS_CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]
MTCARS_GEAR = [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4]
MTCARS_CARB = [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2, 2, 4, 6, 8, 2]
MTCARS_HP = [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230, 66, 52, 65, 97]
MTCARS_HP += [150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109]


def test_reference_alpha_matches_a_published_value() -> None:
    # Published: alpha of these four columns = 0.09463206 (easystats/performance,
    # tests/testthat/test-cronbachs_alpha.R; Ludecke et al. 2021, JOSS 6(60):3139).
    assert sum(MTCARS_HP) == 4694 and len(MTCARS_HP) == 32  # the published column total
    rows = [list(map(float, r)) for r in zip(MTCARS_CYL, MTCARS_GEAR, MTCARS_CARB, MTCARS_HP, strict=True)]
    assert ref.cronbach_alpha(rows) == pytest.approx(0.09463206, abs=5e-9)


@pytest.mark.parametrize(("df", "published"), [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042), (60, 2.000)])
def test_reference_t_quantile_matches_the_printed_table(df: int, published: float) -> None:
    assert ref.t_quantile(0.975, df) == pytest.approx(published, abs=0.0006)  # two-sided 5%, any t table


@pytest.fixture
def data() -> list[ref.Sending]:
    return ref.seeded_dataset()


@pytest.fixture
def client(app: Flask, data: list[ref.Sending]) -> FlaskClient:
    """The seeded dataset stored as the form stores it (one submission, two questionnaires), and an admin."""
    with app.app_context():
        group = add_group(CODE, k=5, instruments=("checkin", "craving"))
        for sending in data:
            codes = [sending.code]
            add_responses(group, sending.day, [sending.answers["checkin"]], participants=codes)
            add_responses(group, sending.day, [sending.answers["craving"]], instrument_id="craving", participants=codes)
        rows = db.session.scalars(select(Response).order_by(Response.id)).all()
        for checkin, craving in zip(rows[::2], rows[1::2], strict=True):
            craving.submission = checkin.submission
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        log_in(client, app, add_user("admin"))
    return client


def close(value: float | None) -> object:
    """Compare with the app's 3-decimal rounding."""
    return None if value is None else pytest.approx(value, abs=0.0006)


@pytest.mark.parametrize("grain", GRAINS)
@pytest.mark.parametrize(("instrument", "scale"), list(ref.SCALES))
def test_trend_json_agrees(client, data, instrument: str, scale: str, grain: str) -> None:
    body = client.get(f"/groups/{CODE}/dashboard/trend/{instrument}/{scale}.json?grain={grain}").get_json()
    expected = ref.trend(data, instrument, scale, grain)
    assert [p["start"] for p in body["data"]] == [d.isoformat() for d in expected]
    for period, want in zip(body["data"], expected.values(), strict=True):
        assert not period["suppressed"], period
        assert period["n"] == want.n
        assert (period["mean"], period["sd"]) == (close(want.mean), close(want.sd))
        assert (period["ci_low"], period["ci_high"]) == (close(want.ci_low), close(want.ci_high))
    whole = ref.overall(data, instrument, scale)
    assert body["overall"]["n"] == whole.n and body["overall"]["mean"] == close(whole.mean)


@pytest.mark.parametrize("grain", GRAINS)
def test_participation_json_counts_people(client, data, grain: str) -> None:
    body = client.get(f"/groups/{CODE}/dashboard/participation.json?grain={grain}").get_json()
    assert {p["start"]: p["n"] for p in body["data"]} == {d.isoformat(): n for d, n in ref.people(data, grain).items()}


@pytest.mark.parametrize(("grain", "start"), [("meeting", ref.MEETINGS[3]), ("month", ref.MEETINGS[0].replace(day=1))])
def test_items_json_agrees(client, data, grain: str, start) -> None:
    url = f"/groups/{CODE}/dashboard/items.json?instrument=checkin&grain={grain}&period={start.isoformat()}"
    items = {i["item"]: i for i in client.get(url).get_json()["data"]}
    for item in ("confidence_overall", "craving_now", "belonged", "outsider", "helpful"):
        want = ref.item_counts(data, "checkin", item, grain, start)
        assert not items[item]["suppressed"]
        assert {float(v): c for v, c in items[item]["counts"].items()} == want, item
        assert items[item]["n"] == sum(want.values())


def test_reliability_json_agrees(client, data) -> None:
    rows = {r["scale"]: r for r in client.get(f"/groups/{CODE}/dashboard/reliability.json").get_json()["data"]}
    for instrument, scale in (("checkin", "belonging"), ("checkin", "self_efficacy")):
        n, alpha = ref.scale_alpha(data, instrument, scale)
        assert rows[scale]["n"] == n and rows[scale]["alpha"] == close(alpha)


def test_change_json_agrees(client, data) -> None:
    rows = client.get(f"/groups/{CODE}/dashboard/change.json").get_json()["data"]
    found = {(r["instrument"], r["scale"]): r for r in rows}
    checked = 0
    for instrument, scale in (("checkin", "belonging"), ("checkin", "self_efficacy")):
        _n, alpha = ref.scale_alpha(data, instrument, scale)
        want = ref.reliable_change(data, instrument, scale, alpha)
        got = found[(instrument, scale)]
        assert got["pairs"] == want["pairs"]
        assert (got["improved"], got["unchanged"], got["worsened"]) == (
            want["improved"],
            want["unchanged"],
            want["worsened"],
        )
        checked += want["improved"] + want["worsened"]
    assert checked > 0  # the dataset holds reliable changes, so the direction rule is exercised


def test_export_csv_agrees(client, data) -> None:
    text = client.get(f"/groups/{CODE}/dashboard/export.csv?grain=week").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    people = {r["period_start"]: int(r["n"]) for r in rows if r["figure"] == "participation"}
    assert people == {d.isoformat(): n for d, n in ref.people(data, "week").items()}
    for (instrument, scale), _spec in ref.SCALES.items():
        expected = ref.trend(data, instrument, scale, "week")
        got = [
            r
            for r in rows
            if (r["figure"], r["instrument"], r["scale"], r["grain"]) == ("trend", instrument, scale, "week")
        ]
        assert [(r["period_start"], int(r["n"])) for r in got] == [(d.isoformat(), s.n) for d, s in expected.items()]
        assert [float(r["mean"]) for r in got] == [close(s.mean) for s in expected.values()]


def test_report_agrees(client, data) -> None:
    page = client.get(f"/groups/{CODE}/dashboard/report?grain=month").get_data(as_text=True)
    total = sum(ref.people(data, "meeting").values())
    counts = ref.questionnaires(data)
    assert f"{total} people in total" in page
    assert f"{sum(counts.values())} questionnaires filled in" in page
    assert re.search(rf"After-meeting check-in</th><td class=\"num\">{counts['checkin']}</td>", page)
    assert re.search(rf"Cravings</th><td class=\"num\">{counts['craving']}</td>", page)
    for start, stats in ref.trend(data, "checkin", "belonging", "month").items():
        # Tables show dates as people read them (Babel's medium date in the report's language, English here).
        assert f"<td>{format_date(start, 'medium', locale='en')}</td><td>{stats.n}</td>" in page
        assert f"<td>{stats.mean:.2f}</td>" in page
