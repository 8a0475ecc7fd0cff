"""/catathadir: a PIC or organizer checks people in from the meeting's seated list, one tap each.

For walk-ins and people added by hand without Telegram. The list pages as the roster does
(`handlers.views` paging, `handlers.roster.PAGE` people a page) and shows who is checked in, with the
time. It is open from the morning of the meeting's day until the correction period after its end
(`models.roster_check_in.staff_window`); a tap after the end is a correction, audited as such.
Every page and tap checks who presses before any id is looked up, and every id the presser may not
act on gets the same refusal.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import local_moment, meeting_short_date, meeting_title
from handlers.roster import PAGE
from handlers.self_check_in import clock_time
from handlers.shell import resume
from handlers.staff import PAGE as CHOOSER_PAGE
from handlers.staff import managed_meeting, refuse, staff_authority
from handlers.texts import Html
from handlers.views import page_count, page_nav
from models.check_in import CORRECTION_PERIOD, CheckInOutcome, check_in, check_in_opens, has_ended
from models.program import Meeting
from models.registration import CheckInWay, Registration
from models.roster_check_in import StaffWindow, meetings_checking_in, seated, staff_window

# A name on a button is cut here; the message above lists it whole.
BUTTON_NAME = 32


# Telegram shows at most this much of a button press's notice.
NOTICE_LIMIT = 200


def _short(name: str, limit: int = BUTTON_NAME) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


async def show_page(turn: Turn, meeting: Meeting, page: int, *, rewrite: bool) -> None:
    """A page of the meeting's seated people: each a button, ✓ with the time for those checked in."""
    title = meeting_title(meeting)
    if not _window_open(turn, meeting):
        return
    people = await seated(turn.session, meeting.id)
    if not people:
        turn.say("checkin_roster_empty", meeting=title)
        return
    pages = page_count(len(people), PAGE)
    page, nav = page_nav(turn.texts, page, pages, lambda n: cb.CheckInPage(meeting.id, n))
    lines, rows = [], []
    for number, person in enumerate(people[page * PAGE : (page + 1) * PAGE], page * PAGE + 1):
        if person.checked_in_at is not None:
            time = clock_time(person.checked_in_at, meeting, turn.texts)
            lines.append(
                turn.texts(
                    "checkin_roster_line_in", number=number, name=person.full_name, role=person.role.name, time=time
                )
            )
            label = turn.texts.label("checkin_in", number=number, name=_short(person.full_name), time=time)
        else:
            lines.append(
                turn.texts("checkin_roster_line_out", number=number, name=person.full_name, role=person.role.name)
            )
            label = turn.texts.label("checkin_out", number=number, name=_short(person.full_name))
        rows.append([cb.button(label, cb.CheckInTap(person.id, page))])
    if nav:
        rows.append(nav)
    checked = sum(person.checked_in_at is not None for person in people)
    parts = [
        turn.texts(
            "checkin_roster_head",
            meeting=title,
            checked=checked,
            seated=len(people),
            page=page + 1,
            pages=pages,
        ),
        *lines,
    ]
    if has_ended(meeting, turn.now):
        parts.append(turn.texts("checkin_roster_correction"))
    text = Html("\n".join(parts))
    if rewrite:
        turn.rewrite_pressed(text, InlineKeyboardMarkup(rows))
    else:
        turn.say_html(text, InlineKeyboardMarkup(rows))


def _window_open(turn: Turn, meeting: Meeting) -> bool:
    """Whether the committee checks people in at the meeting now; if not, says when it may."""
    title = meeting_title(meeting)
    window = staff_window(meeting, turn.now)
    if window == StaffWindow.OPEN:
        return True
    turn.close_pressed_keyboard = True
    if window == StaffWindow.TOO_EARLY:
        opens = check_in_opens(meeting)
        assert opens is not None
        turn.say("checkin_roster_too_early", meeting=title, opens=local_moment(opens, meeting, turn.texts))
    elif window == StaffWindow.TOO_LATE:
        end = meeting.ends_at or meeting.starts_at
        assert end is not None
        turn.say(
            "checkin_roster_too_late",
            meeting=title,
            closed=local_moment(end + CORRECTION_PERIOD, meeting, turn.texts),
        )
    else:
        turn.say("checkin_roster_no_date", meeting=title)
    return False


