"""The attendance question: "Hadir" records the answer; "Tidak hadir", once confirmed, frees the seat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title
from handlers.planned_messages import attendance_keyboard, attendance_question
from handlers.shell import stale
from models.attendance import Outcome, answer_attendance, holds_seat_ahead
from models.registration import registration_of_user


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """Hadir, Tidak hadir, its confirmation, and the step back from it."""
    action = cb.pressed(update)
    registration = await registration_of_user(turn.session, getattr(action, "registration_id", 0), turn.user_id)
    if registration is not None and registration.meeting.has_started(turn.now):
        turn.close_pressed_keyboard = True
        turn.say("meeting_started", meeting=meeting_title(registration.meeting))
        return
    if registration is None or not holds_seat_ahead(registration, turn.now):
        await stale(turn)
        return
    meeting = meeting_title(registration.meeting)
    if isinstance(action, cb.Attendance) and not action.attend:
        # One tap must not give a seat away: ask again on the same message.
        turn.rewrite_pressed(
            turn.texts("absence_confirm", meeting=meeting),
            InlineKeyboardMarkup(
                [
                    [
                        cb.button(turn.texts.label("confirm_absent"), cb.ConfirmAbsence(registration.id)),
                        cb.button(turn.texts.label("back"), cb.KeepSeat(registration.id)),
                    ]
                ]
            ),
        )
        return
    if isinstance(action, cb.KeepSeat):
        turn.rewrite_pressed(
            attendance_question(registration, turn.texts), attendance_keyboard(registration, turn.texts)
        )
        return
    answer = await answer_attendance(
        turn.session, registration.id, will_attend=isinstance(action, cb.Attendance), now=turn.now
    )
    if answer.outcome == Outcome.NOT_APPLICABLE:
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    turn.say("attendance_recorded" if answer.outcome == Outcome.RECORDED else "absence_recorded", meeting=meeting)


def register_handlers(application: Application) -> None:
    """Add the attendance buttons."""
    application.add_handler(
        CallbackQueryHandler(on_button, pattern=cb.matches(cb.Attendance, cb.ConfirmAbsence, cb.KeepSeat))
    )
