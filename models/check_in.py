"""Checking people in on the meeting day: who actually came, the evidence behind every per-diem claim.

Every seated person has a personal check-in code (a random token; its QR opens the bot with
`/start hadir-<token>`), made the first time it is shown; a person waiting for a seat has none.
The committee checks a person in by scanning it, or by a tap in the roster (walk-ins, people
without Telegram); a person checks in themself by scanning the meeting's code on the projector, or
with "Saya hadir" at an online meeting, during the meeting's hours only.

The committee may check people in from the start of the meeting's day (local time) on, and after the
meeting has ended as a correction of a forgotten check-in, which issues the person's certificate
then (`models.certificates`). A check-in is recorded once: a second
scan, a double tap or two PICs scanning at once find the first one and change nothing.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import record_audit
from models.certificates import issue_for
from models.meeting_day_settings import CHECKIN_PREFIX
from models.program import Meeting, RoleQuota
from models.registration import CheckInWay, Registration, RegistrationStatus

# A person may scan the projector's code (or press "Saya hadir") from this long before the start.
SELF_CHECK_IN_EARLY = timedelta(hours=1)
# How long after the end the committee may still correct a forgotten check-in.
CORRECTION_PERIOD = timedelta(days=30)
_TOKEN_BYTES = 16


class CheckInOutcome(enum.StrEnum):
    """What an attempt to check someone in did."""

    CHECKED_IN = "checked_in"
    # Checked in earlier: nothing changed; `CheckIn.registration.checked_in_at` says when.
    ALREADY = "already"
    # Refusals: nothing changed.
    WAITING = "waiting"
    CANCELLED = "cancelled"
    NO_DATE = "no_date"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class CheckIn:
    """An attempt's outcome, the registration, and the meeting's count of people checked in after it."""

    outcome: CheckInOutcome
    registration: Registration
    checked_in: int
    seats: int

    @property
    def recorded(self) -> bool:
        """Whether the person is checked in now (just now, or before)."""
        return self.outcome in (CheckInOutcome.CHECKED_IN, CheckInOutcome.ALREADY)


def check_in_opens(meeting: Meeting) -> datetime | None:
    """When the committee may start checking people in: midnight of the meeting's day, its own zone."""
    start = meeting.local_start()
    if start is None:
        return None
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def self_check_in_window(meeting: Meeting) -> tuple[datetime, datetime] | None:
    """When a person may check in themself (projector code, "Saya hadir"): the meeting's hours."""
    if meeting.starts_at is None:
        return None
    assert meeting.assumed_end is not None
    return meeting.starts_at - SELF_CHECK_IN_EARLY, meeting.assumed_end


def in_self_check_in_window(meeting: Meeting, now: datetime) -> bool:
    window = self_check_in_window(meeting)
    return window is not None and window[0] <= now < window[1]


def has_ended(meeting: Meeting, now: datetime) -> bool:
    """Whether the meeting is over at `now` (`Meeting.has_ended`, which the evaluation below this layer uses)."""
    return meeting.has_ended(now)


async def checkin_code(session: AsyncSession, registration: Registration) -> str | None:
    """The deep-link payload of a seat's personal check-in code, made when first asked; None unless seated."""
    if registration.status != RegistrationStatus.SEATED:
        return None
    if registration.checkin_token is None:
        registration.checkin_token = secrets.token_urlsafe(_TOKEN_BYTES)
        await session.flush()
    return CHECKIN_PREFIX + registration.checkin_token


async def registration_of_code(session: AsyncSession, payload: str) -> Registration | None:
    """The registration a check-in payload names (any status), or None for a forged or unknown one."""
    if not payload.startswith(CHECKIN_PREFIX):
        return None
    token = payload[len(CHECKIN_PREFIX) :]
    if not token or len(token) > 32:
        return None
    return await session.scalar(select(Registration).where(Registration.checkin_token == token))


async def attendance_count(session: AsyncSession, meeting_id: int) -> tuple[int, int]:
    """(people checked in, seats) of a meeting: a seat removed after its check-in (a correction) no longer counts."""
    checked_in = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.checked_in_at.is_not(None),
            Registration.status == RegistrationStatus.SEATED,
        )
    )
    seats = await session.scalar(
        select(func.coalesce(func.sum(RoleQuota.seats), 0)).where(RoleQuota.meeting_id == meeting_id)
    )
    return int(checked_in or 0), int(seats or 0)


def refusal(registration: Registration, way: CheckInWay, now: datetime) -> CheckInOutcome | None:
    """Why this check-in cannot be recorded now, or None if it can (or was already)."""
    if registration.checked_in_at is not None:
        return None
    if registration.status == RegistrationStatus.CANCELLED:
        return CheckInOutcome.CANCELLED
    if registration.status != RegistrationStatus.SEATED:
        return CheckInOutcome.WAITING
    meeting = registration.meeting
    if meeting.starts_at is None:
        return CheckInOutcome.NO_DATE
    if way in (CheckInWay.PROJECTOR, CheckInWay.ONLINE):
        window = self_check_in_window(meeting)
        assert window is not None
        if now < window[0]:
            return CheckInOutcome.TOO_EARLY
        return None if now < window[1] else CheckInOutcome.TOO_LATE
    opens = check_in_opens(meeting)
    assert opens is not None
    if now < opens:
        return CheckInOutcome.TOO_EARLY
    end = meeting.ends_at or meeting.starts_at
    return CheckInOutcome.TOO_LATE if now >= end + CORRECTION_PERIOD else None


async def check_in(
    session: AsyncSession, registration_id: int, *, way: CheckInWay, by: int | None, now: datetime
) -> CheckIn | None:
    """Record that the person came; None if there is no such registration.

    `by` is the PIC's or organizer's Telegram id (None when the person checks in themself); the
    committee's check-ins are audited, those after the end as corrections. The caller has checked
    that `by` may act for the registration's meeting.
    """
    # Locked: two PICs scanning the same code at once record one check-in, not two. Read afresh under the
    # lock: a caller that looked the registration up first holds it as it was before the other committed.
    registration = await session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )
    if registration is None:
        return None
    reason = refusal(registration, way, now)
    if reason is not None:
        return CheckIn(reason, registration, *await attendance_count(session, registration.meeting_id))
    if registration.checked_in_at is not None:
        return CheckIn(CheckInOutcome.ALREADY, registration, *await attendance_count(session, registration.meeting_id))
    registration.checked_in_at = now
    registration.checked_in_by = by
    registration.checked_in_via = way
    if by is not None:
        await record_audit(
            session,
            actor_user_id=by,
            action="checked_in",
            now=now,
            meeting_id=registration.meeting_id,
            registration_id=registration.id,
            details={"via": way.value, "correction": has_ended(registration.meeting, now)},
        )
    await session.flush()
    if has_ended(registration.meeting, now):
        # A forgotten check-in corrected after the end: the certificate follows at once.
        await issue_for(session, registration, now=now)
    return CheckIn(CheckInOutcome.CHECKED_IN, registration, *await attendance_count(session, registration.meeting_id))
