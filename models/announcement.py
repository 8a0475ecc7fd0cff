"""Announcements: a PIC's or organizer's message to every participant of a meeting.

The text is kept until the fan-out is done, so every participant's outbox row (kind
`announcement`, `subject_id` = the announcement) renders the same words, and the author's report
can count how many received it.

It goes to everyone seated, offered a seat or on the waiting list (waiting people need the
practical news too), not to cancelled registrations nor to people a PIC added without Telegram.
Confirming twice plans nothing twice: the announcement row is locked and confirmed once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Select, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.free_text import clean_lines
from models.outbox import MessageKind, OutboxMessage, OutboxStatus, plan, plan_for_staff
from models.participant import Participant
from models.registration import Registration, RegistrationStatus
from models.reminder_plan import Slot
from models.staff import Authority
from models.text_length import telegram_length


class Announcement(Base):
    """One announcement, written, previewed and (once confirmed) sent to a meeting's participants."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int] = mapped_column(BigInteger)
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    # As typed by the author (plain text); escaped when rendered.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    # How many participants it was planned for when confirmed.
    recipients: Mapped[int | None]
    reported_at: Mapped[datetime | None]


# The author's words fit one Telegram message with the heading around them.
MAX_BODY_LENGTH = 3500


class AnnouncementProblem(enum.StrEnum):
    """Why an announcement was not accepted or sent; each has a text in the catalogue."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_RECIPIENTS = "no_recipients"
    # A forged or foreign id, or someone else's draft.
    NOT_YOURS = "not_yours"
    ALREADY_SENT = "already_sent"


class AnnouncementError(ValueError):
    """An announcement the rules refuse."""

    def __init__(self, problem: AnnouncementProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _recipients(meeting_id: int) -> Select[Registration]:
    # Everyone holding or waiting for a seat who can be reached on Telegram at all.
    return (
        select(Registration)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.status != RegistrationStatus.CANCELLED,
            Participant.chat_id.is_not(None),
        )
        .order_by(Registration.id)
    )


async def recipient_count(session: AsyncSession, meeting_id: int) -> int:
    """How many participants an announcement to the meeting would go to now."""
    return await session.scalar(select(func.count()).select_from(_recipients(meeting_id).subquery())) or 0


async def draft_announcement(
    session: AsyncSession, *, meeting_id: int, author_user_id: int, author_chat_id: int, body: str, now: datetime
) -> Announcement:
    """Keep the author's text (`clean_lines`) for the preview; nothing is sent until it is confirmed."""
    body = clean_lines(body)
    if not body:
        raise AnnouncementError(AnnouncementProblem.EMPTY)
    if telegram_length(body) > MAX_BODY_LENGTH:
        raise AnnouncementError(AnnouncementProblem.TOO_LONG)
    announcement = Announcement(
        meeting_id=meeting_id, author_user_id=author_user_id, author_chat_id=author_chat_id, body=body, created_at=now
    )
    session.add(announcement)
    await session.flush()
    return announcement


async def confirm_announcement(
    session: AsyncSession, announcement_id: int, who: Authority, *, now: datetime
) -> Announcement:
    """Plan the announcement for every live registration of its meeting, once; returns it."""
    announcement = await session.scalar(
        select(Announcement).where(Announcement.id == announcement_id).with_for_update()
    )
    if (
        announcement is None
        or announcement.author_user_id != who.telegram_user_id
        or not who.may_manage(announcement.meeting_id)
    ):
        raise AnnouncementError(AnnouncementProblem.NOT_YOURS)
    if announcement.confirmed_at is not None:
        raise AnnouncementError(AnnouncementProblem.ALREADY_SENT)
    registrations = list(await session.scalars(_recipients(announcement.meeting_id)))
    if not registrations:
        raise AnnouncementError(AnnouncementProblem.NO_RECIPIENTS)
    slot = Slot(f"a{announcement.id}", now)
    for registration in registrations:
        await plan(session, registration.id, MessageKind.ANNOUNCEMENT, slot, now=now, subject_id=announcement.id)
    announcement.confirmed_at = now
    announcement.recipients = len(registrations)
    await session.flush()
    return announcement


async def discard_announcement(session: AsyncSession, announcement_id: int, who: Authority) -> None:
    """Forget a draft its author decided not to send."""
    announcement = await session.scalar(
        select(Announcement).where(Announcement.id == announcement_id).with_for_update()
    )
    if announcement is None or announcement.author_user_id != who.telegram_user_id:
        raise AnnouncementError(AnnouncementProblem.NOT_YOURS)
    if announcement.confirmed_at is not None:
        raise AnnouncementError(AnnouncementProblem.ALREADY_SENT)
    await session.delete(announcement)
    await session.flush()


@dataclass(frozen=True)
class Delivery:
    """How an announcement's fan-out ended."""

    recipients: int
    received: int
    blocked: int

    @property
    def failed(self) -> int:
        return self.recipients - self.received - self.blocked


async def delivery_of(session: AsyncSession, announcement: Announcement) -> Delivery:
    """Count the announcement's messages by how they ended."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT, OutboxMessage.subject_id == announcement.id)
        .group_by(OutboxMessage.status)
    )
    counts = {status: n for status, n in rows}
    return Delivery(
        recipients=announcement.recipients or 0,
        received=counts.get(OutboxStatus.SENT, 0),
        blocked=counts.get(OutboxStatus.UNREACHABLE, 0),
    )


async def report_finished(session: AsyncSession, *, now: datetime) -> int:
    """Plan the author's report of every confirmed announcement whose fan-out is over; returns how many."""
    in_flight = select(OutboxMessage.id).where(
        OutboxMessage.kind == MessageKind.ANNOUNCEMENT,
        OutboxMessage.subject_id == Announcement.id,
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
    )
    finished = list(
        await session.scalars(
            select(Announcement)
            .where(Announcement.confirmed_at.is_not(None), Announcement.reported_at.is_(None), ~in_flight.exists())
            .with_for_update(skip_locked=True)
        )
    )
    for announcement in finished:
        announcement.reported_at = now
        await plan_for_staff(
            session,
            user_id=announcement.author_user_id,
            chat_id=announcement.author_chat_id,
            kind=MessageKind.ANNOUNCEMENT_REPORT,
            slot=Slot("report", now),
            now=now,
            subject_id=announcement.id,
        )
    return len(finished)
