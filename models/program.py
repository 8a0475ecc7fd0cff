"""A meeting program: its roles, its meetings and the seats each role has at each meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ColumnElement, ForeignKey, String, UniqueConstraint, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.meeting_day_settings import CertificateSettings, Committee, EvaluationForm, MeetingDay
from models.provinces import PROVINCES, Province

# A meeting the program file gives no end (and no default end_time) is taken to last a working day.
ASSUMED_LENGTH = timedelta(hours=8)
# A program stays in the organizers' current picture this long after its last meeting ended.
CURRENT_AFTER_END = timedelta(days=30)


class Program(Base):
    """A program of meetings held under one name, such as the 2023 provincial SHM round."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The program's reminder plan (`models.reminder_plan.ReminderPlan.to_json`); None means the defaults.
    reminder_plan: Mapped[dict | None] = mapped_column(JSON)
    # The program's alert rules (`models.alert_rules.AlertRules.to_json`); None means the defaults.
    alert_rules: Mapped[dict | None] = mapped_column(JSON)
    # The meeting day's settings (`models.meeting_day_settings`); None means the defaults (no evaluation).
    committee: Mapped[dict | None] = mapped_column(JSON)
    certificate: Mapped[dict | None] = mapped_column(JSON)
    evaluation: Mapped[dict | None] = mapped_column(JSON)

    # Async sessions cannot lazy-load: every relationship here raises unless loaded explicitly.
    roles: Mapped[list[Role]] = relationship(
        back_populates="program", order_by="Role.position", cascade="all, delete-orphan", lazy="raise"
    )
    meetings: Mapped[list[Meeting]] = relationship(back_populates="program", cascade="all, delete-orphan", lazy="raise")

    @property
    def meeting_day(self) -> MeetingDay:
        """Who signs the attendance list, what the certificate says, what the evaluation asks."""
        return MeetingDay(
            Committee.from_json(self.committee),
            CertificateSettings.from_json(self.certificate),
            EvaluationForm.from_json(self.evaluation),
        )


class Role(Base):
    """A kind of participant a meeting wants, with the number of seats it usually has."""

    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    seats: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    program: Mapped[Program] = relationship(back_populates="roles", lazy="raise")


def assumed_end(starts_at: datetime | None, ends_at: datetime | None) -> datetime | None:
    """A meeting's end as given, else ASSUMED_LENGTH after its start; None for a meeting without a date."""
    if ends_at is not None:
        return ends_at
    return None if starts_at is None else starts_at + ASSUMED_LENGTH


def ended_by(now: datetime) -> ColumnElement[bool]:
    """In SQL: the meeting is over at `now`, as `Meeting.has_ended` says (no interval arithmetic, for SQLite)."""
    return or_(
        Meeting.ends_at <= now,
        and_(Meeting.ends_at.is_(None), Meeting.starts_at <= now - ASSUMED_LENGTH),
    )


def ends_after(moment: datetime) -> ColumnElement[bool]:
    """In SQL: the meeting (dated) ends after `moment`, by `assumed_end`: with `ended_by`, a window of ends."""
    return or_(
        Meeting.ends_at > moment,
        and_(Meeting.ends_at.is_(None), Meeting.starts_at > moment - ASSUMED_LENGTH),
    )


async def meetings_ending_after(session: AsyncSession, moment: datetime) -> list[int]:
    """The dated meetings that end after `moment` (`ends_after`), by id: read first, so that a query over
    their registrations starts from these few meetings (an index) and not from every registration ever made."""
    return list(await session.scalars(select(Meeting.id).where(ends_after(moment))))


