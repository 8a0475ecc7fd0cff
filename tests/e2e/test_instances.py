"""Two `python -m bot webhook` processes on one PostgreSQL behind a round-robin proxy, as behind a load
balancer: a registration burst and a reminder fan-out at once, then one instance killed in the middle."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from benchmarks.fanout import FIRST_USER_ID
from benchmarks.instances import (
    PATIENT,
    RESULTS,
    Person,
    outbox_holder_pid,
    quotas_held,
    register_burst,
    reminders_received,
    seats_of,
    seed_burst_and_fanout,
    start_fanout,
    webhook_instances,
)
from bot.outbox import BATCH
from botapi_standin import BotApiStandin
from botapi_standin.faults import is_message_method

TELEGRAM_PER_SECOND = 30
# Every message of the run goes through Telegram's 30 a second: about 2,800 here, so at least 95 s.
RUN_WITHIN = 600.0


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for the condition, checked every 50 ms; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        await asyncio.sleep(0.05)


def busiest(standin: BotApiStandin) -> str:
    """The calls of the busiest rolling second, to see what crowded it."""
    calls = sorted((c for c in standin.calls if is_message_method(c.method)), key=lambda c: c.received_at)
    best: list[object] = []
    first = 0
    for last, call in enumerate(calls):
        while call.received_at - calls[first].received_at >= 1.0:
            first += 1
        if last + 1 - first > len(best):
            best = calls[first : last + 1]
    return "\n".join(f"{c.received_at:.3f} {c.method} {c.params.get('chat_id')} {c.status}" for c in best)


def assert_each_answered_once(crowd: list[Person]) -> None:
    for person in crowd:
        finals = [m for m in person.user.messages if any(result in m.plain_text for result in RESULTS)]
        assert len(finals) == 1, person.user.transcript()


async def test_two_instances_share_a_burst_and_a_fanout_once_within_telegrams_limit(pg_url) -> None:
    planned_at = datetime.now(UTC) + timedelta(hours=1)
    meetings = await seed_burst_and_fanout(pg_url, 990, 5, planned_at)
    fanout = range(FIRST_USER_ID, FIRST_USER_ID + 990)
    async with BotApiStandin(
        rate_limit_per_second=TELEGRAM_PER_SECOND, deliver_webhooks=True, webhook_pacing=PATIENT
    ) as standin:
        for user_id in fanout:
            standin.user(user_id, f"P{user_id}")
        # Pinned: update n goes to instance n % 2, so each person's steps alternate between the two.
        async with webhook_instances(standin, pg_url, 2, pin=True, OUTBOX_POLL_SECONDS="2") as fleet:
            burst = asyncio.ensure_future(register_burst(standin, meetings, 200, timeout=RUN_WITHIN))
            await until(lambda: len(standin.calls_to("sendMessage")) >= 100, RUN_WITHIN, "the burst did not start")
            assert await start_fanout(pg_url, planned_at, datetime.now(UTC)) == 990
            crowd = await burst
            await until(
                lambda: set(reminders_received(standin)) >= set(fanout), RUN_WITHIN, "the fan-out did not finish"
            )
            await standin.wait_webhook_delivered()
            seats = await seats_of(pg_url, meetings)
            logs = [instance.log for instance in fleet.instances]
        forwarded = Counter(request.backend for request in fleet.proxy.forwarded if request.status == 200)
    assert quotas_held(seats, 200), seats
    assert_each_answered_once(crowd)
    received = reminders_received(standin)
    assert {received[user_id] for user_id in fanout} == {1}, "a reminder was missed or sent twice"
    assert seats.outbox_unsettled == 0
    assert standin.busiest_second() <= TELEGRAM_PER_SECOND and standin.rate_limited_count == 0, busiest(standin)
    # Both instances did the work: each took updates.
    assert len(forwarded) == 2 and min(forwarded.values()) > 100, forwarded
    for log in logs:
        assert "Traceback" not in log, log


async def test_one_of_two_instances_killed_in_the_middle_loses_no_registration_and_no_reminder(pg_url) -> None:
    planned_at = datetime.now(UTC) + timedelta(hours=1)
    meetings = await seed_burst_and_fanout(pg_url, 500, 4, planned_at)
    fanout = range(FIRST_USER_ID, FIRST_USER_ID + 500)
    async with BotApiStandin(
        rate_limit_per_second=TELEGRAM_PER_SECOND, deliver_webhooks=True, webhook_pacing=PATIENT
    ) as standin:
        for user_id in fanout:
            standin.user(user_id, f"P{user_id}")
        # Not pinned: a retry of an update the dead instance never answered goes to the live one.
        async with webhook_instances(standin, pg_url, 2, OUTBOX_POLL_SECONDS="2", OUTBOX_LEASE_SECONDS="6") as fleet:
            burst = asyncio.ensure_future(register_burst(standin, meetings, 120, timeout=RUN_WITHIN))
            await until(lambda: len(standin.calls_to("sendMessage")) >= 100, RUN_WITHIN, "the burst did not start")
            assert await start_fanout(pg_url, planned_at, datetime.now(UTC)) == 500
            await until(lambda: reminders_received(standin).total() >= 100, RUN_WITHIN, "the fan-out did not start")
            # The lease is let go and taken again between a run's rounds: look until a holder shows.
            leader = None
            deadline = asyncio.get_running_loop().time() + RUN_WITHIN
            while leader is None:
                holder = await outbox_holder_pid(pg_url)
                leader = fleet.by_pid(holder) if holder is not None else None
                assert asyncio.get_running_loop().time() < deadline, "no instance held the outbox's lease"
                await asyncio.sleep(0.02)
            leader.kill()
            survivor = next(i for i in fleet.instances if i is not leader)
            await burst
            await until(
                lambda: set(reminders_received(standin)) >= set(fanout), RUN_WITHIN, "the fan-out was not finished"
            )
            await standin.wait_webhook_delivered()
            seats = await seats_of(pg_url, meetings)
            assert survivor.process.poll() is None, survivor.log
    assert quotas_held(seats, 120), seats
    received = reminders_received(standin)
    assert all(received[user_id] >= 1 for user_id in fanout), "a reminder was missed"
    # Sent twice at most: those the killed instance had claimed (one batch) and not recorded as sent.
    assert sum(received[user_id] - 1 for user_id in fanout) <= BATCH
    assert seats.outbox_unsettled == 0
    assert standin.busiest_second() <= TELEGRAM_PER_SECOND
