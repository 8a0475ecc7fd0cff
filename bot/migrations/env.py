"""Alembic environment: runs on a connection handed over by the bot, or on DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
from typing import Literal

from alembic import context
from sqlalchemy.engine import Connection

from bot.database import create_engine
from bot.settings import DEFAULT_DATABASE_URL, database_url
from models import Base
from models.base import UTCDateTime

target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Write UTCDateTime as the plain column type, so migrations never import model code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_environment() -> None:
    engine = create_engine(database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL))
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
shared = context.config.attributes.get("connection")
if shared is not None:
    run_on(shared)
else:
    asyncio.run(run_from_environment())
