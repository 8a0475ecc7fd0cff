"""What a seat brings with it: its reminders and attendance questions, planned in the outbox.

A seated person gets the program's reminders and, unless they registered after it would have
been asked, the attendance question and its second asking. Moments already past are skipped: a
person who takes a seat two days before the meeting gets no "in a week" reminder.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox import MessageKind, plan, withdraw
from models.program import Meeting, Program
from models.registration import Registration
from models.reminder_plan import ReminderPlan, Slot

SEAT_MESSAGES = {
    MessageKind.REMINDER,
    MessageKind.ATTENDANCE_QUESTION,
    MessageKind.ATTENDANCE_NUDGE,
    MessageKind.CHECKIN_CODE,
}


async def plan_of(session: AsyncSession, meeting: Meeting) -> ReminderPlan:
    """The reminder plan of the meeting's program."""
    program = await session.get(Program, meeting.program_id)
    return ReminderPlan.from_json(program.reminder_plan if program else None)


def start_key(meeting: Meeting) -> str:
    # A moved meeting gets its messages anew: they are keyed by the start they announce. In UTC, as
    # the database returns it: a meeting just set from the program file holds a local time.
    return meeting.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ") if meeting.starts_at else "tba"


async def plan_seat_messages(
    session: AsyncSession,
    registration: Registration,
    *,
    now: datetime,
    ask_attendance: bool = True,
    ask_late: bool = False,
) -> None:
    """Plan the reminders (and attendance questions, and the meeting day's check-in code) of a seat still to come.

    `ask_attendance` is False for someone who has just said they will come, such as a person
    who took an offered seat. `ask_late` asks at once when the question's moment has passed:
    a meeting moved closer must still learn who will come on the new date.
    """
    meeting = registration.meeting
    if meeting.starts_at is None or meeting.starts_at <= now:
        return
    rules = await plan_of(session, meeting)
    key = start_key(meeting)
    for slot in rules.reminder_slots(meeting.starts_at, meeting.zone):
        if slot.due_at > now:
            await plan(session, registration.id, MessageKind.REMINDER, slot, now=now, key_suffix=key)
    # The meeting day's morning: the check-in code again (online: the link and "Saya hadir").
    assert meeting.assumed_end is not None
    code = rules.checkin_code_slot(meeting.starts_at, meeting.zone, meeting.assumed_end)
    if code.due_at > now:
        await plan(session, registration.id, MessageKind.CHECKIN_CODE, code, now=now, key_suffix=key)
    if not ask_attendance or registration.attendance is not None:
        return
    question, nudge = rules.attendance_slots(meeting.starts_at, meeting.zone)
    if question.due_at <= now and not ask_late:
        # Seated after the question went out: registering this close to the day says they will come.
        registration.attendance, registration.attendance_at = True, now
        return
    if question.due_at <= now:
        # Asked at once; it lapses when the second asking is due, or at the start if that has passed too.
        question = Slot(question.name, now, nudge.due_at if nudge.due_at > now else meeting.starts_at)
    await plan(session, registration.id, MessageKind.ATTENDANCE_QUESTION, question, now=now, key_suffix=key)
    if nudge.due_at > question.due_at:
        await plan(session, registration.id, MessageKind.ATTENDANCE_NUDGE, nudge, now=now, key_suffix=key)


async def withdraw_seat_messages(session: AsyncSession, registration_id: int) -> None:
    """Drop the unsent reminders and questions of a seat that is gone or has moved."""
    await withdraw(session, registration_id, SEAT_MESSAGES)


async def notify(
    session: AsyncSession, registration: Registration, kind: MessageKind, *, now: datetime, slot: str | None = None
) -> None:
    """Plan a message to send at once, such as the news that a seat is now theirs."""
    await plan(session, registration.id, kind, Slot(slot or now.strftime("%Y%m%dT%H%M%S.%f"), now), now=now)
