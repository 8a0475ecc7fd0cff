"""Self check-in at the venue: `/checkin` puts the meeting's code on the projector, and a seated person scans it.

`/checkin` (a meeting's PICs, organizers) shows the code of their meeting held today as a QR photo
of `t.me/<bot>?start=absen-…` (`models.projector_code`); with several meetings today it asks which.
The code changes every ten minutes; **Perbarui** shows the current one. Whoever opens the link is
checked in if they hold a seat there and the meeting's self-check-in window is open; otherwise they
are told why not (expired or unknown code, waiting list, cancelled, not registered, too early, over).
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Build, Document, Turn, conversation_turn
from handlers.formatting import local_moment, meeting_title
from handlers.qr_code import qr_png
from handlers.shell import deep_link, resume, start_link
from handlers.staff import managed_meeting, staff_authority
from handlers.texts import Texts
from models.check_in import CheckInOutcome, self_check_in_window
from models.meeting_day_settings import PROJECTOR_PREFIX
from models.program import Meeting
from models.projector_code import ScanOutcome, projector_code, scan_projector_code
from models.provinces import ZONE_ABBREVIATIONS
from models.roster_check_in import meetings_today

# The QR is held up on a projector and read from across a room: large modules.
PROJECTOR_SCALE = 12


def clock_time(moment: datetime, meeting: Meeting, texts: Texts) -> str:
    """A time of the meeting's day as its people read it: '09.20 WIB' ('09:20 WIB' in English)."""
    local = moment.astimezone(meeting.zone)
    pattern = "%H.%M" if texts.language == "id" else "%H:%M"
    return f"{local.strftime(pattern)} {ZONE_ABBREVIATIONS[meeting.province.tz_name]}"


async def show_projector_code(turn: Turn, meeting: Meeting) -> None:
    """The meeting's current code as a photo with Perbarui; outside the window, when it opens or that it closed."""
    title = meeting_title(meeting)
    code = await projector_code(turn.session, meeting, turn.now)
    window = self_check_in_window(meeting)
    if code is None or window is None:
        if window is None:
            turn.say("projector_no_date", meeting=title)
        elif turn.now < window[0]:
            turn.say("projector_too_early", meeting=title, opens=local_moment(window[0], meeting, turn.texts))
        else:
            turn.say("projector_over", meeting=title, ended=local_moment(window[1], meeting, turn.texts))
        return
    link = start_link(turn.bot_username, code.payload)
    photo = Document(
        f"absen-{meeting.code}.png",
        Build(qr_png, (link,), {"scale": PROJECTOR_SCALE}, in_worker=False),
        turn.texts(
            "projector_caption", link=link, meeting=title, until=clock_time(code.valid_until, meeting, turn.texts)
        ),
        photo=True,
    )
    keyboard = InlineKeyboardMarkup(
        [[cb.button(turn.texts.label("projector_refresh"), cb.ProjectorRefresh(meeting.id))]]
    )
    turn.say(
        "projector_code",
        keyboard,
        documents=(photo,),
        meeting=title,
        replaced=clock_time(code.replaced_at, meeting, turn.texts),
        ends=clock_time(window[1], meeting, turn.texts),
    )


@conversation_turn
async def on_checkin(update: Update, turn: Turn) -> None:
    """/checkin: the code of the person's meeting today, or a choice among several."""
    who = await staff_authority(turn)
    if who is None:
        return
    meetings = await meetings_today(turn.session, who, turn.now)
    if not meetings:
        turn.say("projector_no_meeting_today")
    elif len(meetings) == 1:
        await show_projector_code(turn, meetings[0])
    else:
        rows = [[cb.button(meeting_title(m), cb.ProjectorShow(m.id))] for m in meetings]
        turn.say("projector_choose", InlineKeyboardMarkup(rows))
    await resume(turn)


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """A meeting chosen for the projector, or Perbarui: authorised again before the meeting is looked up."""
    action = cb.pressed(update)
    assert isinstance(action, cb.ProjectorShow | cb.ProjectorRefresh)
    who = await staff_authority(turn)
    if who is None:
        return
    meeting = await managed_meeting(turn, who, action.meeting_id)
    if meeting is None:
        return
    turn.close_pressed_keyboard = True
    await show_projector_code(turn, meeting)


@deep_link(PROJECTOR_PREFIX)
async def on_projector_code(update: Update, turn: Turn, payload: str) -> None:
    """A projector code opened by whoever scanned it: checked in, or told why not."""
    scan = await scan_projector_code(turn.session, payload, telegram_user_id=turn.user_id, now=turn.now)
    outcome = scan.outcome
    meeting = scan.meeting
    if outcome in (ScanOutcome.FORGED, ScanOutcome.EXPIRED) or meeting is None:
        turn.say(f"self_checkin_{outcome.value}")
        await resume(turn)
        return
    title = meeting_title(meeting)
    attempt = scan.check_in
    if attempt is None:
        turn.say("self_checkin_not_registered", meeting=title)
    elif outcome in (CheckInOutcome.CHECKED_IN, CheckInOutcome.ALREADY):
        registration = attempt.registration
        assert registration.checked_in_at is not None
        turn.say(
            f"self_checkin_{outcome.value}",
            name=registration.full_name,
            role=registration.role.name,
            meeting=title,
            time=clock_time(registration.checked_in_at, meeting, turn.texts),
        )
    elif outcome in (CheckInOutcome.TOO_EARLY, CheckInOutcome.TOO_LATE):
        window = self_check_in_window(meeting)
        assert window is not None
        turn.say(
            f"self_checkin_{outcome.value}",
            meeting=title,
            opens=local_moment(window[0], meeting, turn.texts),
            ended=local_moment(window[1], meeting, turn.texts),
        )
    else:
        # Waiting for a seat (or holding an offer), cancelled, or a meeting whose date was taken back.
        turn.say(f"self_checkin_{outcome.value}", meeting=title)
    await resume(turn)


def register_handlers(application: Application) -> None:
    """Add /checkin and its buttons; the projector code's deep link is claimed above."""
    application.add_handler(CommandHandler("checkin", on_checkin, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.matches(cb.ProjectorShow, cb.ProjectorRefresh)))
