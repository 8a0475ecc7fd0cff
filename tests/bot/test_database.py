"""The database layer: personal data kept out of error messages; instances started together migrate one at a time."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.database import SCHEMA_HEAD, create_engine, schema_version
from bot.settings import PROJECT_ROOT
from models.participant import Participant
from tests.models.factories import T0


async def test_a_failed_statement_does_not_show_what_people_typed(sessions) -> None:
    details = {
        "telegram_user_id": 1,
        "chat_id": 1,
        "full_name": "Siti Rahma",
        "institution": "Dinas",
        "position": "Kepala",
        "phone_e164": "+6281234567890",
        "created_at": T0,
        "updated_at": T0,
    }
    with pytest.raises(IntegrityError) as raised:
        async with sessions() as s, s.begin():
            s.add_all([Participant(**details), Participant(**details)])
    assert "Siti Rahma" not in str(raised.value) and "+6281234567890" not in str(raised.value)


MIGRATE = "import asyncio, sys; from bot.database import create_engine, migrate; asyncio.run(migrate(create_engine(sys.argv[1])))"


async def test_instances_started_together_on_a_new_database_migrate_one_at_a_time(db_url: str, tmp_path: Path) -> None:
    """A first deploy (or a rolling one with a new migration) starts the instances at once: one
    migrates, the others wait for it and find the schema current. Three processes, as three instances."""
    if make_url(db_url).get_backend_name() == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}"
    else:
        url = db_url
        emptier = create_engine(url)
        async with emptier.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await emptier.dispose()
    instances = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", MIGRATE, url, cwd=PROJECT_ROOT, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    ended = [await asyncio.wait_for(instance.communicate(), 120) for instance in instances]
    assert [instance.returncode for instance in instances] == [0, 0, 0], [err.decode()[-2000:] for _, err in ended]
    engine = create_engine(url)
    try:
        assert await schema_version(engine) == SCHEMA_HEAD
    finally:
        await engine.dispose()
