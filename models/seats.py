"""Claims, cancellations and freed seats: the changes that keep every role within its quota.

A person asks for a role at a meeting. If the role has a free seat they are seated; otherwise
they join that role's waiting list, ordered by the time they asked. When a seat is freed, the
first person waiting for the same role gets it in the same transaction, so a freed seat is never
lost and never given twice: weeks ahead it is given outright; from the attendance question on
(see `models.reminder_plan`) it is offered and held for them until they take it, let it go or
the hold lapses, and a held seat counts as taken.

Claims for one role are serialised by locking its `RoleQuota` row (`SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every write transaction is `BEGIN IMMEDIATE`, see `bot.database`). Each
change counts its role once under that lock and hands the counts to the alerts it raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import FreedBy, joined_waitlist, seat_freed, seat_taken
from models.outbox import MessageKind
from models.participant import Participant
from models.program import Meeting, Role, RoleQuota
from models.registration import (
    TAKES_A_SEAT,
    WAITLIST_ORDER,
    Registration,
    RegistrationStatus,
    RoleAvailability,
    live_registration,
    role_availability,
)
from models.seat_schedule import notify, plan_of, plan_seat_messages, withdraw_seat_messages


class RegistrationError(Exception):
    """A registration the rules do not allow."""


class RegistrationClosed(RegistrationError):
    """The meeting takes no new registrations."""


class AlreadyRegistered(RegistrationError):
    """The person already holds a live registration for this meeting."""

    def __init__(self, registration_id: int | None) -> None:
        super().__init__(registration_id)
        self.registration_id = registration_id


class UnknownQuota(RegistrationError):
    """The role has no quota at this meeting."""


class MeetingStarted(RegistrationError):
    """The meeting has begun: a registration there can no longer be cancelled or moved."""


@dataclass(frozen=True)
class FreedSeat:
    """A registration that left its seat or waiting-list place, and where the seat went.

    `promoted` was given the seat outright; `offered` is holding it until they answer; neither
    when the seat stays empty or the registration held none.
    """

    registration: Registration
    promoted: Registration | None
    offered: Registration | None = None


async def lock_quota(session: AsyncSession, meeting_id: int, role_id: int) -> RoleQuota:
    """The role's quota at the meeting, locked until the transaction ends: every change to its seats starts here."""
    quota = await session.scalar(
        select(RoleQuota).where(RoleQuota.meeting_id == meeting_id, RoleQuota.role_id == role_id).with_for_update()
    )
    if quota is None:
        raise UnknownQuota(f"meeting {meeting_id} has no quota for role {role_id}")
    return quota


async def locked(session: AsyncSession, registration_id: int) -> tuple[Registration, RoleQuota] | None:
    """The registration, fresh, with its role's quota locked: the start of every change to a seat."""
    registration = await session.get(Registration, registration_id)
    if registration is None:
        return None
    quota = await lock_quota(session, registration.meeting_id, registration.role_id)
    await session.refresh(registration)
    return registration, quota


async def register(
    session: AsyncSession,
    *,
    participant: Participant,
    meeting: Meeting,
    role: Role,
    now: datetime,
) -> Registration:
    """Seat the person in the role if a seat is free, else put them on its waiting list.

    The registration keeps the details the participant holds now (those they just confirmed).
    """
    if not meeting.is_open_for_registration(now):
        raise RegistrationClosed(meeting.code)
    await lock_quota(session, meeting.id, role.id)
    existing = await live_registration(session, participant.id, meeting.id)
    if existing is not None:
        raise AlreadyRegistered(existing.id)
    fill = await role_availability(session, meeting.id, role.id)
    has_seat = not fill.full
    registration = Registration(
        participant=participant,
        meeting=meeting,
        role=role,
        status=RegistrationStatus.SEATED if has_seat else RegistrationStatus.WAITLISTED,
        queued_at=now,
        seated_at=now if has_seat else None,
    )
    registration.details = participant.details
    try:
        async with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        # A claim for another role of the same meeting won the race for this person.
        raise AlreadyRegistered(None) from None
    if has_seat:
        await plan_seat_messages(session, registration, now=now)
        fill = fill.plus(RegistrationStatus.SEATED, confirmed=registration.attendance is True)
        await seat_taken(session, registration, fill, now=now)
    else:
        await joined_waitlist(session, registration, fill.plus(RegistrationStatus.WAITLISTED), now=now)
    return registration


async def cancel(session: AsyncSession, registration_id: int, *, now: datetime) -> FreedSeat:
    """The person's own cancellation; a freed seat goes at once to the first person waiting for the role.

    Refused once the meeting has started: what happened there is on record and stays so.
    """
    found = await locked(session, registration_id)
    if found is None:
        raise RegistrationError(f"no registration {registration_id}")
    registration, quota = found
    if registration.meeting.has_started(now) and registration.status != RegistrationStatus.CANCELLED:
        raise MeetingStarted(registration.meeting.code)
    return await end_registration(session, registration, quota, now=now, cause=FreedBy.CANCELLED)


