"""What PICs and organizers read about meetings: recaps per role, rosters and the national recap.

Every function reads in a few queries whatever the number of meetings (no query per meeting or
per person) and returns plain dataclasses, so a report can be rendered outside the session (in a
worker thread, for a chart or a spreadsheet). Rosters carry personal data: they are for a
meeting's PICs and the organizers only, which the handlers check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alert_rules import AlertRules, lagging_roles
from models.participant import Participant
from models.program import Meeting, Role, RoleQuota
from models.registration import WAITLIST_ORDER, Registration, RegistrationStatus


@dataclass(frozen=True)
class RoleRecap:
    """One role at one meeting: its quota and where its people stand."""

    role_code: str
    role_name: str
    seats: int
    seated: int
    # Seated people who said they will attend.
    confirmed: int
    waitlisted: int
    # Seats offered to someone waiting and held for them.
    held: int

    @property
    def free(self) -> int:
        return max(self.seats - self.seated - self.held, 0)


@dataclass(frozen=True)
class MeetingRecap:
    """A meeting's roles, and those that put it at risk now (`models.alert_rules`)."""

    meeting_id: int
    meeting_code: str
    province_name: str
    starts_at: datetime | None
    roles: list[RoleRecap]
    lagging_role_codes: list[str]

    @property
    def at_risk(self) -> bool:
        return bool(self.lagging_role_codes)

    def total(self, name: str) -> int:
        """The sum over roles of one count ("seats", "seated", "free" …)."""
        return sum(getattr(role, name) for role in self.roles)


@dataclass(frozen=True)
class RosterRow:
    """One live registration as a roster lists it."""

    registration_id: int
    meeting_id: int
    meeting_code: str
    province_name: str
    role_code: str
    role_name: str
    status: RegistrationStatus
    # 1 for the first person waiting for the role (the order seats are passed on in); None otherwise.
    waitlist_position: int | None
    full_name: str
    institution: str
    position: str
    phone_e164: str
    attendance: bool | None
    # When the person registered, in the meeting's own zone (aware).
    registered_at: datetime


# Seated first, then those holding an offered seat, then the waiting list.
_STATUS_ORDER = {RegistrationStatus.SEATED: 0, RegistrationStatus.OFFERED: 1, RegistrationStatus.WAITLISTED: 2}


def _counts() -> Select:
    """Per meeting and role: seated, confirmed, waiting and held registrations."""
    status = Registration.status
    return (
        select(
            Registration.meeting_id,
            Registration.role_id,
            func.count().filter(status == RegistrationStatus.SEATED).label("seated"),
            func.count().filter(status == RegistrationStatus.SEATED, Registration.attendance.is_(True))
            .label("confirmed"),
            func.count().filter(status == RegistrationStatus.WAITLISTED).label("waitlisted"),
            func.count().filter(status == RegistrationStatus.OFFERED).label("held"),
        )
        .where(status != RegistrationStatus.CANCELLED)
        .group_by(Registration.meeting_id, Registration.role_id)
    )


async def _recaps(session: AsyncSession, meetings: list[Meeting], now: datetime,
                  rules: AlertRules) -> list[MeetingRecap]:
    ids = [m.id for m in meetings]
    quotas = await session.execute(
        select(RoleQuota.meeting_id, Role.id, Role.code, Role.name, RoleQuota.seats)
        .join(Role, Role.id == RoleQuota.role_id)
        .where(RoleQuota.meeting_id.in_(ids))
        .order_by(RoleQuota.meeting_id, Role.position, Role.id)
    )
    counts = {(row.meeting_id, row.role_id): row
              for row in await session.execute(_counts().where(Registration.meeting_id.in_(ids)))}
    roles: dict[int, list[RoleRecap]] = defaultdict(list)
    for meeting_id, role_id, code, name, seats in quotas:
        row = counts.get((meeting_id, role_id))
        roles[meeting_id].append(RoleRecap(
            code, name, seats, row.seated if row else 0, row.confirmed if row else 0,
            row.waitlisted if row else 0, row.held if row else 0))
    return [
        MeetingRecap(m.id, m.code, m.province.name, m.starts_at, roles[m.id],
                     [r.role_code for r in lagging_roles(roles[m.id], m.starts_at, now, rules)])
        for m in meetings
    ]


async def meeting_recap(session: AsyncSession, meeting: Meeting, *, now: datetime,
                        rules: AlertRules = AlertRules()) -> MeetingRecap:
    """The meeting's roles in the program's order with quota, seated, confirmed, waiting, held and free."""
    return (await _recaps(session, [meeting], now, rules))[0]


async def listed_meetings(session: AsyncSession) -> list[Meeting]:
    """The program's listed meetings in province order, as the organizers' lists show them."""
    meetings = await session.scalars(select(Meeting).where(Meeting.listed.is_(True)))
    return sorted(meetings, key=lambda m: (m.province.name, m.code))


async def national_recap(session: AsyncSession, *, now: datetime,
                         rules: AlertRules = AlertRules()) -> list[MeetingRecap]:
    """Every listed meeting's recap, in province order, in three queries."""
    return await _recaps(session, await listed_meetings(session), now, rules)


async def roster(session: AsyncSession, meetings: Iterable[Meeting]) -> list[RosterRow]:
    """The live registrations of the meetings: by meeting, role, then seated, offered, waiting in queue order."""
    by_id = {m.id: m for m in meetings}
    rows = await session.execute(
        select(Registration.id, Registration.meeting_id, Registration.status, Registration.queued_at,
               Registration.attendance, Role.code, Role.name, Role.position,
               Participant.full_name, Participant.institution, Participant.position.label("job"),
               Participant.phone_e164)
        .join(Role, Role.id == Registration.role_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Registration.meeting_id.in_(list(by_id)), Registration.status != RegistrationStatus.CANCELLED)
        .order_by(*WAITLIST_ORDER)
    )
    rank = {meeting_id: n for n, meeting_id in enumerate(by_id)}

    def key(row) -> tuple:  # type: ignore[no-untyped-def]
        # A stable sort: within a status the query's WAITLIST_ORDER stands, the one seats are passed on in.
        return (rank[row.meeting_id], row.position, row.code, _STATUS_ORDER[row.status])

    result: list[RosterRow] = []
    waiting: dict[tuple[int, str], int] = defaultdict(int)
    for row in sorted(rows, key=key):
        meeting = by_id[row.meeting_id]
        place = None
        if row.status == RegistrationStatus.WAITLISTED:
            waiting[row.meeting_id, row.code] += 1
            place = waiting[row.meeting_id, row.code]
        result.append(RosterRow(
            row.id, meeting.id, meeting.code, meeting.province.name, row.code, row.name, row.status, place,
            row.full_name, row.institution, row.job, row.phone_e164, row.attendance,
            row.queued_at.astimezone(meeting.zone)))
    return result
