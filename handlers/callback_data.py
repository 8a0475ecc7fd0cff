"""The one schema for inline-button data: typed actions packed into at most 64 bytes.

Data is `<tag>:<field>:<field>…` with small integers and short codes, so it never nears
Telegram's 64-byte limit. Anything that does not parse into a known action (a forged or
outdated button) parses to None and is answered as a stale button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar

from telegram import InlineKeyboardButton, Update

MAX_BYTES = 64


ACTIONS: dict[str, type[Action]] = {}


@dataclass(frozen=True)
class Action:
    """Base of every button action; each subclass is registered under its tag."""

    tag: ClassVar[str]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.tag in ACTIONS:
            raise ValueError(f"callback tag {cls.tag!r} is used by {ACTIONS[cls.tag].__name__} already")
        ACTIONS[cls.tag] = cls


@dataclass(frozen=True)
class Consent(Action):
    tag = "c"
    agree: bool


@dataclass(frozen=True)
class MeetingPage(Action):
    tag = "mp"
    page: int


@dataclass(frozen=True)
class ChooseMeeting(Action):
    tag = "m"
    meeting_id: int


@dataclass(frozen=True)
class ChooseRole(Action):
    tag = "r"
    meeting_id: int
    role_id: int


@dataclass(frozen=True)
class ReuseDetails(Action):
    """Use the details given for the last registration (or type new ones)."""

    tag = "ru"
    use: bool


@dataclass(frozen=True)
class Submit(Action):
    tag = "sk"
    meeting_id: int


@dataclass(frozen=True)
class EditMenu(Action):
    tag = "se"


@dataclass(frozen=True)
class Discard(Action):
    tag = "sb"


@dataclass(frozen=True)
class EditField(Action):
    tag = "ef"
    step: str


@dataclass(frozen=True)
class BackToSummary(Action):
    tag = "eb"


@dataclass(frozen=True)
class RegisterAnother(Action):
    tag = "n"


@dataclass(frozen=True)
class AskCancel(Action):
    tag = "xa"
    registration_id: int


@dataclass(frozen=True)
class ConfirmCancel(Action):
    tag = "xy"
    registration_id: int


@dataclass(frozen=True)
class KeepRegistration(Action):
    tag = "xn"
    registration_id: int


@dataclass(frozen=True)
class FixPick(Action):
    """The registration whose details the person corrects (`/ubahdata`)."""

    tag = "fp"
    registration_id: int


@dataclass(frozen=True)
class FixField(Action):
    tag = "ff"
    registration_id: int
    field: str


@dataclass(frozen=True)
class ConfirmErase(Action):
    tag = "dy"


@dataclass(frozen=True)
class KeepData(Action):
    tag = "dn"


@dataclass(frozen=True)
class SetLanguage(Action):
    tag = "l"
    language: str


@dataclass(frozen=True)
class Attendance(Action):
    tag = "hd"
    registration_id: int
    attend: bool


@dataclass(frozen=True)
class ConfirmAbsence(Action):
    tag = "hx"
    registration_id: int


@dataclass(frozen=True)
class KeepSeat(Action):
    tag = "hk"
    registration_id: int


@dataclass(frozen=True)
class TakeSeat(Action):
    tag = "oa"
    registration_id: int


@dataclass(frozen=True)
class ReleaseSeat(Action):
    tag = "ol"
    registration_id: int


@dataclass(frozen=True)
class StaffPick(Action):
    """A meeting chosen for a staff command (`handlers.staff`); authorised again when pressed."""

    tag = "sp"
    command: str
    meeting_id: int


@dataclass(frozen=True)
class StaffPage(Action):
    tag = "sg"
    command: str
    page: int


@dataclass(frozen=True)
class PicInvite(Action):
    """Create an invite link for the meeting (organizers only, checked when pressed)."""

    tag = "pci"
    meeting_id: int


@dataclass(frozen=True)
class PicWithdrawInvite(Action):
    tag = "pcw"
    invite_id: int


@dataclass(frozen=True)
class PicWithdrawInviteConfirmed(Action):
    tag = "pcwy"
    invite_id: int


@dataclass(frozen=True)
class PicRevoke(Action):
    """Asks to confirm; `PicRevokeConfirmed` revokes."""

    tag = "pcr"
    assignment_id: int


@dataclass(frozen=True)
class PicRevokeConfirmed(Action):
    tag = "pcry"
    assignment_id: int


@dataclass(frozen=True)
class PicPanel(Action):
    """Back to the meeting's PIC panel from a confirmation."""

    tag = "pcp"
    meeting_id: int


@dataclass(frozen=True)
class PicFromRegistration(Action):
    tag = "pcm"
    registration_id: int


# ---- announcements and roster changes


@dataclass(frozen=True)
class AnnounceSend(Action):
    """Send a previewed announcement; authorised again when pressed, sent once."""

    tag = "as"
    announcement_id: int


@dataclass(frozen=True)
class AnnounceDrop(Action):
    tag = "ad"
    announcement_id: int


@dataclass(frozen=True)
class RosterPage(Action):
    """A page of a meeting's roster to pick a participant from, for a change (`op`)."""

    tag = "rp"
    op: str
    meeting_id: int
    page: int


@dataclass(frozen=True)
class RosterListPage(Action):
    """A page of a meeting's roster (`/peserta`); the presser is authorised again."""

    tag = "rpg"
    meeting_id: int
    page: int


