"""Quota alerts to a meeting's PICs: recorded once with the change that causes them, sent as digests.

An alert is a row, added in the same transaction as the roster change it is about (a seat taken,
freed or passed on, a longer waiting list, a person who blocked the bot), so it is never lost and
never doubled: its `dedupe_key` names it for good. Time-based alerts (a lagging meeting, seated
people who have not confirmed a day before) are found by `check_time_alerts`, which the bot runs
every few minutes and whenever its clock is moved; their keys make each fire once per meeting date.

Threshold and full alerts fire once per crossing: a role that fills up is reported once, and is
reported again only after a seat was left empty below the mark (a seat passed straight on to the
waiting list does not count as a drop).

Every live PIC of the meeting gets a delivery of each alert, and ONE pending outbox row
(`PIC_ALERTS`) per meeting gathers them: the first alert opens a `digest_window`, later ones join
it; a window that ends in the quiet hours (the meeting's zone) waits until they end. Urgent alerts
(the 1-day-before ones) bring the digest forward to now, night or not. The digest, when rendered,
takes every delivery not yet covered by another message; so nothing is sent twice, and an alert
recorded while a digest was in flight waits for the next one (`check_time_alerts` plans it).
What the digest says is decided when it is sent (`models.alert_digest`).

A meeting without a live PIC has nobody to tell: `check_time_alerts` hands its alerts to the
organizers (`route_to_organizers`) until a PIC is appointed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.alert_rules import NATIONAL_ZONE, AlertRules, lagging_roles, rules_of
from models.base import Base
from models.outbox import MessageKind, OutboxMessage, OutboxStatus, note_planned, plan_for_staff
from models.participant import Participant
from models.program import Meeting, Program, Role
from models.registration import Registration, RegistrationStatus, RoleAvailability, availability
from models.reminder_plan import Slot
from models.seat_schedule import plan_of, start_key
from models.staff import PicAssignment, pics_of


class AlertKind(enum.StrEnum):
    """What an alert reports."""

    THRESHOLD = "threshold"
    FULL = "full"
    SEAT_FREED = "seat_freed"
    WAITLIST_GREW = "waitlist_grew"
    LAGGING = "lagging"
    UNCONFIRMED = "unconfirmed"
    UNREACHABLE = "unreachable"
    # A participant corrected their name, institution, position or phone (`models.corrections`).
    DETAILS_CORRECTED = "details_corrected"


# How late a check may come and still plan that day's national digest.
NATIONAL_GRACE = timedelta(hours=1)
# Sent at once, even in the quiet hours: the meeting is tomorrow.
URGENT_KINDS = frozenset({AlertKind.UNCONFIRMED})
# A digest's slot names whom it is for: a PIC, or an organizer standing in for a meeting without one.
PIC_SLOT = "alerts-"
ORGANIZER_SLOT = "organizers-"
# Alerts of a meeting without a PIC older than this when first seen are not sent to the organizers:
# a bot updated to route them sends no backlog of stale news.
ORGANIZER_LOOKBACK = timedelta(days=1)


class FreedBy(enum.StrEnum):
    """Why a seat was freed, as the caller that freed it knows (an alert's `cause`)."""

    # The person cancelled (or erased their data).
    CANCELLED = "cancelled"
    # "Tidak hadir".
    ABSENT = "absent"
    # "Lepas": an offered seat declined.
    RELEASED = "released"
    # An offered seat not taken in time.
    LAPSED = "lapsed"
    # A PIC or organizer moved the person to another role, or took them off the roster.
    MOVED = "moved"
    REMOVED = "removed"


class SeatFate(enum.StrEnum):
    """What happened to a freed seat."""

    PROMOTED = "promoted"
    OFFERED = "offered"
    VACANT = "vacant"


class Alert(Base):
    """One thing a meeting's PICs should know, recorded once."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AlertKind] = mapped_column(
        Enum(AlertKind, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])
    )
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    # Names the alert for good (meeting, kind, role, crossing or registration), so recording twice adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    # Counts, registration ids and codes; never names or phone numbers.
    details: Mapped[dict] = mapped_column(JSON)
    # Indexed: the periodic check hands organizers the alerts of the last ORGANIZER_LOOKBACK, not of every year.
    created_at: Mapped[datetime] = mapped_column(index=True)

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_KINDS


class AlertDelivery(Base):
    """One alert for one PIC; `outbox_message_id` is the digest that carries it (None: not yet taken)."""

    __tablename__ = "alert_delivery"
    __table_args__ = (Index("ix_alert_delivery_pending", "telegram_user_id", "meeting_id", "outbox_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))


# ---------------------------------------------------------------- recording and planning digests


async def record_alert(
    session: AsyncSession,
    meeting: Meeting,
    kind: AlertKind,
    *,
    key: str,
    now: datetime,
    role_id: int | None = None,
    details: dict | None = None,
) -> Alert | None:
    """Record an alert unless the same one was recorded before, and plan it for every live PIC."""
    key = f"m{meeting.id}:{kind.value}:{key}"
    if await session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
        return None
    alert = Alert(
        meeting_id=meeting.id, kind=kind, role_id=role_id, dedupe_key=key, details=details or {}, created_at=now
    )
    try:
        # In a savepoint: two checks at once (two processes, the periodic check and a wake) may both
        # find no alert; the loser's insert fails on the unique key and must not undo its transaction.
        async with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None
    pics = await pics_of(session, meeting.id)
    if pics:
        rules = await rules_of(session, meeting)
        for pic in pics:
            session.add(AlertDelivery(alert_id=alert.id, meeting_id=meeting.id, telegram_user_id=pic.telegram_user_id))
            await _plan_digest(session, pic, meeting, rules, now=now, urgent=alert.urgent)
    return alert


def digest_due(rules: AlertRules, meeting: Meeting, now: datetime, *, urgent: bool) -> datetime:
    """When a digest opened now goes: at once if urgent, else at the window's end, after the quiet hours."""
    if urgent:
        return now
    return rules.outside_quiet_hours(now + rules.digest_window, meeting.zone)


async def _plan_digest(
    session: AsyncSession,
    pic: PicAssignment,
    meeting: Meeting,
    rules: AlertRules,
    *,
    now: datetime,
    urgent: bool,
) -> None:
    """Open the PIC's digest window for the meeting, or join the open one (bringing it forward if urgent)."""
    await _plan_digest_to(session, pic.telegram_user_id, pic.chat_id, meeting, rules, now=now, urgent=urgent)


async def _plan_digest_to(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    meeting: Meeting,
    rules: AlertRules,
    *,
    now: datetime,
    urgent: bool,
    opened_at: datetime | None = None,
    slot_prefix: str = PIC_SLOT,
) -> None:
    """Open a digest window for the meeting's alerts to one person (from `opened_at`), or join the open one."""
    pending = await session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == MessageKind.PIC_ALERTS,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.recipient_user_id == user_id,
            OutboxMessage.subject_id == meeting.id,
        )
        .order_by(OutboxMessage.due_at)
        .limit(1)
        # Locked, so the sender cannot claim and render it between this check and the commit that
        # adds the alert to it: the alert would then join a digest already sent, and wait for the next.
        .with_for_update()
    )
    if pending is not None:
        if urgent and pending.due_at > now:
            pending.due_at = now
        # A sender that skipped the locked row while this ran is woken after the commit.
        note_planned(session, pending.due_at)
        return
    # A window opened by an alert recorded earlier (routed late to the organizers) ends when it would have.
    due = max(digest_due(rules, meeting, opened_at or now, urgent=urgent), now)
    await plan_for_staff(
        session,
        user_id=user_id,
        chat_id=chat_id,
        kind=MessageKind.PIC_ALERTS,
        slot=Slot(f"{slot_prefix}{now:%Y%m%dT%H%M%S.%f}", due),
        now=now,
        subject_id=meeting.id,
    )


