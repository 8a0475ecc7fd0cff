"""The meeting's code on the projector: self check-in by scanning it, during the meeting's hours only.

A PIC shows the code (`/checkin`) as a QR image of `t.me/<bot>?start=absen-<meeting>-<slot>-<mac>`.
It changes every ten minutes: `slot` numbers the ten minutes since the epoch and `mac` is an HMAC of
the meeting and the slot under the meeting's own secret (`Meeting.checkin_key`, made when the code
is first shown), truncated and base64url-encoded, so a code cannot be made up, nor the next one
guessed from this one. A code is taken during its own slot and the next one (a person scanning as
the code is replaced); an older one has expired, a photo of the projector taken yesterday included.

A seated person who opens a valid code is checked in (`models.check_in.check_in`, the projector
way); a person waiting, cancelled or not registered there, and anyone outside the meeting's
self-check-in window, is told why not.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.check_in import CheckIn, CheckInOutcome, check_in, self_check_in_window
from models.meeting_day_settings import PROJECTOR_PREFIX
from models.participant import Participant
from models.program import Meeting
from models.registration import CheckInWay, Registration, RegistrationStatus

# How long one code is shown before the next replaces it.
ROTATION = timedelta(minutes=10)
# Codes of this many slots before the current one are still taken: a person scanning at the switch.
SLOTS_ACCEPTED = 2
# Characters of the base64url HMAC kept: 96 bits, far beyond guessing within twenty minutes.
MAC_CHARS = 16
_KEY_BYTES = 32
# Telegram's limit on a deep-link payload.
MAX_PAYLOAD = 64


class ScanOutcome(enum.StrEnum):
    """Why a projector code opened by a person checked them in or not, beside `CheckInOutcome`."""

    # Not a code the bot made (typed, altered, another bot's) or of a meeting that no longer exists.
    FORGED = "forged"
    # A real code, replaced more than ten minutes ago.
    EXPIRED = "expired"
    # The person holds no registration at that meeting.
    NOT_REGISTERED = "not_registered"


@dataclass(frozen=True)
class ProjectorCode:
    """The code shown now: its deep-link payload, and until when it is taken."""

    payload: str
    meeting: Meeting
    # When the next code replaces it on the projector, and when this one stops being taken.
    replaced_at: datetime
    valid_until: datetime


@dataclass(frozen=True)
class Scan:
    """What opening a projector code did: a check-in attempt (`check_in`), or why none was made."""

    meeting: Meeting | None
    refused: ScanOutcome | None = None
    check_in: CheckIn | None = None

    @property
    def outcome(self) -> ScanOutcome | CheckInOutcome:
        if self.check_in is not None:
            return self.check_in.outcome
        assert self.refused is not None
        return self.refused


def slot_of(moment: datetime) -> int:
    """The number of the ten minutes `moment` falls in, counted from the epoch."""
    return int(moment.timestamp()) // int(ROTATION.total_seconds())


def slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * int(ROTATION.total_seconds()), UTC)


def _mac(key: str, meeting_id: int, slot: int) -> str:
    digest = hmac.new(key.encode(), f"{meeting_id}:{slot}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:MAC_CHARS]


def payload_for(meeting_id: int, key: str, slot: int) -> str:
    """The deep-link payload of the meeting's code in `slot`: at most 64 characters of A-Za-z0-9_-."""
    payload = f"{PROJECTOR_PREFIX}{meeting_id}-{slot}-{_mac(key, meeting_id, slot)}"
    assert len(payload) <= MAX_PAYLOAD
    return payload


async def projector_code(session: AsyncSession, meeting: Meeting, now: datetime) -> ProjectorCode | None:
    """The code to show now; None outside the meeting's self-check-in window (or without a date)."""
    window = self_check_in_window(meeting)
    if window is None or not window[0] <= now < window[1]:
        return None
    if meeting.checkin_key is None:
        # Made once: of two PICs showing the code for the first time at once, the second finds the
        # first one's secret (its update waits for the row and then matches nothing) and shows the same code.
        await session.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id, Meeting.checkin_key.is_(None))
            .values(checkin_key=secrets.token_urlsafe(_KEY_BYTES))
            .execution_options(synchronize_session=False)
        )
        await session.refresh(meeting, ["checkin_key"])
        assert meeting.checkin_key is not None
    slot = slot_of(now)
    return ProjectorCode(
        payload_for(meeting.id, meeting.checkin_key, slot),
        meeting,
        replaced_at=slot_start(slot + 1),
        valid_until=slot_start(slot + SLOTS_ACCEPTED),
    )


def _parse(payload: str) -> tuple[int, int, str] | None:
    if not payload.startswith(PROJECTOR_PREFIX) or len(payload) > MAX_PAYLOAD:
        return None
    parts = payload[len(PROJECTOR_PREFIX) :].split("-", 2)
    if len(parts) != 3:
        return None
    meeting_id, slot, mac = parts
    if not (meeting_id.isascii() and meeting_id.isdigit() and slot.isascii() and slot.isdigit()):
        return None
    if len(meeting_id) > 12 or len(slot) > 12 or len(mac) != MAC_CHARS:
        return None
    return int(meeting_id), int(slot), mac


async def meeting_of_code(
    session: AsyncSession, payload: str, now: datetime
) -> tuple[Meeting | None, ScanOutcome | None]:
    """The meeting a projector code names, and None if it is taken now; else why not (forged, expired)."""
    parsed = _parse(payload)
    if parsed is None:
        return None, ScanOutcome.FORGED
    meeting_id, slot, mac = parsed
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.checkin_key is None:
        return None, ScanOutcome.FORGED
    if not hmac.compare_digest(mac, _mac(meeting.checkin_key, meeting_id, slot)):
        return None, ScanOutcome.FORGED
    current = slot_of(now)
    if slot > current:
        # Only a code made under a clock set later: not one the bot showed.
        return None, ScanOutcome.FORGED
    if current - slot >= SLOTS_ACCEPTED:
        return meeting, ScanOutcome.EXPIRED
    return meeting, None


async def _registration_of(session: AsyncSession, telegram_user_id: int, meeting_id: int) -> Registration | None:
    """The person's live registration at the meeting, else their latest cancelled one."""
    return await session.scalar(
        select(Registration)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Participant.telegram_user_id == telegram_user_id, Registration.meeting_id == meeting_id)
        .order_by(Registration.status == RegistrationStatus.CANCELLED, Registration.id.desc())
        .limit(1)
    )


async def scan_projector_code(session: AsyncSession, payload: str, *, telegram_user_id: int, now: datetime) -> Scan:
    """Check the person who opened a projector code in, if the code is taken now and they hold a seat there."""
    meeting, refused = await meeting_of_code(session, payload, now)
    if refused is not None:
        return Scan(meeting, refused)
    assert meeting is not None
    registration = await _registration_of(session, telegram_user_id, meeting.id)
    if registration is None:
        return Scan(meeting, ScanOutcome.NOT_REGISTERED)
    attempt = await check_in(session, registration.id, way=CheckInWay.PROJECTOR, by=None, now=now)
    assert attempt is not None
    return Scan(meeting, check_in=attempt)
