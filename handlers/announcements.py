"""/umumkan: a PIC's or organizer's message to every participant of a meeting.

The author types the text, sees it exactly as participants will, and sends it with one button
that names how many will get it. The outbox delivers it within Telegram's limits and, once every
message has ended one way or another, tells the author how many received it.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title
from handlers.planned_messages import announcement_text
from handlers.staff import authority, command_handler, managed_meeting, refuse, staff_command
from handlers.steps import text_step
from models.announcement import (
    MAX_BODY_LENGTH,
    AnnouncementError,
    AnnouncementProblem,
    confirm_announcement,
    discard_announcement,
    draft_announcement,
    recipient_count,
)
from models.program import Meeting
from models.staff import Authority

STEP = "announce_text"


@staff_command("umumkan", starts_step=True)
async def ask_text(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """Ask for the announcement's text."""
    if not await recipient_count(turn.session, meeting.id):
        turn.say("announce_no_recipients")
        return
    turn.conversation.clear_draft()
    turn.conversation.step = STEP
    turn.conversation.meeting_id = meeting.id
    turn.say("announce_ask", meeting=meeting_title(meeting), max=MAX_BODY_LENGTH)


@text_step(STEP)
async def on_text(turn: Turn, text: str) -> None:
    """The typed text: kept as a draft and previewed with the send button."""
    meeting = await managed_meeting(turn, await authority(turn), turn.conversation.meeting_id or 0)
    if meeting is None:
        turn.conversation.clear_draft()
        return
    try:
        announcement = await draft_announcement(
            turn.session,
            meeting_id=meeting.id,
            author_user_id=turn.user_id,
            author_chat_id=turn.chat_id,
            body=text,
            now=turn.now,
        )
    except AnnouncementError as error:
        turn.say(f"announce_{error.problem.value}", max=MAX_BODY_LENGTH)
        return
    turn.conversation.clear_draft()
    recipients = await recipient_count(turn.session, meeting.id)
    turn.say("announce_preview", recipients=recipients)
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("announce_send", n=recipients), cb.AnnounceSend(announcement.id)),
                cb.button(turn.texts.label("announce_drop"), cb.AnnounceDrop(announcement.id)),
            ]
        ]
    )
    turn.say_html(announcement_text(turn.texts, meeting, announcement.body), keyboard)


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """Kirim or Batal under a preview."""
    action = cb.pressed(update)
    assert isinstance(action, cb.AnnounceSend | cb.AnnounceDrop)
    who = await authority(turn)
    if not who.is_staff:
        # Before any announcement is looked up (and locked): the same answer whatever the id.
        refuse(turn, who)
        return
    try:
        if isinstance(action, cb.AnnounceDrop):
            await discard_announcement(turn.session, action.announcement_id, who)
            turn.close_pressed_keyboard = True
            turn.say("announce_dropped")
            return
        announcement = await confirm_announcement(turn.session, action.announcement_id, who, now=turn.now)
    except AnnouncementError as error:
        if error.problem is AnnouncementProblem.NOT_YOURS:
            refuse(turn)
        elif error.problem is AnnouncementProblem.ALREADY_SENT:
            # A double tap: the first one sent it and closed the keyboard.
            turn.answer_button("announce_already_sent")
        else:
            turn.close_pressed_keyboard = True
            turn.say(f"announce_{error.problem.value}", max=MAX_BODY_LENGTH)
        return
    turn.close_pressed_keyboard = True
    turn.answer_button("announce_sending")
    turn.say("announce_sending_notice", recipients=announcement.recipients)


def register_handlers(application: Application) -> None:
    """Add /umumkan and its preview's buttons."""
    application.add_handler(CommandHandler("umumkan", command_handler("umumkan"), filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.matches(cb.AnnounceSend, cb.AnnounceDrop)))