async def plan_untaken_digests(session: AsyncSession, *, now: datetime) -> None:
    """Plan a digest for every live PIC with alerts no message carries and none pending to carry them.

    An alert recorded while the PIC's digest was being sent joined nothing; this picks it up.
    """
    pending = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == MessageKind.PIC_ALERTS,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.recipient_user_id == AlertDelivery.telegram_user_id,
            OutboxMessage.subject_id == AlertDelivery.meeting_id,
        )
        .exists()
    )
    rows = await session.execute(
        select(PicAssignment, Alert.kind.in_(URGENT_KINDS))
        .join(
            AlertDelivery,
            and_(
                AlertDelivery.telegram_user_id == PicAssignment.telegram_user_id,
                AlertDelivery.meeting_id == PicAssignment.meeting_id,
            ),
        )
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            PicAssignment.revoked_at.is_(None),
            AlertDelivery.outbox_message_id.is_(None),
            Alert.created_at >= PicAssignment.granted_at,
            ~pending,
        )
        .order_by(Alert.kind.in_(URGENT_KINDS).desc())
    )
    seen: set[int] = set()
    for pic, urgent in rows:
        if pic.id in seen:
            continue
        seen.add(pic.id)
        meeting = await session.get(Meeting, pic.meeting_id)
        assert meeting is not None
        await _plan_digest(session, pic, meeting, await rules_of(session, meeting), now=now, urgent=urgent)


