"""Changes a PIC or organizer makes to a meeting's roster by hand, each with a reason in the audit log.

- Move: a person goes to another role with a free seat; a seat they held in the old role passes
  to the first person waiting for it, as on a cancellation. A full target role is refused (the
  PIC sees its seats): jumping its waiting list would be unfair to those on it.
- Add: someone who registered another way (a paper form, a phone call), possibly without a
  Telegram account, with the consent the PIC confirms they gave offline. They are seated or put
  on the waiting list exactly as a registration through the bot would be.
- Remove: the registration is cancelled and its seat passes on; the person is told if they can be.

Once the meeting has started these changes are refused unless the PIC makes them as corrections of
the record (`correction=True`, after being told so): then no seat passes on, nobody is told, and the
audit entry says it was a correction.

Audit entries carry ids and role codes only, never names or phone numbers.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import FreedBy
from models.audit import record_audit
from models.outbox import MessageKind
from models.participant import Participant, record_offline_consent
from models.program import Meeting, Role, RoleQuota
from models.registration import (
    TAKES_A_SEAT,
    WAITLIST_ORDER,
    Registration,
    RegistrationStatus,
    RoleAvailability,
    availability,
    role_availability,
)
from models.seat_schedule import notify, withdraw_seat_messages
from models.seats import (
    FreedSeat,
    RegistrationClosed,
    UnknownQuota,
    end_registration,
    give_seat,
    lock_quota,
    locked,
    pass_seat_on,
    register,
)

MAX_REASON_LENGTH = 500


class RosterProblem(enum.StrEnum):
    """Why a roster change was refused; each has a text in the catalogue."""

    # Not a live registration of this meeting (cancelled meanwhile, or a forged id).
    NOT_FOUND = "not_found"
    SAME_ROLE = "same_role"
    UNKNOWN_ROLE = "unknown_role"
    ROLE_FULL = "role_full"
    CLOSED = "closed"
    # The meeting has started and the change was not made as a correction of the record.
    STARTED = "started"


class RosterError(ValueError):
    """A roster change the rules refuse; `role` says how full a full target role is."""

    def __init__(self, problem: RosterProblem, role: RoleAvailability | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.role = role


async def live_roster(session: AsyncSession, meeting_id: int) -> list[Registration]:
    """The meeting's live registrations: by role in the program's order, seats first, then the waiting list."""
    result = await session.scalars(
        select(Registration)
        .join(Role, Role.id == Registration.role_id)
        .where(Registration.meeting_id == meeting_id, Registration.status != RegistrationStatus.CANCELLED)
        .order_by(Role.position, Role.id, Registration.status.in_(TAKES_A_SEAT).desc(), *WAITLIST_ORDER)
    )
    return list(result)


async def check_target(
    session: AsyncSession, meeting_id: int, role_id: int, *, moving_from: int | None = None
) -> RoleAvailability:
    """The role a change would put someone in, if the rules allow it; raises RosterError otherwise.

    A role the meeting has no seats for is refused; so is, for a move from the role `moving_from`,
    that same role or a full one. Checked before the PIC is asked for a reason, so they are not asked
    for one in vain; `move` and `add` check again under the quota's lock.
    """
    target = next((a for a in await availability(session, meeting_id) if a.role.id == role_id), None)
    if target is None:
        raise RosterError(RosterProblem.UNKNOWN_ROLE)
    if moving_from is not None:
        if role_id == moving_from:
            raise RosterError(RosterProblem.SAME_ROLE)
        if target.full:
            raise RosterError(RosterProblem.ROLE_FULL, target)
    return target


async def move(
    session: AsyncSession,
    *,
    meeting_id: int,
    registration_id: int,
    role_id: int,
    actor_user_id: int,
    reason: str,
    now: datetime,
    correction: bool = False,
) -> FreedSeat:
    """Seat the person in another role with a free seat; what happened to the seat they left is returned."""
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.meeting_id != meeting_id:
        raise RosterError(RosterProblem.NOT_FOUND)
    late = _late(registration.meeting, now, correction)
    if registration.role_id == role_id:
        raise RosterError(RosterProblem.SAME_ROLE)
    # Both quotas, lowest role id first, so two moves in opposite directions cannot deadlock.
    quotas: dict[int, RoleQuota] = {}
    try:
        for locked_role in sorted({registration.role_id, role_id}):
            quotas[locked_role] = await lock_quota(session, meeting_id, locked_role)
    except UnknownQuota:
        raise RosterError(RosterProblem.UNKNOWN_ROLE) from None
    await session.refresh(registration)
    old_role_id, old_status = registration.role_id, registration.status
    if old_status == RegistrationStatus.CANCELLED or old_role_id not in quotas:
        raise RosterError(RosterProblem.NOT_FOUND)
    target = await role_availability(session, meeting_id, role_id)
    if target.full:
        raise RosterError(RosterProblem.ROLE_FULL, target)
    vacated = FreedSeat(registration, None)
    if old_status in TAKES_A_SEAT:
        # Off the old role's seats first, so its first waiting person gets the one left behind.
        registration.status = RegistrationStatus.WAITLISTED
        await session.flush()
        vacated = await pass_seat_on(session, quotas[old_role_id], registration, now, cause=FreedBy.MOVED)
    await withdraw_seat_messages(session, registration.id)
    registration.role = target.role
    registration.offer_lapsed_at = None
    await give_seat(session, registration, target, now=now, ask_attendance=registration.attendance is None)
    if not late:
        await notify(session, registration, MessageKind.MOVED, now=now)
    old_role = await session.get(Role, old_role_id)
    await record_audit(
        session,
        actor_user_id=actor_user_id,
        action="move",
        now=now,
        meeting_id=meeting_id,
        registration_id=registration.id,
        reason=reason,
        details={
            "from_role": old_role.code if old_role else None,
            "to_role": registration.role.code,
            "from_status": old_status.value,
            "seat_passed_to": _passed_to(vacated),
            **_correction(late),
        },
    )
    return vacated


async def remove(
    session: AsyncSession,
    *,
    meeting_id: int,
    registration_id: int,
    actor_user_id: int,
    reason: str,
    now: datetime,
    correction: bool = False,
) -> FreedSeat:
    """Cancel the registration; its seat passes on and the person is told."""
    found = await locked(session, registration_id)
    if found is None or found[0].meeting_id != meeting_id or found[0].status == RegistrationStatus.CANCELLED:
        raise RosterError(RosterProblem.NOT_FOUND)
    registration, quota = found
    late = _late(registration.meeting, now, correction)
    old_status = registration.status
    freed_seat = await end_registration(session, registration, quota, now=now, cause=FreedBy.REMOVED)
    if not late:
        await notify(session, registration, MessageKind.REMOVED, now=now)
    await record_audit(
        session,
        actor_user_id=actor_user_id,
        action="remove",
        now=now,
        meeting_id=meeting_id,
        registration_id=registration.id,
        reason=reason,
        details={
            "role": registration.role.code,
            "from_status": old_status.value,
            "seat_passed_to": _passed_to(freed_seat),
            **_correction(late),
        },
    )
    return freed_seat


async def add(
    session: AsyncSession,
    *,
    meeting: Meeting,
    role_id: int,
    full_name: str,
    institution: str,
    position: str,
    phone_e164: str,
    actor_user_id: int,
    reason: str,
    now: datetime,
    correction: bool = False,
) -> Registration:
    """Register someone who registered another way, with the consent the PIC says they gave offline.

    After the start, as a correction, the person is seated if the role has a free seat (they were
    there); there is no waiting list left to join.
    """
    late = _late(meeting, now, correction)
    role = (await check_target(session, meeting.id, role_id)).role
    try:
        # A refused registration leaves no participant behind.
        async with session.begin_nested():
            participant = Participant(
                telegram_user_id=None,
                chat_id=None,
                full_name=full_name,
                institution=institution,
                position=position,
                phone_e164=phone_e164,
                created_at=now,
                updated_at=now,
            )
            session.add(participant)
            await session.flush()
            if late:
                registration = await _seat_on_record(session, participant, meeting, role, now=now)
            else:
                registration = await register(session, participant=participant, meeting=meeting, role=role, now=now)
    except RegistrationClosed:
        raise RosterError(RosterProblem.CLOSED) from None
    except UnknownQuota:
        raise RosterError(RosterProblem.UNKNOWN_ROLE) from None
    await record_offline_consent(session, participant, recorded_by=actor_user_id, now=now)
    await record_audit(
        session,
        actor_user_id=actor_user_id,
        action="add",
        now=now,
        meeting_id=meeting.id,
        registration_id=registration.id,
        reason=reason,
        details={"role": role.code, "status": registration.status.value, "consent": "offline", **_correction(late)},
    )
    return registration


def _late(meeting: Meeting, now: datetime, correction: bool) -> bool:
    """Whether the change comes after the start, where only a correction of the record is allowed."""
    if not meeting.has_started(now):
        return False
    if not correction:
        raise RosterError(RosterProblem.STARTED)
    return True


def _correction(late: bool) -> dict[str, bool]:
    """What an audit entry adds for a change made after the start."""
    return {"correction": True} if late else {}


async def _seat_on_record(
    session: AsyncSession, participant: Participant, meeting: Meeting, role: Role, *, now: datetime
) -> Registration:
    """Seat someone who took part without being on the roster, if the role has a seat for them."""
    await lock_quota(session, meeting.id, role.id)
    fill = await role_availability(session, meeting.id, role.id)
    if fill.full:
        raise RosterError(RosterProblem.ROLE_FULL, fill)
    registration = Registration(
        participant=participant,
        meeting=meeting,
        role=role,
        status=RegistrationStatus.SEATED,
        queued_at=now,
        seated_at=now,
    )
    registration.details = participant.details
    session.add(registration)
    await session.flush()
    return registration


def _passed_to(freed_seat: FreedSeat) -> int | None:
    """The registration that got or was offered the freed seat, by id."""
    heir = freed_seat.promoted or freed_seat.offered
    return heir.id if heir is not None else None
