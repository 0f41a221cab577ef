"""Benchmark the released dashboard: each endpoint against a bare Flask endpoint running the same SQL.

Run by hand:  .venv/bin/python bench/dashboard_queries.py [--rounds 15] [--filler-groups 100]
              [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_dash_bench] [--profile NAME [--built]]
              [--sqlite-file PATH] [--reuse]

Seeds a temporary SQLite file (and, when asked, a PostgreSQL database this run may empty) with
bulk INSERT ... SELECT statements: a typical group (about 1,000 responses over two years of
weekly meetings), a large one (1,000 a meeting, about 104,000) and filler groups, then releases
the two measured groups with `flask release run --group CODE` (rollups and the stored audit),
so every endpoint shows published cells.

For each endpoint the SQL statements one request runs are recorded (every SELECT the app sends
to the database, the login's user read and the release check included), and a bare Flask app
replays exactly those statements on its own plain engine and returns their rows as JSON. The
two are requested in alternation in the same process, `--rounds` times; the ratio is of the
medians (goal: at most 2x). The whole dashboard is the group page and every JSON endpoint it
loads (its data-figure-src charts), requested one after another (goal: under a second for the
large group). --profile NAME prints where one endpoint's kept requests spend their time; with
--built each profiled request is the first after a publication (the memo emptied before it). A
publication builds and stores the default views (survey/dashboard/prebuilt.py) after its commit; the
release or rebuild line says how long that took beside the publication itself. "built" rows of a
default view therefore read the stored view; the "grain=month" rows show a view that still builds.
--sqlite-file keeps the SQLite database; with --reuse a database that already holds the seeded
groups is not seeded again, its two measured groups are published again with `flask release
rebuild` (so the stored rows are what the code being measured writes). Ctrl-C leaves nothing
behind but a --sqlite-file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, func, inspect, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from survey import catalog, create_app  # noqa: E402
from survey.dashboard import memo  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Group, PublishedCell, StoredView, User  # noqa: E402
from survey.release import stored_views  # noqa: E402

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
TYPICAL_PER_MEETING = 10  # 1,040 responses over two years
LARGE_PER_MEETING = 1000  # 104,000
FILLER_PER_MEETING = 8
READ_STATEMENT = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
CHART_SOURCE = re.compile(r'data-figure-src="([^"]+)"')


def dialect_sql(postgres: bool) -> dict[str, str]:
    """The few expressions that differ between SQLite and PostgreSQL in the seeding statements."""
    if postgres:
        return {"rand": "floor(random() * {span})::int", "hour": "(m.local_date + time '20:00') AT TIME ZONE 'UTC'"}
    return {"rand": "(abs(random()) % {span})", "hour": "m.local_date || ' 20:00:00.000000'"}


def seed(filler_groups: int, postgres: bool) -> tuple[str, str]:
    """Bulk-insert groups, weekly meetings, responses, answers and scores; return (typical code, large code)."""
    sql = dialect_sql(postgres)
    instrument = catalog.registry().get("checkin")
    assert instrument is not None, "the checkin instrument must load"
    version = catalog.ensure_version(instrument)
    db.session.commit()
    codes = ["TYPICAL", "LARGE"] + [f"F{i:06d}" for i in range(filler_groups)]
    db.session.execute(
        text(
            "INSERT INTO groups (name, code, default_locale, timezone, min_group_size, is_open, created_at) "
            "VALUES (:name, :code, 'en', 'UTC', 5, :open, :now)"
        ),
        [{"name": f"Bench group {c}", "code": c, "open": True, "now": dt.datetime.now(dt.UTC)} for c in codes],
    )
    ids = dict(db.session.execute(text("SELECT code, id FROM groups")).all())
    start_day = dt.date(2024, 1, 2)
    db.session.execute(
        text("INSERT INTO meetings (group_id, local_date) VALUES (:g, :d)"),
        [{"g": ids[c], "d": start_day + dt.timedelta(weeks=w)} for c in codes for w in range(WEEKS)],
    )
    db.session.commit()
    size = (
        f"CASE WHEN m.group_id = {ids['LARGE']} THEN {LARGE_PER_MEETING} "
        f"WHEN m.group_id = {ids['TYPICAL']} THEN {TYPICAL_PER_MEETING - 3} + m.id % 7 "
        f"ELSE {FILLER_PER_MEETING} END"
    )
    db.session.execute(
        text(
            "INSERT INTO responses (token, meeting_id, group_id, meeting_date, instrument_version_id, locale, "
            "submitted_hour, participant_hash, submission) "
            f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {LARGE_PER_MEETING}) "
            f"SELECT 'b-' || m.id || '-' || seq.i, m.id, m.group_id, m.local_date, :version, "
            f"CASE WHEN seq.i % 4 = 0 THEN 'es' ELSE 'en' END, {sql['hour']}, "
            f"CASE WHEN seq.i <= 6 THEN 'p-' || m.group_id || '-' || seq.i END, 's-' || m.id || '-' || seq.i "
            f"FROM meetings m JOIN seq ON seq.i <= {size}"
        ),
        {"version": version.id},
    )
    db.session.commit()
    for item_id, (low, high) in CHECKIN_ITEMS.items():
        rand = sql["rand"].format(span=high - low + 1)
        db.session.execute(
            text(
                "INSERT INTO answers (response_id, item_id, value_num) "
                f"SELECT r.id, :item, {low} + {rand} FROM responses r"
            ),
            {"item": item_id},
        )
    for scale_id, expression in SCALES.items():
        db.session.execute(
            text(
                f"INSERT INTO scores (response_id, scale_id, value) SELECT a.response_id, :scale, "
                f"{expression} FROM answers a GROUP BY a.response_id"
            ),
            {"scale": scale_id},
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    for code in ("TYPICAL", "LARGE"):
        count = db.session.execute(
            text("SELECT count(*) FROM responses WHERE group_id = :g"), {"g": ids[code]}
        ).scalar_one()
        print(f"  {code}: {count:,} responses")
    total = db.session.execute(text("SELECT count(*) FROM responses")).scalar_one()
    print(f"  {total:,} responses in {len(codes)} groups")
    return "TYPICAL", "LARGE"


def timing_views(app: Flask) -> list[float]:
    """Time the step that builds and stores a publication's default views (survey/dashboard/prebuilt.py)
    each time it runs, after the publication's commit: return the list its durations go to."""
    spent: list[float] = []
    builder = app.extensions[stored_views.BUILDER]

    def timed_builder(group_ids: set[int]) -> None:
        started = time.perf_counter()
        builder(group_ids)
        spent.append(time.perf_counter() - started)

    app.extensions[stored_views.BUILDER] = timed_builder
    return spent


