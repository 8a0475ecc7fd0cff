"""A meeting whose date or venue changed: everyone registered is told, and seat messages move.

Meetings "to be announced" get their reminders planned when the program file sets their date;
a moved meeting gets its reminders and attendance question anew for the new date, and an answer
given for the old date no longer counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox import MessageKind
from models.program import Meeting
from models.registration import Registration, RegistrationStatus
from models.seat_schedule import notify, plan_seat_messages, start_key, withdraw_seat_messages


async def meeting_changed(
    session: AsyncSession, meeting: Meeting, *, previous_start: datetime | None, now: datetime
) -> int:
    """Tell the meeting's people about a new date or venue and re-plan seats; returns how many were told."""
    if meeting.starts_at is not None and meeting.starts_at <= now:
        return 0
    moved = meeting.starts_at != previous_start
    registrations = list(
        await session.scalars(
            select(Registration).where(
                Registration.meeting_id == meeting.id, Registration.status != RegistrationStatus.CANCELLED
            )
        )
    )
    for registration in registrations:
        if moved and registration.status == RegistrationStatus.SEATED:
            await withdraw_seat_messages(session, registration.id)
            registration.attendance = None
            registration.attendance_at = None
            await plan_seat_messages(session, registration, now=now, ask_late=True)
        await notify(
            session,
            registration,
            MessageKind.SCHEDULE_CHANGED,
            now=now,
            slot=f"{start_key(meeting)}-{now:%Y%m%dT%H%M%S}",
        )
    return len(registrations)
