"""Fixtures shared by every test: databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.database import create_engine, migrate, session_factory
from bot.settings import database_url

# A moment in June 2023, before the provincial round: every shipped meeting is open.
BEFORE_THE_ROUND = datetime(2023, 7, 1, 3, 0, tzinfo=UTC)


def postgres_url() -> str | None:
    """The PostgreSQL test database, if the environment names one."""
    raw = os.environ.get("TEST_DATABASE_URL")
    return database_url(raw) if raw else None


async def fresh_database(kind: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A URL to an empty database of the kind, migrated to the current schema."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3"
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests need it")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """An empty, migrated database URL; the test runs once on each engine."""
    url = await fresh_database(request.param, tmp_path)
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    return url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database."""
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on the test database."""
    return session_factory(engine)
