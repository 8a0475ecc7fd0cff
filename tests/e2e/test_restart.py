"""A real `python -m bot` process killed with SIGKILL continues where it was: mid-registration, mid-fan-out."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select

from benchmarks.fanout import seed_fanout
from bot.database import create_engine, session_factory
from bot.outbox import BATCH
from bot.settings import PROJECT_ROOT
from botapi_standin import WAIT, BotApiStandin, StandinUser
from models.conversation import AppliedUpdate, Conversation
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import Participant
from models.registration import Registration
from tests.e2e.chat import ANSWERS
from tests.e2e.conftest import TOKEN


@asynccontextmanager
async def bot_process(standin, db_url: str, **settings: str) -> AsyncIterator[subprocess.Popen]:
    """`python -m bot` pointed at the stand-in, running until it polls; killed on exit.

    `settings` are further environment variables, such as OUTBOX_LEASE_SECONDS="3".
    """
    polls_before = len(standin.calls_to("getUpdates"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "DATABASE_URL": db_url,
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        await until(
            lambda: len(standin.calls_to("getUpdates")) > polls_before or process.poll() is not None,
            2 * WAIT,
            "the bot did not start polling",
        )
        assert process.poll() is None, process.stdout.read().decode()
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        log = process.stdout.read().decode()
        # No personal data in logs: nothing the person typed shows up.
        for typed in ANSWERS.values():
            assert typed not in log, log
        assert TOKEN.split(":")[1] not in log


async def to_the_name_step(user: StandinUser) -> None:
    """Start a registration and answer it up to the name."""
    await user.send_text("/start shm23-aceh")
    await user.press(await user.next_message(), text="Setuju")
    await user.press(await user.next_message(), text="Stakeholder")
    assert "nama lengkap" in (await user.next_message()).plain_text


async def test_sigkill_in_the_middle_loses_nothing_and_repeats_nothing(standin, db_url) -> None:
    user = standin.user(7001, "Siti")
    async with bot_process(standin, db_url) as process:
        await to_the_name_step(user)
        # Hold the poll that would confirm the name, so Telegram keeps it and delivers it again.
        standin.delay_next("getUpdates", 30)
        name_update = await user.send_text(ANSWERS["name"])
        assert "instansi" in (await user.next_message()).plain_text
        # Killed once the answer is recorded as handed over (a kill before that: the next test).
        await answered(db_url, name_update["update_id"])
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert name_update["update_id"] in [u["update_id"] for u in standin.pending_updates]
    # Typed while the bot was down.
    await user.send_text(ANSWERS["institution"])
    async with bot_process(standin, db_url):
        asked = await user.next_message()
        assert "jabatan" in asked.plain_text, user.transcript()
        await user.send_text(ANSWERS["position"])
        assert "nomor HP" in (await user.next_message()).plain_text
        await user.share_contact("6281234567890")
        await user.next_message()
        summary = await user.next_message()
        assert ANSWERS["name"] in summary.plain_text and ANSWERS["institution"] in summary.plain_text
        await user.press(summary, text="Kirim")
        assert "Pendaftaran berhasil" in (await user.next_message()).plain_text
    # The re-delivered name was recognised and not taken as the institution.
    assert sum("Ketik nama instansi" in m.plain_text for m in user.messages) == 1
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            [participant] = list(await session.scalars(select(Participant)))
            assert (participant.full_name, participant.institution) == (ANSWERS["name"], ANSWERS["institution"])
            assert len(list(await session.scalars(select(Registration)))) == 1
    finally:
        await engine.dispose()


async def answered(db_url: str, update_id: int) -> None:
    """Wait until the bot records the update's answer as handed to Telegram."""
    engine = create_engine(db_url)
    try:
        deadline = asyncio.get_running_loop().time() + WAIT
        while True:
            async with session_factory(engine)() as session:
                if await session.scalar(select(AppliedUpdate.answered).where(AppliedUpdate.update_id == update_id)):
                    return
            assert asyncio.get_running_loop().time() < deadline, f"update {update_id} was not marked answered"
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def test_an_answer_lost_with_a_killed_process_is_made_good_and_the_step_not_applied_twice(
    standin, db_url
) -> None:
    user = standin.user(7002, "Siti")
    async with bot_process(standin, db_url) as process:
        await to_the_name_step(user)
        # The name is applied and committed; its answer is held at Telegram, and the poll that would
        # confirm the update too, when the process dies.
        standin.delay_next("getUpdates", 30)
        standin.delay_next("sendMessage", 60, chat_id=user.id)
        await user.send_text(ANSWERS["name"])
        await until(
            lambda: any(c.status == 0 and int(c.params["chat_id"]) == user.id for c in standin.calls_to("sendMessage")),
            WAIT,
            "the answer was not sent",
        )
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    seen = len(user.messages)
    async with bot_process(standin, db_url):
        await until(lambda: len(user.messages) >= seen + 2, WAIT, "the step was not asked again")
        lost, asked = user.messages[seen : seen + 2]
        assert "mungkin tidak sampai" in lost.plain_text and "instansi" in asked.plain_text, user.transcript()
        await user.send_text(ANSWERS["institution"])
        await until(
            lambda: any("jabatan" in m.plain_text for m in user.messages[seen + 2 :]),
            WAIT,
            "the next step was not asked",
        )
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            conversation = await session.get(Conversation, user.id)
            # The name was applied once: the institution was not taken for it, nor the name asked again.
            assert (conversation.full_name, conversation.institution) == (ANSWERS["name"], ANSWERS["institution"])
    finally:
        await engine.dispose()


