"""How meetings, dates and times read in each language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypedDict

from babel.dates import format_date, format_datetime

from handlers.texts import Html, Texts
from models.program import Meeting
from models.provinces import ZONE_ABBREVIATIONS
from models.registration import RoleAvailability

BABEL_LOCALES = {"id": "id_ID", "en": "en_GB"}


def meeting_title(meeting: Meeting) -> str:
    """The name people know a meeting by: its province and city."""
    province = meeting.province.name
    return province if meeting.city in province else f"{province} ({meeting.city})"


def meeting_when(meeting: Meeting, texts: Texts) -> str:
    """'Selasa, 8 Agustus 2023 pukul 09.00 WIB', or 'jadwal menyusul'."""
    if meeting.starts_at is None:
        return texts("date_tba")
    return local_moment(meeting.starts_at, meeting, texts)


def local_moment(moment: datetime, meeting: Meeting, texts: Texts) -> str:
    """A moment in the meeting's zone: 'Senin, 24 Juli 2023 pukul 09.00 WIB'."""
    local = moment.astimezone(meeting.zone)
    locale = BABEL_LOCALES[texts.language]
    time_pattern = "HH.mm" if texts.language == "id" else "HH:mm"
    return texts(
        "at_time",
        date=format_datetime(local, "EEEE, d MMMM y", locale=locale),
        time=format_datetime(local, time_pattern, locale=locale),
        zone=ZONE_ABBREVIATIONS[meeting.province.tz_name],
    )


def meeting_short_date(meeting: Meeting, texts: Texts) -> str:
    """'26 Jul 2023' for a button, or 'jadwal menyusul'."""
    start = meeting.local_start()
    if start is None:
        return texts("date_tba")
    return format_date(start.date(), "d MMM y", locale=BABEL_LOCALES[texts.language])


def meeting_venue(meeting: Meeting, texts: Texts) -> str:
    """The venue and city, online for a meeting held online only, or the city alone when the venue is not announced."""
    if meeting.venue:
        return f"{meeting.venue}, {meeting.city}"
    if meeting.online_url:
        return texts("venue_online")
    return f"{texts('venue_tba')} ({meeting.city})"


class SeatDetails(TypedDict):
    """The placeholders of every message about a seat; fixed keys, so they unpack beside other arguments."""

    meeting: str
    role: str
    when: str
    venue: str


def registration_details(meeting: Meeting, role_name: str, texts: Texts) -> SeatDetails:
    """What every message about a seat restates: meeting, role, local time and venue."""
    return {
        "meeting": meeting_title(meeting),
        "role": role_name,
        "when": meeting_when(meeting, texts),
        "venue": meeting_venue(meeting, texts),
    }


def local_date(moment: datetime, texts: Texts) -> str:
    """A date as the user's language writes it."""
    return format_date(moment.date(), "d MMMM y", locale=BABEL_LOCALES[texts.language])


def role_fills(fills: Iterable[RoleAvailability], texts: Texts) -> Html:
    """Roles by their names with seats taken: 'Tim Sinergi Provinsi 2/5, Perwakilan Desa (Role Model) 0/1'."""
    return Html(
        ", ".join(texts("alerts_role_fill", role=fill.role.name, taken=fill.taken, seats=fill.seats) for fill in fills)
    )
