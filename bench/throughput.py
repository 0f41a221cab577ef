"""Whole submissions per second through gunicorn, as a participant waits for them: GET the form, POST
the answers, follow the 303 and GET the thank-you page. This app against a bare Flask app doing the
same three requests with one INSERT and one SELECT (bench/bare_app.py), on SQLite and PostgreSQL,
same database, same gunicorn settings, both served at once and loaded in alternating slices.
Prints both side by side with their ratio (goal >= 0.6), p50/p95 latency of a whole submission,
rows stored against submissions acknowledged (every 303 of a POST, warm-up included), and the CPU
time the gunicorn workers spent per whole submission (from /proc; the load generator and the
database server share the machine and are not in it).

    .venv/bin/python bench/throughput.py [--seconds 20] [--rounds 10] [--clients 16] [--workers 2] [--threads 4]
        [--postgres postgresql://postgres@127.0.0.1:5432/bench_prod] [--sqlite-synchronous FULL] [--ports 5106 5116]

Run by hand; numbers on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadlib import (  # noqa: E402
    GROUP_CODE,
    Browser,
    Server,
    open_form,
    open_thanks,
    percentile,
    post,
    prepare_database,
    query_rows,
)

APPS = {"survey": "survey:create_app()", "bare": "bench.bare_app:create_app()"}
STORED_SQL = {"survey": "SELECT count(*) FROM responses", "bare": "SELECT count(*) FROM bare_responses"}


@dataclass
class Run:
    """What the timed slices of one app measured."""

    acknowledged: int = 0  # POSTs answered with the 303 to the thank-you page (the answers are stored)
    completed: int = 0  # whole submissions: form, POST, thank-you page
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    warm_acknowledged: int = 0  # acknowledged during the warm-up, not timed but stored
    stored: int = 0
    worker_cpu: float = 0.0  # CPU seconds (user + system) of the gunicorn workers during the timed slices
    workers_lost: int = 0  # workers recycled (max_requests) during a slice: their CPU in it is not counted

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def acknowledged_total(self) -> int:
        return self.acknowledged + self.warm_acknowledged


def client_loop(port: int, stop_at: float, seed: int, run: Run, lock: threading.Lock) -> None:
    """Submit forms one after another (form, POST, thank-you page) until the time is up."""
    rng, browser = random.Random(seed), Browser(port)
    while time.monotonic() < stop_at:
        started = time.monotonic()
        acknowledged = completed = False
        try:
            submission = open_form(browser, GROUP_CODE, rng)
            acknowledged = post(browser, submission)
            if acknowledged:
                open_thanks(browser, submission)
                completed = True
        except (OSError, RuntimeError) as error:
            print(f"  error: {error}", file=sys.stderr)
        with lock:
            run.acknowledged += acknowledged
            run.completed += completed
            if completed:
                run.latencies.append(time.monotonic() - started)
            else:
                run.errors += 1
    browser.close()


def measure(url: str, args: argparse.Namespace) -> dict[str, Run]:
    """Serve both apps on one fresh database and load them in alternating slices.

    Both servers run for the whole measurement and are loaded one at a time, in args.rounds
    slices each, alternating which goes first: a shared machine's background load then falls on
    both alike instead of on whichever app happened to run during a busy minute.
    """
    prepare_database(url)  # this app's schema and group; the bare app adds its own table at start
    env = {"SURVEY_SQLITE_SYNCHRONOUS": args.sqlite_synchronous}
    ports = dict(zip(APPS, args.ports, strict=True)) if args.ports else {}
    servers = {
        app: Server(target, url, workers=args.workers, threads=args.threads, extra_env=env, **port_of(ports, app))
        for app, target in APPS.items()
    }
    runs, lock = {app: Run() for app in APPS}, threading.Lock()
    try:
        for app, server in servers.items():
            server.start()
            warm = Run()
            _load(server.port, 2.0, args.clients, warm, lock)  # warm up connections, caches, the meeting row
            runs[app].warm_acknowledged = warm.acknowledged  # stored, so counted against the rows
        order = list(APPS)
        for _round in range(args.rounds):
            for app in order:
                started, cpu_before = time.monotonic(), worker_cpu(servers[app])
                _load(servers[app].port, args.seconds / args.rounds, args.clients, runs[app], lock)
                runs[app].seconds += time.monotonic() - started
                cpu_after = worker_cpu(servers[app])
                runs[app].worker_cpu += sum(cpu_after[pid] - cpu_before[pid] for pid in cpu_before if pid in cpu_after)
                runs[app].workers_lost += len(set(cpu_before) - set(cpu_after))
            order.reverse()
    finally:
        for server in servers.values():
            server.stop()
    for app, run in runs.items():
        run.stored = query_rows(url, STORED_SQL[app])[0][0]
    return runs


def port_of(ports: dict[str, int], app: str) -> dict[str, int]:
    """The port given for this app on the command line, if any (otherwise a free one is picked)."""
    return {"port": ports[app]} if app in ports else {}


def worker_cpu(server: Server) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each current worker of the server, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in server.worker_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # recycled since it was listed
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def _load(port: int, seconds: float, clients: int, run: Run, lock: threading.Lock) -> None:
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(port, stop_at, n, run, lock)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="timed load per app, in --rounds slices")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/bench_prod")
    parser.add_argument("--sqlite-synchronous", default="FULL", choices=["FULL", "NORMAL"])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--ports", type=int, nargs=2, metavar=("SURVEY", "BARE"), help="ports to serve on (default: free ones)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    databases = {"sqlite": f"sqlite:///{folder / 'bench.sqlite3'}", "postgres": args.postgres}
    print(
        f"{args.clients} clients, {args.seconds:.0f} s per app in {args.rounds} alternating slices, "
        f"gunicorn {args.workers} workers x {args.threads} threads, SQLite synchronous={args.sqlite_synchronous}"
    )
    header = (
        f"{'database':9} {'app':7} {'whole/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'acked':>7} {'stored':>7} {'errors':>6}"
        f" {'cpu ms':>7}"
    )
    results: dict[str, dict[str, Run]] = {}
    for name, url in databases.items():
        if args.only and name != args.only:
            continue
        results[name] = measure(url, args)
    print(header)
    for name, runs in results.items():
        for app, run in runs.items():
            total = run.acknowledged_total
            print(
                f"{name:9} {app:7} {run.per_second:8.1f} {percentile(run.latencies, 0.5) * 1000:8.1f} "
                f"{percentile(run.latencies, 0.95) * 1000:8.1f} {total:7d} {run.stored:7d} {run.errors:6d}"
                f" {1000 * run.worker_cpu / max(run.completed, 1):7.2f}"
                f"  {'rows == acknowledged' if run.stored == total else 'MISMATCH'}"
                + (f" ({run.workers_lost} recycled workers not counted in cpu ms)" if run.workers_lost else "")
            )
        ratio = runs["survey"].per_second / runs["bare"].per_second if runs["bare"].per_second else 0.0
        print(f"{name:9} ratio survey/bare = {ratio:.2f} (goal >= 0.6: {'met' if ratio >= 0.6 else 'NOT met'})")


if __name__ == "__main__":
    main()