@dataclass(frozen=True)
class RosterPick(Action):
    tag = "rk"
    op: str
    registration_id: int


@dataclass(frozen=True)
class RosterMoveTo(Action):
    tag = "rm"
    registration_id: int
    role_id: int


@dataclass(frozen=True)
class RosterAddRole(Action):
    tag = "ra"
    meeting_id: int
    role_id: int


@dataclass(frozen=True)
class RecordAttendance(Action):
    """A PIC records the answer of someone added by hand (from `/peserta`); authorised again when pressed."""

    tag = "aa"
    registration_id: int
    attend: bool


@dataclass(frozen=True)
class ConfirmRecordedAbsence(Action):
    tag = "ay"
    registration_id: int


@dataclass(frozen=True)
class KeepRecordedSeat(Action):
    tag = "an"
    registration_id: int


# ---- program files


@dataclass(frozen=True)
class ProgramApply(Action):
    """Apply a program file held for confirmation (`models.program_uploads`); organizers only."""

    tag = "pga"
    upload_id: int


@dataclass(frozen=True)
class ProgramDrop(Action):
    tag = "pgd"
    upload_id: int


# ---- checking people in on the meeting day


@dataclass(frozen=True)
class ProjectorShow(Action):
    """Show the meeting's code for the projector (`/checkin`, a meeting chosen); authorised again when pressed."""

    tag = "pjm"
    meeting_id: int


@dataclass(frozen=True)
class ProjectorRefresh(Action):
    """Show the projector's code anew: the one of the current ten minutes."""

    tag = "pjr"
    meeting_id: int


@dataclass(frozen=True)
class CheckInPage(Action):
    """A page of a meeting's check-in list (`/catathadir`); page 0 when the meeting is chosen.

    `meeting_id` 0 (no meeting has it) is a page of the meeting chooser instead.
    """

    tag = "rcp"
    meeting_id: int
    page: int


@dataclass(frozen=True)
class CheckInTap(Action):
    """Check one seated person in from the list (the roster way), then show the same page again."""

    tag = "rci"
    registration_id: int
    page: int


# ---- the daftar hadir (signed attendance list)


@dataclass(frozen=True)
class AttendanceListPick(Action):
    """The meeting whose attendance list to send (`/daftarhadir`); authorised again when pressed."""

    tag = "dh"
    meeting_id: int


@dataclass(frozen=True)
class AttendanceListPage(Action):
    tag = "dhp"
    page: int


# ---- the evaluation after a meeting


@dataclass(frozen=True)
class Rate(Action):
    """A rating (1-5) of one statement of the person's evaluation; checked against the question asked now."""

    tag = "ev"
    registration_id: int
    question: int
    score: int


@dataclass(frozen=True)
class EvaluationComment(Action):
    """After the ratings: skip the comment, or (`write`) start typing it."""

    tag = "evc"
    registration_id: int
    write: bool


@dataclass(frozen=True)
class EvaluationMeeting(Action):
    """One meeting's evaluation results (`/evaluasi`); authorised again when pressed."""

    tag = "evm"
    meeting_id: int


@dataclass(frozen=True)
class EvaluationPage(Action):
    tag = "evp"
    page: int


# ---- the meeting day: online check-in


@dataclass(frozen=True)
class OnlineCheckIn(Action):
    """The online meeting's "Saya hadir": the person checks in themself during the meeting's hours."""

    tag = "oh"
    registration_id: int


def pack(action: Action) -> str:
    """The button data for an action."""
    parts = [action.tag]
    for field in fields(action):
        value = getattr(action, field.name)
        parts.append(str(int(value)) if isinstance(value, bool) else str(value))
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES or any(":" in p for p in parts[1:]):
        raise ValueError(f"callback data does not fit the schema: {data!r}")
    return data


def button(label: str, action: Action) -> InlineKeyboardButton:
    """An inline button that triggers the action."""
    return InlineKeyboardButton(label, callback_data=pack(action))


def parse(data: str | None) -> Action | None:
    """The action behind button data, or None when it is unknown or malformed."""
    # Only ASCII: str.isdigit() and int() also take digits of other scripts.
    if not data or len(data.encode()) > MAX_BYTES or not data.isascii():
        return None
    tag, *values = data.split(":")
    cls = ACTIONS.get(tag)
    if cls is None:
        return None
    spec = fields(cls)
    if len(values) != len(spec):
        return None
    kwargs: dict[str, object] = {}
    for field, raw in zip(spec, values, strict=True):
        if field.type in ("int", int):
            if not raw.isdigit() or len(raw) > 12:
                return None
            kwargs[field.name] = int(raw)
        elif field.type in ("bool", bool):
            if raw not in ("0", "1"):
                return None
            kwargs[field.name] = raw == "1"
        else:
            if not raw or len(raw) > 24 or not raw.replace("_", "").isalnum():
                return None
            kwargs[field.name] = raw
    return cls(**kwargs)


def pressed(update: Update) -> Action | None:
    """The action of the button pressed in an update, or None for no button or data that does not parse."""
    return parse(update.callback_query.data if update.callback_query else None)


def matches(*classes: type[Action]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern that accepts data of the given action types."""

    def predicate(data: object) -> bool:
        return isinstance(data, str) and isinstance(parse(data), classes)

    return predicate
