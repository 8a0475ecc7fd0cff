"""Before the meeting: who will come, and seats of those who will not passed to those who will.

Seated people are asked "Hadir / Tidak hadir". "Tidak hadir" ends the registration and frees
the seat; from then on a freed seat is offered to the first person waiting for the role and
held for them (see `models.reminder_plan`). They take it, let it go, or say nothing until the
hold lapses; in the last two cases it is offered to the next person. A person whose offer
lapsed stays on the waiting list behind those never offered a seat, and may still take a seat
that is free when they come back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import FreedBy
from models.audit import record_audit
from models.outbox import MessageKind, OutboxMessage, OutboxStatus, withdraw
from models.program import RoleQuota
from models.registration import Registration, RegistrationStatus, RoleAvailability, role_availability
from models.seat_schedule import notify
from models.seats import FreedSeat, end_registration, give_seat, locked, pass_seat_on


class Outcome(enum.StrEnum):
    """What an answer did."""

    RECORDED = "recorded"
    SEAT_FREED = "seat_freed"
    SEATED = "seated"
    RELEASED = "released"
    # The offer had lapsed or the seat had gone; the person is (still) on the waiting list.
    TOO_LATE = "too_late"
    # Nothing to answer: the registration is not in a state this answer applies to.
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Answer:
    """An answer's outcome, the registration it was about and what happened to a freed seat."""

    outcome: Outcome
    registration: Registration | None
    freed_seat: FreedSeat | None = None


def _meeting_ahead(registration: Registration, now: datetime) -> bool:
    starts_at = registration.meeting.starts_at
    return starts_at is not None and now < starts_at


def holds_seat_ahead(registration: Registration, now: datetime) -> bool:
    """Seated at a meeting that has not begun: reminded, and still able to say Hadir or Tidak hadir."""
    return registration.status == RegistrationStatus.SEATED and _meeting_ahead(registration, now)


async def answer_attendance(session: AsyncSession, registration_id: int, *, will_attend: bool, now: datetime) -> Answer:
    """Record a seated person's "Hadir" or "Tidak hadir"; the latter frees their seat."""
    found = await locked(session, registration_id)
    if found is None:
        return Answer(Outcome.NOT_APPLICABLE, None)
    registration, quota = found
    if not holds_seat_ahead(registration, now):
        return Answer(Outcome.NOT_APPLICABLE, registration)
    return await _record_answer(session, registration, quota, will_attend=will_attend, now=now)


def answered_by_staff(registration: Registration) -> bool:
    """Whether a PIC answers the attendance question for this person: seated, added by hand, without Telegram."""
    return registration.participant.telegram_user_id is None and registration.status == RegistrationStatus.SEATED


async def record_attendance_for(
    session: AsyncSession,
    registration_id: int,
    *,
    meeting_id: int,
    will_attend: bool,
    actor_user_id: int,
    now: datetime,
) -> Answer:
    """A PIC's record of the answer of someone added by hand, who has no Telegram to answer with.

    It counts as the person's own answer: "Tidak hadir" frees the seat. Before the start only; audited.
    """
    found = await locked(session, registration_id)
    if found is None or found[0].meeting_id != meeting_id or not answered_by_staff(found[0]):
        return Answer(Outcome.NOT_APPLICABLE, found[0] if found else None)
    registration, quota = found
    if registration.meeting.has_started(now):
        return Answer(Outcome.TOO_LATE, registration)
    if will_attend and registration.attendance is True:
        # A double tap: recorded already, and audited once.
        return Answer(Outcome.RECORDED, registration)
    answer = await _record_answer(session, registration, quota, will_attend=will_attend, now=now)
    heir = answer.freed_seat and (answer.freed_seat.promoted or answer.freed_seat.offered)
    await record_audit(
        session,
        actor_user_id=actor_user_id,
        action="attendance_recorded",
        now=now,
        meeting_id=meeting_id,
        registration_id=registration.id,
        details={"attend": will_attend, "seat_passed_to": heir.id if heir else None},
    )
    return answer


async def _record_answer(
    session: AsyncSession, registration: Registration, quota: RoleQuota, *, will_attend: bool, now: datetime
) -> Answer:
    registration.attendance = will_attend
    registration.attendance_at = now
    await withdraw(session, registration.id, {MessageKind.ATTENDANCE_QUESTION, MessageKind.ATTENDANCE_NUDGE})
    if will_attend:
        return Answer(Outcome.RECORDED, registration)
    freed_seat = await end_registration(session, registration, quota, now=now, cause=FreedBy.ABSENT)
    return Answer(Outcome.SEAT_FREED, registration, freed_seat)


async def take_seat(session: AsyncSession, registration_id: int, *, now: datetime) -> Answer:
    """ "Ambil": take an offered seat while it is held, or a free seat after an offer lapsed."""
    found = await locked(session, registration_id)
    if found is None:
        return Answer(Outcome.NOT_APPLICABLE, None)
    registration, quota = found
    if not _meeting_ahead(registration, now):
        return Answer(Outcome.TOO_LATE, registration)
    if registration.status == RegistrationStatus.OFFERED:
        if registration.offered_until is not None and now < registration.offered_until:
            await _take(session, registration, await role_availability(session, quota.meeting_id, quota.role_id), now)
            return Answer(Outcome.SEATED, registration)
        freed_seat = await _lapse(session, registration, quota, now)
        return Answer(Outcome.TOO_LATE, registration, freed_seat)
    if registration.status == RegistrationStatus.WAITLISTED and registration.offer_lapsed_at is not None:
        fill = await role_availability(session, quota.meeting_id, quota.role_id)
        if not fill.full:
            await _take(session, registration, fill, now)
            return Answer(Outcome.SEATED, registration)
    if registration.status == RegistrationStatus.WAITLISTED:
        return Answer(Outcome.TOO_LATE, registration)
    return Answer(Outcome.NOT_APPLICABLE, registration)