@dataclass(frozen=True)
class Digest:
    """What one PIC's digest message says: the meeting and its alerts, oldest first."""

    meeting: Meeting
    alerts: list[Alert]
    # For an organizer, standing in for the PIC the meeting does not have yet.
    for_organizers: bool = False


async def take_digest(session: AsyncSession, message: OutboxMessage) -> Digest | None:
    """The alerts a PIC_ALERTS message carries, now marked as carried by it; None if obsolete.

    A message tried again carries what it took the first time and whatever came since. A PIC
    whose assignment was revoked gets nothing; a PIC appointed again gets nothing from before.
    An organizer's digest (`ORGANIZER_SLOT`) carries the alerts routed to them.
    """
    for_organizers = message.slot.startswith(ORGANIZER_SLOT)
    conditions = [
        AlertDelivery.telegram_user_id == message.recipient_user_id,
        AlertDelivery.meeting_id == message.subject_id,
        or_(AlertDelivery.outbox_message_id.is_(None), AlertDelivery.outbox_message_id == message.id),
    ]
    if not for_organizers:
        assignment = await session.scalar(
            select(PicAssignment).where(
                PicAssignment.telegram_user_id == message.recipient_user_id,
                PicAssignment.meeting_id == message.subject_id,
                PicAssignment.revoked_at.is_(None),
            )
        )
        if assignment is None:
            return None
        conditions.append(Alert.created_at >= assignment.granted_at)
    rows = list(
        await session.execute(
            select(AlertDelivery, Alert)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .where(*conditions)
            .order_by(Alert.id)
        )
    )
    if not rows:
        return None
    for delivery, _ in rows:
        delivery.outbox_message_id = message.id
    meeting = await session.get(Meeting, message.subject_id)
    assert meeting is not None
    return Digest(meeting, [alert for _, alert in rows], for_organizers=for_organizers)


