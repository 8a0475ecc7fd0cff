"""An .ics file per meeting seat, so a participant's own calendar reminds them in the meeting's local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//shm-bot//TPBIS SHM//ID"
# Meetings run a working day; when the program gives no end, this keeps the event from being zero-length.
DEFAULT_DURATION = timedelta(hours=7)


def meeting_calendar(
    *,
    uid: str,
    title: str,
    description: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime | None,
    zone: ZoneInfo,
    alarm_before: timedelta,
    stamp: datetime,
) -> bytes:
    """An .ics file with the meeting in its own time zone and one alarm before it."""
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at), ("stamp", stamp)):
        # A naive time would be written as floating time, which every calendar reads in its own zone.
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    if ends_at is None:
        ends_at = starts_at + DEFAULT_DURATION

    # Imported when first needed: icalendar costs 8.5 MB resident, and an idle bot stays under 100 MB.
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    # In the meeting's zone rather than UTC, so the file itself says "09:00 WITA" to anyone reading it.
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("summary", title)
    event.add("description", description)
    event.add("location", location)

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -alarm_before)
    event.add_component(alarm)
    calendar.add_component(event)

    calendar.add_missing_timezones()
    # icalendar silently skips zones it cannot describe; a TZID without its VTIMEZONE breaks strict clients.
    missing = calendar.get_missing_tzids()
    if missing:
        raise ValueError(f"no VTIMEZONE could be built for {sorted(missing)}")
    return calendar.to_ical()
