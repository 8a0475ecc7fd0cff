"""E-sertifikat: the certificate each person checked in at a meeting receives once it has ended.

A certificate is issued once per registration, with a number unique across the bot
("<PROGRAM>-<MEETING>-0001", the meeting's own sequence) and a random verification token; its QR
opens t.me/<bot>?start=sert-<token>, and whoever opens it is told whether the certificate is
genuine and for whom (name and meeting only). Erasing a person's data erases their certificate with
the registration, and its verification then finds nothing.

When a meeting has ended, `issue_due` (run by the outbox sender before each claim) issues a
certificate to everyone checked in there and plans its message (MessageKind.CERTIFICATE, once, in
waking hours); a check-in the committee corrects after the end issues it at once
(`models.check_in.check_in` calls `issue_for`). A program with `certificate_after_evaluation` (and an
evaluation) issues it only once the person has finished the evaluation; whoever records that calls
`issue_for` too, and the sweep picks up any left.

The sweep looks only at meetings ended within SWEEP_PERIOD and at evaluations finished within it
(a late answer still brings its certificate): a meeting that ended while the bot was down still
gets its certificates, and the cost of each pass follows the last month, not every meeting ever held.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.evaluation import ASK_PERIOD, EvaluationProgress
from models.meeting_day_settings import CERTIFICATE_PREFIX
from models.outbox import MessageKind, plan
from models.program import Meeting, Program, assumed_end, ended_by, meetings_ending_after
from models.registration import Registration, RegistrationStatus
from models.reminder_plan import ReminderPlan, Slot

_TOKEN_BYTES = 16
_NUMBER_LENGTH = 64
CERTIFICATE_SLOT = "after_end"
# Issued in one call at most: the sweep runs in the outbox's claim transaction, which it should not
# hold for seconds (990 at once, about 3 ms each); the sender claims again at once for the rest.
ISSUE_BATCH = 100
# How far back the sweep looks: the evaluation's own period, after which its question is no longer asked.
SWEEP_PERIOD = ASK_PERIOD


class Certificate(Base):
    """One issued certificate: its number, its verification token and when it was issued."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    # Printed on the certificate, e.g. "SHM-PROVINSI-2023-SHM23-BENGKULU-0017": the program's, the
    # meeting's and the certificate's own sequence within the meeting.
    number: Mapped[str] = mapped_column(String(64), unique=True)
    verify_token: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime]

    registration: Mapped[Registration] = relationship(lazy="joined", innerjoin=True)

    @property
    def payload(self) -> str:
        """The deep-link payload its QR opens."""
        return CERTIFICATE_PREFIX + self.verify_token


def waits_for_evaluation(program: Program) -> bool:
    """Whether the program's certificates follow the evaluation (only when it has one)."""
    day = program.meeting_day
    return day.certificate.after_evaluation and bool(day.evaluation)


