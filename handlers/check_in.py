"""Checking people in on the meeting day: the committee scans a person's code, an online participant taps "Saya hadir".

A personal code's QR opens `/start hadir-<token>` in the chat of whoever scans it. Who asks is
checked first: only a PIC of the code's meeting or an organizer checks anyone in. Someone else
(the participant themself included) is told to show the code to the committee; a PIC of another
province gets the same answer as for an unknown or forged code, so no name leaks.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import callback_data as cb
from handlers.checkin_code import online_keyboard
from handlers.common import Turn, conversation_turn
from handlers.formatting import local_moment, meeting_title, meeting_when
from handlers.shell import deep_link, resume, stale
from handlers.staff import authority
from models.check_in import (
    CheckIn,
    CheckInOutcome,
    check_in,
    has_ended,
    registration_of_code,
    self_check_in_window,
)
from models.meeting_day_settings import CHECKIN_PREFIX
from models.registration import CheckInWay, registration_of_user


@deep_link(CHECKIN_PREFIX)
async def open_code(update: Update, turn: Turn, payload: str) -> None:
    """/start hadir-<token>: a PIC or organizer scanned a participant's check-in code."""
    who = await authority(turn)
    if not who.is_staff:
        # Not even looked up: whoever is not staff learns nothing about the code, theirs or not.
        turn.say("checkin_show_committee")
        await resume(turn)
        return
    registration = await registration_of_code(turn.session, payload)
    if registration is None or not who.may_manage(registration.meeting_id):
        own = registration is not None and registration.participant.telegram_user_id == turn.user_id
        turn.say("checkin_show_committee" if own else "checkin_unknown_code")
        await resume(turn)
        return
    result = await check_in(turn.session, registration.id, way=CheckInWay.CODE, by=turn.user_id, now=turn.now)
    assert result is not None, "the registration was read in this transaction"
    _say_outcome(turn, result)
    await resume(turn)


def _say_outcome(turn: Turn, result: CheckIn) -> None:
    """What the scan did, for the committee member who scanned: the ✓ line with the count, or why not."""
    registration = result.registration
    meeting = registration.meeting
    name, title = registration.full_name, meeting_title(meeting)
    outcome = result.outcome
    if outcome == CheckInOutcome.CHECKED_IN:
        turn.say(
            "checkin_done_correction" if has_ended(meeting, turn.now) else "checkin_done",
            name=name,
            role=registration.role.name,
            count=result.checked_in,
            seats=result.seats,
        )
    elif outcome == CheckInOutcome.ALREADY:
        assert registration.checked_in_at is not None, "checked in before"
        when = local_moment(registration.checked_in_at, meeting, turn.texts)
        turn.say("checkin_already", name=name, when=when, count=result.checked_in, seats=result.seats)
    elif outcome == CheckInOutcome.TOO_EARLY:
        turn.say("checkin_refused_too_early", name=name, meeting=title, when=meeting_when(meeting, turn.texts))
    else:
        turn.say(f"checkin_refused_{outcome.value}", name=name, meeting=title)


@conversation_turn
async def on_online_check_in(update: Update, turn: Turn) -> None:
    """The online meeting's "Saya hadir": the person checks in themself during the meeting's hours."""
    action = cb.pressed(update)
    registration = await registration_of_user(turn.session, getattr(action, "registration_id", 0), turn.user_id)
    if registration is None or registration.meeting.online_url is None:
        # Forged, someone else's, or a meeting no longer online.
        await stale(turn)
        return
    result = await check_in(turn.session, registration.id, way=CheckInWay.ONLINE, by=None, now=turn.now)
    assert result is not None, "the registration was read in this transaction"
    meeting = registration.meeting
    title = meeting_title(meeting)
    outcome = result.outcome
    turn.close_pressed_keyboard = True
    if outcome == CheckInOutcome.TOO_EARLY:
        # A new button comes with the answer, to press once the window opens: the same button pressed
        # again on an unchanged message would read as a double tap.
        window = self_check_in_window(meeting)
        assert window is not None, "a dated meeting has a window"
        turn.answer_button("online_too_early_short")
        turn.choice = turn.texts.plain("online_too_early_short")
        opens = local_moment(window[0], meeting, turn.texts)
        turn.say("online_too_early", online_keyboard(registration, turn.texts), meeting=title, opens=opens)
        return
    if outcome == CheckInOutcome.CHECKED_IN:
        turn.say("online_checked_in", meeting=title)
    elif outcome == CheckInOutcome.ALREADY:
        assert registration.checked_in_at is not None, "checked in before"
        turn.say("online_already", meeting=title, when=local_moment(registration.checked_in_at, meeting, turn.texts))
    elif outcome == CheckInOutcome.TOO_LATE:
        turn.say("online_too_late", meeting=title)
    elif outcome == CheckInOutcome.NO_DATE:
        turn.say("online_no_date", meeting=title)
    else:
        turn.say("online_no_seat", meeting=title)


def register_handlers(application: Application) -> None:
    """Add the online "Saya hadir" button; the scanned codes come through /start (`open_code`)."""
    application.add_handler(CallbackQueryHandler(on_online_check_in, pattern=cb.matches(cb.OnlineCheckIn)))
