"""Benchmark the dashboard over about a million responses: SQL aggregates vs. endpoints vs. load-everything Python.

Run by hand:  .venv/bin/python bench/dashboard_queries.py [--responses 1000000] [--groups 1000]
              [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_dash_bench]

Seeds a temporary SQLite file (and, when asked, a PostgreSQL database) with bulk INSERT ... SELECT
statements, not through HTTP, then times, for a typical group and for one very large group:
the bare SQL aggregate, the JSON endpoint that serves it (query + suppression + Plotly figure),
and a naive version that loads every row of the group into Python. Ctrl-C leaves nothing behind:
the SQLite file is temporary and the PostgreSQL database is emptied on the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from survey import catalog, create_app  # noqa: E402
from survey.dashboard import queries  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Group, Response, Score, User  # noqa: E402

CHECKIN_ITEMS = {  # item id -> (low, high)
    "confidence_overall": (0, 10),
    "confidence_urge": (0, 10),
    "craving_now": (0, 10),
    "belonged": (1, 5),
    "honest": (1, 5),
    "outsider": (1, 5),
    "helpful": (1, 5),
}
SCALES = {  # scale id -> SQL over answers a (one row per response after GROUP BY), as in instruments/checkin.yaml
    "self_efficacy": "avg(CASE WHEN a.item_id IN ('confidence_overall','confidence_urge') THEN a.value_num END)",
    "craving": "max(CASE WHEN a.item_id = 'craving_now' THEN a.value_num END)",
    "belonging": "avg(CASE WHEN a.item_id IN ('belonged','honest') THEN a.value_num "
    "WHEN a.item_id = 'outsider' THEN 6 - a.value_num END)",
    "helpfulness": "max(CASE WHEN a.item_id = 'helpful' THEN a.value_num END)",
}
WEEKS = 104
BIG_PER_MEETING = 1000
REPEATS = 5
PROFILE = False


def dialect_sql(postgres: bool) -> dict[str, str]:
    """The few expressions that differ between SQLite and PostgreSQL in the seeding statements."""
    if postgres:
        return {
            "rand": "floor(random() * {span})::int",
            "hour": "(m.local_date + time '20:00') AT TIME ZONE 'UTC'",
            "text": "::text",
        }
    return {"rand": "(abs(random()) % {span})", "hour": "m.local_date || ' 20:00:00.000000'", "text": ""}


def progress(label: str, started: float, done: int, total: int) -> None:
    """Print one progress line with an estimate of the time left."""
    elapsed = time.perf_counter() - started
    left = elapsed / done * (total - done) if done else 0.0
    print(
        f"\r  {label}: {done:,}/{total:,} ({100 * done / total:.0f}%), {elapsed:.0f}s, about {left:.0f}s left   ",
        end="",
        flush=True,
    )


def seed(groups: int, responses: int, postgres: bool) -> tuple[int, int]:
    """Bulk-insert groups, weekly meetings, responses, answers and scores; return (typical group id, big group id)."""
    sql = dialect_sql(postgres)
    instrument = catalog.registry().get("checkin")
    assert instrument is not None, "the checkin instrument must load"
    version = catalog.ensure_version(instrument)
    db.session.commit()
    per_meeting = max(2, round(responses / (groups * WEEKS)))
    start_day = dt.date(2024, 1, 2)
    db.session.execute(
        text(
            "INSERT INTO groups (name, code, default_locale, timezone, min_group_size, is_open, created_at) "
            "VALUES (:name, :code, 'en', 'UTC', 5, :open, :now)"
        ),
        [
            {"name": f"Bench group {i}", "code": f"B{i:06d}", "open": True, "now": dt.datetime.now(dt.UTC)}
            for i in range(groups)
        ],
    )
    group_ids = [row[0] for row in db.session.execute(text("SELECT id FROM groups ORDER BY id"))]
    db.session.execute(
        text("INSERT INTO meetings (group_id, local_date) VALUES (:g, :d)"),
        [{"g": g, "d": start_day + dt.timedelta(weeks=w)} for g in group_ids for w in range(WEEKS)],
    )
    db.session.commit()
    big = group_ids[0]
    started, done = time.perf_counter(), 0
    total_meetings = groups * WEEKS
    chunk = max(1, groups // 50)
    for first in range(0, groups, chunk):
        ids = group_ids[first : first + chunk]
        size = f"CASE WHEN m.group_id = {big} THEN {BIG_PER_MEETING} ELSE 2 + (m.id * 7) % {2 * per_meeting - 3} END"
        db.session.execute(
            text(
                "INSERT INTO responses (token, meeting_id, group_id, meeting_date, instrument_version_id, locale, "
                "submitted_hour, participant_hash) "
                f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {BIG_PER_MEETING}) "
                f"SELECT 'b-' || m.id || '-' || seq.i, m.id, m.group_id, m.local_date, :version, "
                f"CASE WHEN seq.i % 4 = 0 THEN 'es' ELSE 'en' END, {sql['hour']}, "
                f"CASE WHEN seq.i <= 6 THEN 'p-' || m.group_id || '-' || seq.i END "
                f"FROM meetings m JOIN seq ON seq.i <= {size} WHERE m.group_id IN ({', '.join(map(str, ids))})"
            ),
            {"version": version.id},
        )
        db.session.commit()
        done += len(ids) * WEEKS
        progress("responses", started, done, total_meetings)
    print()
    count = db.session.execute(text("SELECT count(*) FROM responses")).scalar_one()
    started = time.perf_counter()
    for index, (item_id, (low, high)) in enumerate(CHECKIN_ITEMS.items(), start=1):
        rand = sql["rand"].format(span=high - low + 1)
        db.session.execute(
            text(
                f"INSERT INTO answers (response_id, item_id, value_num) "
                f"SELECT r.id, :item, {low} + {rand} FROM responses r"
            ),
            {"item": item_id},
        )
        db.session.commit()
        progress("answers (per item)", started, index, len(CHECKIN_ITEMS))
    print()
    started = time.perf_counter()
    for index, (scale_id, expression) in enumerate(SCALES.items(), start=1):
        db.session.execute(
            text(
                f"INSERT INTO scores (response_id, scale_id, value) SELECT a.response_id, :scale, "
                f"{expression} FROM answers a GROUP BY a.response_id"
            ),
            {"scale": scale_id},
        )
        db.session.commit()
        progress("scores (per scale)", started, index, len(SCALES))
    print()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"  {count:,} responses in {groups:,} groups; group {big} has {BIG_PER_MEETING * WEEKS:,}")
    return group_ids[len(group_ids) // 2], big


def best_of(function: Callable[[], Any]) -> float:
    """Return the fastest of REPEATS runs, in milliseconds."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def naive_trend(group_id: int, scale_id: str) -> dict[dt.date, tuple[int, float]]:
    """What the dashboard must not do: load every scored response of the group and summarize in Python."""
    rows = db.session.execute(
        select(Response.meeting_date, Score.value)
        .join(Score, Score.response_id == Response.id)
        .where(Response.group_id == group_id, Score.scale_id == scale_id)
    ).all()
    by_day: dict[dt.date, list[float]] = defaultdict(list)
    for day, value in rows:
        by_day[day].append(value)
    return {day: (len(v), statistics.fmean(v)) for day, v in by_day.items()}