def _without_certificate(query: Any) -> Any:
    """`query` over registrations checked in, still held, with no certificate yet (their meeting and
    evaluation progress joined): one rule for issuing and for when to issue next."""
    return (
        query.select_from(Registration)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .outerjoin(Certificate, Certificate.registration_id == Registration.id)
        .outerjoin(EvaluationProgress, EvaluationProgress.registration_id == Registration.id)
        .where(
            Certificate.id.is_(None),
            Registration.checked_in_at.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


async def _swept(session: AsyncSession, now: datetime) -> list[int]:
    """The registrations the sweep at `now` looks at, without a certificate: those of meetings ended within
    SWEEP_PERIOD (or not over yet) checked in, and those whose evaluation was finished within it.

    Ids first, each from its own few rows by an index (an OR across the tables would read every
    registration); what is due among them is decided by `_without_certificate`.
    """
    since = now - SWEEP_PERIOD
    recent = await session.scalars(
        select(Registration.id)
        .outerjoin(Certificate, Certificate.registration_id == Registration.id)
        .where(
            Registration.meeting_id.in_(await meetings_ending_after(session, since)),
            Registration.checked_in_at.is_not(None),
            Certificate.id.is_(None),
        )
    )
    answered = await session.scalars(
        select(EvaluationProgress.registration_id)
        .outerjoin(Certificate, Certificate.registration_id == EvaluationProgress.registration_id)
        .where(EvaluationProgress.finished_at >= since, Certificate.id.is_(None))
    )
    return sorted({*recent, *answered})


def _pending() -> Any:
    """Registrations due a certificate once their meeting has ended: with their program and evaluation's end."""
    return _without_certificate(select(Registration, Program, EvaluationProgress.finished_at)).join(
        Program, Program.id == Meeting.program_id
    )


async def issue_due(session: AsyncSession, *, now: datetime) -> int:
    """Issue (and plan the message of) the certificates due at `now`, ISSUE_BATCH at most; returns how many."""
    swept = await _swept(session, now)
    if not swept:
        return 0
    rows = (
        await session.execute(
            _pending()
            .where(ended_by(now), Registration.id.in_(swept))
            .order_by(Registration.meeting_id, Registration.checked_in_at)
        )
    ).all()
    issued = 0
    # Each meeting's next number, read once under its lock: a meeting's 30 certificates cost one read.
    next_seq: dict[int, int] = {}
    for registration, program, finished_at in rows:
        if issued == ISSUE_BATCH:
            break
        if waits_for_evaluation(program) and finished_at is None:
            continue
        meeting_id = registration.meeting_id
        if meeting_id not in next_seq:
            next_seq[meeting_id] = await _next_seq(session, meeting_id)
        await _issue(session, registration, program, seq=next_seq[meeting_id], now=now)
        next_seq[meeting_id] += 1
        issued += 1
    return issued


async def next_certificate_at(session: AsyncSession, *, now: datetime) -> datetime | None:
    """The earliest end of a meeting with people checked in and without a certificate that does not wait,
    among those the sweep at `now` looks at (a past one: `issue_due` issues them at once)."""
    swept = await _swept(session, now)
    if not swept:
        return None
    rows = (
        await session.execute(
            _without_certificate(
                select(
                    Meeting.starts_at, Meeting.ends_at, Meeting.program_id, EvaluationProgress.finished_at.is_not(None)
                )
            )
            .where(Meeting.starts_at.is_not(None), Registration.id.in_(swept))
            .distinct()
        )
    ).all()
    if not rows:
        return None
    programs = await session.scalars(
        select(Program).where(Program.id.in_({program_id for _, _, program_id, _ in rows}))
    )
    waiting = {program.id for program in programs if waits_for_evaluation(program)}
    ends = [
        assumed_end(starts, ends)
        for starts, ends, program_id, finished in rows
        if finished or program_id not in waiting
    ]
    return min((end for end in ends if end is not None), default=None)


async def issue_for(session: AsyncSession, registration: Registration, *, now: datetime) -> Certificate | None:
    """The registration's certificate, issued now if it is due (checked in, meeting ended, evaluation done).

    None when it is not due yet; the one issued before when there is one.
    """
    existing = await certificate_of(session, registration.id)
    if existing is not None:
        return existing
    if (
        registration.checked_in_at is None
        or registration.status == RegistrationStatus.CANCELLED
        or not registration.meeting.has_ended(now)
    ):
        return None
    program = await session.get_one(Program, registration.meeting.program_id)
    if waits_for_evaluation(program):
        finished = await session.scalar(
            select(EvaluationProgress.finished_at).where(EvaluationProgress.registration_id == registration.id)
        )
        if finished is None:
            return None
    return await _issue(session, registration, program, seq=await _next_seq(session, registration.meeting_id), now=now)


async def certificate_of(session: AsyncSession, registration_id: int) -> Certificate | None:
    """The certificate issued for a registration, if any."""
    return await session.scalar(select(Certificate).where(Certificate.registration_id == registration_id))


async def verify(session: AsyncSession, payload: str) -> Certificate | None:
    """The certificate a verification payload names; None for a forged, unknown or erased one."""
    if not payload.startswith(CERTIFICATE_PREFIX):
        return None
    token = payload[len(CERTIFICATE_PREFIX) :]
    if not token or len(token) > 32:
        return None
    return await session.scalar(select(Certificate).where(Certificate.verify_token == token))


def certificate_number(program_code: str, meeting_code: str, seq: int) -> str:
    """'SHM-PROVINSI-2023-SHM23-BENGKULU-0001'; the meeting's code alone when both would be too long."""
    number = f"{program_code}-{meeting_code}-{seq:04d}".upper()
    if len(number) > _NUMBER_LENGTH:
        number = f"{meeting_code}-{seq:04d}".upper()
    return number


async def _next_seq(session: AsyncSession, meeting_id: int) -> int:
    # Locked (no key update: registrations and messages still refer to the meeting meanwhile), so two
    # transactions issuing at one meeting (the sweep, a late check-in) never take the same number.
    await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update(key_share=True))
    numbers = await session.scalars(
        select(Certificate.number)
        .join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.meeting_id == meeting_id)
    )
    # The highest so far, not how many there are: an erased person's certificate leaves a gap, not a repeat.
    return 1 + max((int(number.rsplit("-", 1)[1]) for number in numbers), default=0)


def waking_after(plan_: ReminderPlan, moment: datetime, meeting: Meeting) -> datetime:
    """`moment`, or the next start of waking hours when it falls at night (the meeting's zone)."""
    local = moment.astimezone(meeting.zone)
    if plan_.waking_from <= local.time() <= plan_.waking_until:
        return moment
    day = local.date() if local.time() < plan_.waking_from else local.date() + timedelta(days=1)
    return datetime.combine(day, plan_.waking_from, meeting.zone).astimezone(moment.tzinfo)


async def _issue(
    session: AsyncSession, registration: Registration, program: Program, *, seq: int, now: datetime
) -> Certificate:
    """Issue the certificate numbered `seq` (taken under the meeting's lock) and plan its message."""
    meeting = registration.meeting
    certificate = Certificate(
        registration_id=registration.id,
        number=certificate_number(program.code, meeting.code, seq),
        verify_token=secrets.token_urlsafe(_TOKEN_BYTES),
        issued_at=now,
    )
    session.add(certificate)
    await session.flush()
    due = waking_after(ReminderPlan.from_json(program.reminder_plan), now, meeting)
    await plan(
        session,
        registration.id,
        MessageKind.CERTIFICATE,
        Slot(CERTIFICATE_SLOT, due),
        now=now,
        subject_id=certificate.id,
    )
    return certificate
