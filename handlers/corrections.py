"""/ubahdata: a person corrects the name, institution, position or phone of a registration they hold.

The right to correction (UU PDP). The seat or waiting-list place is untouched; the value is checked
as at registration. The steps are kept in the person's `Conversation` like a registration's, so a
restart between two messages loses nothing; /cancel leaves before anything is changed.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title
from handlers.registration import checked_phone, checked_text, phone_keyboard
from handlers.shell import stale
from handlers.steps import button_steps, contact_step, keeps_draft, text_step
from handlers.texts import Html
from handlers.views import details_block
from models.corrections import correct_detail
from models.person_details import phone_as_written
from models.registration import Registration, RegistrationStatus, registration_of_user, registrations_of

PICK = "fix_pick"
CHOOSE_FIELD = "fix_field"
# The field a person may correct (as buttons carry it) and the detail it is.
FIELDS = {"name": "full_name", "institution": "institution", "position": "position", "phone": "phone_e164"}
# The step at which the new value of each field is typed.
TYPED = {f"fix_{code}": code for code in FIELDS}

button_steps(PICK, CHOOSE_FIELD)


async def _held(turn: Turn, registration_id: int | None) -> Registration | None:
    """The person's registration if it is still live; else say so and leave the correction."""
    registration = await registration_of_user(turn.session, registration_id or 0, turn.user_id)
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        return registration
    turn.conversation.clear_draft()
    turn.say("fix_gone")
    return None


def _ask_field(turn: Turn, registration: Registration) -> None:
    turn.conversation.step = CHOOSE_FIELD
    turn.conversation.subject_id = registration.id
    labels = [(turn.texts.label(f"field_{code}"), cb.FixField(registration.id, code)) for code in FIELDS]
    rows = [[cb.button(*labels[i]), cb.button(*labels[i + 1])] for i in range(0, len(labels), 2)]
    turn.say(
        "fix_fields",
        InlineKeyboardMarkup(rows),
        meeting=meeting_title(registration.meeting),
        details=details_block(turn.texts, registration.details),
    )


def _ask_value(turn: Turn, registration: Registration, code: str) -> None:
    value = getattr(registration, FIELDS[code])
    current = turn.texts("current_value", value=phone_as_written(value) if code == "phone" else value)
    keyboard = phone_keyboard(turn) if code == "phone" else None
    turn.say_html(Html(f"{turn.texts(f'ask_{code}')}\n{current}"), keyboard)


@conversation_turn
async def start_correction(update: Update, turn: Turn) -> None:
    """/ubahdata: the registration to correct (asked when there are several), then the field."""
    if await keeps_draft(turn):
        return
    turn.conversation.clear_draft()
    registrations = await registrations_of(turn.session, turn.user_id)
    if not registrations:
        turn.say("fix_none")
        return
    if len(registrations) == 1:
        _ask_field(turn, registrations[0])
        return
    turn.conversation.step = PICK
    rows = [
        [cb.button(turn.texts.label("fix_pick", meeting=meeting_title(r.meeting), role=r.role.name), cb.FixPick(r.id))]
        for r in registrations
    ]
    turn.say("fix_choose", InlineKeyboardMarkup(rows))


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """A registration picked, or a field chosen to correct."""
    action = cb.pressed(update)
    step = turn.conversation.step
    if isinstance(action, cb.FixPick) and step == PICK:
        turn.close_pressed_keyboard = True
        registration = await _held(turn, action.registration_id)
        if registration is not None:
            _ask_field(turn, registration)
        return
    if (
        isinstance(action, cb.FixField)
        and step == CHOOSE_FIELD
        and action.registration_id == turn.conversation.subject_id
        and action.field in FIELDS
    ):
        turn.close_pressed_keyboard = True
        registration = await _held(turn, action.registration_id)
        if registration is not None:
            turn.conversation.step = f"fix_{action.field}"
            _ask_value(turn, registration, action.field)
        return
    await stale(turn)


@contact_step("fix_phone")
@text_step(*TYPED)
async def on_value(turn: Turn, text: str) -> None:
    """The corrected value, typed (or the phone shared as a contact): checked as at registration, then saved."""
    code = TYPED[turn.conversation.step or ""]
    registration = await _held(turn, turn.conversation.subject_id)
    if registration is None:
        return
    value = checked_phone(turn, text) if code == "phone" else checked_text(turn, text)
    if value is None:
        _ask_value(turn, registration, code)
        return
    corrected = await correct_detail(
        turn.session, registration.id, telegram_user_id=turn.user_id, field=FIELDS[code], value=value, now=turn.now
    )
    turn.conversation.clear_draft()
    if corrected is None:
        turn.say("fix_gone")
        return
    turn.say(
        "fix_saved",
        ReplyKeyboardRemove() if code == "phone" else None,
        meeting=meeting_title(corrected.meeting),
        details=details_block(turn.texts, corrected.details),
    )


def register_handlers(application: Application) -> None:
    """Add /ubahdata (/editdata) and its buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["ubahdata", "editdata"], start_correction, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.matches(cb.FixPick, cb.FixField)))