def publication_cost(code: str, total: float, spent: list[float]) -> str:
    """Say how long the publication took, and how much of it building and storing its default views."""
    group_id = select(Group.id).where(Group.code == code).scalar_subquery()
    views = db.session.scalar(select(func.count()).select_from(StoredView).where(StoredView.group_id == group_id))
    stored = sum(spent)
    return (
        f"{total:.2f}s, of which {stored:.2f}s building and storing {views} default views after the commit "
        f"(+{stored / max(total - stored, 1e-9):.0%} on the publication's {total - stored:.2f}s)"
    )


def release(app: Flask, code: str) -> None:
    """Release the group's answers with the real command, as cron would, and say what it stored."""
    spent = timing_views(app)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["release", "run", "--group", code])
    total = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    group_id = select(Group.id).where(Group.code == code).scalar_subquery()
    cells = db.session.scalar(select(func.count()).select_from(PublishedCell).where(PublishedCell.group_id == group_id))
    print(f"  {result.output.strip().splitlines()[0]}; {cells:,} cells; {publication_cost(code, total, spent)}")


def seeded(postgres: bool) -> bool:
    """Tell whether the database already holds this benchmark's seeded and released groups."""
    tables = set(inspect(db.engine).get_table_names())
    if "groups" not in tables or "release_states" not in tables:
        return False
    found = db.session.execute(
        text(
            "SELECT count(*) FROM groups g JOIN release_states r ON r.group_id = g.id "
            "WHERE g.code IN ('TYPICAL', 'LARGE')"
        )
    ).scalar_one()
    return bool(found == 2)


def rebuild(app: Flask, code: str) -> None:
    """Publish a reused group again with the real command (rollups from the raw answers, the audit, the
    summaries), so what a request reads is what the code being measured stores."""
    spent = timing_views(app)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["release", "rebuild", "--group", code])
    total = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    print(f"  {code}: rebuilt in {publication_cost(code, total, spent)}")


class Recorder:
    """Collect the read statements an app's engine sends while recording. It listens on a second app of the
    same code and database, never on the measured one: once an engine has had a listener, even a removed one,
    SQLAlchemy puts every statement of it through its event dispatch, which the measured app must not pay."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        """Keep one statement (reads only: the BEGIN and PRAGMAs of a connection are not the endpoint's SQL)."""
        if not many and READ_STATEMENT.match(statement):
            self.statements.append((statement, parameters))

    def record(self, function: Callable[[], Any]) -> list[tuple[str, Any]]:
        """Run function and return the read statements it sent."""
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._record)
        try:
            function()
            return self.statements
        finally:
            event.remove(self.engine, "before_cursor_execute", self._record)


