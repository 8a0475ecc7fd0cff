"""One person flooding the bot: one note for them, no wait for anybody else."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.update_processor import FloodRule
from botapi_standin import WAIT
from handlers.texts import Texts
from models.conversation import AppliedUpdate
from tests.e2e.chat import count_with, next_with
from tests.e2e.conftest import RunningBot, running_bot

HELP = "/status"  # a line of the help text, in both languages


async def bot_idle(bot: RunningBot) -> None:
    """Wait until the bot handles no update (the last one's answer is recorded as handed over)."""
    processor = bot.application.update_processor
    deadline = asyncio.get_running_loop().time() + WAIT
    while processor.current_concurrent_updates:
        assert asyncio.get_running_loop().time() < deadline, "an update is still being handled"
        await asyncio.sleep(0.01)


async def test_a_flood_gets_one_note_and_others_are_answered_meanwhile(standin, db_url) -> None:
    # Four slots: 60 queued updates of one person would hold all of them if queued updates took slots.
    async with running_bot(standin, db_url, concurrent_updates=4) as bot:
        flooder, bystander = standin.user(9001, language_code="en"), standin.user(9002)
        # The flooder chose Indonesian although their Telegram speaks English.
        await flooder.send_text("/language")
        await flooder.press(await next_with(flooder, "Choose a language"), text="Bahasa Indonesia")
        await next_with(flooder, "Bahasa diatur")
        # Its update is done only once the answer is recorded as handed over, just after it arrived.
        await bot_idle(bot)
        flooder.skip_messages()
        before = len(flooder.messages)
        # The flooder's first two answers take a second each to reach Telegram: their updates run long.
        standin.delay_next("sendMessage", 1.0, times=2, chat_id=flooder.id)
        flood = [(await flooder.send_text("/help"))["update_id"] for _ in range(60)]
        await bystander.send_text("/bantuan")

        assert HELP in (await bystander.next_message()).plain_text
        # Answered while the flooder's handled updates still waited their turn.
        assert count_with(flooder, HELP) <= 1, flooder.transcript()

        # The note comes after the answers to the updates handled before it, in the language they chose.
        note = Texts("id")("slow_down")
        await flooder.wait_for(lambda u: count_with(u, note) == 1)
        assert flooder.messages[-1].plain_text == note
        answered = FloodRule().backlog + FloodRule().burst
        assert count_with(flooder, HELP) == answered, flooder.transcript()  # not 60 answers
        assert len(flooder.messages) == before + answered + 1
        assert bot.application.update_processor.skipped == 60 - answered

        # Nothing is held against them afterwards: the next message is answered, and no skipped
        # update is ever applied (only the answered ones of the flood are recorded as applied).
        sent = await flooder.send_text("/help")
        await flooder.wait_for(lambda u: count_with(u, HELP) == answered + 1)
        assert count_with(flooder, note) == 1
        applied = set(
            await bot.query(lambda s: s.scalars(select(AppliedUpdate.update_id).filter_by(telegram_user_id=flooder.id)))
        )
        assert sent["update_id"] in applied
        assert len(applied & set(flood)) == answered
