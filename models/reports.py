"""What PICs and organizers read about meetings: recaps per role, rosters and the national recap.

Every function reads in a few queries whatever the number of meetings (no query per meeting or
per person) and returns dataclasses of rows loaded in full (nothing left to load lazily), so a
report can be rendered outside the session (in the file worker, for a chart or a spreadsheet). Rosters carry personal data: they are for a
meeting's PICs and the organizers only, which the handlers check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alert_rules import lagging_roles, rules_by_program
from models.participant import Participant
from models.program import Meeting, Program, Role, listed_meetings, program_is_current
from models.registration import WAITLIST_ORDER, Registration, RegistrationStatus, RoleAvailability, availabilities


@dataclass(frozen=True)
class MeetingRecap:
    """A meeting's roles, and those that put it at risk now by its program's rules (`models.alert_rules`)."""

    meeting: Meeting
    roles: list[RoleAvailability]
    behind: list[RoleAvailability]
    # Once the meeting has started: how many seated people are checked in.
    started: bool = False
    checked_in: int = 0

    @property
    def meeting_id(self) -> int:
        return self.meeting.id

    @property
    def meeting_code(self) -> str:
        return self.meeting.code

    @property
    def province_name(self) -> str:
        return self.meeting.province.name

    @property
    def starts_at(self) -> datetime | None:
        return self.meeting.starts_at

    @property
    def lagging_role_codes(self) -> list[str]:
        return [role.role.code for role in self.behind]

    @property
    def at_risk(self) -> bool:
        return bool(self.behind)

    def total(self, name: str) -> int:
        """The sum over roles of one count ("seats", "taken", "seats_left" …)."""
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
    # Added by a PIC without Telegram: the PIC records their attendance answer.
    by_hand: bool = False
    # When the person was checked in at the meeting, in the meeting's own zone (aware); None: not checked in.
    checked_in_at: datetime | None = None


# Seated first, then those holding an offered seat, then the waiting list.
_STATUS_ORDER = {RegistrationStatus.SEATED: 0, RegistrationStatus.OFFERED: 1, RegistrationStatus.WAITLISTED: 2}


async def _recaps(session: AsyncSession, meetings: list[Meeting], now: datetime) -> list[MeetingRecap]:
    roles = await availabilities(session, [m.id for m in meetings])
    rules = await rules_by_program(session, {m.program_id for m in meetings})
    checked_in = await _checked_in(session, [m.id for m in meetings if m.has_started(now)])
    return [
        MeetingRecap(
            m,
            roles[m.id],
            lagging_roles(roles[m.id], m.starts_at, now, rules[m.program_id]),
            started=m.has_started(now),
            checked_in=checked_in.get(m.id, 0),
        )
        for m in meetings
    ]


async def _checked_in(session: AsyncSession, meeting_ids: list[int]) -> dict[int, int]:
    """Seated people checked in, per meeting, in one query."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(Registration.meeting_id, func.count())
        .where(
            Registration.meeting_id.in_(meeting_ids),
            Registration.status == RegistrationStatus.SEATED,
            Registration.checked_in_at.is_not(None),
        )
        .group_by(Registration.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows}


async def meeting_recap(session: AsyncSession, meeting: Meeting, *, now: datetime) -> MeetingRecap:
    """The meeting's roles in the program's order with quota, seated, confirmed, waiting, held and free."""
    return (await _recaps(session, [meeting], now))[0]


async def national_recap(session: AsyncSession, *, now: datetime) -> list[MeetingRecap]:
    """Every listed meeting's recap, in province order, in three queries."""
    return await _recaps(session, await listed_meetings(session), now)


@dataclass(frozen=True)
class NationalView:
    """What /rekap_nasional shows: the meetings of the programs shown, and the finished programs left out."""

    recaps: list[MeetingRecap]
    # Finished programs not shown, the most recently ended first.
    left_out: list[Program]
    # The code of each program shown, by id.
    programs: dict[int, str]


async def current_national_recap(session: AsyncSession, *, now: datetime) -> NationalView:
    """The recap of the current programs' listed meetings (`program_is_current`), and the finished ones left out."""
    meetings = await listed_meetings(session)
    by_program: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_program[meeting.program_id].append(meeting)
    current = {pid for pid, group in by_program.items() if program_is_current(group, now)}
    programs = list(await session.scalars(select(Program).where(Program.id.in_(set(by_program)))))
    finished = [p for p in programs if p.id not in current]
    far = datetime.min.replace(tzinfo=now.tzinfo)

    def last_end(program: Program) -> datetime:
        return max((m.assumed_end or far for m in by_program[program.id]), default=far)

    shown = [m for m in meetings if m.program_id in current]
    return NationalView(
        await _recaps(session, shown, now),
        sorted(finished, key=last_end, reverse=True),
        {p.id: p.code for p in programs if p.id in current},
    )


async def program_national_recap(session: AsyncSession, program: Program, *, now: datetime) -> NationalView:
    """The recap of one program's listed meetings, whatever its age."""
    meetings = [m for m in await listed_meetings(session) if m.program_id == program.id]
    return NationalView(await _recaps(session, meetings, now), [], {program.id: program.code})


async def meetings_ahead(session: AsyncSession, *, now: datetime) -> list[MeetingRecap]:
    """The national recap of the meetings still ahead (or undated): at-risk ones first, soonest first in each group."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    ahead = [
        recap for recap in await national_recap(session, now=now) if recap.starts_at is None or recap.starts_at > now
    ]
    return sorted(ahead, key=lambda r: (not r.at_risk, r.starts_at or far, r.meeting.province_code))


async def roster(session: AsyncSession, meetings: Iterable[Meeting]) -> list[RosterRow]:
    """The live registrations of the meetings: by meeting, role, then seated, offered, waiting in queue order."""
    by_id = {m.id: m for m in meetings}
    rows = await session.execute(
        select(
            Registration.id,
            Registration.meeting_id,
            Registration.status,
            Registration.queued_at,
            Registration.attendance,
            Role.code,
            Role.name,
            Role.position,
            Registration.full_name,
            Registration.institution,
            Registration.position.label("job"),
            Registration.phone_e164,
            Participant.telegram_user_id.is_(None).label("by_hand"),
            Registration.checked_in_at,
        )
        .join(Role, Role.id == Registration.role_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Registration.meeting_id.in_(list(by_id)), Registration.status != RegistrationStatus.CANCELLED)
        .order_by(*WAITLIST_ORDER)
    )
    rank = {meeting_id: n for n, meeting_id in enumerate(by_id)}

    def key(row: Row[*tuple[Any, ...]]) -> tuple[int, int, str, int]:
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
        result.append(
            RosterRow(
                row.id,
                meeting.id,
                meeting.code,
                meeting.province.name,
                row.code,
                row.name,
                row.status,
                place,
                row.full_name,
                row.institution,
                row.job,
                row.phone_e164,
                row.attendance,
                row.queued_at.astimezone(meeting.zone),
                bool(row.by_hand),
                row.checked_in_at.astimezone(meeting.zone) if row.checked_in_at else None,
            )
        )
    return result
