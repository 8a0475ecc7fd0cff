"""Whether a person can be written to: they may block the bot, and their meetings' PICs are told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import participant_unreachable
from models.participant import get_participant


async def set_reachable(session: AsyncSession, telegram_user_id: int, reachable: bool, *, now: datetime) -> bool:
    """Record that the person blocked (or unblocked) the bot; False if they never registered."""
    participant = await get_participant(session, telegram_user_id)
    if participant is None:
        return False
    if not reachable and participant.unreachable_since is None:
        participant.unreachable_since = now
        await participant_unreachable(session, participant, now=now)
    elif reachable:
        participant.unreachable_since = None
    return True
