"""/datasaya and /hapusdata: a person sees their data, or erases it and withdraws consent."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import local_date
from handlers.shell import resume
from models.participant import get_participant
from models.personal_data import erase_person


@conversation_turn
async def show_my_data(update: Update, turn: Turn) -> None:
    """/datasaya: everything kept about the person."""
    participant = await get_participant(turn.session, turn.user_id)
    if participant is None:
        turn.say("mydata_none")
    else:
        turn.say(
            "mydata",
            name=participant.full_name,
            institution=participant.institution,
            position=participant.position,
            phone=participant.phone_e164,
            since=local_date(participant.created_at, turn.texts),
        )
    await resume(turn)


@conversation_turn
async def ask_erase(update: Update, turn: Turn) -> None:
    """/hapusdata: ask before erasing."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("confirm_erase"), cb.ConfirmErase()),
                cb.button(turn.texts.label("keep"), cb.KeepData()),
            ]
        ]
    )
    turn.say("erase_confirm", keyboard)


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """The answer to the erase question."""
    turn.close_pressed_keyboard = True
    if isinstance(cb.pressed(update), cb.KeepData):
        turn.say("erase_kept")
        await resume(turn)
        return
    await erase_person(turn.session, turn.user_id, now=turn.now)
    turn.say("erase_done", ReplyKeyboardRemove())


def register_handlers(application: Application) -> None:
    """Add /datasaya, /hapusdata and its buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("datasaya", show_my_data, filters=private))
    application.add_handler(CommandHandler("hapusdata", ask_erase, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.matches(cb.ConfirmErase, cb.KeepData)))
