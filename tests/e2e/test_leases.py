"""Two bot instances in one process on one PostgreSQL: each job in one at a time, one send budget, takeover and clean stops.

Both are built by `build_application` on the same database and stand-in, in this process. Neither
polls getUpdates (the stand-in hands each update to one poller only): each is started as a webhook
instance would be, without its updater.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from telegram.constants import ParseMode

from benchmarks.fanout import seed_fanout
from bot.app import build_application
from bot.clock import FrozenClock
from bot.database import create_engine, session_factory
from bot.scheduler import ALERTS_JOB, OUTBOX_JOB, Scheduler
from botapi_standin import WAIT, BotApiStandin
from models.coordination import JobLease, lease_of
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from tests.conftest import with_shipped_program
from tests.e2e.conftest import RunningBot, bot_settings
from tests.e2e.test_restart import bot_process, reminders_delivered, until

FANOUT = 990
TELEGRAM_PER_SECOND = 30


@pytest.fixture
def pg_url(db_url: str) -> str:
    """The PostgreSQL test database: several instances need one they can all reach."""
    if not db_url.startswith("postgresql"):
        pytest.skip("several instances share a PostgreSQL database")
    return db_url


@asynccontextmanager
async def instance(
    standin: BotApiStandin, url: str, clock: FrozenClock, **overrides: object
) -> AsyncIterator[RunningBot]:
    """A bot instance started through the application's whole lifecycle, without polling."""
    settings = bot_settings(standin, url, **overrides)
    application = build_application(settings, clock=clock)
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        try:
            yield RunningBot(standin, clock, settings, application)
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def scheduler_of(bot: RunningBot) -> Scheduler:
    scheduler: Scheduler = bot.application.bot_data["scheduler"]
    return scheduler


