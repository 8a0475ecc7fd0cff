"""The PICs' alert an hour after the start: the seated people not checked in yet.

Planned by the alerts job (`bot.scheduler`) once the start plus an hour has come and the meeting
has not ended, once per meeting date and recipient (the outbox's dedupe key): to the meeting's
live PICs, or to the organizers while it has none. What it lists is read when it is sent
(`handlers.staff_messages`), so someone checked in meanwhile is not named; when everyone is
checked in by then, nothing is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox import MessageKind, plan_for_staff
from models.program import Meeting, Role
from models.registration import Registration, RegistrationStatus
from models.reminder_plan import Slot
from models.seat_schedule import start_key
from models.staff import pics_of

# How long after the start the PICs learn who has not come.
AFTER_START = timedelta(hours=1)
# A meeting given no end is taken to last this long (as `models.check_in.self_check_in_window` does).
# Whom a planned alert is for: the meeting's PICs, or the organizers standing in for a meeting without one.
PIC_SLOT = "not-checked-in-"
ORGANIZER_SLOT = "not-checked-in-organizers-"


def _seated_not_checked_in(meeting_id: int) -> Select[Registration]:
    return select(Registration).where(
        Registration.meeting_id == meeting_id,
        Registration.status == RegistrationStatus.SEATED,
        Registration.checked_in_at.is_(None),
    )


async def not_checked_in(session: AsyncSession, meeting_id: int) -> list[Registration]:
    """The meeting's seated people not checked in, by role in the program's order, then by name."""
    result = await session.scalars(
        _seated_not_checked_in(meeting_id)
        .join(Role, Role.id == Registration.role_id)
        .order_by(Role.position, Role.id, Registration.full_name, Registration.id)
    )
    return list(result)


async def plan_not_checked_in(session: AsyncSession, *, now: datetime, admin_ids: frozenset[int] = frozenset()) -> int:
    """Plan the not-checked-in alert of every meeting an hour or more under way; returns how many were planned."""
    meetings = await session.scalars(
        select(Meeting).where(
            Meeting.listed.is_(True),
            Meeting.starts_at <= now - AFTER_START,
            # Bounds the scan; a meeting's end decides below.
            Meeting.starts_at > now - timedelta(days=7),
        )
    )
    planned = 0
    for meeting in meetings:
        assert meeting.starts_at is not None
        end = meeting.assumed_end
        if end is None or now >= end:
            continue
        missing = await session.scalar(select(func.count()).select_from(_seated_not_checked_in(meeting.id).subquery()))
        if not missing:
            continue
        pics = await pics_of(session, meeting.id)
        # Organizers talk to the bot in private chats, whose id is the user's.
        recipients = [(p.telegram_user_id, p.chat_id) for p in pics] or [(a, a) for a in sorted(admin_ids)]
        prefix = PIC_SLOT if pics else ORGANIZER_SLOT
        slot = Slot(f"{prefix}{start_key(meeting)}", meeting.starts_at + AFTER_START, end)
        for user_id, chat_id in recipients:
            message = await plan_for_staff(
                session,
                user_id=user_id,
                chat_id=chat_id,
                kind=MessageKind.NOT_CHECKED_IN,
                slot=slot,
                now=now,
                subject_id=meeting.id,
            )
            planned += message is not None
    return planned


async def still_wanted(session: AsyncSession, slot: str, recipient_user_id: int, meeting_id: int) -> bool:
    """Whether a planned alert still goes to its recipient: a PIC still in office, or organizers of a meeting
    still without a PIC (once one is appointed, the PIC gets their own)."""
    pics = {pic.telegram_user_id for pic in await pics_of(session, meeting_id)}
    if slot.startswith(ORGANIZER_SLOT):
        return not pics
    return recipient_user_id in pics


async def seated_counts(session: AsyncSession, meeting_id: int) -> tuple[int, int]:
    """(seated people checked in, seated people) of a meeting."""
    row = (
        await session.execute(
            select(func.count().filter(Registration.checked_in_at.is_not(None)), func.count()).where(
                Registration.meeting_id == meeting_id, Registration.status == RegistrationStatus.SEATED
            )
        )
    ).one()
    return int(row[0]), int(row[1])
