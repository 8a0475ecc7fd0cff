"""One person's updates run in order; different people's run at the same time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, ChatMemberBanned, ChatMemberMember, ChatMemberUpdated, Message, Update, User

from bot.update_processor import FloodRule, PerChatUpdateProcessor


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


async def test_a_persons_queued_updates_hold_no_slot() -> None:
    """With 2 slots, 10 queued updates of one person still leave a slot for someone else."""
    processor = PerChatUpdateProcessor(2, FloodRule(backlog=100))
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(update: Update) -> None:
        if update.effective_user.id == 7:
            await release.wait()
        handled.append(update.update_id)

    flood = [_update(n, 7) for n in range(1, 11)]
    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in flood]
        bystander = asyncio.create_task(processor.process_update(_update(11, 8), handle(_update(11, 8))))
        async with asyncio.timeout(10):
            await bystander
        assert handled == [11]  # the bystander ran while all of person 7's updates still waited
        assert processor.current_concurrent_updates == 1  # person 7's first, the only one of theirs running
        release.set()
        await asyncio.gather(*tasks)
    assert handled == [11, *range(1, 11)]


async def test_a_flood_is_answered_with_one_note_and_membership_changes_pass() -> None:
    processor = PerChatUpdateProcessor(16, FloodRule(backlog=2, burst=3, per_second=0.001))
    release = asyncio.Event()
    handled: list[int] = []
    notes: list[int] = []

    async def handle(update: Update) -> None:
        await release.wait()
        handled.append(update.update_id)

    async def note(update: Update) -> None:
        notes.append(update.update_id)

    processor.slow_down_note = note
    user = User(7, "U", False)
    blocked = Update(
        51,
        my_chat_member=ChatMemberUpdated(
            Chat(7, "private"),
            user,
            datetime(2026, 7, 1, tzinfo=UTC),
            ChatMemberMember(user),
            ChatMemberBanned(user, datetime(2026, 7, 1, tzinfo=UTC)),
        ),
    )
    flood = [_update(n, 7) for n in range(1, 51)]
    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in [*flood, blocked]]
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(*tasks)
    # Two waiting (the backlog), three burst tokens, then the note in place of update 6, the rest skipped.
    assert handled == [1, 2, 3, 4, 5, 51]
    assert notes == [6]
    assert processor.skipped == 45
    assert processor._locks == {}


async def test_someone_who_waits_for_each_answer_is_never_skipped() -> None:
    processor = PerChatUpdateProcessor(4, FloodRule(backlog=2, burst=1, per_second=0.001))
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    async with processor:
        for n in range(1, 31):
            await processor.process_update(_update(n, 7), handle(_update(n, 7)))
    assert handled == list(range(1, 31)) and processor.skipped == 0


def _group_update(update_id: int, user_id: int, group_id: int = -100200) -> Update:
    user = User(user_id, "U", False)
    chat = Chat(group_id, "supergroup")
    message = Message(update_id, datetime(2026, 7, 1, tzinfo=UTC), chat, from_user=user, text="/start")
    return Update(update_id, message=message)


async def test_a_groups_members_take_one_slot_between_them() -> None:
    """Forty members of one group writing at once wait for each other, not in everyone's slots."""
    processor = PerChatUpdateProcessor(2, FloodRule(backlog=100))
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(update: Update) -> None:
        if update.effective_chat.id < 0:
            await release.wait()
        handled.append(update.update_id)

    members = [_group_update(n, 500 + n) for n in range(1, 41)]
    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in members]
        private = _update(41, 8)
        async with asyncio.timeout(10):
            await processor.process_update(private, handle(private))
        assert handled == [41]
        release.set()
        await asyncio.gather(*tasks)
    assert handled == [41, *range(1, 41)]


async def test_a_flood_in_small_batches_is_held_to_the_tokens() -> None:
    """Once skipped, a flooder's updates need tokens even when their backlog has drained between batches."""
    processor = PerChatUpdateProcessor(16, FloodRule(backlog=2, burst=3, per_second=0.001))
    handled: list[int] = []

    async def handle(update: Update) -> None:
        await asyncio.sleep(0.01)  # long enough for the rest of the batch to queue behind it
        handled.append(update.update_id)

    async with processor:
        for batch in range(10):
            updates = [_update(10 * batch + n, 7) for n in range(1, 11)]
            await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))
    # The first batch: two in the backlog and three tokens; every later batch: nothing.
    assert handled == [1, 2, 3, 4, 5]
    assert processor.skipped == 95
