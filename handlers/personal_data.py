"""/datasaya and /hapusdata: a person sees their data (and gets it as a file), or erases it and withdraws consent."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Document, Turn, conversation_turn
from handlers.formatting import local_date, local_moment, meeting_title
from handlers.shell import resume
from handlers.texts import Html, Texts
from handlers.views import details_block
from models.personal_data import PersonalRecord, erase_person, personal_record


def _paragraphs(record: PersonalRecord, texts: Texts) -> list[str]:
    """The record as message paragraphs: one per registration, so a long record splits between them."""
    language = texts.label("language_name") if record.conversation else "-"
    parts: list[str] = [texts("mydata_head", telegram_id=record.telegram_user_id, language=language)]
    if record.consents:
        latest = record.consents[-1]
        parts.append(
            texts(
                "mydata_consent",
                decision=texts.plain("mydata_consent_given" if latest.given else "mydata_consent_withdrawn"),
                date=local_date(latest.decided_at, texts),
                version=latest.text_version,
                count=len(record.consents),
            )
        )
    if record.participant is not None:
        parts.append(
            texts(
                "mydata_latest",
                since=local_date(record.participant.created_at, texts),
                details=details_block(texts, record.participant.details),
            )
        )
    for registration in record.registrations:
        meeting = registration.meeting
        lines = [
            texts(
                "mydata_registration",
                meeting=meeting_title(meeting),
                role=registration.role.name,
                status=texts.plain(f"mydata_status_{registration.status.value}"),
                registered=local_moment(registration.queued_at, meeting, texts),
                details=details_block(texts, registration.details),
            )
        ]
        if registration.checked_in_at is not None:
            lines.append(texts("mydata_checked_in", when=local_moment(registration.checked_in_at, meeting, texts)))
        certificate = record.certificates.get(registration.id)
        if certificate is not None:
            issued = local_date(certificate.issued_at, texts)
            lines.append(texts("mydata_certificate", number=certificate.number, date=issued))
        parts.append("\n".join(lines))
    for kept in record.pic_assignments:
        key = "mydata_pic_revoked" if kept.assignment.revoked_at else "mydata_pic"
        parts.append(
            texts(key, meeting=meeting_title(kept.meeting), since=local_date(kept.assignment.granted_at, texts))
        )
    meetings = {r.id: r.meeting for r in record.registrations}
    for evaluation in record.evaluations:
        meeting = meetings[evaluation.registration_id]
        if evaluation.finished_at is not None:
            state = texts("mydata_evaluation_finished", date=local_date(evaluation.finished_at, texts))
        else:
            state = texts("mydata_evaluation_open", count=len(evaluation.answers or {}))
        asked = local_date(evaluation.asked_at, texts)
        parts.append(texts("mydata_evaluation", meeting=meeting_title(meeting), asked=asked, state=state))
    if record.draft:
        parts.append(texts("mydata_draft", values=", ".join(record.draft.values())))
    parts.append(texts("mydata_footer"))
    return parts


@conversation_turn
async def show_my_data(update: Update, turn: Turn) -> None:
    """/datasaya: everything kept about the person, in messages and as a JSON file."""
    record = await personal_record(turn.session, turn.user_id)
    if record.participant is None and not record.consents and not record.pic_assignments and not record.draft:
        turn.say("mydata_none")
    else:
        data = json.dumps(record.as_json(), ensure_ascii=False, indent=2).encode()
        file = Document("data-saya.json", data, turn.texts("mydata_file_caption"))
        # Split between paragraphs when there are many registrations: every message fits Telegram's limit.
        turn.say_html(Html("\n\n".join(_paragraphs(record, turn.texts))), documents=(file,))
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
