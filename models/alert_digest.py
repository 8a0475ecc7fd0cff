"""What a digest says at the moment it is sent: its alerts measured against the meeting as it is then.

Alerts are facts recorded when something happened; a digest goes out minutes or hours later (the
window, the quiet hours, a retry). By then a role that crossed the threshold may be full, a lagging
role may have filled, an offered seat may have been taken. So the digest is rendered from the
state at delivery: alerts overtaken by later ones are merged (one line per role for threshold and
full, the latest lagging and unconfirmed check) or dropped when no longer true (a role back under
its mark, a meeting no longer behind, everyone answered, a person who unblocked the bot), and the
figures it shows are the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alert_rules import AlertRules, lagging_roles, rules_of
from models.alerts import Alert, AlertKind, take_digest
from models.outbox import OutboxMessage
from models.participant import Participant
from models.program import Meeting
from models.registration import Registration, RegistrationStatus, RoleAvailability, availability
from models.staff import pics_of

# Kinds of which only the latest in a digest says anything: each states the whole current picture.
LATEST_ONLY = frozenset({AlertKind.LAGGING, AlertKind.UNCONFIRMED})


@dataclass(frozen=True)
class CurrentDigest:
    """A digest's alerts that are still news, with the meeting's figures at the moment it is sent."""

    meeting: Meeting
    # Still news, oldest first; at most one threshold-or-full alert per role, one lagging, one unconfirmed.
    alerts: list[Alert]
    # Each role's counts now, by role id.
    fills: dict[int, RoleAvailability]
    # The roles that put the meeting at risk now.
    behind: list[RoleAvailability]
    # Seated registrations still without a Hadir / Tidak hadir answer now (for the unconfirmed alert).
    unconfirmed: list[int]
    # Seated people added by hand whose answer no PIC has recorded yet (they cannot answer themselves).
    unrecorded_by_hand: list[int]
    # Where the registrations the alerts name stand now.
    statuses: dict[int, RegistrationStatus]
    # The meeting had no PIC: the digest goes to an organizer instead.
    for_organizers: bool
    # An organizer's digest sent after a PIC was appointed: later alerts go to the PIC.
    pic_appointed: bool = False


def still_news(
    alerts: list[Alert],
    fills: dict[int, RoleAvailability],
    behind: list[RoleAvailability],
    unconfirmed: list[int],
    unreachable: set[int],
    rules: AlertRules,
) -> list[Alert]:
    """The alerts worth saying now, oldest first: overtaken ones merged into the latest, untrue ones dropped."""
    latest: dict[tuple[AlertKind, int | None], Alert] = {}
    for alert in alerts:
        kind = AlertKind(alert.kind)
        if kind in (AlertKind.THRESHOLD, AlertKind.FULL):
            # One line per role: full overtakes the threshold, and the line shows the role as it is now.
            latest[(AlertKind.FULL, alert.role_id)] = alert
        elif kind in LATEST_ONLY:
            latest[(kind, None)] = alert
    kept: list[Alert] = []
    for alert in alerts:
        kind = AlertKind(alert.kind)
        if kind in (AlertKind.THRESHOLD, AlertKind.FULL):
            fill = fills.get(alert.role_id or 0)
            if latest[(AlertKind.FULL, alert.role_id)] is not alert or fill is None or fill.seats == 0:
                continue
            # Back under the mark since: the freed seat's own alert says so.
            if fill.taken < rules.threshold_seats(fill.seats):
                continue
        elif kind in LATEST_ONLY:
            if latest[(kind, None)] is not alert:
                continue
            if kind == AlertKind.LAGGING and not behind:
                continue
            if kind == AlertKind.UNCONFIRMED and not unconfirmed:
                continue
        elif kind == AlertKind.UNREACHABLE and alert.details.get("registration_id") not in unreachable:
            continue
        kept.append(alert)
    return kept


async def current_digest(session: AsyncSession, message: OutboxMessage, *, now: datetime) -> CurrentDigest | None:
    """The digest a PIC_ALERTS message carries, as of `now`; None when nothing in it is still news."""
    digest = await take_digest(session, message)
    if digest is None:
        return None
    meeting = digest.meeting
    rules = await rules_of(session, meeting)
    fills = {fill.role.id: fill for fill in await availability(session, meeting.id)}
    behind = lagging_roles(list(fills.values()), meeting.starts_at, now, rules)
    named: set[int] = set()
    for alert in digest.alerts:
        details = alert.details
        named.update(i for i in (details.get("registration_id"), details.get("to_registration_id")) if i)
        named.update(details.get("registration_ids", []))
        named.update(details.get("by_hand_ids", []))
    rows = (
        list(
            await session.execute(
                select(Registration.id, Registration.status, Registration.attendance, Participant.unreachable_since)
                .join(Participant, Participant.id == Registration.participant_id)
                .where(Registration.id.in_(named))
            )
        )
        if named
        else []
    )
    statuses = {registration_id: status for registration_id, status, _, _ in rows}
    unanswered = {
        registration_id
        for registration_id, status, attendance, _ in rows
        if status == RegistrationStatus.SEATED and attendance is None
    }
    unreachable = {registration_id for registration_id, _, _, since in rows if since is not None}
    asked = next((a.details for a in reversed(digest.alerts) if a.kind == AlertKind.UNCONFIRMED), {})
    unconfirmed = [i for i in asked.get("registration_ids", []) if i in unanswered]
    unrecorded_by_hand = [i for i in asked.get("by_hand_ids", []) if i in unanswered]
    alerts = still_news(digest.alerts, fills, behind, [*unconfirmed, *unrecorded_by_hand], unreachable, rules)
    if not alerts:
        return None
    pic_appointed = digest.for_organizers and bool(await pics_of(session, meeting.id))
    return CurrentDigest(
        meeting,
        alerts,
        fills,
        behind,
        unconfirmed,
        unrecorded_by_hand,
        statuses,
        for_organizers=digest.for_organizers,
        pic_appointed=pic_appointed,
    )
