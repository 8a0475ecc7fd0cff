"""Engine, sessions and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. A database already there starts without importing Alembic, which would
# stay resident for the life of the process (about 11 MB). A test keeps this equal to Alembic's head.
SCHEMA_HEAD = "0010"
# PostgreSQL advisory lock key held by the start-up work that instances started together (a first
# deploy, a rolling one) must do one at a time: migrating, loading the first program. Any fixed
# number no other program on the database uses.
START_UP_LOCK = 0x5348_4D5F_4D49_47  # "SHM_MIG"


def create_engine(url: str) -> AsyncEngine:
    """An engine for the URL; nothing connects until the first query.

    Statement parameters (names, phone numbers) are kept out of error messages and logs.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time. Queueing for a single pooled connection wakes the next
        # transaction the moment the last one ends; SQLite's own busy handler polls in sleeps of
        # up to 100 ms. Other processes on the same file still wait through busy_timeout.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True
        )
        _serialise_sqlite_writes(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def _serialise_sqlite_writes(engine: AsyncEngine) -> None:
    """Start every SQLite transaction with BEGIN IMMEDIATE.

    SQLite ignores SELECT … FOR UPDATE. Taking the write lock when the transaction begins makes
    concurrent claims for a seat queue up (for up to the busy timeout) instead of two of them
    reading the same count, and avoids the lock upgrade that fails with SQLITE_BUSY.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for one unit of work each: `async with sessions() as s, s.begin():`."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic's configuration, without an ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def schema_version(engine: AsyncEngine) -> str | None:
    """The migration the database is at, or None for a new database."""
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return None


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database to the current schema."""
    if await schema_version(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        # Whoever waited finds the schema current (Alembic reads the version once its turn comes);
        # without the wait the second instance's first CREATE TABLE fails once the first commits.
        await start_up_turn(connection)
        await connection.run_sync(upgrade)


async def start_up_turn(connection: AsyncConnection | AsyncSession) -> None:
    """Wait, to the end of the transaction, for other instances' start-up work (`START_UP_LOCK`).

    On PostgreSQL an advisory lock held to the commit; SQLite's BEGIN IMMEDIATE already waits for
    any other writer, other processes' included.
    """
    bind = connection.get_bind() if isinstance(connection, AsyncSession) else connection
    if bind.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": START_UP_LOCK})
