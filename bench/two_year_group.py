"""A benchmark's group: two years of twice-weekly meetings in two languages on a temporary SQLite file.

Not a benchmark itself. `bench_app()` yields an app on a fresh migrated database; `seed(group)` adds
0-10 people per meeting and language, each answering the check-in (a few skip a question).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import tempfile
from collections.abc import Iterator

from flask import Flask
from flask_migrate import upgrade

from survey import create_app
from survey.models import Group
from tests.dashboard_support import add_responses

FIRST = dt.date(2024, 11, 4)


@contextlib.contextmanager
def bench_app() -> Iterator[Flask]:
    """Yield an app (inside its context) on a new SQLite file, removed afterwards."""
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
    try:
        with app.app_context():
            upgrade(revision="heads")
            yield app
    finally:
        os.remove(path)


def seed(group: Group, rng: random.Random, weeks: int = 104) -> int:
    """Add the meetings' answers (one in ten people skips the craving question); return the responses."""
    n = 0
    for w in range(weeks):
        for offset in (0, 3):
            day = FIRST + dt.timedelta(days=7 * w + offset)
            for locale in ("en", "es"):
                people = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10])
                answers = []
                for _ in range(people):
                    answer = {
                        "confidence_overall": rng.randint(0, 10),
                        "craving_now": rng.randint(0, 10),
                        "helpful": rng.randint(1, 5),
                        "belonged": rng.randint(1, 5),
                    }
                    if rng.random() < 0.1:
                        del answer["craving_now"]
                    answers.append(answer)
                if answers:
                    add_responses(group, day, answers, locale=locale)
                    n += people
    return n