async def route_to_organizers(session: AsyncSession, *, now: datetime, admin_ids: frozenset[int]) -> None:
    """Give the organizers the alerts of meetings without a live PIC, and plan their digests.

    Such an alert was recorded with nobody to tell (models know no `ADMIN_IDS`); the periodic check
    hands it to every organizer, in a digest whose window runs from when the alert was recorded.
    """
    if not admin_ids:
        return
    live_pic = (
        select(PicAssignment.id)
        .where(PicAssignment.meeting_id == Alert.meeting_id, PicAssignment.revoked_at.is_(None))
        .exists()
    )
    delivered = select(AlertDelivery.id).where(AlertDelivery.alert_id == Alert.id).exists()
    unattended = await session.scalars(
        select(Alert)
        .join(Meeting, Meeting.id == Alert.meeting_id)
        .where(
            ~delivered,
            ~live_pic,
            Alert.created_at >= now - ORGANIZER_LOOKBACK,
            Meeting.listed.is_(True),
            or_(Meeting.starts_at.is_(None), Meeting.starts_at > now),
        )
        .order_by(Alert.id)
    )
    for alert in unattended:
        for user_id in sorted(admin_ids):
            session.add(AlertDelivery(alert_id=alert.id, meeting_id=alert.meeting_id, telegram_user_id=user_id))
    await session.flush()
    untaken = await session.execute(
        select(AlertDelivery.telegram_user_id, AlertDelivery.meeting_id, Alert.created_at, Alert.kind)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            AlertDelivery.telegram_user_id.in_(admin_ids),
            AlertDelivery.outbox_message_id.is_(None),
            ~live_pic,
        )
        .order_by(Alert.id)
    )
    windows: dict[tuple[int, int], tuple[datetime, bool]] = {}
    for user_id, meeting_id, created_at, kind in untaken:
        opened, urgent = windows.get((user_id, meeting_id), (created_at, False))
        windows[(user_id, meeting_id)] = (opened, urgent or kind in URGENT_KINDS)
    for (user_id, meeting_id), (opened, urgent) in windows.items():
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
        # Organizers talk to the bot in private chats, whose id is the user's.
        await _plan_digest_to(
            session,
            user_id,
            user_id,
            meeting,
            await rules_of(session, meeting),
            now=now,
            urgent=urgent,
            opened_at=opened,
            slot_prefix=ORGANIZER_SLOT,
        )


# ---------------------------------------------------------------- hooks called by the seat operations (models.seats)
# Each gets the role's counts after the change (`fill`), which the operation counted once under the quota's lock.


async def _armed(session: AsyncSession, meeting_id: int, role_id: int, kind: AlertKind, mark: int) -> tuple[bool, int]:
    """Whether a crossing alert may fire (never fired, or a seat was left empty below `mark` since), and its number."""
    history = await session.scalars(
        select(Alert)
        .where(
            Alert.meeting_id == meeting_id,
            Alert.role_id == role_id,
            Alert.kind.in_((AlertKind.THRESHOLD, AlertKind.FULL, AlertKind.SEAT_FREED)),
        )
        .order_by(Alert.id)
    )
    armed, crossings = True, 0
    for alert in history:
        if alert.kind == kind or alert.kind == AlertKind.FULL:
            # Full covers the threshold too: a role that filled has passed it.
            armed = False
            crossings += alert.kind == kind
        elif (
            alert.kind == AlertKind.SEAT_FREED
            and alert.details.get("fate") == SeatFate.VACANT
            and alert.details.get("taken", 0) < mark
        ):
            armed = True
    return armed, crossings


async def seat_taken(
    session: AsyncSession, registration: Registration, fill: RoleAvailability, *, now: datetime
) -> None:
    """A seat of the role was taken: report the role reaching the threshold or becoming full, once per crossing."""
    meeting = registration.meeting
    seats, taken = fill.seats, fill.taken
    if seats == 0:
        return
    rules = await rules_of(session, meeting)
    details = {"taken": taken, "seats": seats}
    if taken >= seats:
        armed, crossings = await _armed(session, meeting.id, registration.role_id, AlertKind.FULL, seats)
        if armed:
            await record_alert(
                session,
                meeting,
                AlertKind.FULL,
                key=f"r{registration.role_id}:{crossings + 1}",
                now=now,
                role_id=registration.role_id,
                details=details,
            )
        return
    mark = rules.threshold_seats(seats)
    if taken >= mark:
        armed, crossings = await _armed(session, meeting.id, registration.role_id, AlertKind.THRESHOLD, mark)
        if armed:
            await record_alert(
                session,
                meeting,
                AlertKind.THRESHOLD,
                key=f"r{registration.role_id}:{crossings + 1}",
                now=now,
                role_id=registration.role_id,
                details=details,
            )


async def joined_waitlist(
    session: AsyncSession, registration: Registration, fill: RoleAvailability, *, now: datetime
) -> None:
    """The role's waiting list grew by this registration."""
    await record_alert(
        session,
        registration.meeting,
        AlertKind.WAITLIST_GREW,
        key=f"g{registration.id}",
        now=now,
        role_id=registration.role_id,
        details={"registration_id": registration.id, "waiting": fill.waitlisted},
    )


