"""Zero loss under load: 200 concurrent clients send 10,000 submissions through gunicorn with random
retries, duplicate sends and lost acknowledgements; during the load one worker is SIGKILLed and
later the whole server is killed and started again. Afterwards the database must hold exactly one
response per distinct token, every acknowledged submission, every submission (clients retry with
the same token until acknowledged) and pass its integrity check (SQLite: PRAGMA integrity_check;
both: a consistency query between responses, answers, scores and meetings).

    .venv/bin/python bench/load_zero_loss.py [--clients 200] [--submissions 10000] [--no-crash]
        [--only sqlite|postgres] [--postgres postgresql://postgres@127.0.0.1:5432/bench_prod]

tests/test_load.py runs a shortened version (20 clients x 200 submissions) in the suite.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench.loadlib import (  # noqa: E402
    GROUP_CODE,
    Browser,
    Server,
    Submission,
    chunks,
    integrity_problems,
    open_form,
    post,
    prepare_database,
    query_rows,
)

RETRY_AFTER_ACK = 0.10  # the participant taps "send" again, or the offline queue resends
DUPLICATE_AT_ONCE = 0.05  # two tabs (or a double tap) send the same answers at the same moment
DROP_BEFORE_ANSWER = 0.05  # the phone loses the connection before it reads the answer, then retries
GIVE_UP_AFTER = 300.0  # seconds a client keeps retrying one submission

Connect = Callable[[int], Browser]  # client number -> a new connection of that participant's phone
Step = tuple[float, Callable[[], str]]  # once this share of the submissions is acknowledged, run it (a log line)


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    posts: int = 0
    retries: int = 0
    stop_at: float = math.inf  # time.monotonic() when the whole load gives up (run_load's time_limit)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def until_it_works(action: Callable[[], object], deadline: float, tally: Tally) -> object:
    """Run action until it returns something truthy, backing off after errors (the server may be down)."""
    delay = 0.05
    while True:
        try:
            result = action()
            if result:
                return result
        except (OSError, ConnectionError) as error:
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up: {error}") from None
        if time.monotonic() > deadline:
            raise TimeoutError("gave up: never acknowledged")
        tally.note(retries=1)
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 1.0)


def post_until_acknowledged(browser: Browser, submission: Submission, deadline: float, tally: Tally) -> None:
    """POST the same answers (same token) until the server acknowledges them."""

    def attempt() -> bool:
        tally.note(posts=1)
        return post(browser, submission)

    until_it_works(attempt, deadline, tally)


def post_from_another_tab(browser: Browser, submission: Submission, deadline: float, tally: Tally) -> None:
    """POST the same answers on a second connection, as a second tab or a double tap would."""
    try:
        post_until_acknowledged(browser, submission, deadline, tally)
    except (TimeoutError, RuntimeError) as error:
        with tally.lock:
            tally.failed.append(f"twin: {error}")
    finally:
        browser.close()


def drop_before_answer(browser: Browser, submission: Submission) -> None:
    """Send the POST and hang up without reading the answer (the server may well have stored it)."""
    with contextlib.suppress(OSError):
        browser.request_and_hang_up("POST", submission.path, submission.body)


def one_submission(browser: Browser, second_tab: Callable[[], Browser], rng: random.Random, tally: Tally) -> None:
    """GET the form, fill it, POST it (with the chaos a real phone adds) until acknowledged."""
    deadline = min(time.monotonic() + GIVE_UP_AFTER, tally.stop_at)
    submission = until_it_works(lambda: open_form(browser, GROUP_CODE, rng), deadline, tally)
    assert isinstance(submission, Submission)
    with tally.lock:
        tally.sent.add(submission.nonce)
    if rng.random() < DROP_BEFORE_ANSWER:
        tally.note(posts=1)
        drop_before_answer(browser, submission)
    twin = None
    if rng.random() < DUPLICATE_AT_ONCE:
        copy = Submission(submission.nonce, submission.path, submission.body)
        twin = threading.Thread(target=post_from_another_tab, args=(second_tab(), copy, deadline, tally))
        twin.start()
    post_until_acknowledged(browser, submission, deadline, tally)
    if rng.random() < RETRY_AFTER_ACK:
        post_until_acknowledged(browser, submission, deadline, tally)
    if twin is not None:
        twin.join()
    with tally.lock:
        tally.acknowledged.add(submission.nonce)


def client(connect: Connect, count: int, seed: int, tally: Tally) -> None:
    """One participant after another on one connection."""
    rng, browser = random.Random(seed), connect(seed)
    try:
        for _ in range(count):
            if time.monotonic() > tally.stop_at:
                with tally.lock:
                    tally.failed.append("never started: the load's time limit ran out")
                continue
            try:
                one_submission(browser, lambda: connect(seed), rng, tally)
            except (TimeoutError, RuntimeError) as error:
                with tally.lock:
                    tally.failed.append(str(error))
    finally:
        browser.close()


def plain_clients(port: int) -> Connect:
    """Participants connecting to 127.0.0.1:port over plain HTTP."""
    return lambda _client: Browser(port, timeout=60)


def crash_steps(server: Server) -> list[Step]:
    """SIGKILL one worker at 30% of the load, and kill and restart the whole server at 60%."""

    def restart() -> str:
        server.crash()
        server.start()
        return "  killed the whole server (master and workers), then started it again"

    return [(0.3, lambda: f"  SIGKILL worker {server.kill_worker()}"), (0.6, restart)]


def chaos(steps: Sequence[Step], tally: Tally, total: int, done: threading.Event, log: Callable[[str], None]) -> None:
    """Run each step once its share of the submissions is acknowledged."""
    for share, action in steps:
        while len(tally.acknowledged) < share * total:
            if done.wait(0.05):
                return
        acknowledged = len(tally.acknowledged)
        log(f"{action()} after {acknowledged} acknowledged")


def run_load(
    connect: Connect,
    clients: int,
    submissions: int,
    steps: Sequence[Step] = (),
    log: Callable[[str], None] = print,
    time_limit: float = math.inf,
) -> Tally:
    """Send the load through `connect`'s server, run the chaos steps meanwhile, and return what the clients saw
    (submissions not acknowledged within `time_limit` seconds of the start count as failed)."""
    tally, done = Tally(stop_at=time.monotonic() + time_limit), threading.Event()
    threads = [
        threading.Thread(target=client, args=(connect, count, seed, tally))
        for seed, count in enumerate(chunks(submissions, clients))
    ]
    watcher = threading.Thread(target=chaos, args=(steps, tally, submissions, done, log))
    for thread in threads:
        thread.start()
    watcher.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    return tally


def verify(url: str, tally: Tally) -> list[str]:
    """Return every way the stored responses disagree with what the clients were told (empty: none)."""
    problems = [f"{len(tally.failed)} submissions never acknowledged: {tally.failed[:3]}"] if tally.failed else []
    rows = query_rows(url, "SELECT token, count(*) FROM responses GROUP BY token")
    stored = {token: count for token, count in rows}
    duplicated = [token for token, count in stored.items() if count != 1]
    missing = tally.acknowledged - set(stored)
    unknown = set(stored) - tally.sent
    unfinished = tally.sent - tally.acknowledged
    for label, values in [
        ("tokens stored more than once", duplicated),
        ("acknowledged but missing", missing),
        ("stored but never sent", unknown),
        ("sent but never acknowledged", unfinished),
    ]:
        if values:
            problems.append(f"{len(values)} {label}: {sorted(values)[:3]}")
    return problems + integrity_problems(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-crash", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/bench_prod")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-zero-loss-"))
    databases = {"sqlite": f"sqlite:///{folder / 'load.sqlite3'}", "postgres": args.postgres}
    failures = 0
    for name, url in databases.items():
        if args.only and name != args.only:
            continue
        print(
            f"== {name}: {args.clients} clients, {args.submissions} submissions, gunicorn {args.workers} workers "
            f"x {args.threads} threads{'' if args.no_crash else ', with a killed worker and a server restart'}"
        )
        prepare_database(url)
        server = Server(
            "survey:create_app()",
            url,
            workers=args.workers,
            threads=args.threads,
            log_path=folder / f"{name}-gunicorn.log",
        ).start()
        started = time.monotonic()
        try:
            steps = [] if args.no_crash else crash_steps(server)
            tally = run_load(plain_clients(server.port), args.clients, args.submissions, steps)
        finally:
            server.stop()
        seconds = time.monotonic() - started
        problems = verify(url, tally)
        stored = query_rows(url, "SELECT count(*) FROM responses")[0][0]
        print(
            f"  {seconds:.0f} s, {len(tally.acknowledged)} acknowledged of {len(tally.sent)} sent, {tally.posts} POSTs "
            f"({tally.posts - len(tally.sent)} repeats), {tally.retries} retries after errors, {stored} stored"
        )
        print(
            "  OK: one response per token, nothing acknowledged is missing, integrity check passed"
            if not problems
            else "  FAILED:\n    " + "\n    ".join(problems)
        )
        failures += bool(problems)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
