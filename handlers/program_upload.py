"""An organizer loads a program file by sending it to the bot as a document.

It is validated and applied exactly as `python -m bot load-program FILE` does: the same parser,
the same file:line errors, the same report. Only organizers (`ADMIN_IDS`) reach this handler;
anyone else's document gets the usual answer of the registration conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from handlers.common import Turn, conversation_turn, sent_message, services
from handlers.staff import authority, refuse
from models.audit import record_audit
from models.free_text import clean_line
from models.program_file import ProgramFileError, apply_program, read_program_bytes

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
SUFFIXES = (".yaml", ".yml")
# The errors shown fit one message: the first ones are what to fix first anyway.
MAX_ERROR_CHARS = 3000


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


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document from an organizer: downloaded before the update's transaction, then loaded in it."""
    upload = await _download(update)

    @conversation_turn
    async def load(update: Update, turn: Turn) -> None:
        await _load(turn, upload)

    await load(update, context)


async def _load(turn: Turn, upload: Upload) -> None:
    who = await authority(turn)
    if not who.is_admin:
        refuse(turn, who)
        return
    if upload.data is None:
        turn.say(upload.problem or "program_download_failed", max_kb=MAX_BYTES // 1024)
        return
    try:
        spec = read_program_bytes(upload.data, upload.name)
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
    admin_ids = services(application).settings.admin_ids
    if admin_ids:
        application.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & filters.Document.ALL & filters.User(user_id=admin_ids), on_document
            )
        )
