"""CPU time of a whole submission's three requests, in-process, this app against the bare app.

Both apps are built as bench/throughput.py's gunicorn builds them (the same environment: secrets,
rate limit, per-worker limits) on a temporary SQLite file, and called as WSGI applications directly
(no test client, no HTTP): GET the form, POST the answers, GET the thank-you page the 303 names.
Each request's thread CPU time is taken around the WSGI call and the reading of its body, so the
load generator's parsing and filling is not in it. Prints the median per request and per whole
submission, side by side, with the ratio; `--profile survey` prints cProfile's top functions of
each request instead (cProfile inflates small functions: use it to find, the timing to measure).

    .venv/bin/python bench/participant_cpu.py [--submissions 600] [--rounds 5] [--profile survey|bare]
        [--sort cumulative|tottime|tree|callers:TEXT] [--postgres postgresql://postgres@127.0.0.1:5432/bench_prod]

Instructions instead of time (deterministic, so a change of 1% shows; about two minutes; valgrind is not
installed by the repo: `apt-get install valgrind` on Debian):

    PYTHONHASHSEED=0 valgrind --tool=callgrind --collect-atstart=no --toggle-collect=_operator_call \
        --callgrind-out-file=/tmp/cg/callgrind.out.%p .venv/bin/python bench/participant_cpu.py \
        --instructions --submissions 60 --cg-dir /tmp/cg

Run by hand; a shared machine is noisy, so compare figures of one run only.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import operator
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.loadlib import GROUP_CODE, SECRETS, fill, prepare_database, read_form  # noqa: E402

REQUESTS = ("form", "post", "thanks")
REQUEST_OF = {("GET", False): "form", ("POST", False): "post", ("GET", True): "thanks"}
HEADERS = {"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8000", "Accept": "text/html"}


def build(kind: str, url: str) -> Callable[..., Any]:
    """Return the WSGI app of `kind` ("survey" or "bare") on this database, configured as the benchmark's gunicorn."""
    os.environ.update(
        {
            **SECRETS,
            "DATABASE_URL": url,
            "SURVEY_RATE_LIMIT": "1000000 per minute",
            "SURVEY_PER_WORKER_RATE_LIMITS": "1",
        }
    )
    if kind == "bare":
        from bench.bare_app import create_app as create_bare

        return create_bare()
    from survey import create_app

    return create_app()


def call(
    app: Callable[..., Any], method: str, path: str, body: str | None = None
) -> tuple[int, dict[str, str], bytes, int]:
    """Send one request to the WSGI app; return status, headers, body and the thread CPU nanoseconds it took."""
    path, _, query = path.partition("?")
    builder = EnvironBuilder(
        path=path,
        base_url="http://127.0.0.1:8000",
        query_string=query,
        method=method,
        headers=list(HEADERS.items()),
        data=body,
        content_type="application/x-www-form-urlencoded" if body is not None else None,
    )
    environ = builder.get_environ()
    builder.close()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = int(status.split()[0]), {k.lower(): v for k, v in response_headers}
        return lambda data: None

    def respond() -> bytes:
        result = app(environ, start_response)
        try:
            return b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()

    profiler = PROFILES.get(REQUEST_OF[method, path.endswith("/thanks")]) if PROFILES else None
    if profiler is not None:
        profiler.enable()
    started = time.thread_time_ns()
    data = operator.call(respond)  # the C function callgrind counts inside (--toggle-collect=_operator_call)
    spent = time.thread_time_ns() - started
    if profiler is not None:
        profiler.disable()
    return seen["status"], seen["headers"], data, spent


def submit_once(app: Callable[..., Any], rng: random.Random) -> dict[str, int]:
    """One whole submission; return each request's CPU nanoseconds.

    :raises RuntimeError: when a request does not answer as a participant's browser expects.
    """
    status, _headers, page, form_ns = call(app, "GET", f"/s/{GROUP_CODE}")
    if status != 200:
        raise RuntimeError(f"GET form answered {status}")
    form = read_form(page.decode())
    status, headers, data, post_ns = call(app, "POST", form.action, urlencode(fill(form, rng)))
    if status != 303:
        raise RuntimeError(f"POST answered {status}: {data[:300]!r}")
    location = urlsplit(headers["location"])
    status, _headers, _data, thanks_ns = call(
        app, "GET", location.path + (f"?{location.query}" if location.query else "")
    )
    if status != 200:
        raise RuntimeError(f"GET thanks answered {status}")
    return {"form": form_ns, "post": post_ns, "thanks": thanks_ns}