def naive_participation(group_id: int) -> dict[dt.date, int]:
    """Load every response of the group and count per meeting in Python."""
    counts: dict[dt.date, int] = defaultdict(int)
    for response in db.session.scalars(select(Response).where(Response.group_id == group_id)):
        counts[response.meeting_date] += 1
    return counts


def measure(app: Any, group_id: int, label: str) -> list[tuple[str, float, float, float]]:
    """Time each endpoint against its bare SQL aggregate and the naive Python version."""
    code = db.session.get(Group, group_id).code
    version_ids = [v.id for v in queries.versions_answered([group_id])]
    client = app.test_client()
    admin = db.session.scalar(select(User).filter_by(email="bench@example.org"))
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    cases = [
        (
            "trend craving",
            f"/groups/{code}/dashboard/trend/checkin/craving.json?grain=week",
            lambda: queries.scale_moments_by_meeting(group_id, version_ids, ["craving"]),
            lambda: naive_trend(group_id, "craving"),
        ),
        (
            "participation",
            f"/groups/{code}/dashboard/participation.json?grain=week",
            lambda: queries.response_counts_by_meeting(group_id, version_ids),
            lambda: naive_participation(group_id),
        ),
        (
            "items",
            f"/groups/{code}/dashboard/items.json?grain=month&instrument=checkin",
            lambda: queries.item_counts_by_meeting(group_id, version_ids),
            None,
        ),
        (
            "engagement",
            f"/groups/{code}/dashboard/engagement.json",
            lambda: queries.returning_participants_by_month(group_id),
            None,
        ),
        (
            "reliability",
            f"/groups/{code}/dashboard/reliability.json",
            lambda: queries.item_moments_for_alpha(
                group_id, version_ids, ["belonged", "honest", "outsider"], {"outsider": 6.0}
            ),
            None,
        ),
    ]
    results = []
    for name, url, bare, naive in cases:
        assert client.get(url).status_code == 200, url
        endpoint_ms = best_of(lambda url=url: client.get(url))  # decisions are stored at release: nothing to warm
        results.append((f"{label}: {name}", best_of(bare), endpoint_ms, best_of(naive) if naive else math.nan))
        db.session.rollback()
    return results


