"""The outbox: every message the bot plans to send on its own, as a row, sent at most once.

Reminders, attendance questions, seat offers and notices to people other than the one the bot is
answering are planned in the same transaction as the change that causes them, so a change is
never without its message and a message never without its change. The sender claims due rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two bot processes never claim the same row) under a
lease, sends them and records each one as sent. A process that dies after sending and before
recording leaves its claimed rows leased; they are sent again when the lease runs out. That
repeat is the only way a person gets a message twice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, Enum, ForeignKey, Index, String, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models.base import Base, changed_rows
from models.reminder_plan import Slot

# Where a session notes the earliest message it planned, so whoever commits it can wake the sender.
EARLIEST_PLANNED = "outbox_earliest_planned"
# Attempts after which a message that keeps failing (timeouts, server errors) is given up.
MAX_ATTEMPTS = 6


class MessageKind(enum.StrEnum):
    """What a planned message says."""

    REMINDER = "reminder"
    ATTENDANCE_QUESTION = "attendance"
    ATTENDANCE_NUDGE = "attendance_nudge"
    SEAT_OFFER = "seat_offer"
    OFFER_LAPSED = "offer_lapsed"
    PROMOTED = "promoted"
    SCHEDULE_CHANGED = "schedule_changed"
    # A PIC's or organizer's message, set by `announcement_id`: to every participant of a meeting.
    ANNOUNCEMENT = "announcement"
    # A PIC or organizer moved the person to another role, or took them off the roster.
    MOVED = "moved"
    REMOVED = "removed"
    # To staff (`recipient_*`, no registration): a PIC's digest of quota alerts for one meeting.
    PIC_ALERTS = "pic_alerts"
    # To staff: an organizer's daily national digest.
    NATIONAL_DIGEST = "national_digest"
    # To staff: how many participants an announcement reached, once its fan-out is done.
    ANNOUNCEMENT_REPORT = "announcement_report"
    # The meeting day. On its morning: the person's check-in code (or, online, the link and "Saya hadir").
    CHECKIN_CODE = "checkin_code"
    # After the end: the certificate of a person checked in, and the evaluation's first question.
    CERTIFICATE = "certificate"
    EVALUATION = "evaluation"
    # To staff: an hour after the start, the seated people not checked in yet.
    NOT_CHECKED_IN = "not_checked_in"


# Kinds addressed to a PIC or organizer rather than to a registration.
STAFF_KINDS = frozenset(
    {
        MessageKind.PIC_ALERTS,
        MessageKind.NATIONAL_DIGEST,
        MessageKind.ANNOUNCEMENT_REPORT,
        MessageKind.NOT_CHECKED_IN,
    }
)


class OutboxStatus(enum.StrEnum):
    """Where a planned message stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    # Fell due while the bot was down and no longer makes sense (the meeting began, a later reminder is due).
    MISSED = "missed"
    # What it was about changed: the seat was cancelled, the question answered, the meeting moved.
    OBSOLETE = "obsolete"
    # The person blocked the bot.
    UNREACHABLE = "unreachable"
    # Failed MAX_ATTEMPTS times, or refused by Telegram for good.
    FAILED = "failed"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class OutboxMessage(Base):
    """One message to one person, due at a moment in UTC.

    A participant's message is about a registration; a PIC's or organizer's (`STAFF_KINDS`) is
    addressed by Telegram user and chat instead, and `subject_id` names what it is about (a
    meeting for alerts, an announcement for its report).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Names the message for good (registration, kind, slot, meeting start), so planning twice adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    slot: Mapped[str] = mapped_column(String(40))
    # Deleted with the registration: erasing a person's data erases what was planned for them.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(BigInteger)
    recipient_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_id: Mapped[int | None]
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The error's kind and Telegram's description; never the message text.
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    registration = relationship("Registration", lazy="raise")


async def plan(
    session: AsyncSession,
    registration_id: int,
    kind: MessageKind,
    slot: Slot,
    *,
    now: datetime,
    key_suffix: str = "",
    subject_id: int | None = None,
) -> OutboxMessage | None:
    """Add the message unless the same one is planned or was sent; returns it if added (or revived)."""
    key = f"{registration_id}:{kind.value}:{slot.name}:{key_suffix}"
    return await _add(
        session,
        OutboxMessage(
            dedupe_key=key,
            kind=kind,
            slot=slot.name,
            registration_id=registration_id,
            subject_id=subject_id,
            due_at=slot.due_at,
            expires_at=slot.expires_at,
            status=OutboxStatus.PENDING,
            attempts=0,
            created_at=now,
        ),
    )


async def plan_for_staff(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    kind: MessageKind,
    slot: Slot,
    now: datetime,
    subject_id: int | None,
    key_suffix: str = "",
) -> OutboxMessage | None:
    """Add a message to a PIC or organizer unless the same one is planned or was sent."""
    if kind not in STAFF_KINDS:
        raise ValueError(f"{kind} is not addressed to staff")
    key = f"u{user_id}:{kind.value}:{subject_id}:{slot.name}:{key_suffix}"
    return await _add(
        session,
        OutboxMessage(
            dedupe_key=key,
            kind=kind,
            slot=slot.name,
            recipient_user_id=user_id,
            recipient_chat_id=chat_id,
            subject_id=subject_id,
            due_at=slot.due_at,
            expires_at=slot.expires_at,
            status=OutboxStatus.PENDING,
            attempts=0,
            created_at=now,
        ),
    )


async def _add(session: AsyncSession, row: OutboxMessage) -> OutboxMessage | None:
    # Fresh from the database: `withdraw` marks rows obsolete in bulk, behind the identity map's back.
    existing = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.dedupe_key == row.dedupe_key)
        .execution_options(populate_existing=True)
    )
    if existing is None:
        session.add(row)
        note_planned(session, row.due_at)
        return row
    if existing.status != OutboxStatus.OBSOLETE:
        # Pending, in flight or over (sent, missed, failed …): planned once means sent at most once.
        return None
    # Withdrawn and planned again (a seat moved away and back, a meeting moved and moved back): the
    # same message is wanted after all, so it is planned anew under its old key.
    existing.status, existing.attempts = OutboxStatus.PENDING, 0
    existing.due_at, existing.expires_at, existing.subject_id = row.due_at, row.expires_at, row.subject_id
    existing.lease_until = existing.sent_at = existing.last_error = None
    note_planned(session, existing.due_at)
    return existing


def note_planned(session: AsyncSession, due_at: datetime) -> None:
    """Note a message due at `due_at`, so whoever commits the session wakes the sender in time."""
    earliest = session.info.get(EARLIEST_PLANNED)
    if earliest is None or due_at < earliest:
        session.info[EARLIEST_PLANNED] = due_at


async def withdraw(session: AsyncSession, registration_id: int, kinds: set[MessageKind] | None = None) -> int:
    """Mark the registration's unsent messages (of the given kinds) obsolete; returns how many."""
    query = update(OutboxMessage).where(
        OutboxMessage.registration_id == registration_id,
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return await changed_rows(
        session, query.values(status=OutboxStatus.OBSOLETE).execution_options(synchronize_session=False)
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    # Pending and due, or claimed by a sender whose lease ran out (it died mid-send).
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.due_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.lease_until <= now),
    )