async def seat_freed(
    session: AsyncSession,
    freed: Registration,
    fill: RoleAvailability,
    *,
    promoted: Registration | None,
    offered: Registration | None,
    cause: FreedBy,
    now: datetime,
) -> None:
    """A seat was freed by `freed` for `cause`: say why and where it went (`promoted` got it, `offered` holds it)."""
    receiver = promoted or offered
    fate = SeatFate.PROMOTED if promoted else SeatFate.OFFERED if offered else SeatFate.VACANT
    await record_alert(
        session,
        freed.meeting,
        AlertKind.SEAT_FREED,
        key=f"f{freed.id}:{now:%Y%m%dT%H%M%S.%f}",
        now=now,
        role_id=freed.role_id,
        details={
            "registration_id": freed.id,
            "cause": cause.value,
            "fate": fate.value,
            "to_registration_id": receiver.id if receiver else None,
            "taken": fill.taken,
            "seats": fill.seats,
            "waiting": fill.waitlisted,
        },
    )


async def participant_unreachable(session: AsyncSession, participant: Participant, *, now: datetime) -> None:
    """The person blocked the bot: tell the PICs of every meeting still to come they hold a live registration for."""
    registrations = await session.scalars(
        select(Registration).where(
            Registration.participant_id == participant.id, Registration.status != RegistrationStatus.CANCELLED
        )
    )
    for registration in registrations:
        if registration.meeting.has_started(now):
            # No message of a started meeting is left to reach them: nothing for its PICs to act on.
            continue
        await record_alert(
            session,
            registration.meeting,
            AlertKind.UNREACHABLE,
            key=f"u{registration.id}:{now:%Y%m%dT%H%M%S.%f}",
            now=now,
            details={"registration_id": registration.id, "status": registration.status.value},
        )


async def details_corrected(session: AsyncSession, registration: Registration, *, now: datetime) -> None:
    """The person corrected their details: the meeting's PICs learn whose roster line changed."""
    await record_alert(
        session,
        registration.meeting,
        AlertKind.DETAILS_CORRECTED,
        key=f"c{registration.id}:{now:%Y%m%dT%H%M%S.%f}",
        now=now,
        details={"registration_id": registration.id},
    )


# ---------------------------------------------------------------- time-based alerts and the national digest


def role_summary(fills: list[RoleAvailability]) -> list[list[int]]:
    """Roles as [role id, seats taken, seats] for an alert's details."""
    return [[fill.role.id, fill.taken, fill.seats] for fill in fills]


async def check_time_alerts(session: AsyncSession, *, now: datetime, admin_ids: frozenset[int] = frozenset()) -> None:
    """Record the alerts that time brings (lagging, unconfirmed a day before) and plan untaken digests.

    The alerts of a meeting without a PIC go to the organizers (`admin_ids`).
    """
    meetings = await session.scalars(
        select(Meeting).where(Meeting.listed.is_(True), Meeting.starts_at > now).order_by(Meeting.starts_at)
    )
    for meeting in meetings:
        assert meeting.starts_at is not None
        rules = await rules_of(session, meeting)
        key = start_key(meeting)
        if meeting.starts_at - now <= timedelta(days=rules.lagging_days):
            behind = lagging_roles(await availability(session, meeting.id), meeting.starts_at, now, rules)
            if behind:
                await record_alert(
                    session, meeting, AlertKind.LAGGING, key=key, now=now, details={"roles": role_summary(behind)}
                )
        _, nudge = (await plan_of(session, meeting)).attendance_slots(meeting.starts_at, meeting.zone)
        if now >= nudge.due_at:
            rows = await session.execute(
                select(Registration.id, Participant.telegram_user_id.is_(None))
                .join(Participant, Participant.id == Registration.participant_id)
                .where(
                    Registration.meeting_id == meeting.id,
                    Registration.status == RegistrationStatus.SEATED,
                    Registration.attendance.is_(None),
                )
                .order_by(Registration.id)
            )
            # People added by hand were never asked and cannot answer: they wait for their PIC to record it.
            unanswered: dict[bool, list[int]] = {False: [], True: []}
            for registration_id, by_hand in rows:
                unanswered[bool(by_hand)].append(registration_id)
            if unanswered[False] or unanswered[True]:
                details = {"registration_ids": unanswered[False]}
                if unanswered[True]:
                    details["by_hand_ids"] = unanswered[True]
                await record_alert(session, meeting, AlertKind.UNCONFIRMED, key=key, now=now, details=details)
    await plan_untaken_digests(session, now=now)
    await route_to_organizers(session, now=now, admin_ids=admin_ids)


