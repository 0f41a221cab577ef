"""Per-connection database settings and the write-transaction helper.

SQLite: WAL journal, a busy timeout, foreign keys on, and the `synchronous` level from
SURVEY_SQLITE_SYNCHRONOUS (FULL by default, so that an acknowledged submission survives a
power loss; NORMAL survives an application crash only but commits about 20x faster on this
disk). pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
write paths ask for BEGIN IMMEDIATE, because a deferred BEGIN that reads and then writes fails
at once with "database is locked" when another writer committed in between. BEGIN is sent where
a transaction starts (the ORM session's, write_connection's, write_once's, a migration's), not by
an engine-wide "begin" event: any engine event puts every statement of every connection through
SQLAlchemy's event dispatch, and reads outside a transaction need no BEGIN at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from . import unproxied
from .extensions import db

IMMEDIATE = "survey_begin_immediate"  # execution option: this connection's transaction is BEGIN IMMEDIATE (SQLite)
SYNCHRONOUS_LEVELS = {"FULL", "NORMAL", "EXTRA"}
JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024  # bytes of WAL kept after a checkpoint


def init_app(app: Flask) -> None:
    """Bind SQLAlchemy and install the SQLite connection hooks when the URL is SQLite."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    else:
        options.setdefault("pool_pre_ping", True)
    db.init_app(app)
    app.teardown_appcontext(_return_reads)
    if url.startswith("sqlite"):
        synchronous = str(app.config["SURVEY_SQLITE_SYNCHRONOUS"]).upper()
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise ValueError(f"SURVEY_SQLITE_SYNCHRONOUS must be one of {sorted(SYNCHRONOUS_LEVELS)}")
        with app.app_context():
            _install_sqlite_hooks(db.engine, synchronous)
            create_private_file(db.engine.url.database)


def create_private_file(path: str | None) -> None:
    """Create a new SQLite file readable by its owner only (0600); SQLite gives its -wal and -shm files the same mode.

    Answers are sensitive: a file created under a permissive umask (0644) would be readable by every local account.
    An existing file is left as the administrator set it; a missing folder is not created.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    target = Path(path)
    if not target.parent.is_dir():
        return  # as SQLite itself: no folder is created, and the database is reported unreachable
    with suppress(FileExistsError):
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


WROTE = "survey_wrote"  # session.info key: this transaction sent changes (begin_write refuses to end it)
WRITES = "survey_writes"  # execution option of a SELECT that writes (data-modifying WITH): the hook below marks it


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context: Any) -> None:
    """Remember that this transaction wrote, so begin_write refuses to end it early."""
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _mark_statement_written(state: Any) -> None:
    """The same for a write sent as a statement through the session (Core INSERT, bulk UPDATE or DELETE,
    or a SELECT carrying the WRITES execution option).

    Writes sent on `session.connection()` directly bypass both hooks: send them through the session.
    """
    if state.is_insert or state.is_update or state.is_delete or state.execution_options.get(WRITES, False):
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session: Session, transaction: Any) -> None:
    """Forget the marks when the outermost transaction ends."""
    if transaction.parent is None:
        session.info.pop(WROTE, None)


@event.listens_for(Session, "after_begin")
def _begin_session_transaction(_session: Session, transaction: Any, connection: Connection) -> None:
    """SQLite: send BEGIN (BEGIN IMMEDIATE when the connection asks for it, as begin_write does) as the
    session's transaction starts on a connection; a savepoint inside it sends its own SAVEPOINT."""
    if connection.dialect.name == "sqlite" and not transaction.nested:
        send_begin(connection, immediate=bool(connection.get_execution_options().get(IMMEDIATE, False)))


def send_begin(connection: Connection, immediate: bool = True) -> None:
    """SQLite: open the driver's transaction on a connection whose SQLAlchemy transaction just began (pysqlite
    opens none itself: see the module docstring); committed or rolled back with that transaction."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _install_sqlite_hooks(engine: Engine, synchronous: str) -> None:
    """Set the pragmas on every new connection and switch off pysqlite's own transaction handling."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # After a checkpoint the WAL is cut back to this size (healthz also truncates it once a minute).
        cursor.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        cursor.close()