async def mark_missed(session: AsyncSession, now: datetime) -> int:
    """Record as missed the due messages that no longer make sense; returns how many."""
    return await changed_rows(
        session,
        update(OutboxMessage)
        .where(_claimable(now), OutboxMessage.expires_at.is_not(None), OutboxMessage.expires_at <= now)
        .values(status=OutboxStatus.MISSED, lease_until=None)
        .execution_options(synchronize_session=False),
    )


async def claim_due(session: AsyncSession, *, now: datetime, lease: timedelta, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages for sending, earliest first, under a lease.

    On PostgreSQL rows another process is claiming are skipped, not waited for; on SQLite the
    transaction holds the database's write lock, which serialises claims the same way.
    """
    ids = list(
        await session.scalars(
            select(OutboxMessage.id)
            .where(_claimable(now))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=OutboxStatus.SENDING, lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .options(selectinload(OutboxMessage.registration))
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def release_claims(session: AsyncSession, ids: Iterable[int]) -> list[int]:
    """Put claimed messages that were not sent back to pending, due as they were; the ids put back.

    For a sender that stops: the next one sends them at once instead of after their lease. The
    attempt the claim counted is given back, since nothing was tried.
    """
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        await session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(wanted), OutboxMessage.status == OutboxStatus.SENDING)
            .values(
                status=OutboxStatus.PENDING,
                lease_until=None,
                attempts=case((OutboxMessage.attempts > 0, OutboxMessage.attempts - 1), else_=0),
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try a message again after a send that may not have arrived; None: give up (MAX_ATTEMPTS).

    The pauses grow: 30 s, 1 min, 2 min … up to 30 min.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 30 * 60))


async def record_outcome(
    session: AsyncSession,
    message_id: int,
    status: OutboxStatus,
    *,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record what sending did: sent, given up, or back to pending to be tried again at `retry_at`."""
    values: dict[str, object] = {"status": status, "lease_until": None}
    if status == OutboxStatus.SENT:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:200]
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the next message falls due (or a lease runs out); None if nothing is waiting."""
    pending = await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    leased = await session.scalar(
        select(func.min(OutboxMessage.lease_until)).where(OutboxMessage.status == OutboxStatus.SENDING)
    )
    moments = [m for m in (pending, leased) if m is not None]
    return min(moments) if moments else None


@dataclass(frozen=True)
class Backlog:
    """The messages due now and not yet sent: how many, and when the longest-waiting one fell due."""

    due: int
    oldest_due_at: datetime | None


async def due_backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """What the sender would claim now (pending and due, or leased by a sender that died), for monitoring."""
    due, oldest = (
        await session.execute(
            select(func.count(OutboxMessage.id), func.min(OutboxMessage.due_at)).where(_claimable(now))
        )
    ).one()
    return Backlog(due, oldest)
