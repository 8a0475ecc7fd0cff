"""Updates of one person that arrive out of order, or twice, as with several instances behind one webhook."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from botapi_standin import StandinUser
from models.conversation import AppliedUpdate
from tests.e2e.chat import count_with

HELP = "/status"  # a line of the help text


async def _deliver(bot, update: dict[str, Any], update_id: int, application: Application | None = None) -> None:
    """Hand an instance an update as another delivery would, with this id; returns once it is handled."""
    application = application or bot.application
    payload = copy.deepcopy(update)
    payload["update_id"] = update_id
    await application.process_update(Update.de_json(payload, application.bot))


@asynccontextmanager
async def another_instance(bot) -> AsyncIterator[Application]:
    """A second bot process's application on the same database, taking the updates handed to it."""
    application = build_application(bot.settings, clock=bot.clock)
    await application.initialize()
    try:
        yield application
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def test_a_late_earlier_update_is_answered_and_a_repeated_one_is_not(bot) -> None:
    user = bot.standin.user(6301)
    first = await user.send_text("/bantuan")
    await user.wait_for(lambda u: count_with(u, HELP) == 1)
    second = await user.send_text("/bantuan")
    await user.wait_for(lambda u: count_with(u, HELP) == 2)
    assert second["update_id"] > first["update_id"]

    # An update the person sent before both, which reached (another instance of) the bot only now.
    late = first["update_id"] - 1
    await _deliver(bot, first, late)
    assert count_with(user, HELP) == 3, user.transcript()

    # Delivered again, and so are the two answered before: nothing is answered twice.
    await _deliver(bot, first, late)
    await _deliver(bot, second, second["update_id"])
    await _deliver(bot, first, first["update_id"])
    assert count_with(user, HELP) == 3, user.transcript()
    # And the person's next update is answered as usual.
    await user.send_text("/bantuan")
    await user.wait_for(lambda u: count_with(u, HELP) == 4)


def answers(user: StandinUser) -> int:
    """How many answers to /bantuan the person got."""
    return sum(m.plain_text.startswith("Bantuan") for m in user.messages)


def notes(user: StandinUser) -> int:
    """How many notes that an answer may not have arrived the person got."""
    return sum("mungkin tidak sampai" in m.plain_text for m in user.messages)


async def test_two_instances_on_one_database_apply_each_update_once(bot) -> None:
    user = bot.standin.user(6302)
    sent = await user.send_text("/bantuan")
    await user.wait_for(lambda u: count_with(u, HELP) == 1)
    async with another_instance(bot) as other:
        # A person's updates spread over both instances at once, each update reaching both.
        ids = [sent["update_id"] - n for n in range(1, 7)]
        await asyncio.gather(
            *(
                _deliver(bot, sent, update_id, application)
                for update_id in ids
                for application in (bot.application, other)
            )
        )
        # Each applied once. The copy that reached an instance while the other was still answering it
        # may get the note that an answer may not have arrived (the bound on duplicates: one per copy).
        assert answers(user) == 1 + len(ids) and notes(user) <= len(ids), user.transcript()
        # The one the first instance answered, handed to the second: not answered again, no note.
        before = notes(user)
        await _deliver(bot, sent, sent["update_id"], other)
        assert answers(user) == 1 + len(ids) and notes(user) == before, user.transcript()
    applied = await bot.query(lambda s: s.scalars(select(AppliedUpdate.update_id).filter_by(telegram_user_id=user.id)))
    assert sorted(applied) == sorted([*ids, sent["update_id"]])
