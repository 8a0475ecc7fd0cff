"""The e-sertifikat in the chat: the message it comes with (from the outbox) and its verification.

The certificate arrives as a PDF (`handlers.certificate_document`, built in the file worker when
the outbox sends it) whose QR opens `/start sert-<token>`. Whoever opens that link, with or without
a registration of their own, is told whether the certificate is genuine and for whom: the name,
meeting, date and number, nothing else about the person. An unknown, forged or erased one is not found.
"""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application

from handlers.certificate_document import CertificateContent, certificate_pdf
from handlers.common import Build, Document, Reply, Turn
from handlers.formatting import local_date, meeting_title, meeting_venue, meeting_when
from handlers.shell import deep_link, start_link
from handlers.texts import Html, Texts
from models.certificates import Certificate, certificate_of, verify
from models.meeting_day_settings import (
    CERTIFICATE_PREFIX,
    DEFAULT_CERTIFICATE_ROLE_TEXT,
    DEFAULT_CERTIFICATE_TEXT,
    DEFAULT_CERTIFICATE_TITLE,
    DEFAULT_COMMITTEE_TITLE,
)
from models.program import Program
from models.registration import Registration


def _plain(text: str) -> str:
    """A catalogue fragment (escaped for Telegram's HTML) as the PDF prints it."""
    return html.unescape(text)


def certificate_content(
    certificate: Certificate, registration: Registration, program: Program, texts: Texts, bot_username: str
) -> CertificateContent:
    """What the certificate says, in the person's language: the program file's wording where it sets its own."""
    day = program.meeting_day
    settings = day.certificate
    meeting = registration.meeting
    signer_name, signer_title = settings.signer(day.committee)
    # The defaults are the catalogue's, so an English speaker reads them in English; a program's own wording stays.
    title = texts.plain("certificate_pdf_title") if settings.title == DEFAULT_CERTIFICATE_TITLE else settings.title
    text = texts.plain("certificate_pdf_text") if settings.text == DEFAULT_CERTIFICATE_TEXT else settings.text
    role = registration.role.name
    if settings.role_text == DEFAULT_CERTIFICATE_ROLE_TEXT:
        role_line = texts.plain("certificate_pdf_role_text", role=role)
    else:
        # Checked when the file was read: names {role} at most once and nothing else in braces.
        role_line = settings.role_text.replace("{role}", role)
    if signer_title == DEFAULT_COMMITTEE_TITLE:
        signer_title = texts.plain("certificate_pdf_signer_title")
    start = meeting.starts_at or certificate.issued_at
    return CertificateContent(
        title=title,
        text=text,
        name=registration.full_name,
        role_line=role_line,
        meeting=texts.plain("certificate_pdf_meeting", program=program.name, meeting=meeting_title(meeting)),
        when=_plain(meeting_when(meeting, texts)),
        venue=_plain(meeting_venue(meeting, texts)),
        number_line=texts.plain("certificate_pdf_number", number=certificate.number),
        place_and_date=texts.plain(
            "certificate_pdf_place_date",
            city=meeting.city,
            date=_plain(local_date(start.astimezone(meeting.zone), texts)),
        ),
        signer_title=signer_title,
        signer_name=signer_name,
        link=start_link(bot_username, certificate.payload),
        check_hint=texts.plain("certificate_pdf_check"),
    )


async def certificate_message(
    session: AsyncSession, registration: Registration, texts: Texts, *, chat_id: int, bot_username: str | None
) -> Reply | None:
    """The outbox's certificate message with its PDF (built when sent); None if there is none (any more)."""
    certificate = await certificate_of(session, registration.id)
    if certificate is None:
        return None
    if bot_username is None:
        raise RuntimeError("a certificate's QR needs the bot's username: the bot is not initialised")
    program = await session.get_one(Program, registration.meeting.program_id)
    content = certificate_content(certificate, registration, program, texts, bot_username)
    document = Document(
        texts.plain("certificate_filename", number=certificate.number),
        Build(certificate_pdf, (content,)),
        texts("certificate_caption", number=certificate.number),
    )
    meeting = meeting_title(registration.meeting)
    return Reply(chat_id, texts("certificate_message", meeting=meeting), documents=(document,))


@deep_link(CERTIFICATE_PREFIX)
async def open_verification(update: Update, turn: Turn, payload: str) -> None:
    """/start sert-<token>: whether the certificate is genuine, and for whom (name and meeting only)."""
    certificate = await verify(turn.session, payload)
    if certificate is None:
        turn.say("certificate_not_found")
        return
    registration = certificate.registration
    meeting = registration.meeting
    program = await turn.session.get_one(Program, meeting.program_id)
    turn.say(
        "certificate_genuine",
        name=registration.full_name,
        meeting=turn.texts.plain("certificate_pdf_meeting", program=program.name, meeting=meeting_title(meeting)),
        when=Html(meeting_when(meeting, turn.texts)),
        number=certificate.number,
    )


def register_handlers(application: Application) -> None:
    """Nothing to add: the verification is opened by /start (`deep_link`), the certificate sent by the outbox."""
