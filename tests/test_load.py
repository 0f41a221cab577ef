"""Zero loss under load, shortened: 20 clients x 200 submissions through a real gunicorn on a SQLite
file, with retries, duplicate sends, lost answers, a SIGKILLed worker and a killed-and-restarted
server. A correctness test: it asserts what is stored, never how fast (bench/load_zero_loss.py is the
full 200 x 10,000 run on SQLite and PostgreSQL)."""

from __future__ import annotations

from bench.load_zero_loss import run_load, verify
from bench.loadlib import Server, prepare_database, query_rows


def test_every_acknowledged_submission_is_stored_once_despite_crashes(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    prepare_database(url)
    server = Server("survey:create_app()", url, workers=2, threads=4, log_path=tmp_path / "gunicorn.log").start()
    events: list[str] = []
    try:
        tally = run_load(server, clients=20, submissions=200, crash=True, log=events.append)
    finally:
        server.stop()
    assert any("SIGKILL worker" in line for line in events) and any("whole server" in line for line in events)
    assert verify(url, tally) == []
    assert len(tally.acknowledged) == 200 and tally.posts > 200  # repeats and retries really happened
    assert query_rows(url, "SELECT count(*) FROM responses") == [(200,)]
