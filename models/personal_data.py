"""A person's rights over their data under UU PDP: erasure together with withdrawal of consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import FreedBy
from models.conversation import Conversation
from models.participant import Participant, get_participant, record_consent
from models.program import Meeting
from models.registration import Registration, registrations_of
from models.seats import FreedSeat, end_registration, locked
from models.staff import forget_pic_names


async def erase_person(session: AsyncSession, telegram_user_id: int, *, now: datetime) -> list[FreedSeat]:
    """Cancel the person's registrations (seats pass to the waiting list), delete their details.

    The consent record stays: the law asks that proof of consent be kept, and it holds no
    more than the Telegram id, the text version and the time. A withdrawal is appended to it.
    A PIC keeps their function (it is their job, not their registration), but the name their
    assignment shows in organizers' lists is removed.
    """
    freed_seats: list[FreedSeat] = []
    participant = await get_participant(session, telegram_user_id)
    if participant is not None:
        for registration in await registrations_of(session, telegram_user_id):
            # Not `cancel`: erasure is a right even after a meeting started (where no seat passes on).
            found = await locked(session, registration.id)
            if found is not None:
                freed_seats.append(await end_registration(session, *found, now=now, cause=FreedBy.CANCELLED))
        await session.execute(delete(Registration).where(Registration.participant_id == participant.id))
        await session.execute(delete(Participant).where(Participant.id == participant.id))
    await forget_pic_names(session, [telegram_user_id])
    conversation = await session.get(Conversation, telegram_user_id)
    if conversation is not None:
        conversation.clear_draft()
    await record_consent(session, telegram_user_id, given=False, now=now)
    return freed_seats


# A registration left half-way holds what was typed so far; it is not kept for long.
ABANDONED_DRAFT_DAYS = 30


@dataclass(frozen=True)
class PurgeReport:
    """What a retention run deleted."""

    participants_erased: int
    drafts_cleared: int


async def purge_expired(session: AsyncSession, *, now: datetime, retention_days: int) -> PurgeReport:
    """Delete personal data whose purpose has ended, as the consent text promises.

    A person's details are kept until `retention_days` after the last of their meetings ended;
    a meeting still to come or without a date keeps them, and so does the name a PIC assignment
    took from their registration. Drafts abandoned for
    ABANDONED_DRAFT_DAYS are cleared.
    """
    cutoff = now - timedelta(days=retention_days)
    meeting_end = func.coalesce(Meeting.ends_at, Meeting.starts_at)
    still_needed = (
        select(Registration.participant_id)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(or_(meeting_end.is_(None), meeting_end >= cutoff))
    )
    has_registrations = select(Registration.participant_id)
    expired = list(
        await session.scalars(
            select(Participant.id).where(Participant.id.in_(has_registrations), Participant.id.not_in(still_needed))
        )
    )
    if expired:
        # A PIC named after their registration loses the name with it; one named by an invite keeps
        # the Telegram name they gave when opening it.
        user_ids = await session.scalars(select(Participant.telegram_user_id).where(Participant.id.in_(expired)))
        await forget_pic_names(session, [user_id for user_id in user_ids if user_id is not None], via="registration")
        await session.execute(delete(Registration).where(Registration.participant_id.in_(expired)))
        await session.execute(delete(Participant).where(Participant.id.in_(expired)))
    stale = list(
        await session.scalars(
            select(Conversation).where(
                Conversation.step.is_not(None), Conversation.updated_at < now - timedelta(days=ABANDONED_DRAFT_DAYS)
            )
        )
    )
    for conversation in stale:
        conversation.clear_draft()
    await session.flush()
    return PurgeReport(participants_erased=len(expired), drafts_cleared=len(stale))