class Meeting(Base):
    """One provincial meeting: where and when it is held and when people may register.

    Times are stored in UTC and shown in the province's own zone. A meeting whose date is not
    announced yet ("jadwal menyusul") has no start; it is open for registration all the same.
    A meeting dropped from the program file is kept, unlisted, so its registrations survive.
    """

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    province_code: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str | None] = mapped_column(String(200))
    wave: Mapped[int | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    listed: Mapped[bool] = mapped_column(default=True)
    # An online meeting's link (a video call), instead of or besides the venue.
    online_url: Mapped[str | None] = mapped_column(String(500))
    # The secret the projector's rotating check-in code is derived from; made when first shown.
    checkin_key: Mapped[str | None] = mapped_column(String(64))

    program: Mapped[Program] = relationship(back_populates="meetings", lazy="raise")
    quotas: Mapped[list[RoleQuota]] = relationship(back_populates="meeting", cascade="all, delete-orphan", lazy="raise")

    @property
    def province(self) -> Province:
        return PROVINCES[self.province_code]

    @property
    def zone(self) -> ZoneInfo:
        return self.province.zone

    @property
    def date_announced(self) -> bool:
        return self.starts_at is not None

    def local_start(self) -> datetime | None:
        """The start in the meeting's own zone, as the invitation states it."""
        return self.starts_at.astimezone(self.zone) if self.starts_at else None

    def local_end(self) -> datetime | None:
        """The end in the meeting's own zone."""
        return self.ends_at.astimezone(self.zone) if self.ends_at else None

    def has_started(self, now: datetime) -> bool:
        """Whether the meeting has begun at `now`: from then on its seats no longer change hands."""
        return self.starts_at is not None and now >= self.starts_at

    @property
    def assumed_end(self) -> datetime | None:
        """When the meeting is over: its end, or ASSUMED_LENGTH after its start for a meeting given no end."""
        return assumed_end(self.starts_at, self.ends_at)

    def has_ended(self, now: datetime) -> bool:
        """Whether the meeting is over at `now` (`assumed_end`): check-in closes, certificates and the evaluation follow."""
        end = self.assumed_end
        return end is not None and now >= end

    def is_open_for_registration(self, now: datetime) -> bool:
        """Whether a newcomer may register at `now`.

        Registration closes at the explicit closing time, and at the latest when the meeting starts
        (a seat is never given at a meeting under way); a meeting with no date yet stays open until
        one is set.
        """
        if not self.listed or self.has_started(now):
            return False
        if self.registration_opens_at is not None and now < self.registration_opens_at:
            return False
        closes_at = self.registration_closes_at or self.starts_at
        return closes_at is None or now < closes_at


class RoleQuota(Base):
    """The seats one role has at one meeting.

    Every provincial meeting has 30 seats split into fixed role quotas (18 Stakeholder Provinsi,
    5 Tim Sinergi, 2 Fasilitator Daerah and single seats for each role model). A quota is never
    overbooked: claims for a role are serialised on this row (see `models.seats`), and a
    person who finds the role full is put on that role's waiting list instead. If the program
    file lowers a quota below the people already seated, nobody loses a seat; the role simply
    takes nobody new until it is back under its quota.
    """

    __tablename__ = "role_quota"
    __table_args__ = (UniqueConstraint("meeting_id", "role_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    seats: Mapped[int]

    meeting: Mapped[Meeting] = relationship(back_populates="quotas", lazy="raise")
    role: Mapped[Role] = relationship(lazy="raise")


async def open_meetings(session: AsyncSession, now: datetime) -> list[Meeting]:
    """Meetings a newcomer may register for: dated ones soonest first, then those to be announced."""
    meetings = await session.scalars(
        select(Meeting)
        .where(Meeting.listed.is_(True))
        .order_by(Meeting.starts_at.is_(None), Meeting.starts_at, Meeting.province_code)
    )
    open_ = [m for m in meetings if m.is_open_for_registration(now)]
    # Undated meetings read best in province order; their codes sort like Kemendagri's list.
    return sorted(open_, key=lambda m: (m.starts_at is None, m.starts_at or now, m.province.name))


async def listed_meetings(session: AsyncSession) -> list[Meeting]:
    """The program's listed meetings in province order, as the organizers' lists show them."""
    meetings = await session.scalars(select(Meeting).where(Meeting.listed.is_(True)))
    return sorted(meetings, key=lambda m: (m.province.name, m.code))


async def meeting_by_code(session: AsyncSession, code: str) -> Meeting | None:
    """A listed meeting by its code (the deep-link payload)."""
    return await session.scalar(select(Meeting).where(Meeting.code == code, Meeting.listed.is_(True)))


async def quota_for(session: AsyncSession, meeting_id: int, role_id: int) -> RoleQuota | None:
    """The role's quota at the meeting, if the role belongs to it."""
    return await session.scalar(
        select(RoleQuota).where(RoleQuota.meeting_id == meeting_id, RoleQuota.role_id == role_id)
    )


async def program_name_for(session: AsyncSession, meeting_id: int | None) -> str | None:
    """The name of the meeting's program; without a meeting, of the first program loaded."""
    query = select(Program.name).order_by(Program.id).limit(1)
    if meeting_id is not None:
        query = query.join(Meeting).where(Meeting.id == meeting_id)
    return await session.scalar(query)


def program_is_current(meetings: Iterable[Meeting], now: datetime) -> bool:
    """Whether a program is current at `now`: a meeting not ended yet (or undated), or one ended within 30 days."""
    for meeting in meetings:
        end = meeting.assumed_end
        if end is None or now < end + CURRENT_AFTER_END:
            return True
    return False


async def program_by_code(session: AsyncSession, code: str) -> Program | None:
    """A program by its code as the program file names it, regardless of case."""
    return await session.scalar(select(Program).where(func.lower(Program.code) == code.strip().lower()))