def measure(app: Callable[..., Any], submissions: int, seed: int) -> dict[str, float]:
    """Return the median CPU microseconds of each request over `submissions` whole submissions."""
    rng = random.Random(seed)
    samples: dict[str, list[int]] = {name: [] for name in REQUESTS}
    for _ in range(submissions):
        for name, spent in submit_once(app, rng).items():
            samples[name].append(spent)
    medians = {name: statistics.median(values) / 1000 for name, values in samples.items()}
    medians["whole"] = sum(medians[name] for name in REQUESTS)
    return medians


PROFILES: dict[str, cProfile.Profile] = {}  # request name -> its profile, while profile() runs


def profile(app: Callable[..., Any], submissions: int, top: int, sort: str) -> None:
    """Print cProfile's costliest functions of each request type over `submissions` whole submissions."""
    rng = random.Random(7)
    PROFILES.update({name: cProfile.Profile() for name in REQUESTS})
    for _ in range(submissions):
        submit_once(app, rng)
    for name, prof in PROFILES.items():
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        print(f"==== {name}: {stats.total_calls / submissions:.0f} calls per request")  # type: ignore[attr-defined]
        if sort.startswith("callers:"):  # who calls the functions matching the text after "callers:"
            stats.print_callers(sort.split(":", 1)[1])
            print(out.getvalue())
            continue
        if sort == "tree":  # the call tree from the WSGI call down, `top` levels deep
            print_tree(stats, submissions, depth=top)
            continue
        stats.sort_stats(sort).print_stats(top)
        print(out.getvalue())


