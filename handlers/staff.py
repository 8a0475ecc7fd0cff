"""What every PIC and organizer command shares: who may act, and on which meeting.

Staff commands (`/rekap`, `/peserta`, `/ekspor`, `/umumkan` …) act on one meeting. A PIC of a
single meeting gets it at once; an organizer or a PIC of several is shown a chooser whose
buttons carry `StaffPick(command, meeting_id)`. Every step re-checks on the server that the
presser may manage the meeting the button names: a forged or stale button for another province
is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import callback_data as cb
from handlers.common import Turn, UpdateHandler, conversation_turn
from handlers.formatting import meeting_title
from handlers.steps import keeps_draft
from handlers.views import page_count, page_nav
from models.program import Meeting
from models.staff import Authority, authority_of, manageable_meetings

# A staff command's work once its meeting is known and allowed.
StaffAction = Callable[[Turn, Meeting, Authority], Awaitable[None]]
COMMANDS: dict[str, StaffAction] = {}
# Commands whose action starts a step of their own (a text or a reason to type).
STARTS_STEP: set[str] = set()
# Meetings per chooser page: 33 provinces in three pages of buttons.
PAGE = 12


def staff_command(code: str, *, starts_step: bool = False) -> Callable[[StaffAction], StaffAction]:
    """Register a command's meeting action under a short code used in `StaffPick` buttons.

    A command that `starts_step` is refused while the person is half-way through a registration
    of their own, which its step would wipe.
    """

    def register(action: StaffAction) -> StaffAction:
        if code in COMMANDS:
            raise ValueError(f"staff command {code!r} is registered twice")
        COMMANDS[code] = action
        if starts_step:
            STARTS_STEP.add(code)
        return action

    return register


async def authority(turn: Turn) -> Authority:
    """The person's standing as staff, read in the update's transaction."""
    return await authority_of(turn.session, turn.user_id, turn.settings.admin_ids)


async def staff_authority(turn: Turn) -> Authority | None:
    """The person's standing if they are staff (a PIC or an organizer); otherwise None, and the refusal is said.

    Called before anything a command or button names is looked up, so whoever is not staff gets the same
    answer whatever the id.
    """
    who = await authority(turn)
    if who.is_staff:
        return who
    refuse(turn, who)
    return None


def command_lines(commands: list[tuple[str, str]]) -> str:
    """Commands one to a line: '/rekap — Rekap kuota pertemuan'."""
    return "\n".join(f"/{name} — {text}" for name, text in commands)


def refuse(turn: Turn, who: Authority | None = None) -> None:
    """Say the person may not do this; a pressed button is closed.

    Given who they are (`who`), the answer also names the commands they may use instead: a PIC
    trying an organizer's command gets the PIC's, a participant trying a staff command everyone's.
    """
    turn.close_pressed_keyboard = True
    turn.answer_button("staff_not_allowed")
    if who is None:
        turn.say("staff_not_allowed")
    elif who.is_staff:
        turn.say("staff_admin_only", commands=command_lines(turn.texts.staff_commands(admin=False)))
    else:
        turn.say("staff_only", commands=command_lines(turn.texts.commands()))


async def managed_meeting(turn: Turn, who: Authority, meeting_id: int) -> Meeting | None:
    """The meeting if the person may manage it; otherwise None, and the refusal is said."""
    meeting = await turn.session.get(Meeting, meeting_id) if who.may_manage(meeting_id) else None
    if meeting is None:
        refuse(turn)
    return meeting


async def run_for_meeting(turn: Turn, code: str, *, page: int = 0, rewrite: bool = False) -> None:
    """Run a staff command: at once on a PIC's only meeting, else after the meeting is chosen."""
    who = await staff_authority(turn)
    if who is None:
        return
    if code in STARTS_STEP and await keeps_draft(turn):
        return
    if not who.is_admin and len(who.pic_meeting_ids) == 1:
        meeting = await managed_meeting(turn, who, next(iter(who.pic_meeting_ids)))
        if meeting is not None:
            await COMMANDS[code](turn, meeting, who)
        return
    meetings = await manageable_meetings(turn.session, who)
    pages = page_count(len(meetings), PAGE)
    page, nav = page_nav(turn.texts, page, pages, lambda n: cb.StaffPage(code, n))
    shown = meetings[page * PAGE : (page + 1) * PAGE]
    rows = [[cb.button(meeting_title(m), cb.StaffPick(code, m.id))] for m in shown]
    if nav:
        rows.append(nav)
    text = turn.texts("staff_choose_meeting", page=page + 1, pages=pages)
    if rewrite:
        turn.rewrite_pressed(text, InlineKeyboardMarkup(rows))
    else:
        turn.say_html(text, InlineKeyboardMarkup(rows))


def command_handler(code: str) -> UpdateHandler:
    """The handler of the command /<code>: its action on the PIC's meeting, or on the one chosen."""

    @conversation_turn
    async def handler(update: Update, turn: Turn) -> None:
        await run_for_meeting(turn, code)

    handler.__name__ = handler.__qualname__ = f"on_{code}"
    return handler


@conversation_turn
async def on_pick(update: Update, turn: Turn) -> None:
    """A meeting chosen for a staff command, or a page of the chooser."""
    action = cb.pressed(update)
    if isinstance(action, cb.StaffPage) and action.command in COMMANDS:
        await run_for_meeting(turn, action.command, page=action.page, rewrite=True)
        return
    if not isinstance(action, cb.StaffPick) or action.command not in COMMANDS:
        turn.answer_button("stale_button")
        turn.close_pressed_keyboard = True
        return
    who = await authority(turn)
    meeting = await managed_meeting(turn, who, action.meeting_id)
    if meeting is None:
        return
    turn.close_pressed_keyboard = True
    if action.command in STARTS_STEP and await keeps_draft(turn):
        return
    await COMMANDS[action.command](turn, meeting, who)


def register_handlers(application: Application) -> None:
    """Add the meeting chooser's buttons."""
    application.add_handler(CallbackQueryHandler(on_pick, pattern=cb.matches(cb.StaffPick, cb.StaffPage)))
