"""When a meeting's PICs are alerted, and when a meeting counts as at risk.

The two Fasilitator Daerah / PIC Provinsi of a province answer for their meeting being full with
the right people. They are told when a role nears its quota (`threshold`, 80% by default) and
when it is full, and a meeting is *lagging* (at risk) once it is `lagging_days` or fewer days
away and a role is still under `lagging_fill` of its seats, or any single-seat role-model role is
still empty: those seats need one particular kind of person, who takes time to find.

Alerts are gathered for `digest_window` into one message, and held during `quiet_hours` in the
meeting's own zone until morning; the 1-day-before alerts are not held.

One rule serves the PICs' alerts, the organizers' national digest and `/rekap_nasional`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol


class RoleFill(Protocol):
    """How full one role is (`models.registration.RoleAvailability` is one)."""

    @property
    def seats(self) -> int: ...

    @property
    def seated(self) -> int: ...

    @property
    def held(self) -> int: ...


@dataclass(frozen=True)
class AlertRules:
    """A program's alert settings; the defaults are what the SHM organizers asked for."""

    threshold: float = 0.8
    digest_window: timedelta = timedelta(minutes=10)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    lagging_days: int = 14
    lagging_fill: float = 0.5

    def is_quiet(self, local: datetime) -> bool:
        """Whether a moment (in the meeting's zone) falls in the quiet hours."""
        moment = local.time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end


def role_lagging(fill: RoleFill, rules: AlertRules) -> bool:
    """Whether one role is behind: a single seat still empty, or under the lagging fill."""
    taken = fill.seated + fill.held
    if fill.seats == 1:
        return taken == 0
    return fill.seats > 0 and taken < fill.seats * rules.lagging_fill


def lagging_roles(fills: Sequence[RoleFill], starts_at: datetime | None, now: datetime,
                  rules: AlertRules) -> list[RoleFill]:
    """The roles that put a meeting at risk now: none until it is `lagging_days` away or nearer."""
    if starts_at is None or now >= starts_at or starts_at - now > timedelta(days=rules.lagging_days):
        return []
    return [fill for fill in fills if role_lagging(fill, rules)]
