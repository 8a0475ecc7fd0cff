"""When a program talks to its participants before a meeting: reminders, the attendance question, seat holds.

Every time here is worked out in the meeting's own zone (WIB, WITA or WIT) and stored in UTC.
People are not messaged in the middle of the night: a moment that falls outside the program's
waking hours moves to the nearest waking moment that still comes well before the meeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DURATION = re.compile(r"^(\d{1,3})([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
# A reminder pulled forward to the morning still has to leave people time to get there.
MIN_LEAD = timedelta(minutes=45)
# The check-in code of a meeting that starts before the morning's waking hours comes this long before it.
CHECKIN_CODE_LEAD = timedelta(hours=1)


def parse_duration(raw: str) -> timedelta:
    """'7d', '2h' or '30m' as a timedelta; ValueError otherwise."""
    match = DURATION.match(raw.strip())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"not a duration like 7d, 2h or 30m: {raw!r}")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration."""
    minutes = int(value.total_seconds()) // 60
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


@dataclass(frozen=True)
class Slot:
    """One message in a plan: its name, when it is due and until when it still makes sense (None: always)."""

    name: str
    due_at: datetime
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ReminderPlan:
    """A program's rules for messages before each meeting.

    `reminders` are offsets before the start (7 days, 1 day, 2 hours by default). Seated people
    are asked whether they will come `attendance_question` before the start and asked once more
    at `attendance_nudge` if they have not answered. From the attendance question on, a freed
    seat is offered to the first person waiting, who has `seat_hold` to take it (less when the
    meeting is near); before that, it is given to them outright.
    """

    reminders: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1), timedelta(hours=2))
    waking_from: time = time(7, 0)
    waking_until: time = time(20, 0)
    attendance_question: timedelta = timedelta(days=3)
    attendance_nudge: timedelta = timedelta(days=1)
    seat_hold: timedelta = timedelta(hours=24)

    @property
    def calendar_alarm(self) -> timedelta:
        """How long before the start the calendar file's alarm rings: the last reminder's offset."""
        return min(self.reminders, default=timedelta(hours=2))

    def to_json(self) -> dict[str, object]:
        """The plan as stored with the program."""
        return {
            "reminders": [format_duration(r) for r in self.reminders],
            "waking_hours": f"{self.waking_from:%H:%M}-{self.waking_until:%H:%M}",
            "attendance_question": format_duration(self.attendance_question),
            "attendance_nudge": format_duration(self.attendance_nudge),
            "seat_hold": format_duration(self.seat_hold),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ReminderPlan:
        """The stored plan; the defaults where nothing is stored."""
        if not data:
            return cls()
        start, end = str(data["waking_hours"]).split("-")
        return cls(
            reminders=tuple(sorted((parse_duration(str(r)) for r in data["reminders"]), reverse=True)),
            waking_from=time.fromisoformat(start),
            waking_until=time.fromisoformat(end),
            attendance_question=parse_duration(str(data["attendance_question"])),
            attendance_nudge=parse_duration(str(data["attendance_nudge"])),
            seat_hold=parse_duration(str(data["seat_hold"])),
        )

    def waking_moment(self, nominal: datetime, starts_at: datetime, zone: ZoneInfo) -> datetime:
        """`nominal`, or the nearest waking moment before the meeting when it falls at night.

        Early mornings move to the start of waking hours if that still leaves MIN_LEAD before the
        meeting, otherwise to the evening before; late evenings move back to the end of waking hours.
        """
        local = nominal.astimezone(zone)
        if self.waking_from <= local.time() <= self.waking_until:
            return nominal
        if local.time() > self.waking_until:
            return datetime.combine(local.date(), self.waking_until, zone).astimezone(nominal.tzinfo)
        morning = datetime.combine(local.date(), self.waking_from, zone)
        if morning <= starts_at - MIN_LEAD:
            return morning.astimezone(nominal.tzinfo)
        evening = datetime.combine(local.date() - timedelta(days=1), self.waking_until, zone)
        return evening.astimezone(nominal.tzinfo)

    def reminder_slots(self, starts_at: datetime, zone: ZoneInfo) -> list[Slot]:
        """The reminders of a meeting, earliest first; each lapses when the next one is due.

        Two reminders that land on the same moment (after moving out of the night) are sent once.
        """
        moments: dict[datetime, str] = {}
        for offset in sorted(self.reminders, reverse=True):
            due = self.waking_moment(starts_at - offset, starts_at, zone)
            if due < starts_at:
                # The nearer reminder wins a shared moment: it says what matters most then.
                moments[due] = format_duration(offset)
        ordered = sorted(moments.items())
        slots = []
        for index, (due, name) in enumerate(ordered):
            expires = ordered[index + 1][0] if index + 1 < len(ordered) else starts_at
            slots.append(Slot(f"reminder-{name}", due, expires))
        return slots

    def attendance_slots(self, starts_at: datetime, zone: ZoneInfo) -> tuple[Slot, Slot]:
        """The attendance question and the second asking of those who have not answered."""
        question = self.waking_moment(starts_at - self.attendance_question, starts_at, zone)
        nudge = self.waking_moment(starts_at - self.attendance_nudge, starts_at, zone)
        return (
            Slot("attendance", question, nudge if nudge > question else starts_at),
            Slot("attendance-nudge", nudge, starts_at),
        )

    def checkin_code_slot(self, starts_at: datetime, zone: ZoneInfo, expires_at: datetime) -> Slot:
        """The morning of the meeting's day, when a seated person gets their check-in code again.

        At the start of waking hours (local), or an hour before the start if the meeting begins
        earlier than that; it still makes sense until `expires_at` (the meeting's end).
        """
        local_start = starts_at.astimezone(zone)
        morning = datetime.combine(local_start.date(), self.waking_from, zone).astimezone(starts_at.tzinfo)
        return Slot("checkin-code", min(morning, starts_at - CHECKIN_CODE_LEAD), expires_at)

    def offers_seats(self, now: datetime, starts_at: datetime | None) -> bool:
        """Whether a seat freed at `now` is offered with a hold rather than given outright.

        Weeks ahead, people on the waiting list still want the seat they asked for. Close to the
        meeting, plans have changed, so the seat waits for someone who says they will come.
        """
        return starts_at is not None and now >= starts_at - self.attendance_question

    def hold_until(self, now: datetime, starts_at: datetime) -> datetime | None:
        """Until when an offered seat is held; None once the meeting has begun."""
        if now >= starts_at:
            return None
        return now + min(self.seat_hold, (starts_at - now) / 2)
