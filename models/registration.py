"""Registrations and the rules that keep every role within its quota.

A person asks for a role at a meeting. If the role has a free seat they are seated; otherwise
they join that role's waiting list, ordered by the time they asked. When a seat is freed, the
first person waiting for the same role gets it in the same transaction, so a freed seat is never
lost and never given twice: weeks ahead it is given outright; from the attendance question on
(see `models.reminder_plan`) it is offered and held for them until they take it, let it go or
the hold lapses, and a held seat counts as taken.

Claims for one role are serialised by locking its `RoleQuota` row (`SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every write transaction is `BEGIN IMMEDIATE`, see `bot.database`), and a
partial unique index allows one live registration per person per meeting even when two claims
for different roles race.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Select, and_, func, or_, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import alerts
from models.base import Base
from models.outbox import MessageKind
from models.participant import Participant
from models.program import Meeting, Role, RoleQuota
from models.seat_schedule import notify, plan_of, plan_seat_messages, withdraw_seat_messages


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands."""

    SEATED = "seated"
    WAITLISTED = "waitlisted"
    # A freed seat held for this person until `offered_until`; they have not taken it yet.
    OFFERED = "offered"
    CANCELLED = "cancelled"


class Registration(Base):
    """One person's registration for one meeting in one role."""

    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "uq_registration_live_per_meeting",
            "participant_id",
            "meeting_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_queue", "meeting_id", "role_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e])
    )
    # Orders the waiting list: the moment the person asked for the role.
    queued_at: Mapped[datetime]
    seated_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # The answer to "will you attend?": True (Hadir), False (Tidak hadir) or None (no answer yet).
    attendance: Mapped[bool | None]
    attendance_at: Mapped[datetime | None]
    offered_until: Mapped[datetime | None]
    # Set when an offer lapsed unanswered: such people come after those never offered a seat.
    offer_lapsed_at: Mapped[datetime | None]

    # Many-to-one and always wanted with the registration; async sessions cannot lazy-load.
    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    meeting: Mapped[Meeting] = relationship(lazy="joined", innerjoin=True)
    role: Mapped[Role] = relationship(lazy="joined", innerjoin=True)


# The waiting list's one order, in which seats are passed on and places shown: people whose offer
# lapsed unanswered after those never offered a seat, then by the moment they asked.
WAITLIST_ORDER = (Registration.offer_lapsed_at.is_not(None), Registration.queued_at, Registration.id)


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


@dataclass(frozen=True)
class RoleAvailability:
    """How full one role is at one meeting."""

    role: Role
    seats: int
    seated: int
    waitlisted: int
    # Seats offered to someone from the waiting list and held for them.
    held: int = 0
    # Seated people who said they will attend.
    confirmed: int = 0

    @property
    def taken(self) -> int:
        """Seats nobody else can have: seated or held for someone."""
        return self.seated + self.held

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


@dataclass(frozen=True)
class Cancellation:
    """What a cancellation did: the registration it ended and who got the freed seat, if anyone.

    `promoted` was given the seat outright; `offered` is holding it until they answer.
    """

    registration: Registration
    promoted: Registration | None
    offered: Registration | None = None


async def _lock_quota(session: AsyncSession, meeting_id: int, role_id: int) -> RoleQuota:
    quota = await session.scalar(
        select(RoleQuota)
        .where(RoleQuota.meeting_id == meeting_id, RoleQuota.role_id == role_id)
        .with_for_update()
    )
    if quota is None:
        raise UnknownQuota(f"meeting {meeting_id} has no quota for role {role_id}")
    return quota


TAKES_A_SEAT = (RegistrationStatus.SEATED, RegistrationStatus.OFFERED)


async def taken_count(session: AsyncSession, meeting_id: int, role_id: int) -> int:
    return await session.scalar(
        select(func.count()).where(
            Registration.meeting_id == meeting_id,
            Registration.role_id == role_id,
            Registration.status.in_(TAKES_A_SEAT),
        )
    ) or 0


