"""Fixtures shared by every test: databases (SQLite always, PostgreSQL when configured).

Migrating a database and loading the shipped program took most of a test's set-up. Both are done
once per session into a template; each test gets a copy of the migrated, empty database (SQLite:
the file; PostgreSQL: the same schema, emptied), and `with_shipped_program` copies the program's rows.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.database import create_engine, migrate, session_factory
from bot.settings import database_url
from models import Base
from tests.models.factories import load_shipped_program

# Where the PostgreSQL template keeps the shipped program's rows, beside the schema under test.
TEMPLATE_SCHEMA = "test_template"
# Everything a migration (or a test that damages the schema) changes; equal means "still as migrated".
SCHEMA_FINGERPRINT = text("""
SELECT md5(string_agg(part, '|' ORDER BY part)) FROM (
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
           || coalesce(column_default, '') AS part
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT t.typname || ' ' || e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      WHERE t.typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'version ' || version_num FROM public.alembic_version
) AS parts
""")


@dataclass
class Template:
    """A migrated database of one kind and the rows the shipped program puts in it."""

    # SQLite: the migrated, empty file each test copies, and the same with the program loaded.
    empty_file: Path | None = None
    program_file: Path | None = None
    # The tables the program fills, parents first, and (PostgreSQL) their columns drawn from a sequence.
    program_tables: list[str] = field(default_factory=list)
    sequences: list[tuple[str, str]] = field(default_factory=list)
    # PostgreSQL: the migrated schema's fingerprint and tables.
    fingerprint: str | None = None
    tables: list[str] = field(default_factory=list)


TEMPLATES: dict[str, Template] = {}


def postgres_url() -> str | None:
    """The PostgreSQL test database, if the environment names one."""
    raw = os.environ.get("TEST_DATABASE_URL")
    return database_url(raw) if raw else None


async def filled_tables(engine: AsyncEngine) -> list[str]:
    """The tables that hold rows, parents before children."""
    async with engine.connect() as connection:
        return [
            table.name
            for table in Base.metadata.sorted_tables
            if await connection.scalar(text(f'SELECT count(*) FROM "{table.name}"'))
        ]


async def load_into(url: str) -> list[str]:
    """Load the shipped program into the database at `url`; returns the tables it filled."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            await load_shipped_program(session)
        return await filled_tables(engine)
    finally:
        await engine.dispose()


async def sqlite_template(directory: Path) -> Template:
    """Migrate an SQLite file once, and a copy of it with the shipped program."""
    empty, program = directory / "empty.sqlite3", directory / "program.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{empty}")
    await migrate(engine)
    await engine.dispose()
    shutil.copyfile(empty, program)
    tables = await load_into(f"sqlite+aiosqlite:///{program}")
    # The last connection to close folds the write-ahead log into the file: the file alone is the database.
    assert not Path(f"{empty}-wal").exists() and not Path(f"{program}-wal").exists()
    return Template(empty_file=empty, program_file=program, program_tables=tables)


async def rebuild_postgres(url: str) -> str:
    """Drop the schema under test and migrate it again; returns its fingerprint."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await migrate(engine)
        async with engine.connect() as connection:
            return str(await connection.scalar(SCHEMA_FINGERPRINT))
    finally:
        await engine.dispose()


async def postgres_template(url: str) -> Template:
    """Migrate the schema under test and keep the shipped program's rows in a schema of their own."""
    fingerprint = await rebuild_postgres(url)
    tables = await load_into(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE"))
            await connection.execute(text(f"CREATE SCHEMA {TEMPLATE_SCHEMA}"))
            sequences = []
            for table in tables:
                await connection.execute(text(f'CREATE TABLE {TEMPLATE_SCHEMA}."{table}" AS TABLE public."{table}"'))
                columns = await connection.scalars(
                    text(
                        "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:table AS text)::regclass AND attnum > 0 "
                        "AND NOT attisdropped AND pg_get_serial_sequence(CAST(:table AS text), attname) IS NOT NULL"
                    ),
                    {"table": f'public."{table}"'},
                )
                sequences += [(table, column) for column in columns]
            all_tables = list(
                await connection.scalars(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            )
        template = Template(program_tables=tables, sequences=sequences, fingerprint=fingerprint, tables=all_tables)
        await empty_postgres(engine, template)
        return template
    finally:
        await engine.dispose()


async def empty_postgres(engine: AsyncEngine, template: Template) -> bool:
    """Empty the schema under test if it is still as migrated; False if a test changed it."""
    try:
        async with engine.begin() as connection:
            if await connection.scalar(SCHEMA_FINGERPRINT) != template.fingerprint:
                return False
            names = ", ".join(f'public."{table}"' for table in template.tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return True
    except DBAPIError:  # e.g. alembic_version is gone
        return False


async def fresh_database(kind: str, tmp_path: Path, templates: pytest.TempPathFactory) -> str:
    """A URL to an empty database of the kind, migrated to the current schema."""
    if kind == "sqlite":
        if kind not in TEMPLATES:
            TEMPLATES[kind] = await sqlite_template(templates.mktemp("sqlite-template"))
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(TEMPLATES[kind].empty_file, target)  # type: ignore[arg-type]
        return f"sqlite+aiosqlite:///{target}"
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests need it")
    if kind not in TEMPLATES:
        TEMPLATES[kind] = await postgres_template(url)
        return url
    template = TEMPLATES[kind]
    engine = create_engine(url)
    try:
        emptied = await empty_postgres(engine, template)
    finally:
        await engine.dispose()
    if not emptied:
        assert await rebuild_postgres(url) == template.fingerprint
    return url


async def with_shipped_program(url: str) -> None:
    """Put the shipped program, as loaded at T0, into the empty migrated database at `url`."""
    if make_url(url).get_backend_name() == "sqlite":
        template = TEMPLATES["sqlite"]
        with closing(sqlite3.connect(make_url(url).database)) as connection:  # type: ignore[arg-type]
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("ATTACH DATABASE ? AS template", (str(template.program_file),))
            with connection:
                for table in template.program_tables:
                    connection.execute(f'INSERT INTO main."{table}" SELECT * FROM template."{table}"')
        return
    template = TEMPLATES["postgresql"]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for table in template.program_tables:
                await connection.execute(
                    text(f'INSERT INTO public."{table}" SELECT * FROM {TEMPLATE_SCHEMA}."{table}"')
                )
            for table, column in template.sequences:
                await connection.execute(
                    text(
                        f'SELECT setval(pg_get_serial_sequence(CAST(:table AS text), CAST(:column AS text)), max("{column}")) '
                        f'FROM public."{table}"'
                    ),
                    {"table": f'public."{table}"', "column": column},
                )
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request, tmp_path, tmp_path_factory) -> str:
    """An empty, migrated database URL; the test runs once on each engine."""
    return await fresh_database(request.param, tmp_path, tmp_path_factory)


@pytest.fixture
async def pg_url(tmp_path, tmp_path_factory) -> str:
    """An empty, migrated PostgreSQL database URL, for what only PostgreSQL can do (several instances)."""
    return await fresh_database("postgresql", tmp_path, tmp_path_factory)


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