def bare_app(url: str, replays: dict[str, list[tuple[str, Any]]]) -> Flask:
    """A bare Flask app: /<name> runs that endpoint's recorded statements and returns their rows as JSON."""
    engine = create_engine(url)
    app = Flask("bare_dashboard")

    @app.get("/<path:name>")
    def replay(name: str) -> Response:
        with engine.connect() as conn:
            rows = [[list(r) for r in conn.exec_driver_sql(s, p).all()] for s, p in replays[name]]
        return Response(json.dumps(rows, default=str), mimetype="application/json")

    return app


def login(app: Flask) -> Any:
    """Return a test client logged in as the bench admin."""
    client = app.test_client()
    with app.app_context():
        admin_id = db.session.scalar(select(User).filter_by(email="bench@example.org")).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = admin_id
        session["_fresh"] = True
    return client


def get_ok(client: Any, url: str) -> Any:
    """GET a URL and insist on 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response


def endpoints(client: Any, code: str) -> tuple[dict[str, str], list[str]]:
    """Return name -> URL of every dashboard endpoint, and the URLs the group page loads (page first)."""
    base = f"/groups/{code}/dashboard"
    page = get_ok(client, base).get_data(as_text=True)
    assert "data-figure-src" in page, "the group page shows no chart: is the group released?"
    charts = [html.unescape(src) for src in CHART_SOURCE.findall(page)]
    urls = {"page": base}
    for src in charts:
        urls[src.split("/dashboard/")[1].split("?")[0].removesuffix(".json")] = src
    urls.update(
        {
            "participation": f"{base}/participation.json",
            "items.json": f"{base}/items.json",
            "reliability": f"{base}/reliability.json",
            "change": f"{base}/change.json",
            "items page": f"{base}/items",
            "comments page": f"{base}/comments",
            "report": f"{base}/report",
            # Views with a filter of the reader's own: never built at publication, built by their first request.
            "page grain=month": f"{base}?grain=month",
            "participation grain=month": f"{base}/participation.json?grain=month",
        }
    )
    return urls, [base, *charts]


def timed(client: Any, url: str) -> float:
    """Return one request's wall time in milliseconds."""
    started = time.perf_counter()
    get_ok(client, url)
    return (time.perf_counter() - started) * 1000


def forget(app: Flask) -> None:
    """Drop every kept dashboard result: the next request is the first one after a publication."""
    app.extensions.pop(memo.EXTENSION_KEY, None)


def measure(
    app: Flask, recording: Flask, recorder: Recorder, url: str, code: str, rounds: int
) -> list[tuple[str, float, float]]:
    """Time each endpoint built (first request after a publication) and kept (every later one), each in
    alternation with a bare replay of the SQL that request sent (recorded on `recording`, the same code on
    the same database); return (name, kept ms, bare of built ms).
    """
    client, recording_client = login(app), login(recording)
    urls, whole = endpoints(client, code)
    replays = {}
    for name, address in urls.items():
        get_ok(client, address)  # warm (templates, instrument cache)
        get_ok(recording_client, address)
        forget(recording)
        replays[f"built/{name}"] = recorder.record(lambda address=address: get_ok(recording_client, address))
        replays[f"kept/{name}"] = recorder.record(lambda address=address: get_ok(recording_client, address))
    for kind in ("built", "kept"):
        replays[f"{kind}/whole"] = [s for address in whole for s in replays[f"{kind}/{_name_of(urls, address)}"]]
    bare = bare_app(url, replays).test_client()
    for name in replays:
        get_ok(bare, f"/{name}")
    times: dict[str, list[float]] = {name: [] for name in replays}
    times |= {f"app-{name}": [] for name in replays}
    for _ in range(rounds):
        for name, address in urls.items():
            forget(app)
            times[f"app-built/{name}"].append(timed(client, address))
            times[f"built/{name}"].append(timed(bare, f"/built/{name}"))
            times[f"app-kept/{name}"].append(timed(client, address))
            times[f"kept/{name}"].append(timed(bare, f"/kept/{name}"))
        forget(app)
        times["app-built/whole"].append(sum(timed(client, address) for address in whole))
        times["built/whole"].append(timed(bare, "/built/whole"))
        times["app-kept/whole"].append(sum(timed(client, address) for address in whole))
        times["kept/whole"].append(timed(bare, "/kept/whole"))
    print(f"\n{code}: {len(whole) - 1} JSON endpoints on the page; median of {rounds} alternating rounds (ms)")
    print("built: the first request in this process after a publication (nothing kept in memo.py; a default view")
    print("is then read from the views the publication stored, one with a filter built); kept: every later request;")
    print("each against a bare replay of the SQL it sent; last column: kept app against the built request's SQL")
    print(
        f"{'endpoint':28} {'SQL':>4} {'built':>8} {'bare':>7} {'ratio':>6}  {'SQL':>4} {'kept':>7} {'bare':>7}"
        f" {'ratio':>6}  {'kept/built SQL':>14}"
    )
    results = []
    for name in [*urls, "whole"]:
        built, built_bare = (statistics.median(times[f"{p}built/{name}"]) for p in ("app-", ""))
        kept, kept_bare = (statistics.median(times[f"{p}kept/{name}"]) for p in ("app-", ""))
        label = "whole dashboard" if name == "whole" else name
        print(
            f"{label:28} {len(replays[f'built/{name}']):4d} {built:8.1f} {built_bare:7.1f} {built / built_bare:5.2f}x"
            f"  {len(replays[f'kept/{name}']):4d} {kept:7.1f} {kept_bare:7.1f} {kept / kept_bare:5.2f}x"
            f"  {kept / built_bare:13.2f}x"
        )
        results.append((name, kept, built_bare))
    return results


