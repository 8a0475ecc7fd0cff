"""The outbox: planned once, claimed once (also by two processes at a time), missed when stale."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.database import create_engine, session_factory
from models.outbox import (
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    claim_due,
    mark_missed,
    next_due_at,
    plan,
    record_outcome,
    withdraw,
)
from models.reminder_plan import Slot
from tests.models.factories import T0, seats

LEASE = timedelta(minutes=2)


@pytest.fixture
async def registration_ids(sessions, program) -> list[int]:
    """Forty seated people at an undated meeting (so nothing is planned for them yet)."""
    async with sessions() as s, s.begin():
        ids = [registration.id for registration in await seats(s, "shm23-aceh", "stakeholder", range(40))]
        await s.flush()
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        return ids


async def plan_reminders(sessions, registration_ids: list[int], due=T0, expires=None) -> None:
    async with sessions() as s, s.begin():
        for registration_id in registration_ids:
            await plan(s, registration_id, MessageKind.REMINDER, Slot("reminder-1d", due, expires), now=T0)


async def test_planning_the_same_message_twice_adds_it_once(sessions, registration_ids) -> None:
    await plan_reminders(sessions, registration_ids[:1])
    await plan_reminders(sessions, registration_ids[:1])
    async with sessions() as s, s.begin():
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert await next_due_at(s) == T0


async def test_a_withdrawn_message_planned_again_is_revived_and_a_sent_one_never(sessions, registration_ids) -> None:
    withdrawn, sent = registration_ids[:2]
    await plan_reminders(sessions, [withdrawn, sent])
    async with sessions() as s, s.begin():
        claimed = {m.registration_id: m for m in await claim_due(s, now=T0, lease=LEASE, limit=10)}
        await record_outcome(s, claimed[sent].id, OutboxStatus.SENT, now=T0)
        # A try that timed out, to be tried again; then the seat goes and the message is withdrawn.
        await record_outcome(
            s, claimed[withdrawn].id, OutboxStatus.PENDING, now=T0, error="TimedOut", retry_at=T0 + timedelta(minutes=1)
        )
        assert await withdraw(s, withdrawn) == 1
    later, expires = T0 + timedelta(days=1), T0 + timedelta(days=2)
    async with sessions() as s, s.begin():
        revived = await plan(s, withdrawn, MessageKind.REMINDER, Slot("reminder-1d", later, expires), now=later)
        assert revived is not None
        assert await plan(s, sent, MessageKind.REMINDER, Slot("reminder-1d", later, expires), now=later) is None
    async with sessions() as s, s.begin():
        rows = {m.registration_id: m for m in await s.scalars(select(OutboxMessage))}
        assert len(rows) == 2
        again = rows[withdrawn]
        assert (again.status, again.due_at, again.expires_at, again.attempts) == (
            OutboxStatus.PENDING,
            later,
            expires,
            0,
        )
        assert (again.lease_until, again.sent_at, again.last_error) == (None, None, None)
        assert (rows[sent].status, rows[sent].due_at) == (OutboxStatus.SENT, T0)


async def test_only_due_messages_are_claimed_and_a_claim_holds_until_its_lease_runs_out(
    sessions, registration_ids
) -> None:
    await plan_reminders(sessions, registration_ids[:2])
    await plan_reminders(sessions, registration_ids[2:3], due=T0 + timedelta(hours=1))
    async with sessions() as s, s.begin():
        claimed = await claim_due(s, now=T0, lease=LEASE, limit=10)
        assert [m.registration_id for m in claimed] == registration_ids[:2]
        assert all(m.status == OutboxStatus.SENDING and m.attempts == 1 for m in claimed)
        assert claimed[0].registration.id == registration_ids[0]  # loaded for rendering
    async with sessions() as s, s.begin():
        assert await claim_due(s, now=T0 + LEASE - timedelta(seconds=1), lease=LEASE, limit=10) == []
        await record_outcome(s, claimed[0].id, OutboxStatus.SENT, now=T0)
    async with sessions() as s, s.begin():
        # The sender of the second message died: after the lease it is claimed again, and nothing else.
        again = await claim_due(s, now=T0 + LEASE, lease=LEASE, limit=10)
        assert [(m.id, m.attempts) for m in again] == [(claimed[1].id, 2)]


async def test_a_message_that_no_longer_makes_sense_is_recorded_as_missed(sessions, registration_ids) -> None:
    await plan_reminders(sessions, registration_ids[:3], due=T0, expires=T0 + timedelta(hours=2))
    async with sessions() as s, s.begin():
        assert await mark_missed(s, T0 + timedelta(hours=1)) == 0
        assert await mark_missed(s, T0 + timedelta(hours=2)) == 3
        assert await claim_due(s, now=T0 + timedelta(hours=2), lease=LEASE, limit=10) == []
        statuses = set(await s.scalars(select(OutboxMessage.status)))
        assert statuses == {OutboxStatus.MISSED}


async def test_a_failed_message_waits_for_its_retry(sessions, registration_ids) -> None:
    await plan_reminders(sessions, registration_ids[:1])
    async with sessions() as s, s.begin():
        (message,) = await claim_due(s, now=T0, lease=LEASE, limit=10)
        await record_outcome(
            s, message.id, OutboxStatus.PENDING, now=T0, error="TimedOut: x" * 50, retry_at=T0 + timedelta(seconds=30)
        )
    async with sessions() as s, s.begin():
        assert await claim_due(s, now=T0 + timedelta(seconds=29), lease=LEASE, limit=10) == []
        (retried,) = await claim_due(s, now=T0 + timedelta(seconds=30), lease=LEASE, limit=10)
        assert retried.attempts == 2 and len(retried.last_error) == 200


async def test_two_senders_claiming_at_once_never_take_the_same_message(db_url, sessions, registration_ids) -> None:
    await plan_reminders(sessions, registration_ids)
    engines = [create_engine(db_url) for _ in range(4)]
    try:

        async def sender(engine) -> list[int]:
            taken: list[int] = []
            while True:
                async with session_factory(engine)() as s, s.begin():
                    batch = await claim_due(s, now=T0, lease=LEASE, limit=3)
                    # Hold the claim open a moment so the others run into it (PostgreSQL skips it).
                    await asyncio.sleep(0.01)
                if not batch:
                    return taken
                taken += [m.id for m in batch]
                await asyncio.sleep(0.02)  # "sending" the batch

        claims = await asyncio.gather(*(sender(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    every = [message_id for claim in claims for message_id in claim]
    assert len(every) == len(set(every)) == 40
    assert sum(1 for claim in claims if claim) >= 2  # they really ran side by side


async def test_withdrawn_rows_are_not_claimed(sessions, registration_ids) -> None:
    await plan_reminders(sessions, registration_ids[:2])
    async with sessions() as s, s.begin():
        await s.execute(update(OutboxMessage).values(status=OutboxStatus.OBSOLETE))
        assert await claim_due(s, now=T0, lease=LEASE, limit=10) == []
        assert await next_due_at(s) is None
