"""The timed jobs on a started bot's JobQueue are the ones `bot.scheduler.jobs()` lists, woken when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from models.outbox import OutboxMessage, OutboxStatus
from models.registration import Registration, RegistrationStatus
from tests.e2e.chat import register

BENGKULU = "shm23-bengkulu"


async def test_a_started_bot_runs_the_listed_jobs_and_no_others(bot) -> None:
    queued = bot.application.job_queue.jobs()
    repeating = {job.name: job.job.trigger.interval for job in queued if not job.name.endswith("-wake")}
    assert repeating == {
        "outbox": timedelta(seconds=bot.settings.outbox_poll_seconds),
        "alerts": timedelta(minutes=5),
        "national-digest": timedelta(minutes=5),
        "retention": timedelta(days=1),
    }
    # Wake-ups belong to listed jobs; retention is never woken, only repeated.
    assert {job.name for job in queued if job.name.endswith("-wake")} <= {
        "outbox-wake",
        "alerts-wake",
        "national-digest-wake",
    }


async def test_the_outbox_is_woken_at_the_next_hold_expiry(bot) -> None:
    user = bot.standin.user(9801)
    await register(user, BENGKULU, role="Pemustaka")
    hold_until = bot.clock.now() + timedelta(hours=5)

    async def hold_only(session) -> None:
        # Nothing else waits: the hold's end is the only moment the outbox has to wake for.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.OBSOLETE)
        )
        registration = await session.scalar(select(Registration))
        registration.status, registration.offered_until = RegistrationStatus.OFFERED, hold_until

    await bot.query(hold_only)
    await bot.application.bot_data["scheduler"].outbox.run()
    [wake] = bot.application.job_queue.get_jobs_by_name("outbox-wake")
    # The frozen clock stands still: the wake-up is five real hours away, not the next sweep.
    assert timedelta(hours=4) < wake.next_t - datetime.now(UTC) <= timedelta(hours=5)