async def choose_meeting(turn: Turn, page: int, *, rewrite: bool) -> None:
    """The meetings the person checks people in at now: at once if one, else a chooser."""
    who = await staff_authority(turn)
    if who is None:
        return
    meetings = await meetings_checking_in(turn.session, who, turn.now)
    if not meetings:
        turn.say("checkin_roster_none")
        return
    if len(meetings) == 1 and not rewrite:
        await show_page(turn, meetings[0], 0, rewrite=False)
        return
    pages = page_count(len(meetings), CHOOSER_PAGE)
    page, nav = page_nav(turn.texts, page, pages, lambda n: cb.CheckInPage(0, n))
    rows = [
        [cb.button(f"{meeting_title(m)} · {meeting_short_date(m, turn.texts)}", cb.CheckInPage(m.id, 0))]
        for m in meetings[page * CHOOSER_PAGE : (page + 1) * CHOOSER_PAGE]
    ]
    if nav:
        rows.append(nav)
    text = turn.texts("checkin_roster_choose", page=page + 1, pages=pages)
    if rewrite:
        turn.rewrite_pressed(text, InlineKeyboardMarkup(rows))
    else:
        turn.say_html(text, InlineKeyboardMarkup(rows))


@conversation_turn
async def on_command(update: Update, turn: Turn) -> None:
    """/catathadir."""
    await choose_meeting(turn, 0, rewrite=False)
    await resume(turn)


@conversation_turn
async def on_page(update: Update, turn: Turn) -> None:
    """A meeting chosen (its list's first page), another page of the list, or of the chooser."""
    action = cb.pressed(update)
    assert isinstance(action, cb.CheckInPage)
    if action.meeting_id == 0:
        await choose_meeting(turn, action.page, rewrite=True)
        return
    who = await staff_authority(turn)
    if who is None:
        return
    meeting = await managed_meeting(turn, who, action.meeting_id)
    if meeting is not None:
        await show_page(turn, meeting, action.page, rewrite=True)


@conversation_turn
async def on_tap(update: Update, turn: Turn) -> None:
    """One person checked in from the list; the page shows them ✓ at once."""
    action = cb.pressed(update)
    assert isinstance(action, cb.CheckInTap)
    who = await staff_authority(turn)
    if who is None:
        return
    registration = await turn.session.get(Registration, action.registration_id)
    if registration is None or not who.may_manage(registration.meeting_id):
        refuse(turn)
        return
    meeting = registration.meeting
    if not _window_open(turn, meeting):
        return
    attempt = await check_in(turn.session, registration.id, way=CheckInWay.ROSTER, by=turn.user_id, now=turn.now)
    assert attempt is not None
    person = attempt.registration
    texts = turn.texts
    if attempt.outcome == CheckInOutcome.CHECKED_IN:
        turn.callback_answer = texts.plain(
            "checkin_tap_done",
            name=person.full_name,
            role=person.role.name,
            checked=attempt.checked_in,
            seats=attempt.seats,
        )
    elif attempt.outcome == CheckInOutcome.ALREADY:
        assert person.checked_in_at is not None
        turn.callback_answer = texts.plain(
            "checkin_tap_already", name=person.full_name, time=clock_time(person.checked_in_at, meeting, texts)
        )
    else:
        # No longer seated (cancelled, removed, moved to the waiting list) since the page was shown.
        turn.callback_answer = texts.plain("checkin_tap_not_seated", name=person.full_name)
    turn.callback_answer = _short(turn.callback_answer, NOTICE_LIMIT)
    await show_page(turn, meeting, action.page, rewrite=True)


def register_handlers(application: Application) -> None:
    """Add /catathadir and its buttons."""
    application.add_handler(CommandHandler("catathadir", on_command, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_page, pattern=cb.matches(cb.CheckInPage)))
    application.add_handler(CallbackQueryHandler(on_tap, pattern=cb.matches(cb.CheckInTap)))
