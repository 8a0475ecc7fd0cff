"""One person's updates run in order; different people's run at the same time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_processor import PerChatUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", False)
    message = Message(update_id, datetime(2026, 7, 1, tzinfo=UTC), Chat(user_id, "private"), from_user=user, text="x")
    return Update(update_id, message=message)


async def test_same_person_in_order_others_concurrently() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[str, int, int]] = []
    running = 0
    most_at_once = 0

    async def handle(update: Update, delay: float) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        log.append(("start", update.effective_user.id, update.update_id))
        await asyncio.sleep(delay)
        log.append(("end", update.effective_user.id, update.update_id))
        running -= 1

    updates = [_update(1, 7), _update(2, 7), _update(3, 8), _update(4, 7), _update(5, 9)]
    delays = {1: 0.05, 2: 0.0, 3: 0.03, 4: 0.0, 5: 0.01}
    async with processor:
        await asyncio.gather(*(processor.process_update(u, handle(u, delays[u.update_id])) for u in updates))
    person_7 = [(kind, uid) for kind, user, uid in log if user == 7]
    assert person_7 == [("start", 1), ("end", 1), ("start", 2), ("end", 2), ("start", 4), ("end", 4)]
    assert most_at_once == 3  # persons 7, 8 and 9 at once
    assert processor._locks == {}  # nothing kept for people who are done