FANOUT_PEOPLE = 500
# Telegram's flood limit; the stand-in answers 429 above it.
TELEGRAM_PER_SECOND = 30


def reminders_delivered(standin: BotApiStandin) -> Counter[int]:
    """How many reminders each chat received (sendMessage answered 200)."""
    return Counter(
        int(c.params["chat_id"])
        for c in standin.calls_to("sendMessage")
        if c.status == 200 and "Pengingat" in str(c.params.get("text", ""))
    )


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for the condition, checked every 20 ms; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        await asyncio.sleep(0.02)


async def test_sigkill_in_the_middle_of_a_fanout_loses_no_reminder_and_repeats_only_those_in_flight(db_url) -> None:
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        people = await seed_fanout(db_url, FANOUT_PEOPLE, datetime.now(UTC))
        for user_id in people:
            standin.user(user_id, f"P{user_id}")
        engine = create_engine(db_url)
        sessions = session_factory(engine)
        try:
            async with bot_process(standin, db_url, OUTBOX_LEASE_SECONDS="3") as process:
                await until(
                    lambda: reminders_delivered(standin).total() >= 200, 4 * WAIT, "200 reminders were not sent"
                )
                process.send_signal(signal.SIGKILL)
                process.wait(10)
            before_restart = reminders_delivered(standin)
            async with sessions() as session:
                # Claimed by the killed process and not recorded: sent again when their lease runs out.
                in_flight = set(
                    await session.scalars(
                        select(Participant.chat_id)
                        .join(Registration, Registration.participant_id == Participant.id)
                        .join(OutboxMessage, OutboxMessage.registration_id == Registration.id)
                        .where(OutboxMessage.status == OutboxStatus.SENDING)
                    )
                )
            assert 150 <= before_restart.total() <= 250, before_restart.total()
            assert 0 < len(in_flight) <= BATCH, in_flight

            async with bot_process(standin, db_url, OUTBOX_LEASE_SECONDS="3"):
                await until(
                    lambda: len(reminders_delivered(standin)) == FANOUT_PEOPLE,
                    4 * WAIT,
                    "not everybody got the reminder",
                )

                async def unsettled() -> int:
                    async with sessions() as session:
                        return (
                            await session.scalar(
                                select(func.count()).where(
                                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                                )
                            )
                            or 0
                        )

                deadline = asyncio.get_running_loop().time() + WAIT
                while await unsettled():
                    assert asyncio.get_running_loop().time() < deadline, f"the outbox did not settle within {WAIT} s"
                    await asyncio.sleep(0.1)
                # Anything sent twice would have gone out by now: the lease was 3 s.
                await asyncio.sleep(0.5)

            delivered = reminders_delivered(standin)
            twice = {chat for chat, n in delivered.items() if n == 2}
            assert set(delivered) == set(people), set(people) - set(delivered)
            assert max(delivered.values()) <= 2, delivered.most_common(3)
            assert len(twice) <= BATCH, len(twice)
            # Only a message the killed process had claimed can arrive twice.
            assert twice <= in_flight, twice - in_flight
            async with sessions() as session:
                statuses = {
                    (kind, status): n
                    for kind, status, n in await session.execute(
                        select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
                            OutboxMessage.kind, OutboxMessage.status
                        )
                    )
                }
        finally:
            await engine.dispose()
    # Every reminder that was due is recorded as sent; the rest are the plans seed_fanout dropped.
    live = {key: n for key, n in statuses.items() if key[1] != OutboxStatus.OBSOLETE}
    assert live == {(MessageKind.REMINDER, OutboxStatus.SENT): FANOUT_PEOPLE}, statuses