def print_tree(stats: pstats.Stats, submissions: int, depth: int, min_share: float = 0.01) -> None:
    """Print the call tree under the WSGI call: each function's share of the request's time and calls per request."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    callees: dict[Any, list[tuple[Any, int, float]]] = {}
    for function, (_cc, _nc, _tt, _ct, callers) in table.items():
        for caller, (_ccc, calls, _ctt, cumulative) in callers.items():
            callees.setdefault(caller, []).append((function, calls, cumulative))
    root = next(function for function in table if function[2] == "respond")
    total = table[root][3]

    def walk(function: Any, cumulative: float, calls: int, level: int, path: frozenset[Any]) -> None:
        name = f"{function[0].split('site-packages/')[-1]}:{function[1]}({function[2]})"
        print(f"{'  ' * level}{cumulative / total:6.1%} {calls / submissions:6.1f}x  {name}")
        if level < depth and function not in path:
            for child, child_calls, child_cumulative in sorted(callees.get(function, []), key=lambda c: -c[2]):
                if child_cumulative / total >= min_share:
                    walk(child, child_cumulative, child_calls, level + 1, path | {function})

    walk(root, total, table[root][1], 0, frozenset())


def submit_with_extras(app: Callable[..., Any], rng: random.Random, extra: str) -> None:
    """One whole submission, with the form or the thank-you page asked for once more (`extra`), or not."""
    status, _headers, page, _ns = call(app, "GET", f"/s/{GROUP_CODE}")
    if extra == "form":
        call(app, "GET", f"/s/{GROUP_CODE}")
    form = read_form(page.decode())
    status, headers, data, _ns = call(app, "POST", form.action, urlencode(fill(form, rng)))
    if status != 303:
        raise RuntimeError(f"POST answered {status}: {data[:300]!r}")
    location = urlsplit(headers["location"])
    for _ in range(2 if extra == "thanks" else 1):
        status, _headers, _data, _ns = call(app, "GET", location.path + "?" + location.query)
        if status != 200:
            raise RuntimeError(f"GET thanks answered {status}")


def callgrind(command: str) -> None:
    """Zero (-z) or dump (-d) the counts of the callgrind this process runs under."""
    subprocess.run(["callgrind_control", command, str(os.getpid())], check=True, capture_output=True)


def instructions(apps: dict[str, Callable[..., Any]], submissions: int, folder: Path) -> None:
    """Print the instructions (valgrind's Ir) of each request per app, by difference of counted loops.

    Loops of `submissions` whole submissions, plain and with one more form or thank-you page each, are
    counted one by one (callgrind's zero and dump around each): the form is the second loop's extra
    over the first's, the thank-you page the third's, the POST what remains of a whole submission.
    """
    totals: dict[tuple[str, str], int] = {}
    for kind, app in apps.items():
        for extra in ("", "form", "thanks"):
            rng = random.Random(3)
            callgrind("-z")
            for _ in range(submissions):
                submit_with_extras(app, rng, extra)
            callgrind("-d")
            dumps = sorted(folder.glob("callgrind.out*"), key=lambda path: path.stat().st_mtime)
            text = dumps[-1].read_text()
            totals[kind, extra] = int(
                next(line for line in text.splitlines() if line.startswith("summary:")).split()[1]
            )
    print(f"Instructions per request (valgrind Ir / 1000), {submissions} submissions per loop")
    print(f"{'app':<8} {'form':>8} {'post':>8} {'thanks':>8} {'whole':>8}")
    rows = {}
    for kind in apps:
        whole = totals[kind, ""] / submissions
        form = (totals[kind, "form"] - totals[kind, ""]) / submissions
        thanks = (totals[kind, "thanks"] - totals[kind, ""]) / submissions
        rows[kind] = whole
        post = whole - form - thanks
        print(f"{kind:<8} {form / 1000:8.0f} {post / 1000:8.0f} {thanks / 1000:8.0f} {whole / 1000:8.0f}")
    print(f"ratio whole survey/bare: {rows['survey'] / rows['bare']:.2f}x")


def main() -> None:
    """Measure both apps in alternating rounds and print the medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=600, help="whole submissions per app and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", help="measure on this PostgreSQL database instead of a temporary SQLite file")
    parser.add_argument("--profile", choices=["survey", "bare"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile's order (cumulative, tottime, calls), tree, or callers:TEXT"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions instead of timing: run under valgrind --tool=callgrind --collect-atstart=no "
        "--toggle-collect=_operator_call --callgrind-out-file=DIR/callgrind.out.%%p, with --cg-dir DIR",
    )
    parser.add_argument("--cg-dir", default=".")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'cpu.sqlite3'}"
        os.environ["SURVEY_SQLITE_SYNCHRONOUS"] = "NORMAL"  # CPU is measured; the disk's wait is not CPU
        prepare_database(url)
        apps = {kind: build(kind, url) for kind in ("survey", "bare")}
        for app in apps.values():  # warm: caches, first meeting and instrument version
            measure(app, 50, 1)
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py's post_worker_init: start-up objects out of the collector's passes
        if args.instructions:
            instructions(apps, args.submissions, Path(args.cg_dir))
            return
        if args.profile:
            profile(apps[args.profile], args.submissions, args.top, args.sort)
            return
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in apps}
        for round_number in range(args.rounds):
            for kind, app in apps.items():
                results[kind].append(measure(app, args.submissions, round_number))
        where = "PostgreSQL" if args.postgres else "SQLite NORMAL"
        print(f"CPU per request, median of {args.submissions} per round, microseconds ({where})")
        print(f"{'round':>5} " + " ".join(f"{name:>16}" for name in (*REQUESTS, "whole")) + "   (this app / bare)")
        for round_number in range(args.rounds):
            app_row, bare_row = results["survey"][round_number], results["bare"][round_number]
            cells = [f"{app_row[name]:7.0f}/{bare_row[name]:<7.0f}" for name in (*REQUESTS, "whole")]
            print(
                f"{round_number:>5} "
                + " ".join(f"{cell:>16}" for cell in cells)
                + f"   {app_row['whole'] / bare_row['whole']:.2f}x"
            )


if __name__ == "__main__":
    main()
