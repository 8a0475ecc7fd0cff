"""Registrations and the rules that keep every role within its quota.

A person asks for a role at a meeting. If the role has a free seat they are seated; otherwise
they join that role's waiting list, ordered by the time they asked. When a seated person
cancels, the first person waiting for the same role takes the seat in the same transaction,
so a freed seat is never lost and never given twice.

Claims for one role are serialised by locking its `RoleQuota` row (`SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every write transaction is `BEGIN IMMEDIATE`, see `bot.database`), and a
partial unique index allows one live registration per person per meeting even when two claims
for different roles race.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Select, and_, func, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.participant import Participant
from models.program import Meeting, Role, RoleQuota


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands."""

    SEATED = "seated"
    WAITLISTED = "waitlisted"
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

    # Many-to-one and always wanted with the registration; async sessions cannot lazy-load.
    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    meeting: Mapped[Meeting] = relationship(lazy="joined", innerjoin=True)
    role: Mapped[Role] = relationship(lazy="joined", innerjoin=True)


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

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.seated, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


@dataclass(frozen=True)
class Cancellation:
    """What a cancellation did: the registration it ended and whoever took the freed seat."""

    registration: Registration
    promoted: Registration | None


async def _lock_quota(session: AsyncSession, meeting_id: int, role_id: int) -> RoleQuota:
    quota = await session.scalar(
        select(RoleQuota)
        .where(RoleQuota.meeting_id == meeting_id, RoleQuota.role_id == role_id)
        .with_for_update()
    )
    if quota is None:
        raise UnknownQuota(f"meeting {meeting_id} has no quota for role {role_id}")
    return quota


async def _seated_count(session: AsyncSession, meeting_id: int, role_id: int) -> int:
    return await session.scalar(
        select(func.count()).where(
            Registration.meeting_id == meeting_id,
            Registration.role_id == role_id,
            Registration.status == RegistrationStatus.SEATED,
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
    seated = await _seated_count(session, meeting.id, role.id)
    has_seat = seated < quota.seats
    registration = Registration(
        participant_id=participant.id,
        meeting_id=meeting.id,
        role_id=role.id,
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
    return registration


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    """1 for the first person waiting for the role, 2 for the next, and so on."""
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.role_id == registration.role_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            tuple_(Registration.queued_at, Registration.id)
            < tuple_(registration.queued_at, registration.id),
        )
    )
    return (ahead or 0) + 1


async def cancel(session: AsyncSession, registration_id: int, *, now: datetime) -> Cancellation:
    """End a registration; a freed seat goes at once to the first person waiting for the role."""
    registration = await session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationError(f"no registration {registration_id}")
    quota = await _lock_quota(session, registration.meeting_id, registration.role_id)
    await session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return Cancellation(registration, None)
    was_seated = registration.status == RegistrationStatus.SEATED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    await session.flush()
    promoted = await _fill_freed_seat(session, quota, registration, now) if was_seated else None
    return Cancellation(registration, promoted)


async def _fill_freed_seat(
    session: AsyncSession, quota: RoleQuota, freed: Registration, now: datetime
) -> Registration | None:
    """Seat the first person waiting for the role, if the quota (locked by the caller) allows."""
    if await _seated_count(session, freed.meeting_id, freed.role_id) >= quota.seats:
        return None
    first_waiting = await session.scalar(
        select(Registration)
        .where(
            Registration.meeting_id == freed.meeting_id,
            Registration.role_id == freed.role_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )
    if first_waiting is None:
        return None
    first_waiting.status = RegistrationStatus.SEATED
    first_waiting.seated_at = now
    await session.flush()
    return first_waiting


async def availability(session: AsyncSession, meeting_id: int) -> list[RoleAvailability]:
    """Seats, seated and waiting people of every role at the meeting, in the program's order."""
    counts = (
        select(
            Registration.role_id,
            func.count().filter(Registration.status == RegistrationStatus.SEATED).label("seated"),
            func.count()
            .filter(Registration.status == RegistrationStatus.WAITLISTED)
            .label("waitlisted"),
        )
        .where(Registration.meeting_id == meeting_id)
        .group_by(Registration.role_id)
        .subquery()
    )
    rows = await session.execute(
        select(Role, RoleQuota.seats, counts.c.seated, counts.c.waitlisted)
        .join(RoleQuota, and_(RoleQuota.role_id == Role.id, RoleQuota.meeting_id == meeting_id))
        .outerjoin(counts, counts.c.role_id == Role.id)
        .order_by(Role.position, Role.id)
    )
    return [
        RoleAvailability(role=role, seats=seats, seated=seated or 0, waitlisted=waitlisted or 0)
        for role, seats, seated, waitlisted in rows
    ]


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
