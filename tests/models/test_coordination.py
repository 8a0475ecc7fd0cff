"""Job leases and the shared send budget: the rules several instances on one database coordinate by."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.coordination import (
    ask_for_run,
    drop_leases,
    hold_sends,
    lease_of,
    release_lease,
    renew_lease,
    reserve_sends,
    take_lease,
)
from tests.models.factories import T0

TTL = timedelta(seconds=60)
JOB = "outbox"


async def test_a_free_lease_is_taken_and_a_held_one_only_once_it_runs_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert await take_lease(s, JOB, "a", now=T0, ttl=TTL)
        # Already mine: taken again, until later.
        assert await take_lease(s, JOB, "a", now=T0 + timedelta(seconds=10), ttl=TTL)
        assert not await take_lease(s, JOB, "b", now=T0 + timedelta(seconds=69), ttl=TTL)
        # a died without releasing: its lease ran out.
        assert await take_lease(s, JOB, "b", now=T0 + timedelta(seconds=70), ttl=TTL)
        lease = await lease_of(s, JOB)
        assert lease is not None and (lease.holder, lease.until) == ("b", T0 + timedelta(seconds=130))
        assert not await renew_lease(s, JOB, "a", now=T0 + timedelta(seconds=71), ttl=TTL)
        assert await renew_lease(s, JOB, "b", now=T0 + timedelta(seconds=100), ttl=TTL)
        assert not await take_lease(s, JOB, "a", now=T0 + timedelta(seconds=140), ttl=TTL)


async def test_a_run_asked_for_during_a_holders_run_is_run_by_the_holder_before_it_lets_go(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert await take_lease(s, JOB, "a", now=T0, ttl=TTL)
        assert await ask_for_run(s, JOB, "b", now=T0 + timedelta(seconds=1)) == T0 + TTL
        # The holder is told to run once more and keeps the lease.
        assert await release_lease(s, JOB, "a", now=T0 + timedelta(seconds=2), ttl=TTL)
        lease = await lease_of(s, JOB)
        assert lease is not None and (lease.holder, lease.again) == ("a", False)
        assert not await release_lease(s, JOB, "a", now=T0 + timedelta(seconds=3), ttl=TTL)
        lease = await lease_of(s, JOB)
        assert lease is not None and (lease.holder, lease.until, lease.ran_at) == (
            None,
            None,
            T0 + timedelta(seconds=3),
        )
        # Nobody holds it: the asker is told so, and takes it itself.
        assert await ask_for_run(s, JOB, "b", now=T0 + timedelta(seconds=4)) is None
        # Someone else's release does nothing.
        assert await take_lease(s, JOB, "b", now=T0 + timedelta(seconds=5), ttl=TTL)
        assert not await release_lease(s, JOB, "a", now=T0 + timedelta(seconds=6), ttl=TTL)
        assert (await lease_of(s, JOB)).holder == "b"


async def test_a_repeating_trigger_takes_the_lease_only_if_no_run_finished_lately(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert await take_lease(s, JOB, "a", now=T0, ttl=TTL, not_ran_since=T0 - timedelta(minutes=5))
        await release_lease(s, JOB, "a", now=T0 + timedelta(seconds=1), ttl=TTL)
        # b's trigger fires a minute later: the run a finished serves this interval.
        since = T0 + timedelta(minutes=1) - timedelta(minutes=4)
        assert not await take_lease(s, JOB, "b", now=T0 + timedelta(minutes=1), ttl=TTL, not_ran_since=since)
        since = T0 + timedelta(minutes=5) - timedelta(minutes=4)
        assert await take_lease(s, JOB, "b", now=T0 + timedelta(minutes=5), ttl=TTL, not_ran_since=since)


async def test_a_takeover_takes_only_from_a_holder_whose_lease_ran_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert not await take_lease(s, JOB, "b", now=T0, ttl=TTL, only_if_expired=True)
        assert await take_lease(s, JOB, "a", now=T0, ttl=TTL)
        assert not await take_lease(s, JOB, "b", now=T0 + timedelta(seconds=59), ttl=TTL, only_if_expired=True)
        assert await ask_for_run(s, JOB, "b", now=T0 + timedelta(seconds=59)) == T0 + TTL
        assert await take_lease(s, JOB, "b", now=T0 + timedelta(seconds=60), ttl=TTL, only_if_expired=True)
        assert not (await lease_of(s, JOB)).again


async def test_a_stopping_instance_lets_go_of_its_leases_and_keeps_a_run_asked_for(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert await take_lease(s, "outbox", "a", now=T0, ttl=TTL)
        assert await take_lease(s, "alerts", "a", now=T0, ttl=TTL)
        assert await take_lease(s, "retention", "b", now=T0, ttl=TTL)
        await ask_for_run(s, "outbox", "b", now=T0)
        assert sorted(await drop_leases(s, "a")) == ["alerts", "outbox"]
        outbox = await lease_of(s, "outbox")
        assert outbox is not None and (outbox.holder, outbox.again) == (None, True)
        assert (await lease_of(s, "retention")).holder == "b"
        assert await take_lease(s, "outbox", "b", now=T0 + timedelta(seconds=1), ttl=TTL)


async def test_two_instances_asking_at_once_get_one_lease(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def take(holder: str) -> bool:
        async with sessions() as s, s.begin():
            return await take_lease(s, "national-digest", holder, now=T0, ttl=TTL)

    assert sorted(await asyncio.gather(*(take(name) for name in "abcd"))) == [False, False, False, True]


async def test_send_slots_follow_each_other_across_callers_and_never_start_in_the_past(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    interval = 0.035

    async def reserve(now: float, count: int = 1) -> float:
        async with sessions() as s, s.begin():
            return await reserve_sends(s, "telegram", now=now, interval=interval, count=count)

    starts = [await reserve(1000.0) for _ in range(3)]
    assert starts == pytest.approx([1000.0, 1000.0 + interval, 1000.0 + 2 * interval])
    concurrent = sorted(await asyncio.gather(*(reserve(1000.0) for _ in range(10))))
    assert [b - a for a, b in zip(concurrent, concurrent[1:], strict=False)] == pytest.approx([interval] * 9)
    # Idle since: the next slot is now, not a backlog of old ones.
    assert await reserve(2000.0) == 2000.0
    assert await reserve(2000.0, count=5) == pytest.approx(2000.0 + interval)
    assert await reserve(2000.0) == pytest.approx(2000.0 + 6 * interval)
    async with sessions() as s, s.begin():
        await hold_sends(s, "telegram", until=3000.0)
    assert await reserve(2500.0) == 3000.0
