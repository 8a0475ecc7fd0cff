"""Updates of one person that arrive out of order, or twice, as with several instances behind one webhook."""

from __future__ import annotations

import copy
from typing import Any

from telegram import Update

from tests.e2e.chat import count_with

HELP = "/status"  # a line of the help text


async def _deliver(bot, update: dict[str, Any], update_id: int) -> None:
    """Hand the application an update as another delivery would, with this id; returns once it is handled."""
    payload = copy.deepcopy(update)
    payload["update_id"] = update_id
    await bot.application.process_update(Update.de_json(payload, bot.application.bot))


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