def profile_endpoint(app: Any, group_id: int) -> None:
    """Print the top functions of one typical trend request (with --profile)."""
    import cProfile
    import pstats

    code = db.session.get(Group, group_id).code
    client = app.test_client()
    admin = db.session.scalar(select(User).filter_by(email="bench@example.org"))
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    url = f"/groups/{code}/dashboard/trend/checkin/craving.json?grain=week"
    client.get(url)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [client.get(url) for _ in range(10)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def report(results: list[tuple[str, float, float, float]]) -> None:
    """Print the measured times side by side."""
    print("\nbare SQL: the endpoint's main aggregate query alone, rows fetched; endpoint: the whole JSON request")
    print("(all its SQL, suppression with an empty cache, Plotly figure, JSON); naive: load the rows into Python.")
    print(f"\n{'query':34} {'bare SQL':>9} {'endpoint':>9} {'endpoint/SQL':>12} {'naive':>9} {'naive/SQL':>9}")
    for name, bare, endpoint, naive in results:
        naive_text = "" if math.isnan(naive) else f"{naive:7.1f}ms {naive / bare:8.1f}x"
        print(f"{name:34} {bare:7.1f}ms {endpoint:7.1f}ms {endpoint / bare:11.2f}x {naive_text}")


def run(url: str, groups: int, responses: int, postgres: bool) -> None:
    """Migrate, seed, measure and report on one database."""
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SURVEY_PARTICIPANT_CODE_KEY": "bench",
            "TESTING": True,
            "SURVEY_SQLITE_SYNCHRONOUS": "NORMAL",
        }
    )
    with app.app_context():
        if postgres:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(revision="heads")
        db.session.add(User(email="bench@example.org", password_hash="x", role="admin"))
        db.session.commit()
        print(f"Seeding {'PostgreSQL' if postgres else 'SQLite'}:")
        started = time.perf_counter()
        typical, big = seed(groups, responses, postgres)
        if PROFILE:
            profile_endpoint(app, typical)
        print(f"  seeded in {time.perf_counter() - started:.0f}s; timing (best of {REPEATS})")
        results = measure(app, typical, "typical group") + measure(app, big, "large group")
        report(results)
        total = sum(endpoint for name, _, endpoint, _ in results if name.startswith("large"))
        typical_total = sum(endpoint for name, _, endpoint, _ in results if name.startswith("typical"))
        print(f"All five endpoints of the typical group together: {typical_total:.0f} ms")
        print(f"\nAll five endpoints of the large group together: {total:.0f} ms")


def main() -> None:
    """Parse arguments and run on SQLite, then PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL of a database this run may empty")
    parser.add_argument("--profile", action="store_true", help="print where the typical trend endpoint spends time")
    parser.add_argument("--keep", default="", help="write the SQLite file into this folder and keep it")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="dashboard-bench-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    Path(folder, "bench.sqlite3").unlink(missing_ok=True)
    global PROFILE
    PROFILE = args.profile
    os.environ.pop("DATABASE_URL", None)
    try:
        run(f"sqlite:///{folder}/bench.sqlite3", args.groups, args.responses, postgres=False)
        if args.postgres:
            run(args.postgres, args.groups, args.responses, postgres=True)
    except KeyboardInterrupt:
        print("\nInterrupted; temporary data removed.")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
