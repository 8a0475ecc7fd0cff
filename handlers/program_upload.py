"""An organizer loads a program file by sending it to the bot as a document.

It is validated and applied exactly as `python -m bot load-program FILE` does: the same parser,
the same file:line errors, the same report. The file is read in the file worker, outside the event
loop and before the update's transaction, so nobody else's answer waits on it. A file that would
hide meetings people registered for, or move seated people's dates, is held and applied only once
the organizer confirms what it changes. Only organizers (`ADMIN_IDS`) reach this handler; anyone
else's document gets the usual answer of the registration conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from handlers import callback_data as cb
from handlers.common import FileRunner, Turn, conversation_turn, sender, sent_message, services
from handlers.formatting import local_date
from handlers.staff import authority, refuse
from handlers.texts import Html
from models.audit import record_audit
from models.free_text import clean_line
from models.program_file import (
    MAX_PROGRAM_BYTES,
    ProgramFileError,
    ProgramRisks,
    ProgramSpec,
    apply_program,
    program_risks,
    read_program_bytes,
)
from models.program_uploads import drop_uploads, fingerprint, held_upload, hold_upload

log = logging.getLogger(__name__)

MAX_BYTES = MAX_PROGRAM_BYTES
SUFFIXES = (".yaml", ".yml")
# The errors shown fit one message: the first ones are what to fix first anyway.
MAX_ERROR_CHARS = 3000
# The changes listed in a confirmation: enough to see what the file does, and one message long.
MAX_RISK_LINES = 30
Parsed = ProgramSpec | ProgramFileError


@dataclass(frozen=True)
class Upload:
    """A document as received: its name and bytes, or why it was not taken."""

    name: str
    data: bytes | None
    problem: str | None = None


async def _download(update: Update) -> Upload:
    document = sent_message(update).document
    # The file's name is typed by its sender and quoted in every error: cleaned like any typed text.
    name = clean_line(document.file_name or "") if document is not None else ""
    name = name or "program.yaml"
    if document is None or not name.lower().endswith(SUFFIXES):
        return Upload(name, None, "program_not_yaml")
    if document.file_size is not None and document.file_size > MAX_BYTES:
        return Upload(name, None, "program_too_big")
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError as error:
        log.warning("update %s: the program file was not downloaded (%s)", update.update_id, type(error).__name__)
        return Upload(name, None, "program_download_failed")
    if len(data) > MAX_BYTES:
        return Upload(name, None, "program_too_big")
    return Upload(name, data)


async def _parse(files: FileRunner, name: str, data: bytes) -> Parsed:
    """The file's program or its problems, worked out in the file worker (a child process)."""
    try:
        return await files.run(read_program_bytes, data, name)
    except ProgramFileError as error:
        return error


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document from an organizer: downloaded and read before the update's transaction, applied in it."""
    upload = await _download(update)
    parsed = await _parse(services(context).files, upload.name, upload.data) if upload.data is not None else None

    @conversation_turn
    async def load(update: Update, turn: Turn) -> None:
        await _load(turn, upload, parsed)

    await load(update, context)


async def _load(turn: Turn, upload: Upload, parsed: Parsed | None) -> None:
    who = await authority(turn)
    if not who.is_admin:
        refuse(turn, who)
        return
    # A new file takes the place of one still waiting for its confirmation.
    await drop_uploads(turn.session, turn.user_id)
    if upload.data is None or parsed is None:
        turn.say(upload.problem or "program_download_failed", max_kb=MAX_BYTES // 1024)
        return
    if isinstance(parsed, ProgramFileError):
        turn.say("program_invalid", problems=_shortened(str(parsed)))
        return
    risks = await program_risks(turn.session, parsed)
    if risks:
        await _ask_to_confirm(turn, parsed, risks, upload.name, upload.data)
        return
    await _apply(turn, parsed)


async def _ask_to_confirm(turn: Turn, spec: ProgramSpec, risks: ProgramRisks, name: str, data: bytes) -> None:
    """Hold the file and show what it would do to registered people, with the buttons to apply or drop it."""
    held = await hold_upload(turn.session, turn.user_id, name, data, shown=fingerprint(risks), now=turn.now)
    tba = turn.texts("date_tba")
    lines = [turn.texts("program_risk_hidden", code=h.code, registrations=h.registrations) for h in risks.hidden]
    lines += [
        turn.texts(
            "program_risk_moved",
            code=m.code,
            before=local_date(m.previous_start, turn.texts),
            after=local_date(m.new_start, turn.texts) if m.new_start else tba,
            seated=m.seated,
        )
        for m in risks.moved
    ]
    shown = lines[:MAX_RISK_LINES]
    if len(lines) > MAX_RISK_LINES:
        shown.append(turn.texts("program_risk_more", count=len(lines) - MAX_RISK_LINES))
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("program_apply"), cb.ProgramApply(held.id)),
                cb.button(turn.texts.label("program_drop"), cb.ProgramDrop(held.id)),
            ]
        ]
    )
    turn.say("program_confirm", keyboard, program=spec.code, risks=Html("\n".join(shown)))


