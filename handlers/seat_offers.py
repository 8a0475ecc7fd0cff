"""A freed seat offered from the waiting list: "Ambil" takes it while it is held, "Lepas" passes it on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import callback_data as cb
from handlers.checkin_code import code_photos
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title, registration_details
from handlers.planned_messages import seat_calendar
from handlers.shell import stale
from models.attendance import Outcome, release_seat, take_seat
from models.registration import registration_of_user


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """Ambil or Lepas."""
    action = cb.pressed(update)
    registration = await registration_of_user(turn.session, getattr(action, "registration_id", 0), turn.user_id)
    if registration is None:
        await stale(turn)
        return
    if registration.meeting.has_started(turn.now):
        # Taken or let go, a seat no longer changes hands once the meeting is under way.
        turn.close_pressed_keyboard = True
        turn.say("meeting_started", meeting=meeting_title(registration.meeting))
        return
    if isinstance(action, cb.TakeSeat):
        answer = await take_seat(turn.session, registration.id, now=turn.now)
    else:
        answer = await release_seat(turn.session, registration.id, now=turn.now)
    if answer.outcome == Outcome.NOT_APPLICABLE:
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    if answer.outcome == Outcome.SEATED:
        documents = await seat_calendar(turn.session, registration, turn.texts, turn.now)
        documents += await code_photos(turn.session, registration, turn.texts, turn.bot_username, turn.now)
        turn.say(
            "seat_taken",
            documents=documents,
            **registration_details(registration.meeting, registration.role.name, turn.texts),
        )
    elif answer.outcome == Outcome.RELEASED:
        turn.say("seat_released", meeting=meeting_title(registration.meeting))
    else:
        turn.say("seat_too_late", meeting=meeting_title(registration.meeting))


def register_handlers(application: Application) -> None:
    """Add the Ambil and Lepas buttons."""
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.matches(cb.TakeSeat, cb.ReleaseSeat)))
