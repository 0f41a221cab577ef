"""Time release on a two-year group: the first release of every meeting, one more meeting, and the
release check a dashboard read makes when nothing is due (run: PYTHONPATH=. .venv/bin/python bench/release_cost.py).

Two years of twice-weekly meetings in two languages, 0-10 people each, on a temporary SQLite file.
"""

import datetime as dt
import os
import random
import tempfile
import time

from flask_migrate import upgrade

from survey import create_app
from survey.extensions import db
from survey.models import Group
from survey.release import service
from tests.dashboard_support import add_group, add_responses

path = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
app = create_app(
    {
        "TESTING": True,
        "SECRET_KEY": "x",
        "SURVEY_PARTICIPANT_CODE_KEY": "y",
        "DATABASE_URL": f"sqlite:///{path}",
        "SURVEY_SQLITE_SYNCHRONOUS": "NORMAL",
    }
)
rng = random.Random(3)
with app.app_context():
    upgrade(revision="heads")
    g = add_group("BENCH", k=5)
    first = dt.date(2024, 11, 4)
    n = 0
    for w in range(104):
        for off in (0, 3):
            day = first + dt.timedelta(days=7 * w + off)
            for loc in ("en", "es"):
                k = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10])
                if k:
                    add_responses(
                        g,
                        day,
                        [
                            {
                                "confidence_overall": rng.randint(0, 10),
                                "craving_now": rng.randint(0, 10),
                                "helpful": rng.randint(1, 5),
                                "belonged": rng.randint(1, 5),
                            }
                            for _ in range(k)
                        ],
                        locale=loc,
                    )
                    n += k
    print("responses", n)
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t1 = time.perf_counter() - t
    print(f"first release of {b} batches (rollups + audit of every measure + stored decisions): {t1:.2f} s")
    from survey.models import PublishedCell

    print("published cells", db.session.query(PublishedCell).count())
    add_responses(db.session.get(Group, g.id), dt.date.today() - dt.timedelta(days=5), [{"craving_now": 3}] * 6)
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t2 = time.perf_counter() - t
    print(f"one more meeting released ({b} batch): {t2:.2f} s")
    t = time.perf_counter()
    b = service.release_due(db.session.get(Group, g.id))
    t3 = time.perf_counter() - t
    print(f"a dashboard read's release check with nothing due: {t3 * 1000:.1f} ms")
os.remove(path)