async def reminder_statuses(session) -> dict[str, int]:
    """How many of the reminders seed_fanout kept (one a person) stand how."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == MessageKind.REMINDER, OutboxMessage.status != OutboxStatus.OBSOLETE)
        .group_by(OutboxMessage.status)
    )
    return {str(status): n for status, n in rows.all()}


def busiest_second(times: list[float]) -> int:
    """The most sends any rolling second holds."""
    times = sorted(times)
    most = start = 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_fan_out_with_two_instances_goes_out_once_within_one_budget(pg_url) -> None:
    due_at = datetime.now(UTC)
    people = await seed_fanout(pg_url, FANOUT, due_at)
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        for user_id in people:
            standin.user(user_id)
        others = list(range(8_000_001, 8_000_061))
        for user_id in others:
            standin.user(user_id)
        async with (
            instance(standin, pg_url, FrozenClock(due_at), rate_limit=True) as first,
            instance(standin, pg_url, FrozenClock(due_at), rate_limit=True) as second,
        ):
            # Both wake the outbox at start; one sends, the other asks it for a run and waits.
            await first.eventually(
                lambda s: s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT)),
                lambda sent: sent >= 100,
                timeout=4 * WAIT,
            )
            # Meanwhile the other instance sends messages of its own: they share the one budget.
            bots = (first.application.bot, second.application.bot)
            await asyncio.gather(
                *(
                    bots[n % 2].send_message(chat_id, "Uji", parse_mode=ParseMode.HTML)
                    for n, chat_id in enumerate(others)
                )
            )
            statuses = await first.eventually(
                reminder_statuses, lambda found: set(found) == {"sent"}, timeout=FANOUT / 10 + 4 * WAIT
            )
            assert statuses == {"sent": FANOUT}
        sends = [c for c in standin.calls_to("sendMessage") if c.status == 200]
        delivered = [int(c.params["chat_id"]) for c in sends if int(c.params["chat_id"]) in set(people)]
        assert sorted(delivered) == sorted(people)  # each once
        assert standin.rate_limited_count == 0
        assert busiest_second([c.received_at for c in sends]) <= TELEGRAM_PER_SECOND


async def test_a_holder_that_died_is_replaced_within_the_lease(pg_url) -> None:
    due_at = datetime.now(UTC)
    people = await seed_fanout(pg_url, 12, due_at)
    lease_seconds = 6
    async with BotApiStandin(bot_username="shm_test_bot") as standin:
        for user_id in people:
            standin.user(user_id)
        async with instance(standin, pg_url, FrozenClock(due_at), outbox_lease_seconds=lease_seconds) as bot:
            # An instance that took the outbox and died: its lease runs for half the bound from its last renewal.
            died_at = datetime.now(UTC)

            async def dead_holder(session) -> None:
                await session.execute(
                    update(JobLease)
                    .where(JobLease.name == OUTBOX_JOB)
                    .values(holder="dead-instance", until=died_at + timedelta(seconds=lease_seconds / 2))
                )

            await bot.eventually(
                lambda s: lease_of(s, OUTBOX_JOB), lambda lease: lease is not None and lease.holder is None
            )
            await bot.query(dead_holder)
            sent = await bot.query(reminder_statuses)
            assert sent["sent"] == len(people)
            # What a handler planned meanwhile: due now, and the dead instance holds the outbox.
            async with bot.application.bot_data["services"].sessions() as session, session.begin():
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.SENT)
                    .values(status=OutboxStatus.PENDING, due_at=due_at, lease_until=None)
                )
            scheduler_of(bot).outbox.wake()
            await bot.eventually(reminder_statuses, lambda found: found == sent, timeout=lease_seconds)
            lease = await bot.query(lambda s: lease_of(s, OUTBOX_JOB))
            assert lease is not None and lease.holder != "dead-instance"


async def test_the_alert_check_runs_once_per_interval_across_two_instances(pg_url, standin) -> None:
    await with_shipped_program(pg_url)
    clock = FrozenClock(datetime(2023, 7, 1, tzinfo=UTC))
    async with instance(standin, pg_url, clock) as first, instance(standin, pg_url, clock) as second:
        runners = [next(r for r in scheduler_of(bot).runners if r.job.name == ALERTS_JOB) for bot in (first, second)]

        async def last_ran_long_ago(session) -> None:
            await session.execute(
                update(JobLease)
                .where(JobLease.name == ALERTS_JOB)
                .values(ran_at=datetime.now(UTC) - timedelta(minutes=5))
            )

        # Both checked at start (a start is a wake); the interval since then is what the triggers see.
        def settled(lease: JobLease | None) -> bool:
            at_start_done = all(
                not bot.application.job_queue.get_jobs_by_name(f"{ALERTS_JOB}-wake") for bot in (first, second)
            )
            return at_start_done and not any(r.running for r in runners) and lease is not None and lease.holder is None

        await first.eventually(lambda s: lease_of(s, ALERTS_JOB), settled)
        await first.query(last_ran_long_ago)
        assert await runners[0].tick()
        assert not await runners[1].tick()
        await first.query(last_ran_long_ago)
        assert sorted(await asyncio.gather(runners[1].tick(), runners[0].tick())) == [False, True]


async def test_a_stopped_instance_puts_its_claims_back_for_the_next_one(pg_url) -> None:
    due_at = datetime.now(UTC)
    people = await seed_fanout(pg_url, 40, due_at)
    async with BotApiStandin(bot_username="shm_test_bot") as standin:
        for user_id in people:
            standin.user(user_id)
        # Each send hangs (below the client's 5 s timeout): the instance stops with a batch claimed and unsent.
        standin.delay_next("sendMessage", 4, times=len(people))
        clock = FrozenClock(due_at)
        # A row lease far longer than the test: only the stop can put the rows back in time.
        async with instance(standin, pg_url, clock, outbox_lease_seconds=600) as first:
            scheduler = scheduler_of(first)
            # Claimed (committed) and known to the sender as held.
            await first.eventually(
                lambda s: s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)),
                lambda n: n > 0 and n == len(scheduler.sender.holding),
            )
            await scheduler.stop(grace=0)
            assert scheduler.sender.holding == frozenset()
            statuses = await first.query(reminder_statuses)
            assert statuses == {"pending": len(people)}
            lease = await first.query(lambda s: lease_of(s, OUTBOX_JOB))
            assert lease is not None and lease.holder is None
        async with instance(standin, pg_url, clock, outbox_lease_seconds=600) as second:
            await second.eventually(reminder_statuses, lambda found: found == {"sent": len(people)}, timeout=4 * WAIT)


async def test_sigterm_mid_fan_out_ends_the_batch_lets_go_and_the_next_process_sends_the_rest(pg_url) -> None:
    people = await seed_fanout(pg_url, 300, datetime.now(UTC))
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        for user_id in people:
            standin.user(user_id)
        engine = create_engine(pg_url)
        sessions = session_factory(engine)
        try:
            # A row lease far longer than the test: only the stop can hand the rest over in time.
            async with bot_process(standin, pg_url, OUTBOX_LEASE_SECONDS="600") as process:
                await until(lambda: reminders_delivered(standin).total() >= 60, 4 * WAIT, "60 reminders were not sent")
                process.send_signal(signal.SIGTERM)
                await until(lambda: process.poll() is not None, 2 * WAIT, "the bot did not stop on SIGTERM")
            async with sessions() as session, session.begin():
                statuses = await reminder_statuses(session)
                holders = list(await session.scalars(select(JobLease.holder).where(JobLease.holder.is_not(None))))
            assert "sending" not in statuses and holders == [], (statuses, holders)
            assert statuses.get("pending", 0) > 0, statuses
            async with bot_process(standin, pg_url, OUTBOX_LEASE_SECONDS="600"):
                await until(
                    lambda: len(reminders_delivered(standin)) == len(people), 4 * WAIT, "not everybody got the reminder"
                )
            delivered = reminders_delivered(standin)
            assert max(delivered.values()) == 1, delivered.most_common(3)
        finally:
            await engine.dispose()