def _outside_transaction(dialect_name: str) -> dict[str, Any]:
    """Execution options for reads outside any transaction: none on SQLite (nothing sends BEGIN there unless
    a transaction asks), autocommit elsewhere (SQLAlchemy resets the level when the connection goes back to
    the pool; no round trip with psycopg)."""
    return {} if dialect_name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}


def begin_write(session: Session | None = None) -> None:
    """Start the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite).

    Call it before a request's first write. A read-only transaction already open (for example
    the group lookup) is ended first on SQLite, because SQLite cannot turn a deferred transaction
    into an immediate one; on PostgreSQL (read committed) the open transaction simply goes on.

    :raises RuntimeError: when the open transaction has unflushed or flushed-but-uncommitted changes.
    """
    session = session or db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted or _has_flushed_writes(session):
            raise RuntimeError("begin_write() must come before the first change in a transaction")
        if session.get_bind().dialect.name != "sqlite":
            return  # PostgreSQL writes in the transaction it read in: no COMMIT and BEGIN round trips
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


@contextmanager
def write_connection() -> Iterator[Connection]:
    """A Core connection in a write transaction of its own (BEGIN IMMEDIATE on SQLite), outside the ORM
    session: committed when the block ends, rolled back if it raises."""
    with db.engine.connect() as connection, connection.begin():
        send_begin(connection)
        yield connection


@contextmanager
def write_once(connection: Connection) -> Iterator[Connection]:
    """The one write of a participant's submission, on its request's read_connection.

    SQLite: a BEGIN IMMEDIATE transaction around the block (an INSERT per table), committed when it
    ends, rolled back if it raises. PostgreSQL: there the block sends a single statement, atomic and
    durable on its own, so no transaction is opened around it: the connection stays in autocommit,
    which spares the BEGIN and COMMIT round trips. Only for blocks that send one statement on PostgreSQL.
    One pool checkout (on PostgreSQL one pre-ping) serves the request's reads and the write.
    """
    if connection.dialect.name != "sqlite":
        yield connection
        return
    connection.commit()  # ends the reads' non-transaction (nothing was begun: no round trip)
    with connection.begin():
        send_begin(connection)
        yield connection


def _connect_outside_transaction() -> Connection:
    """Check a Core connection out of the pool for reads outside any transaction (see _outside_transaction)."""
    return db.engine.connect().execution_options(**_outside_transaction(db.engine.dialect.name))


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A Core connection that reads outside any transaction (autocommit on PostgreSQL, no BEGIN on
    SQLite), outside the ORM session, back to the pool when the block ends: its reads
    for a page that needs no ORM object (the blank form). Writes go through write_connection."""
    with _connect_outside_transaction() as connection:
        yield connection


_READS = "survey_reads"  # flask.g: the app context's connection for plain reads (request_reads)


def request_reads() -> Connection:
    """Return the connection for a plain read (Core rows, no ORM object) anywhere in a request.

    While the ORM session is in a transaction, its connection, so that the read sees that transaction
    (a release check inside the release's write). Otherwise one connection per app context, outside
    any transaction as read_connection's, checked out at the first read and back to the pool when the
    context ends: a request that only reads rows (a kept dashboard request: the reader, the group, the
    release check) takes one connection and sends no BEGIN, and starts no ORM session. Each read is
    then a snapshot of its own, as every statement is under PostgreSQL's read committed.
    """
    if db.session.registry.has() and db.session().in_transaction():
        return db.session.connection()
    connection: Connection | None = unproxied.request_globals().get(_READS)
    if connection is None:
        connection = _connect_outside_transaction()
        setattr(g, _READS, connection)
    return connection


def _return_reads(_error: BaseException | None) -> None:
    """When the app context ends, give its read connection (if it took one) back to the pool."""
    connection: Connection | None = unproxied.request_globals().pop(_READS, None)
    if connection is not None:
        connection.close()


def _has_flushed_writes(session: Session) -> bool:
    """Tell whether this transaction already sent changes to the database."""
    return bool(session.info.get(WROTE))


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite (for the few dialect-specific statements)."""
    return db.engine.dialect.name == "sqlite"
