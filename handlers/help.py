"""/bantuan and /bahasa: help, the choice between Indonesian and English, and commands in groups."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.pic_management import staff_menu
from handlers.shell import resume, stale
from handlers.staff import authority, command_lines
from handlers.texts import LANGUAGES, Html, Texts, language_for


@conversation_turn
async def show_help(update: Update, turn: Turn) -> None:
    """/bantuan: what the bot can do; PICs and organizers read their own commands too."""
    texts = turn.texts
    parts = [texts("help")]
    who = await authority(turn)
    if who.is_staff:
        parts.append(texts("help_staff", commands=command_lines(texts.staff_commands(admin=False))))
    if who.is_admin:
        parts.append(texts("help_admin", commands=command_lines(texts.admin_commands())))
    turn.say_html(Html("\n\n".join(parts)))
    await resume(turn)


def _commands_of(application: Application) -> frozenset[str]:
    """Every command the bot answers in a private chat, as its handlers name them."""
    return frozenset(
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    )


async def in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One of the bot's commands in a group, staff ones included: everything happens in private chats,
    where no one else reads a roster or a registration, so point to the private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    # "/peserta@this_bot args": another bot's command, or no command of ours, is left to others.
    command, _, addressee = message.text.split()[0][1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    if command.lower() not in _commands_of(context.application):
        return
    # Read in the group, where the bot keeps no one's chosen language: the sender's Telegram's.
    texts = Texts(language_for(update.effective_user.language_code if update.effective_user else None))
    link = InlineKeyboardButton(texts.label("private_chat"), url=f"https://t.me/{context.bot.username}?start")
    await message.reply_text(
        texts("group_redirect"), parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup([[link]])
    )


@conversation_turn
async def choose_language(update: Update, turn: Turn) -> None:
    """/bahasa: offer the languages."""
    rows = [[cb.button(Texts(code).label("language_name"), cb.SetLanguage(code))] for code in LANGUAGES]
    turn.say("choose_language", InlineKeyboardMarkup(rows))


@conversation_turn
async def on_language(update: Update, turn: Turn) -> None:
    """A language chosen."""
    action = cb.pressed(update)
    if not isinstance(action, cb.SetLanguage) or action.language not in LANGUAGES:
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    turn.conversation.language = action.language
    turn.texts = Texts(action.language)
    turn.say("language_set")
    who = await authority(turn)
    if who.is_staff:
        # A chat's own menu is not chosen by language: it is set again in the new one.
        turn.menus[turn.chat_id] = staff_menu(turn.texts, who)
    await resume(turn)


def register_handlers(application: Application) -> None:
    """Add /bantuan (/help) and /bahasa (/language)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["bantuan", "help"], show_help, filters=private))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language, filters=private))
    application.add_handler(CallbackQueryHandler(on_language, pattern=cb.matches(cb.SetLanguage)))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, in_group))