async def live_registration(
    session: AsyncSession, participant_id: int, meeting_id: int
) -> Registration | None:
    """The person's seat or waiting-list place at the meeting, if any."""
    return await session.scalar(
        select(Registration).where(
            Registration.participant_id == participant_id,
            Registration.meeting_id == meeting_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


async def register(
    session: AsyncSession,
    *,
    participant: Participant,
    meeting: Meeting,
    role: Role,
    now: datetime,
) -> Registration:
    """Seat the person in the role if a seat is free, else put them on its waiting list."""
    if not meeting.is_open_for_registration(now):
        raise RegistrationClosed(meeting.code)
    quota = await _lock_quota(session, meeting.id, role.id)
    existing = await live_registration(session, participant.id, meeting.id)
    if existing is not None:
        raise AlreadyRegistered(existing.id)
    taken = await taken_count(session, meeting.id, role.id)
    has_seat = taken < quota.seats
    registration = Registration(
        participant=participant,
        meeting=meeting,
        role=role,
        status=RegistrationStatus.SEATED if has_seat else RegistrationStatus.WAITLISTED,
        queued_at=now,
        seated_at=now if has_seat else None,
    )
    try:
        async with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        # A claim for another role of the same meeting won the race for this person.
        raise AlreadyRegistered(None) from None
    if has_seat:
        await plan_seat_messages(session, registration, now=now)
        await alerts.seat_taken(session, registration, now=now)
    else:
        await alerts.joined_waitlist(session, registration, now=now)
    return registration


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    """1 for the first person waiting for the role, 2 for the next, and so on (in WAITLIST_ORDER)."""
    earlier = tuple_(Registration.queued_at, Registration.id) < tuple_(registration.queued_at, registration.id)
    never_lapsed = Registration.offer_lapsed_at.is_(None)
    # Ahead in WAITLIST_ORDER: of the same kind (lapsed or not) and earlier, or never offered a seat
    # when this person's offer lapsed.
    ahead_of_me = or_(never_lapsed, earlier) if registration.offer_lapsed_at is not None else and_(never_lapsed, earlier)
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.role_id == registration.role_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            ahead_of_me,
        )
    )
    return (ahead or 0) + 1


async def locked(session: AsyncSession, registration_id: int) -> tuple[Registration, RoleQuota] | None:
    """The registration, fresh, with its role's quota locked: the start of every change to a seat."""
    registration = await session.get(Registration, registration_id)
    if registration is None:
        return None
    quota = await _lock_quota(session, registration.meeting_id, registration.role_id)
    await session.refresh(registration)
    return registration, quota


async def cancel(session: AsyncSession, registration_id: int, *, now: datetime) -> Cancellation:
    """End a registration; a freed seat goes at once to the first person waiting for the role."""
    found = await locked(session, registration_id)
    if found is None:
        raise RegistrationError(f"no registration {registration_id}")
    registration, quota = found
    return await end_registration(session, registration, quota, now=now, cause=alerts.FreedBy.CANCELLED)


async def end_registration(session: AsyncSession, registration: Registration, quota: RoleQuota, *,
                           now: datetime, cause: alerts.FreedBy) -> Cancellation:
    """Cancel a registration whose quota the caller has locked, and pass its seat on; `cause` is told to PICs."""
    if registration.status == RegistrationStatus.CANCELLED:
        return Cancellation(registration, None)
    held_a_seat = registration.status in TAKES_A_SEAT
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.offered_until = None
    await withdraw_seat_messages(session, registration.id)
    await session.flush()
    if not held_a_seat:
        return Cancellation(registration, None)
    return await pass_seat_on(session, quota, registration, now, cause=cause)


async def pass_seat_on(session: AsyncSession, quota: RoleQuota, freed: Registration, now: datetime, *,
                       cause: alerts.FreedBy) -> Cancellation:
    """Give or offer a seat freed by `freed` to the first person waiting, if the quota (locked) allows; PICs are told why."""
    # Someone whose offer just lapsed is not offered the same seat again at once.
    promoted, offered = await _give_or_offer(session, quota, now, passed_over=freed.id)
    outcome = Cancellation(freed, promoted, offered)
    await alerts.seat_freed(session, freed, outcome, cause=cause, now=now)
    return outcome


async def seat_waiting(session: AsyncSession, quota: RoleQuota, *, now: datetime) -> int:
    """Pass the free seats of a quota (locked) that was just raised to the people waiting; returns how many."""
    passed = 0
    while any(await _give_or_offer(session, quota, now)):
        passed += 1
    return passed


async def _give_or_offer(session: AsyncSession, quota: RoleQuota, now: datetime, *, passed_over: int | None = None,
                         ) -> tuple[Registration | None, Registration | None]:
    """Give (weeks ahead) or offer a free seat of the quota to the first person waiting: (promoted, offered)."""
    if await taken_count(session, quota.meeting_id, quota.role_id) >= quota.seats:
        return None, None
    waiting = select(Registration).where(
        Registration.meeting_id == quota.meeting_id,
        Registration.role_id == quota.role_id,
        Registration.status == RegistrationStatus.WAITLISTED,
    )
    if passed_over is not None:
        waiting = waiting.where(Registration.id != passed_over)
    first_waiting = await session.scalar(waiting.order_by(*WAITLIST_ORDER).limit(1))
    if first_waiting is None:
        return None, None
    meeting = first_waiting.meeting
    rules = await plan_of(session, meeting)
    if rules.offers_seats(now, meeting.starts_at):
        hold_until = rules.hold_until(now, meeting.starts_at)  # type: ignore[arg-type]
        if hold_until is None:
            return None, None
        first_waiting.status = RegistrationStatus.OFFERED
        first_waiting.offered_until = hold_until
        await session.flush()
        await notify(session, first_waiting, MessageKind.SEAT_OFFER, now=now)
        return None, first_waiting
    await give_seat(session, first_waiting, now=now, ask_attendance=True)
    await notify(session, first_waiting, MessageKind.PROMOTED, now=now)
    return first_waiting, None


