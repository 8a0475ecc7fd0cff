"""/batal: cancel a registration after confirmation; the seat goes to the first person waiting."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title
from handlers.shell import resume, stale
from models.history import coming_registrations
from models.registration import Registration, RegistrationStatus, registration_of_user
from models.seats import MeetingStarted, cancel


def _confirm(turn: Turn, registration: Registration) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("confirm_cancel"), cb.ConfirmCancel(registration.id)),
                cb.button(turn.texts.label("keep"), cb.KeepRegistration(registration.id)),
            ]
        ]
    )
    turn.say("cancel_confirm", keyboard, meeting=meeting_title(registration.meeting), role=registration.role.name)


async def _own_live_registration(turn: Turn, registration_id: int) -> Registration | None:
    """The registration if it is the person's own and still live."""
    registration = await registration_of_user(turn.session, registration_id, turn.user_id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    return registration


@conversation_turn
async def ask_which(update: Update, turn: Turn) -> None:
    """/batal: confirm the only registration, or ask which one."""
    registrations = await coming_registrations(turn.session, turn.user_id, now=turn.now)
    if not registrations:
        turn.say("cancel_none")
    elif len(registrations) == 1:
        _confirm(turn, registrations[0])
    else:
        rows = [
            [cb.button(turn.texts.label("cancel_registration", meeting=meeting_title(r.meeting)), cb.AskCancel(r.id))]
            for r in registrations
        ]
        turn.say("cancel_choose", InlineKeyboardMarkup(rows))
    await resume(turn)


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """The choice of registration, and the confirmation or refusal."""
    action = cb.pressed(update)
    registration = await _own_live_registration(turn, getattr(action, "registration_id", 0))
    if registration is None:
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    meeting = meeting_title(registration.meeting)
    if isinstance(action, cb.KeepRegistration):
        turn.say("cancel_kept")
    elif registration.meeting.has_started(turn.now):
        # A button from before the start.
        turn.say("meeting_started", meeting=meeting)
    elif isinstance(action, cb.AskCancel):
        _confirm(turn, registration)
    elif isinstance(action, cb.ConfirmCancel):
        try:
            await cancel(turn.session, registration.id, now=turn.now)
        except MeetingStarted:
            turn.say("meeting_started", meeting=meeting)
            return
        turn.say("cancel_done", meeting=meeting)


def register_handlers(application: Application) -> None:
    """Add /batal and its buttons."""
    application.add_handler(CommandHandler("batal", ask_which, filters=filters.ChatType.PRIVATE))
    application.add_handler(
        CallbackQueryHandler(on_button, pattern=cb.matches(cb.AskCancel, cb.ConfirmCancel, cb.KeepRegistration))
    )
