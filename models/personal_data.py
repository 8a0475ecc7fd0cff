"""A person's rights over their data under UU PDP: erasure together with withdrawal of consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models.conversation import Conversation
from models.participant import Participant, get_participant, record_consent
from models.registration import Cancellation, Registration, cancel, registrations_of


async def erase_person(session: AsyncSession, telegram_user_id: int, *, now: datetime) -> list[Cancellation]:
    """Cancel the person's registrations (seats pass to the waiting list), delete their details.

    The consent record stays: the law asks that proof of consent be kept, and it holds no
    more than the Telegram id, the text version and the time. A withdrawal is appended to it.
    """
    cancellations: list[Cancellation] = []
    participant = await get_participant(session, telegram_user_id)
    if participant is not None:
        for registration in await registrations_of(session, participant.id):
            cancellations.append(await cancel(session, registration.id, now=now))
        await session.execute(delete(Registration).where(Registration.participant_id == participant.id))
        await session.execute(delete(Participant).where(Participant.id == participant.id))
    conversation = await session.get(Conversation, telegram_user_id)
    if conversation is not None:
        conversation.clear_draft()
    await record_consent(session, telegram_user_id, given=False, now=now)
    return cancellations