async def on_confirmation(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply or drop a held file; an organizer's file to apply is read again, before the transaction."""
    action = cb.pressed(update)
    svc = services(context)
    parsed: Parsed | None = None
    # Who asks is checked before anything is looked up; the turn checks it again, in its transaction.
    if isinstance(action, cb.ProgramApply) and sender(update).id in svc.settings.admin_ids:
        async with svc.sessions() as session:
            held = await held_upload(session, sender(update).id, action.upload_id)
            file = (held.file_name, held.content) if held is not None else None
        if file is not None:
            parsed = await _parse(svc.files, *file)

    @conversation_turn
    async def decide(update: Update, turn: Turn) -> None:
        await _decide(turn, action, parsed)

    await decide(update, context)


async def _decide(turn: Turn, action: cb.Action | None, parsed: Parsed | None) -> None:
    who = await authority(turn)
    if not who.is_admin or not isinstance(action, cb.ProgramApply | cb.ProgramDrop):
        refuse(turn, who)
        return
    turn.close_pressed_keyboard = True
    held = await held_upload(turn.session, turn.user_id, action.upload_id)
    if held is None:
        turn.answer_button("program_confirm_stale")
        # The closed message must not read as if the stale press had chosen anything.
        turn.show_choice = False
        turn.say("program_confirm_stale")
        return
    await drop_uploads(turn.session, turn.user_id)
    if isinstance(action, cb.ProgramDrop):
        turn.say("program_dropped")
        return
    if not isinstance(parsed, ProgramSpec):
        # Read once already when it was sent: only a changed parser refuses it now.
        turn.say("program_invalid", problems=_shortened(str(parsed)))
        return
    risks = await program_risks(turn.session, parsed)
    if risks and fingerprint(risks) != held.shown:
        # Registrations moved between the summary and the press: confirm what the file does now.
        turn.say("program_confirm_changed")
        await _ask_to_confirm(turn, parsed, risks, held.file_name, held.content)
        return
    await _apply(turn, parsed)


async def _apply(turn: Turn, spec: ProgramSpec) -> None:
    try:
        # An invalid program found while applying (a role still in use) leaves nothing changed.
        async with turn.session.begin_nested():
            report = await apply_program(turn.session, spec, now=turn.now)
    except ProgramFileError as error:
        turn.say("program_invalid", problems=_shortened(str(error)))
        return
    await record_audit(
        turn.session,
        actor_user_id=turn.user_id,
        action="program_loaded",
        now=turn.now,
        details={
            "program": report.program_code,
            "created": len(report.created),
            "updated": len(report.updated),
            "unlisted": len(report.unlisted),
            "people_notified": report.people_notified,
        },
    )
    turn.say(
        "program_loaded",
        program=report.program_code,
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        unlisted=len(report.unlisted),
        unlisted_codes=", ".join(report.unlisted) or "-",
        notified=report.people_notified,
    )


def _shortened(problems: str) -> str:
    if len(problems) <= MAX_ERROR_CHARS:
        return problems
    cut = problems[:MAX_ERROR_CHARS].rsplit("\n", 1)[0]
    return f"{cut}\n…"


def register_handlers(application: Application) -> None:
    """Take documents from organizers; everyone else's fall through to the registration's answer."""
    application.add_handler(CallbackQueryHandler(on_confirmation, pattern=cb.matches(cb.ProgramApply, cb.ProgramDrop)))
    admin_ids = services(application).settings.admin_ids
    if admin_ids:
        application.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & filters.Document.ALL & filters.User(user_id=admin_ids), on_document
            )
        )
