"""The production topology, started once for the module: nginx (TLS) -> two app servers -> PostgreSQL + Redis.

After the kill test the first app server's clock runs CLOCK_AHEAD seconds ahead (libfaketime), as a drifting
machine's would, so the later loads send forms handed out by one server to the other across a real skew.

Skipped only when PostgreSQL does not answer; a missing nginx, redis-server or openssl fails with the command
that installs it (`make topology-tools`, run by `make test`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.loadlib import GROUP_CODE, Browser, create_postgres_database, query_rows, sqlalchemy_url

from .stack import AppServer, Nginx, Redis, app_server_env, client_tls, faketime_library, make_certificate, tool

POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COORDINATOR = "topology-coordinator@example.org"
PASSWORD = "a long topology passphrase 2026"
# Seconds the first app server's clock runs ahead once the kill test restarts it (libfaketime). Participants'
# forms and thank-you tickets tolerate it; coordinator pages do not yet (a CSRF token or session cookie signed
# "in the future" is refused by itsdangerous), so the login tests run before the skew.
CLOCK_AHEAD = 5


@dataclass
class Topology:
    """The running deployment and what the tests need to reach it."""

    nginx: Nginx
    redis: Redis
    servers: tuple[AppServer, AppServer]
    database_url: str
    folder: Path

    @property
    def url(self) -> str:
        """The public address, through nginx over HTTPS."""
        return f"https://127.0.0.1:{self.nginx.https_port}"

    def participant(self, source: str | None = None, timeout: float = 20) -> Browser:
        """A participant's phone talking HTTPS to nginx, from a loopback address of its own."""
        return Browser(self.nginx.https_port, timeout=timeout, tls=client_tls(self.nginx.cert), source=source)

    def ensure_running(self) -> None:
        """Start again whatever an earlier test left stopped (one that failed halfway, say)."""
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()
        for server in self.servers:
            if server.process is None or server.process.poll() is not None:
                server.start()

    def clear_responses(self) -> None:
        """Delete every stored response, so a load's check sees only its own."""
        engine = create_engine(sqlalchemy_url(self.database_url))
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM scores; DELETE FROM answers; DELETE FROM responses"))
        engine.dispose()

    def response_count(self) -> int:
        """Count the stored responses."""
        return int(query_rows(self.database_url, "SELECT count(*) FROM responses")[0][0])


def postgres_admin_url() -> str:
    """The maintenance database of the PostgreSQL server the suite uses; skip when nobody answers there."""
    admin = make_url(sqlalchemy_url(POSTGRES_SERVER)).set(database="postgres")
    engine = create_engine(admin)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 (any failure to connect means the same: no PostgreSQL)
        message = f"the topology test needs PostgreSQL, which does not answer at {admin!r}: {error}"
        if os.environ.get("REQUIRE_POSTGRES"):  # CI (.ci/run) requires PostgreSQL: never a silent skip there
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    return admin.render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop the topology's own database."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def side_by_side(*actions: Callable[[], object]) -> None:
    """Run the actions in threads of their own and wait for all; raise the first error."""
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            action()
        except BaseException as error:  # noqa: BLE001 (raised below, in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    """Set the deployment up as an administrator would, with the shipped files; take it down afterwards."""
    admin_url = postgres_admin_url()
    try:
        binaries = {name: tool(name) for name in ("nginx", "redis-server", "openssl")}
        faketime_library()
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)
    # nginx's workers run as an unprivileged user: the folder of their temporary files must be reachable.
    folder = Path(tempfile.mkdtemp(prefix="survey-topology-"))
    folder.chmod(0o755)
    name = f"survey_topology_{os.getpid()}"
    database_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    create_postgres_database(database_url)
    redis = Redis(folder, binaries["redis-server"]).start()
    cert, key = make_certificate(folder)
    nginx = Nginx(folder, binaries["nginx"], cert, key, app_ports=(0, 0))
    servers = []
    for index in (1, 2):
        server = AppServer("survey:create_app()", database_url, log_path=folder / f"app{index}.log")
        server.settings = app_server_env(database_url, redis.url, f"https://127.0.0.1:{nginx.https_port}", server.port)
        servers.append(server)
    first, second = servers
    nginx.app_ports = (first.port, second.port)
    try:
        first.flask("setup", "--no-demo")  # what `make serve` runs before gunicorn
        side_by_side(
            lambda: first.flask("users", "create", COORDINATOR, extra={"SURVEY_PASSWORD": PASSWORD}),
            lambda: first.start(timeout=90),
            lambda: second.start(timeout=90),
        )
        first.flask("groups", "create", "Topology group", "--code", GROUP_CODE, "--coordinator", COORDINATOR)
        nginx.start()
        yield Topology(nginx, redis, (first, second), database_url, folder)
    finally:
        # No grace needed: the database is dropped next (a graceful gunicorn stop takes seconds under load).
        side_by_side(nginx.stop, *(server.crash for server in servers if server.process), redis.kill)
        drop_database(admin_url, name)
        shutil.rmtree(folder, ignore_errors=True)
