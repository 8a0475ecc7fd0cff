"""The committee's check-in lists: which meetings a PIC or organizer checks people in at now, and who is seated there.

The committee checks people in from the roster (walk-ins, people added by hand without Telegram)
from the morning of the meeting's day (`models.check_in.check_in_opens`) until the correction
period after its end; a meeting's projector code is shown on the meeting's day only.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.check_in import CORRECTION_PERIOD, check_in_opens
from models.program import Meeting, Role
from models.registration import Registration, RegistrationStatus
from models.staff import Authority, manageable_meetings


class StaffWindow(enum.StrEnum):
    """Where `now` stands against a meeting's staff check-in window."""

    NO_DATE = "no_date"
    TOO_EARLY = "too_early"
    OPEN = "open"
    TOO_LATE = "too_late"


def staff_window(meeting: Meeting, now: datetime) -> StaffWindow:
    """Whether the committee may check people in at the meeting now (the same rule `check_in` applies)."""
    opens = check_in_opens(meeting)
    if opens is None or meeting.starts_at is None:
        return StaffWindow.NO_DATE
    if now < opens:
        return StaffWindow.TOO_EARLY
    end = meeting.ends_at or meeting.starts_at
    return StaffWindow.OPEN if now < end + CORRECTION_PERIOD else StaffWindow.TOO_LATE


def is_meeting_day(meeting: Meeting, now: datetime) -> bool:
    """Whether `now` falls on the meeting's day (from its first to its last day), in its own zone."""
    start, end = meeting.local_start(), meeting.local_end() or meeting.local_start()
    if start is None or end is None:
        return False
    today = now.astimezone(meeting.zone).date()
    return start.date() <= today <= end.date()


async def meetings_checking_in(session: AsyncSession, who: Authority, now: datetime) -> list[Meeting]:
    """The meetings the person may check people in at now, the one nearest in time first."""
    meetings = [m for m in await manageable_meetings(session, who) if staff_window(m, now) == StaffWindow.OPEN]
    return sorted(meetings, key=lambda m: (abs((m.starts_at or now) - now), m.province.name))


async def meetings_today(session: AsyncSession, who: Authority, now: datetime) -> list[Meeting]:
    """The person's dated meetings held today, soonest first: those whose code goes on the projector."""
    meetings = [m for m in await manageable_meetings(session, who) if is_meeting_day(m, now)]
    return sorted(meetings, key=lambda m: (m.starts_at or now, m.province.name))


async def seated(session: AsyncSession, meeting_id: int) -> list[Registration]:
    """The meeting's seated people, by role in the program's order then by name: the check-in list."""
    result = await session.scalars(
        select(Registration)
        .join(Role, Role.id == Registration.role_id)
        .where(Registration.meeting_id == meeting_id, Registration.status == RegistrationStatus.SEATED)
        .order_by(Role.position, Role.id, Registration.full_name, Registration.id)
    )
    return list(result)
