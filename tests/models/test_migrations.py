"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import Base


async def test_migrated_schema_matches_the_models(engine) -> None:
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_the_known_head_is_alembics_head(engine) -> None:
    from alembic.script import ScriptDirectory

    from bot.database import SCHEMA_HEAD, alembic_config, schema_version

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD
    assert await schema_version(engine) == SCHEMA_HEAD


async def test_0004_gives_each_existing_registration_the_details_its_person_had(program, engine, sessions) -> None:
    from alembic import command
    from sqlalchemy import text

    from bot.database import alembic_config
    from models.registration import Registration
    from tests.models.factories import seat

    async with sessions() as s, s.begin():
        registration_id = (await seat(s, "shm23-aceh", "stakeholder", 1)).id

    def to(revision: str, connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if revision == "0003" else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(lambda c: to("0003", c))
        # Before 0004 only the participant held details.
        await connection.execute(
            text("UPDATE participant SET full_name = 'Dr. Siti Rahma', phone_e164 = '+6281299998888'")
        )
        await connection.run_sync(lambda c: to("head", c))
    async with sessions() as s:
        registration = await s.get(Registration, registration_id)
        assert (registration.full_name, registration.institution, registration.position, registration.phone_e164) == (
            "Dr. Siti Rahma",
            "Dinas Perpustakaan & Arsip",
            "Kepala Bidang",
            "+6281299998888",
        )
