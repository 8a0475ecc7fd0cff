"""Registrations: the table, the waiting list's one order and the queries that count seats.

A person holds one registration per meeting, in one role: seated, waiting, or holding a seat
offered to them. A partial unique index allows one live registration per person per meeting even
when two claims for different roles race. What changes a registration (a claim, a cancellation,
a seat passed on) lives in `models.seats`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Select, String, and_, func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.participant import Participant
from models.person_details import DETAIL_FIELDS, PersonDetails
from models.program import Meeting, Role, RoleQuota


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands."""

    SEATED = "seated"
    WAITLISTED = "waitlisted"
    # A freed seat held for this person until `offered_until`; they have not taken it yet.
    OFFERED = "offered"
    CANCELLED = "cancelled"


class CheckInWay(enum.StrEnum):
    """How a person was checked in at the meeting."""

    # A PIC or organizer scanned the person's own code.
    CODE = "code"
    # The person scanned the meeting's code on the projector.
    PROJECTOR = "projector"
    # A PIC or organizer tapped the person in the roster (walk-ins, people without Telegram).
    ROSTER = "roster"
    # The "Saya hadir" button of an online meeting.
    ONLINE = "online"


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
        # The holds running out, looked for before every outbox claim: a few among every registration ever made.
        # Not partial: the status is a bound parameter, which a partial index's condition cannot match.
        Index("ix_registration_offered", "status", "offered_until"),
        # The people checked in at the last month's meetings, read by the certificate and evaluation sweeps.
        Index(
            "ix_registration_checked_in",
            "meeting_id",
            sqlite_where=text("checked_in_at IS NOT NULL"),
            postgresql_where=text("checked_in_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
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
    # What the person gave for this registration: a later registration (or a correction of another
    # one) never changes what a meeting's roster shows.
    full_name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))
    phone_e164: Mapped[str] = mapped_column(String(20))
    # The meeting day. A seat has a personal check-in code (its QR opens t.me/<bot>?start=hadir-<token>);
    # a person waiting has none. `checked_in_by` is the staff member's Telegram id, None when the person
    # checked in themself (the projector's code, the online "Saya hadir").
    checkin_token: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    checked_in_at: Mapped[datetime | None]
    checked_in_by: Mapped[int | None] = mapped_column(BigInteger)
    checked_in_via: Mapped[CheckInWay | None] = mapped_column(
        Enum(CheckInWay, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )

    # Many-to-one and always wanted with the registration; async sessions cannot lazy-load.
    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    meeting: Mapped[Meeting] = relationship(lazy="joined", innerjoin=True)
    role: Mapped[Role] = relationship(lazy="joined", innerjoin=True)

    @property
    def details(self) -> PersonDetails:
        """The name, institution, position and phone given for this registration."""
        return PersonDetails(*(getattr(self, name) for name in DETAIL_FIELDS))

    @details.setter
    def details(self, details: PersonDetails) -> None:
        for name in DETAIL_FIELDS:
            setattr(self, name, getattr(details, name))


# The waiting list's one order, in which seats are passed on and places shown: people whose offer
# lapsed unanswered after those never offered a seat, then by the moment they asked.
WAITLIST_ORDER = (Registration.offer_lapsed_at.is_not(None), Registration.queued_at, Registration.id)


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

    # A seat operation counts its role once, under the quota's lock, and tells the alerts what its change made of it.
    def plus(self, status: RegistrationStatus, n: int = 1, *, confirmed: bool = False) -> RoleAvailability:
        """These counts with `n` more registrations (fewer if negative) in `status`, seats their people will attend if `confirmed`."""
        if status == RegistrationStatus.SEATED:
            return replace(self, seated=self.seated + n, confirmed=self.confirmed + (n if confirmed else 0))
        if status == RegistrationStatus.WAITLISTED:
            return replace(self, waitlisted=self.waitlisted + n)
        if status == RegistrationStatus.OFFERED:
            return replace(self, held=self.held + n)
        return self


TAKES_A_SEAT = (RegistrationStatus.SEATED, RegistrationStatus.OFFERED)


async def live_registration(session: AsyncSession, participant_id: int, meeting_id: int) -> Registration | None:
    """The person's seat or waiting-list place at the meeting, if any."""
    return await session.scalar(
        select(Registration).where(
            Registration.participant_id == participant_id,
            Registration.meeting_id == meeting_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    """1 for the first person waiting for the role, 2 for the next, and so on (in WAITLIST_ORDER)."""
    earlier = tuple_(Registration.queued_at, Registration.id) < tuple_(registration.queued_at, registration.id)
    never_lapsed = Registration.offer_lapsed_at.is_(None)
    # Ahead in WAITLIST_ORDER: of the same kind (lapsed or not) and earlier, or never offered a seat
    # when this person's offer lapsed.
    ahead_of_me = (
        or_(never_lapsed, earlier) if registration.offer_lapsed_at is not None else and_(never_lapsed, earlier)
    )
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.role_id == registration.role_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            ahead_of_me,
        )
    )
    return (ahead or 0) + 1


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
            func.count()
            .filter(status == RegistrationStatus.SEATED, Registration.attendance.is_(True))
            .label("confirmed"),
            func.count().filter(status == RegistrationStatus.WAITLISTED).label("waitlisted"),
            func.count().filter(status == RegistrationStatus.OFFERED).label("held"),
        )
        .where(Registration.meeting_id.in_(ids), status != RegistrationStatus.CANCELLED)
        .group_by(Registration.meeting_id, Registration.role_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            RoleQuota.meeting_id,
            Role,
            RoleQuota.seats,
            counts.c.seated,
            counts.c.confirmed,
            counts.c.waitlisted,
            counts.c.held,
        )
        .join(Role, Role.id == RoleQuota.role_id)
        .outerjoin(counts, and_(counts.c.meeting_id == RoleQuota.meeting_id, counts.c.role_id == RoleQuota.role_id))
        .where(RoleQuota.meeting_id.in_(ids))
        .order_by(RoleQuota.meeting_id, Role.position, Role.id)
    )
    result: dict[int, list[RoleAvailability]] = {meeting_id: [] for meeting_id in ids}
    for meeting_id, role, seats, seated, confirmed, waitlisted, held in rows:
        result[meeting_id].append(
            RoleAvailability(
                role=role,
                seats=seats,
                seated=seated or 0,
                waitlisted=waitlisted or 0,
                held=held or 0,
                confirmed=confirmed or 0,
            )
        )
    return result


async def availability(session: AsyncSession, meeting_id: int) -> list[RoleAvailability]:
    """How full every role of the meeting is, in the program's order."""
    return (await availabilities(session, [meeting_id]))[meeting_id]


async def role_availability(session: AsyncSession, meeting_id: int, role_id: int) -> RoleAvailability:
    """How full one role of the meeting is (the role has a quota there)."""
    return next(a for a in await availability(session, meeting_id) if a.role.id == role_id)


def _live_of_user(telegram_user_id: int) -> Select[Registration]:
    return (
        select(Registration)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Participant.telegram_user_id == telegram_user_id, Registration.status != RegistrationStatus.CANCELLED)
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


async def registration_of_user(
    session: AsyncSession, registration_id: int, telegram_user_id: int
) -> Registration | None:
    """The registration if it belongs to the person; never someone else's (a forged button)."""
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.participant.telegram_user_id != telegram_user_id:
        return None
    return registration