def _name_of(urls: dict[str, str], address: str) -> str:
    """Return the endpoint name of a URL."""
    return next(name for name, u in urls.items() if u == address)


def profile(app: Flask, code: str, name: str, built: bool) -> None:
    """Print the top functions of one endpoint's requests (with --profile NAME; --built: after a publication)."""
    import cProfile
    import pstats

    client = login(app)
    urls, _whole = endpoints(client, code)
    get_ok(client, urls[name])

    def requests() -> None:
        """Request the endpoint ten times, each the first after a publication when built."""
        for _ in range(10):
            if built:
                forget(app)
            get_ok(client, urls[name])

    profiler = cProfile.Profile()
    profiler.runcall(requests)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def run(
    url: str,
    filler_groups: int,
    rounds: int,
    postgres: bool,
    profile_name: str,
    only: str,
    built: bool,
    reuse: bool,
) -> None:
    """Migrate, seed and release (or reuse a seeded database and publish it again), measure and report."""
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "SURVEY_PARTICIPANT_CODE_KEY": "bench",
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "SURVEY_SQLITE_SYNCHRONOUS": "NORMAL",
    }
    app = create_app(settings)
    with app.app_context():
        codes = ("TYPICAL", "LARGE")
        if reuse and seeded(postgres):
            upgrade(revision="heads")
            print(f"Reusing the seeded {'PostgreSQL' if postgres else 'SQLite'} database, published again:")
            for code in codes:
                rebuild(app, code)
        else:
            if postgres:
                db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.session.commit()
            upgrade(revision="heads")
            db.session.add(User(email="bench@example.org", password_hash="x", role="admin"))
            db.session.commit()
            print(f"Seeding {'PostgreSQL' if postgres else 'SQLite'}:")
            started = time.perf_counter()
            codes = seed(filler_groups, postgres)
            for code in codes:
                release(app, code)
            print(f"  seeded and released in {time.perf_counter() - started:.0f}s")
    # Requests are measured outside any pushed app context, as a server runs them: each request has its
    # own context, so nothing (the logged-in user, a per-request read) is carried from one to the next.
    if profile_name:
        profile(app, only or codes[1], profile_name, built)
        return
    recording = create_app(settings)  # its engine records the statements; the measured app's never listens
    with recording.app_context():
        recorder = Recorder(db.engine)
    for code in [c for c in codes if only in ("", c)]:
        results = measure(app, recording, recorder, url, code, rounds)
        worst = max(results, key=lambda r: r[1] / r[2])
        whole = next(r for r in results if r[0] == "whole")
        print(
            f"{code}: worst kept / built-SQL ratio {worst[1] / worst[2]:.2f}x ({worst[0]}); "
            f"whole dashboard kept {whole[1]:.0f} ms"
        )


def main() -> None:
    """Parse arguments and run on SQLite, then PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filler-groups", type=int, default=100, help="other groups of 8 a meeting (table size)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL of a database this run may empty")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite")
    parser.add_argument("--profile", default="", help="print where one endpoint (by name) spends time")
    parser.add_argument("--built", action="store_true", help="with --profile: empty the memo before each request")
    parser.add_argument("--only", default="", choices=["", "TYPICAL", "LARGE"], help="measure one group only")
    parser.add_argument("--sqlite-file", default="", help="SQLite database file to use and keep (default: temporary)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="when the database already holds the seeded groups, skip seeding and publish them again "
        "(`release rebuild`)",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="dashboard-bench-")
    sqlite_file = args.sqlite_file or f"{folder}/bench.sqlite3"
    os.environ.pop("DATABASE_URL", None)
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; load average {os.getloadavg()[0]:.1f}")
    try:
        if args.sqlite:
            run(
                f"sqlite:///{sqlite_file}",
                args.filler_groups,
                args.rounds,
                False,
                args.profile,
                args.only,
                args.built,
                args.reuse,
            )
        if args.postgres:
            run(args.postgres, args.filler_groups, args.rounds, True, args.profile, args.only, args.built, args.reuse)
    except KeyboardInterrupt:
        print("\nInterrupted; temporary data removed.")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