async def national_rules(session: AsyncSession) -> AlertRules:
    """The rules of the first program loaded: its national digest time serves every program."""
    stored = await session.scalar(select(Program.alert_rules).order_by(Program.id).limit(1))
    return AlertRules.from_json(stored)


async def plan_national_digest(session: AsyncSession, *, now: datetime, admin_ids: frozenset[int]) -> None:
    """Plan the national digests (WIB) due within a day for every organizer; one per organizer per day.

    Planned a day ahead, so a digest whose moment passed while the bot was down goes out at start
    (until the next one is due); a check up to NATIONAL_GRACE late still plans that day's. A bot
    started later in the day for the first time sends its first digest the next morning.
    """
    if not admin_ids:
        return
    rules = await national_rules(session)
    local = now.astimezone(NATIONAL_ZONE)
    for day in (local.date(), local.date() + timedelta(days=1)):
        moment = datetime.combine(day, rules.national_digest_at, NATIONAL_ZONE)
        if not moment - timedelta(days=1) <= now < moment + NATIONAL_GRACE:
            continue
        slot = Slot(
            f"national-{day:%Y%m%d}", moment.astimezone(now.tzinfo), (moment + timedelta(days=1)).astimezone(now.tzinfo)
        )
        for user_id in sorted(admin_ids):
            # Organizers talk to the bot in private chats, whose id is the user's.
            await plan_for_staff(
                session,
                user_id=user_id,
                chat_id=user_id,
                kind=MessageKind.NATIONAL_DIGEST,
                slot=slot,
                now=now,
                subject_id=None,
            )


async def names_of(session: AsyncSession, registration_ids: set[int]) -> dict[int, str]:
    """The registered names behind registration ids, for staff to read; erased ones are missing."""
    if not registration_ids:
        return {}
    rows = await session.execute(
        select(Registration.id, Registration.full_name).where(Registration.id.in_(registration_ids))
    )
    return {registration_id: name for registration_id, name in rows}


async def role_names(session: AsyncSession, role_ids: set[int]) -> dict[int, str]:
    """Role names by id."""
    if not role_ids:
        return {}
    rows = await session.execute(select(Role.id, Role.name).where(Role.id.in_(role_ids)))
    return {role_id: name for role_id, name in rows}


@dataclass(frozen=True)
class PendingAlerts:
    """Alerts still to reach a PIC or organizer, and the digests planned to carry them."""

    alerts: int
    digests: int


async def pending_alerts(session: AsyncSession) -> PendingAlerts:
    """For monitoring: deliveries whose digest is planned or being sent, or not planned yet for a live PIC
    (`plan_untaken_digests` plans it); deliveries nobody will get (a revoked PIC's) are not pending."""
    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    digest_waits = (
        select(OutboxMessage.id)
        .where(OutboxMessage.id == AlertDelivery.outbox_message_id, OutboxMessage.status.in_(waiting))
        .exists()
    )
    live_pic = (
        select(PicAssignment.id)
        .where(
            PicAssignment.telegram_user_id == AlertDelivery.telegram_user_id,
            PicAssignment.meeting_id == AlertDelivery.meeting_id,
            PicAssignment.revoked_at.is_(None),
            PicAssignment.granted_at <= Alert.created_at,
        )
        .exists()
    )
    alerts = await session.scalar(
        select(func.count(AlertDelivery.id))
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(or_(digest_waits, and_(AlertDelivery.outbox_message_id.is_(None), live_pic)))
    )
    digests = await session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == MessageKind.PIC_ALERTS, OutboxMessage.status.in_(waiting)
        )
    )
    return PendingAlerts(alerts or 0, digests or 0)
