"""When a meeting's PICs are alerted, and when a meeting counts as at risk.

The two Fasilitator Daerah / PIC Provinsi of a province answer for their meeting being full with
the right people. They are told when a role nears its quota (`threshold`, 80% by default) and
when it is full, and a meeting is *lagging* (at risk) once it is `lagging_days` or fewer days
away and a role is still under `lagging_fill` of its seats, or any single-seat role-model role is
still empty: those seats need one particular kind of person, who takes time to find.

Alerts are gathered for `digest_window` into one message, and held during `quiet_hours` in the
meeting's own zone until morning; the 1-day-before alerts are not held.

One rule serves the PICs' alerts, the organizers' national digest and `/rekap_nasional`.
A program stores its rules (`Program.alert_rules`, from the program file's `alerts:` section);
`rules_of` reads them for a meeting, `rules_by_program` for many.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.program import Meeting, Program
from models.registration import RoleAvailability
from models.reminder_plan import format_duration, parse_duration

# The organizers' national digest is timed in Jakarta (WIB), where they sit.
NATIONAL_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class AlertRules:
    """A program's alert settings; the defaults are what the SHM organizers asked for."""

    threshold: float = 0.8
    digest_window: timedelta = timedelta(minutes=10)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    lagging_days: int = 14
    lagging_fill: float = 0.5
    # Local time (WIB) of the organizers' daily national digest.
    national_digest_at: time = time(8, 0)

    def is_quiet(self, local: datetime) -> bool:
        """Whether a moment (in the meeting's zone) falls in the quiet hours."""
        moment = local.time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    def outside_quiet_hours(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (in `zone`), in `moment`'s zone."""
        local = moment.astimezone(zone)
        if not self.is_quiet(local):
            return moment
        morning = datetime.combine(local.date(), self.quiet_end, zone)
        if morning <= local:
            morning = datetime.combine(local.date() + timedelta(days=1), self.quiet_end, zone)
        return morning.astimezone(moment.tzinfo)

    def threshold_seats(self, seats: int) -> int:
        """How many seats taken make a role reach the threshold (at least one)."""
        # Rounded first so that 0.8 x 5 counts as 4, not 4.000000000000001.
        return max(math.ceil(round(self.threshold * seats, 6)), 1)

    def to_json(self) -> dict[str, object]:
        """The rules as stored with the program."""
        return {
            "threshold": self.threshold,
            "digest_window": format_duration(self.digest_window),
            "quiet_hours": f"{self.quiet_start:%H:%M}-{self.quiet_end:%H:%M}",
            "lagging_days": self.lagging_days,
            "lagging_fill": self.lagging_fill,
            "national_digest_at": f"{self.national_digest_at:%H:%M}",
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> AlertRules:
        """The stored rules; the defaults where nothing is stored."""
        if not data:
            return cls()
        start, end = str(data["quiet_hours"]).split("-")
        return cls(
            threshold=float(data["threshold"]),
            digest_window=parse_duration(str(data["digest_window"])),
            quiet_start=time.fromisoformat(start),
            quiet_end=time.fromisoformat(end),
            lagging_days=int(data["lagging_days"]),
            lagging_fill=float(data["lagging_fill"]),
            national_digest_at=time.fromisoformat(str(data["national_digest_at"])),
        )


async def rules_of(session: AsyncSession, meeting: Meeting) -> AlertRules:
    """The alert rules of the meeting's program."""
    program = await session.get(Program, meeting.program_id)
    return AlertRules.from_json(program.alert_rules if program else None)


async def rules_by_program(session: AsyncSession, program_ids: Iterable[int]) -> dict[int, AlertRules]:
    """The alert rules of each program, in one query."""
    rows = await session.execute(select(Program.id, Program.alert_rules).where(Program.id.in_(set(program_ids))))
    return {program_id: AlertRules.from_json(stored) for program_id, stored in rows}


def role_lagging(fill: RoleAvailability, rules: AlertRules) -> bool:
    """Whether one role is behind: a single seat still empty, or under the lagging fill."""
    if fill.seats == 1:
        return fill.taken == 0
    return fill.seats > 0 and fill.taken < fill.seats * rules.lagging_fill


def lagging_roles(
    fills: Sequence[RoleAvailability], starts_at: datetime | None, now: datetime, rules: AlertRules
) -> list[RoleAvailability]:
    """The roles that put a meeting at risk now: none until it is `lagging_days` away or nearer."""
    if starts_at is None or now >= starts_at or starts_at - now > timedelta(days=rules.lagging_days):
        return []
    return [fill for fill in fills if role_lagging(fill, rules)]