async def end_registration(
    session: AsyncSession, registration: Registration, quota: RoleQuota, *, now: datetime, cause: FreedBy
) -> FreedSeat:
    """Cancel a registration whose quota the caller has locked, and pass its seat on; `cause` is told to PICs."""
    if registration.status == RegistrationStatus.CANCELLED:
        return FreedSeat(registration, None)
    held_a_seat = registration.status in TAKES_A_SEAT
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.offered_until = None
    await withdraw_seat_messages(session, registration.id)
    await session.flush()
    if not held_a_seat:
        return FreedSeat(registration, None)
    return await pass_seat_on(session, quota, registration, now, cause=cause)


async def pass_seat_on(
    session: AsyncSession, quota: RoleQuota, freed: Registration, now: datetime, *, cause: FreedBy
) -> FreedSeat:
    """Give or offer a seat freed by `freed` to the first person waiting, if the quota (locked) allows; PICs are told why.

    Once the meeting has started a freed seat stays empty and nobody is told: the meeting is under way or over.
    """
    if freed.meeting.has_started(now):
        return FreedSeat(freed, None)
    fill = await role_availability(session, quota.meeting_id, quota.role_id)
    # Someone whose offer just lapsed is not offered the same seat again at once.
    promoted, offered, fill = await _give_or_offer(session, quota, fill, now, passed_over=freed.id)
    await seat_freed(session, freed, fill, promoted=promoted, offered=offered, cause=cause, now=now)
    return FreedSeat(freed, promoted, offered)


async def seat_waiting(session: AsyncSession, quota: RoleQuota, *, now: datetime) -> int:
    """Pass the free seats of a quota (locked) that was just raised to the people waiting; returns how many."""
    fill = await role_availability(session, quota.meeting_id, quota.role_id)
    passed = 0
    while True:
        promoted, offered, fill = await _give_or_offer(session, quota, fill, now)
        if promoted is None and offered is None:
            return passed
        passed += 1


async def _give_or_offer(
    session: AsyncSession,
    quota: RoleQuota,
    fill: RoleAvailability,
    now: datetime,
    *,
    passed_over: int | None = None,
) -> tuple[Registration | None, Registration | None, RoleAvailability]:
    """Give (weeks ahead) or offer a free seat of the quota to the first person waiting: (promoted, offered, counts after).

    Nobody gets or is offered a seat at a meeting that has started.
    """
    meeting = await session.get(Meeting, quota.meeting_id)
    if fill.full or meeting is None or meeting.has_started(now):
        return None, None, fill
    waiting = select(Registration).where(
        Registration.meeting_id == quota.meeting_id,
        Registration.role_id == quota.role_id,
        Registration.status == RegistrationStatus.WAITLISTED,
    )
    if passed_over is not None:
        waiting = waiting.where(Registration.id != passed_over)
    first_waiting = await session.scalar(waiting.order_by(*WAITLIST_ORDER).limit(1))
    if first_waiting is None:
        return None, None, fill
    rules = await plan_of(session, meeting)
    if meeting.starts_at is not None and rules.offers_seats(now, meeting.starts_at):
        hold_until = rules.hold_until(now, meeting.starts_at)
        if hold_until is None:
            return None, None, fill
        first_waiting.status = RegistrationStatus.OFFERED
        first_waiting.offered_until = hold_until
        await session.flush()
        await notify(session, first_waiting, MessageKind.SEAT_OFFER, now=now)
        return None, first_waiting, fill.plus(RegistrationStatus.WAITLISTED, -1).plus(RegistrationStatus.OFFERED)
    fill = await give_seat(
        session, first_waiting, fill.plus(RegistrationStatus.WAITLISTED, -1), now=now, ask_attendance=True
    )
    await notify(session, first_waiting, MessageKind.PROMOTED, now=now)
    return first_waiting, None, fill


async def give_seat(
    session: AsyncSession, registration: Registration, fill: RoleAvailability, *, now: datetime, ask_attendance: bool
) -> RoleAvailability:
    """Seat the person (the caller holds the quota lock), plan their reminders; `fill` counts the role without them, the result with them."""
    registration.status = RegistrationStatus.SEATED
    registration.seated_at = now
    registration.offered_until = None
    await session.flush()
    await plan_seat_messages(session, registration, now=now, ask_attendance=ask_attendance)
    fill = fill.plus(RegistrationStatus.SEATED, confirmed=registration.attendance is True)
    if not registration.meeting.has_started(now):
        # A correction of the record after the start is no news about seats filling up.
        await seat_taken(session, registration, fill, now=now)
    return fill
