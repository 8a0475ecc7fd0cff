"""Each update of a person is applied once and one at a time, whichever instance it reaches."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.database import create_engine, session_factory
from models.conversation import (
    AppliedUpdate,
    Conversation,
    claim_update,
    forget_applied_updates,
    is_first_contact,
    load_conversation,
)
from models.personal_data import purge_expired
from tests.models.factories import T0

PERSON = 4242
# Generous: a lock wait on a loaded machine, never a timing assertion.
WAIT = 30.0


async def _claim(
    sessions: async_sessionmaker[AsyncSession], update_id: int, person: int = PERSON, now: datetime = T0
) -> bool:
    async with sessions() as s, s.begin():
        conversation = await load_conversation(s, person, now=now)
        return await claim_update(s, conversation, update_id, now)


async def _applied(sessions: async_sessionmaker[AsyncSession], person: int = PERSON) -> list[int]:
    async with sessions() as s:
        return list(
            await s.scalars(
                select(AppliedUpdate.update_id).filter_by(telegram_user_id=person).order_by(AppliedUpdate.update_id)
            )
        )


async def test_an_earlier_update_arriving_late_is_applied_and_a_repeated_one_is_not(sessions) -> None:
    assert await _claim(sessions, 1002)
    # 1001 reached another instance, which got to it after 1002 was applied.
    assert await _claim(sessions, 1001)
    assert not await _claim(sessions, 1002)
    assert not await _claim(sessions, 1001)
    assert await _applied(sessions) == [1001, 1002]


async def test_first_contact_is_the_first_update_applied(sessions) -> None:
    async with sessions() as s, s.begin():
        conversation = await load_conversation(s, PERSON, now=T0)
        assert await is_first_contact(s, conversation)
        assert await claim_update(s, conversation, 7, T0)
        assert not await is_first_contact(s, conversation)
    async with sessions() as s, s.begin():
        assert not await is_first_contact(s, await load_conversation(s, PERSON, now=T0))
    async with sessions() as s, s.begin():
        await forget_applied_updates(s, now=T0 + timedelta(days=30))
    # Its applied id is forgotten, and the floor still says it has written before.
    async with sessions() as s, s.begin():
        conversation = await load_conversation(s, PERSON, now=T0)
        assert conversation.last_update_id == 7
        assert not await is_first_contact(s, conversation)


async def test_a_high_water_mark_kept_by_migration_0008_still_skips(engine, sessions) -> None:
    from alembic import command

    from bot.database import alembic_config

    def to(revision: str, connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if revision == "0007" else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(lambda c: to("0007", c))
    # Before 0008 one process applied updates in order and kept the newest id.
    async with sessions() as s, s.begin():
        s.add(
            Conversation(
                telegram_user_id=PERSON, last_update_id=500, reviewing=False, pressed_closed=False, updated_at=T0
            )
        )
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: to("head", c))

    assert not await _claim(sessions, 500)
    assert not await _claim(sessions, 420)
    assert await _claim(sessions, 502)
    # Re-delivered from before the upgrade, after a newer update was applied: still a re-delivery.
    assert not await _claim(sessions, 499)
    assert await _claim(sessions, 501)
    assert await _applied(sessions) == [501, 502]
    async with sessions() as s, s.begin():
        assert not await is_first_contact(s, await load_conversation(s, PERSON, now=T0))


async def test_the_retention_job_forgets_old_ids_and_keeps_their_floor(sessions) -> None:
    now = T0 + timedelta(days=10)
    async with sessions() as s, s.begin():
        conversation = await load_conversation(s, PERSON, now=T0)
        for update_id, age in ((10, 5), (12, 3), (11, 1)):
            assert await claim_update(s, conversation, update_id, now - timedelta(days=age))
        other = await load_conversation(s, PERSON + 1, now=T0)
        assert await claim_update(s, other, 20, now - timedelta(hours=1))
    async with sessions() as s, s.begin():
        report = await purge_expired(s, now=now, retention_days=365)
    assert report.applied_updates_forgotten == 2
    assert await _applied(sessions) == [11]
    assert await _applied(sessions, PERSON + 1) == [20]
    async with sessions() as s:
        assert (await s.get(Conversation, PERSON)).last_update_id == 12
        assert (await s.get(Conversation, PERSON + 1)).last_update_id == 0
    # Below the floor or kept: done with. Above the floor and not kept: new.
    assert not await _claim(sessions, 10, now=now)
    assert not await _claim(sessions, 11, now=now)
    assert not await _claim(sessions, 12, now=now)
    assert await _claim(sessions, 13, now=now)
    # A second run changes nothing more.
    async with sessions() as s, s.begin():
        assert await forget_applied_updates(s, now=now) == 0


async def test_first_updates_of_a_new_person_at_once_create_one_conversation(engine) -> None:
    # Each on its own connection, as separate instances would be.
    url = engine.url.render_as_string(hide_password=False)
    engines = [create_engine(url) for _ in range(4)]

    async def first_update(own: AsyncEngine, update_id: int) -> bool:
        async with session_factory(own)() as s, s.begin():
            conversation = await load_conversation(s, PERSON, now=T0)
            first = await is_first_contact(s, conversation)
            assert await claim_update(s, conversation, update_id, T0)
            return first

    try:
        firsts = await asyncio.gather(*(first_update(engines[n % 4], 3000 + n) for n in range(8)))
    finally:
        for own in engines:
            await own.dispose()
    assert sum(firsts) == 1
    sessions = session_factory(engine)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Conversation)) == 1
    assert await _applied(sessions) == list(range(3000, 3008))


def _postgres(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE): nothing to wait for inside it")


async def _until_waiting_for_a_lock(engine: AsyncEngine) -> None:
    """Wait until another connection waits for a row lock (the contended one: nothing else runs)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    async with engine.connect() as connection:
        while True:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
            if waiting:
                return
            assert asyncio.get_running_loop().time() < deadline, "no session waited for the lock"
            await asyncio.sleep(0.05)
            await connection.rollback()


