"""Telegram's word that a person blocked or unblocked the bot: nothing is sent to them while blocked."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler

from handlers.common import Turn, conversation_turn
from models.reachability import set_reachable

GONE = {ChatMember.BANNED, ChatMember.LEFT}


@conversation_turn
async def on_my_chat_member(update: Update, turn: Turn) -> None:
    """Mark the person unreachable when they block the bot, reachable again when they unblock it."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    await set_reachable(turn.session, turn.user_id, change.new_chat_member.status not in GONE, now=turn.now)


def register_handlers(application: Application) -> None:
    """Add the my_chat_member handler."""
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
