"""Time release on a two-year group: the first release of every meeting, one more meeting, and the
release check a dashboard read makes when nothing is due (run: PYTHONPATH=. .venv/bin/python bench/release_cost.py).
Each release's time includes building and storing the group's default dashboard views after its commit
(survey/dashboard/prebuilt.py), printed apart.

Two years of twice-weekly meetings in two languages, 0-10 people each (bench/two_year_group.py).
"""

import datetime as dt
import random
import time

from bench.dashboard_queries import timing_views
from bench.two_year_group import bench_app, seed
from survey.extensions import db
from survey.models import Group, PublishedCell
from survey.release import service
from tests.dashboard_support import add_group, add_responses

with bench_app() as app:
    spent = timing_views(app)
    g = add_group("BENCH", k=5)
    print("responses", seed(g, random.Random(3)))
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t1 = time.perf_counter() - t
    print(f"first release of {b} batches (rollups + audit of every measure + stored decisions): {t1:.2f} s")
    print(f"  of which building and storing the default dashboard views after the commit: {spent[-1]:.2f} s")
    print("published cells", db.session.query(PublishedCell).count())
    add_responses(db.session.get(Group, g.id), dt.date.today() - dt.timedelta(days=5), [{"craving_now": 3}] * 6)
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t2 = time.perf_counter() - t
    print(f"one more meeting released ({b} batch): {t2:.2f} s")
    print(f"  of which building and storing the default dashboard views after the commit: {spent[-1]:.2f} s")
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t3 = time.perf_counter() - t
    print(f"a dashboard read's release check with nothing due: {t3 * 1000:.1f} ms")