async def test_two_sessions_for_one_person_take_turns(engine) -> None:
    _postgres(engine)
    sessions = session_factory(engine)
    assert await _claim(sessions, 100)
    second_engine = create_engine(engine.url.render_as_string(hide_password=False))
    seen: dict[str, object] = {}

    async def second() -> None:
        async with session_factory(second_engine)() as s, s.begin():
            conversation = await load_conversation(s, PERSON, now=T0)
            seen["step"] = conversation.step
            # The same update delivered to both instances: the second finds it applied.
            seen["claimed"] = await claim_update(s, conversation, 101, T0)

    try:
        async with sessions() as s, s.begin():
            conversation = await load_conversation(s, PERSON, now=T0)
            assert await claim_update(s, conversation, 101, T0)
            conversation.step = "name"
            await s.flush()
            waiting = asyncio.create_task(second())
            await _until_waiting_for_a_lock(engine)
            assert not waiting.done()
        await asyncio.wait_for(waiting, WAIT)
    finally:
        await second_engine.dispose()
    assert seen == {"step": "name", "claimed": False}


async def test_a_first_contact_waits_for_the_other_and_both_proceed(engine) -> None:
    _postgres(engine)
    sessions = session_factory(engine)
    second_engine = create_engine(engine.url.render_as_string(hide_password=False))
    seen: dict[str, object] = {}

    async def second() -> None:
        async with session_factory(second_engine)() as s, s.begin():
            conversation = await load_conversation(s, PERSON, now=T0, language="en")
            seen["language"] = conversation.language
            seen["first"] = await is_first_contact(s, conversation)
            seen["claimed"] = await claim_update(s, conversation, 201, T0)

    try:
        async with sessions() as s, s.begin():
            conversation = await load_conversation(s, PERSON, now=T0, language="id")
            assert await is_first_contact(s, conversation)
            assert await claim_update(s, conversation, 200, T0)
            waiting = asyncio.create_task(second())
            await _until_waiting_for_a_lock(engine)
            assert not waiting.done()
        await asyncio.wait_for(waiting, WAIT)
    finally:
        await second_engine.dispose()
    # One row, made by the first; the second is no first contact and its update is applied too.
    assert seen == {"language": "id", "first": False, "claimed": True}
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Conversation)) == 1
    assert await _applied(sessions) == [200, 201]