async def _take(session: AsyncSession, registration: Registration, fill: RoleAvailability, now: datetime) -> None:
    was = registration.status
    # Taking a seat this close to the meeting is the answer to the attendance question.
    registration.attendance = True
    registration.attendance_at = now
    registration.offer_lapsed_at = None
    await withdraw(session, registration.id, {MessageKind.SEAT_OFFER, MessageKind.OFFER_LAPSED})
    await give_seat(session, registration, fill.plus(was, -1), now=now, ask_attendance=False)


async def release_seat(session: AsyncSession, registration_id: int, *, now: datetime) -> Answer:
    """ "Lepas": decline an offered seat; it goes to the next person and this person leaves the list."""
    found = await locked(session, registration_id)
    if found is None:
        return Answer(Outcome.NOT_APPLICABLE, None)
    registration, quota = found
    if registration.status not in (RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED):
        return Answer(Outcome.NOT_APPLICABLE, registration)
    if registration.meeting.has_started(now):
        return Answer(Outcome.TOO_LATE, registration)
    freed_seat = await end_registration(session, registration, quota, now=now, cause=FreedBy.RELEASED)
    return Answer(Outcome.RELEASED, registration, freed_seat)


async def _lapse(session: AsyncSession, registration: Registration, quota: RoleQuota, now: datetime) -> FreedSeat:
    registration.status = RegistrationStatus.WAITLISTED
    registration.offered_until = None
    registration.offer_lapsed_at = now
    await withdraw(session, registration.id, {MessageKind.SEAT_OFFER})
    await session.flush()
    if not registration.meeting.has_started(now):
        # After the start there is no seat left to hope for: the lapse is not news to anyone.
        await notify(session, registration, MessageKind.OFFER_LAPSED, now=now)
    return await pass_seat_on(session, quota, registration, now, cause=FreedBy.LAPSED)


async def lapse_expired_offers(session: AsyncSession, *, now: datetime) -> list[FreedSeat]:
    """Pass on every seat whose hold ran out; returns what happened to each."""
    expired = list(
        await session.scalars(
            select(Registration.id).where(
                Registration.status == RegistrationStatus.OFFERED, Registration.offered_until <= now
            )
        )
    )
    outcomes = []
    for registration_id in expired:
        found = await locked(session, registration_id)
        if found is None:
            continue
        registration, quota = found
        # Taken or released while this run waited for the lock.
        offered_until = registration.offered_until
        if registration.status == RegistrationStatus.OFFERED and offered_until is not None and offered_until <= now:
            outcomes.append(await _lapse(session, registration, quota, now))
    return outcomes


async def next_hold_expiry(session: AsyncSession) -> datetime | None:
    """When the next seat hold runs out."""
    return await session.scalar(
        select(Registration.offered_until)
        .where(Registration.status == RegistrationStatus.OFFERED)
        .order_by(Registration.offered_until)
        .limit(1)
    )


def reason_not_to_send(message: OutboxMessage, registration: Registration, now: datetime) -> OutboxStatus | None:
    """Why a due message should not go out after all, or None if it should.

    Checked when the message is sent, not only when planned: the seat may have been cancelled,
    the question answered or the offer taken in the meantime.
    """
    if registration.participant.chat_id is None:
        # Added by a PIC without a Telegram account: there is nobody to send it to.
        return OutboxStatus.OBSOLETE
    if registration.participant.unreachable_since is not None:
        return OutboxStatus.UNREACHABLE
    status = registration.status
    kind = message.kind
    if kind == MessageKind.REMOVED:
        # The one message about a registration that has ended.
        return None if status == RegistrationStatus.CANCELLED else OutboxStatus.OBSOLETE
    if kind in (MessageKind.REMINDER, MessageKind.ATTENDANCE_QUESTION, MessageKind.ATTENDANCE_NUDGE):
        if not holds_seat_ahead(registration, now):
            return OutboxStatus.OBSOLETE
        if kind != MessageKind.REMINDER and registration.attendance is not None:
            return OutboxStatus.OBSOLETE
    elif kind == MessageKind.SEAT_OFFER:
        if (
            status != RegistrationStatus.OFFERED
            or registration.offered_until is None
            or registration.offered_until <= now
        ):
            return OutboxStatus.OBSOLETE
    elif kind == MessageKind.PROMOTED:
        if status != RegistrationStatus.SEATED:
            return OutboxStatus.OBSOLETE
    elif kind == MessageKind.CHECKIN_CODE:
        # Only a seat has a code; someone checked in already needs it no more.
        if status != RegistrationStatus.SEATED or registration.checked_in_at is not None:
            return OutboxStatus.OBSOLETE
    elif kind == MessageKind.OFFER_LAPSED:
        if status != RegistrationStatus.WAITLISTED:
            return OutboxStatus.OBSOLETE
    elif status == RegistrationStatus.CANCELLED:
        return OutboxStatus.OBSOLETE
    return None