async def give_seat(session: AsyncSession, registration: Registration, *, now: datetime, ask_attendance: bool) -> None:
    """Seat the person (the caller holds the quota lock) and plan their reminders."""
    registration.status = RegistrationStatus.SEATED
    registration.seated_at = now
    registration.offered_until = None
    await session.flush()
    await plan_seat_messages(session, registration, now=now, ask_attendance=ask_attendance)
    await alerts.seat_taken(session, registration, now=now)


async def availabilities(session: AsyncSession, meeting_ids: Iterable[int]) -> dict[int, list[RoleAvailability]]:
    """Per meeting: seats, seated, confirmed, waiting and held people of every role, in the program's order.

    One query whatever the number of meetings: recaps, alerts and the roster all count with it.
    """
    ids = list(meeting_ids)
    status = Registration.status
    counts = (
        select(
            Registration.meeting_id,
            Registration.role_id,
            func.count().filter(status == RegistrationStatus.SEATED).label("seated"),
            func.count().filter(status == RegistrationStatus.SEATED, Registration.attendance.is_(True))
            .label("confirmed"),
            func.count().filter(status == RegistrationStatus.WAITLISTED).label("waitlisted"),
            func.count().filter(status == RegistrationStatus.OFFERED).label("held"),
        )
        .where(Registration.meeting_id.in_(ids), status != RegistrationStatus.CANCELLED)
        .group_by(Registration.meeting_id, Registration.role_id)
        .subquery()
    )
    rows = await session.execute(
        select(RoleQuota.meeting_id, Role, RoleQuota.seats, counts.c.seated, counts.c.confirmed,
               counts.c.waitlisted, counts.c.held)
        .join(Role, Role.id == RoleQuota.role_id)
        .outerjoin(counts, and_(counts.c.meeting_id == RoleQuota.meeting_id, counts.c.role_id == RoleQuota.role_id))
        .where(RoleQuota.meeting_id.in_(ids))
        .order_by(RoleQuota.meeting_id, Role.position, Role.id)
    )
    result: dict[int, list[RoleAvailability]] = {meeting_id: [] for meeting_id in ids}
    for meeting_id, role, seats, seated, confirmed, waitlisted, held in rows:
        result[meeting_id].append(RoleAvailability(role=role, seats=seats, seated=seated or 0,
                                                   waitlisted=waitlisted or 0, held=held or 0,
                                                   confirmed=confirmed or 0))
    return result


async def availability(session: AsyncSession, meeting_id: int) -> list[RoleAvailability]:
    """How full every role of the meeting is, in the program's order."""
    return (await availabilities(session, [meeting_id]))[meeting_id]


async def role_availability(session: AsyncSession, meeting_id: int, role_id: int) -> RoleAvailability:
    """How full one role of the meeting is (the role has a quota there)."""
    return next(a for a in await availability(session, meeting_id) if a.role.id == role_id)


def _live_of_user(telegram_user_id: int) -> Select[tuple[Registration]]:
    return (
        select(Registration)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Participant.telegram_user_id == telegram_user_id,
               Registration.status != RegistrationStatus.CANCELLED)
    )


async def registrations_of(session: AsyncSession, telegram_user_id: int) -> list[Registration]:
    """The person's live registrations, soonest meeting first; none if they never registered."""
    result = await session.scalars(
        _live_of_user(telegram_user_id)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .order_by(Meeting.starts_at.is_(None), Meeting.starts_at, Registration.id)
    )
    return list(result)


async def registration_at(session: AsyncSession, telegram_user_id: int, meeting_id: int) -> Registration | None:
    """The person's seat or waiting-list place at the meeting, if any."""
    return await session.scalar(_live_of_user(telegram_user_id).where(Registration.meeting_id == meeting_id))


async def registration_of_user(session: AsyncSession, registration_id: int, telegram_user_id: int) -> Registration | None:
    """The registration if it belongs to the person; never someone else's (a forged button)."""
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.participant.telegram_user_id != telegram_user_id:
        return None
    return registration
