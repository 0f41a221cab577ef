"""gunicorn settings; each one reads an environment variable, and command-line flags override them all.

Sizing (measured, see README "Performance"): a worker process runs GUNICORN_THREADS threads; the
app is mostly waiting on the database, so threads are cheap and 2 processes per core is plenty.
On SQLite keep few processes: writers queue for one lock, and several processes waiting in
SQLite's busy handler commit more slowly than threads of one process.
"""

import multiprocessing
import os
import sys

if "gunicorn.app.base" in sys.modules and "survey:create_app()" in sys.argv:
    from survey.config import check_environment

    # A missing SECRET_KEY or SURVEY_PARTICIPANT_CODE_KEY stops gunicorn here: one line, exit code 2.
    check_environment(os.environ)

# Loopback unless told otherwise (BIND, or --bind): a proxy in front is the only way in, so nobody can reach
# gunicorn directly and forge X-Forwarded-For.
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Several workers need shared rate-limit counters (REDIS_URL); without Redis the default is one worker,
# and on_starting below refuses more (survey/rate_limits.py, check_workers).
workers = int(
    os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2) if os.environ.get("REDIS_URL") else 1)
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory: a slow disk (this one fsyncs slowly) must not make workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's documented advice)
# Refuse oversized request lines and headers early; a survey POST is small.
limit_request_line = 4094
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# No client address (%h), no user agent (%a), no referrer (%f), no query string (%q): participants are
# never identifiable from logs. tests/test_production_serving.py reads this line and runs gunicorn to check.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Every field escaped: a decoded %0A or %0D in a path can never start a forged line (survey/log_escaping.py).
logger_class = "survey.log_escaping.EscapingLogger"
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-Proto (HTTPS, for HSTS and Secure cookies) only from the proxy in front.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "peer-survey"


def on_starting(server):  # type: ignore[no-untyped-def]
    """Refuse several workers counting rate limits each on their own (one line, no traceback)."""
    from survey.rate_limits import check_workers

    check_workers(server.cfg.workers, os.environ)


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Keep what the worker built at start-up (the app, its modules, the loaded instruments) out of
    the garbage collector's full passes.

    Those objects live as long as the worker, yet every full collection walked all of them again:
    about 130,000 objects, 80 to 110 ms of CPU a pass, once every few hundred submissions
    (README "Performance"). gc.freeze (Python's documented way for long-lived start-up state) moves
    them to a permanent generation; the collector still runs, over everything made afterwards.
    """
    import gc

    gc.collect()
    gc.freeze()
