"""The .ics seat file, read back the way a calendar app would, so local times, zones, alarm and escaping are checked."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from handlers.calendar_file import PRODID, meeting_calendar

UTC = UTC
STAMP = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
# Every character RFC 5545 makes special in TEXT, plus an astral-plane emoji that must survive folding.
AWKWARD = "Perpustakaan & Arsip; Kab. Bengkulu, Jl. Ahmad Yani\nLt. 2 📚"


def build(**overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "uid": "seat-42@shm-bot",
        "title": "SHM Sulawesi Selatan (Makassar)",
        "description": "Bawa KTP.",
        "location": "Gedung Serbaguna",
        "starts_at": datetime(2026, 8, 4, 1, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 8, 4, 8, 30, tzinfo=UTC),
        "zone": ZoneInfo("Asia/Makassar"),
        "alarm_before": timedelta(hours=24),
        "stamp": STAMP,
    }
    arguments.update(overrides)
    return meeting_calendar(**arguments)  # type: ignore[arg-type]


def only_event(ics: bytes) -> Event:
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_calendar_header() -> None:
    calendar = Calendar.from_ical(build())
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_event_identity_and_stamp() -> None:
    event = only_event(build())
    assert str(event["UID"]) == "seat-42@shm-bot"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "SHM Sulawesi Selatan (Makassar)"


def test_start_is_local_wita_time_with_tzid() -> None:
    ics = build()
    event = only_event(ics)
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Asia/Makassar"
    assert start.time() == time(9, 0)
    assert start.utcoffset() == timedelta(hours=8)
    assert start == datetime(2026, 8, 4, 1, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Asia/Makassar:20260804T090000\r\n" in ics
    end = event.decoded("DTEND")
    assert event["DTEND"].params["TZID"] == "Asia/Makassar"
    assert end.time() == time(16, 30)


def test_vtimezone_matches_the_event_zone() -> None:
    calendar = Calendar.from_ical(build())
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Makassar"]
    assert calendar.get_missing_tzids() == set()


@pytest.mark.parametrize(
    ("zone", "local_hour", "offset_hours"), [("Asia/Jakarta", 8, 7), ("Asia/Makassar", 9, 8), ("Asia/Jayapura", 10, 9)]
)
def test_each_indonesian_zone(zone: str, local_hour: int, offset_hours: int) -> None:
    calendar = Calendar.from_ical(build(zone=ZoneInfo(zone)))
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == zone
    assert start.hour == local_hour
    assert start.utcoffset() == timedelta(hours=offset_hours)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    offsets = {standard.decoded("TZOFFSETTO") for standard in calendar.walk("STANDARD")}
    assert offsets == {timedelta(hours=offset_hours)}


def test_missing_end_means_seven_hours() -> None:
    event = only_event(build(ends_at=None))
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=7)
    assert event.decoded("DTEND").time() == time(16, 0)


@pytest.mark.parametrize("before", [timedelta(hours=24), timedelta(minutes=90)])
def test_one_display_alarm_before_the_start(before: timedelta) -> None:
    event = only_event(build(alarm_before=before))
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert str(alarms[0]["DESCRIPTION"]) == "SHM Sulawesi Selatan (Makassar)"
    assert alarms[0].decoded("TRIGGER") == -before


def test_awkward_text_is_escaped_and_round_trips() -> None:
    ics = build(title=AWKWARD, description=AWKWARD, location=AWKWARD)
    event = only_event(ics)
    assert str(event["SUMMARY"]) == AWKWARD
    assert str(event["DESCRIPTION"]) == AWKWARD
    assert str(event["LOCATION"]) == AWKWARD
    assert str(event.walk("VALARM")[0]["DESCRIPTION"]) == AWKWARD
    unfolded = ics.replace(b"\r\n ", b"")
    assert "LOCATION:Perpustakaan & Arsip\\; Kab. Bengkulu\\, Jl. Ahmad Yani\\nLt. 2 📚\r\n".encode() in unfolded


def test_lines_are_crlf_and_folded() -> None:
    ics = build(description="x" * 200)
    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="starts_at"):
        build(starts_at=datetime(2026, 8, 4, 9, 0))
