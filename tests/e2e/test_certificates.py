"""Certificates end to end: after the end, one PDF for each person checked in, in their language, and its QR checked."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from PIL import Image, ImageChops
from pypdf import PdfReader
from sqlalchemy import select

from botapi_standin import StandinUser
from handlers.qr_code import qr_png
from handlers.shell import start_link
from models.certificates import Certificate
from models.check_in import check_in
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import Participant, upsert_participant
from models.registration import CheckInWay, Registration
from models.seats import register as register_directly
from tests.e2e.chat import ANSWERS, bytes_of, count_with, next_with, none_yet, register
from tests.e2e.conftest import RunningBot
from tests.models.factories import meeting_and_role

BENGKULU = "shm23-bengkulu"
# Bengkulu: Rabu, 26 Juli 2023, 09.00-16.00 WIB (02:00-09:00 UTC).
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 7001


async def registration_id_of(bot: RunningBot, telegram_user_id: int) -> int:
    async def read(session):
        return await session.scalar(
            select(Registration.id)
            .join(Participant, Participant.id == Registration.participant_id)
            .where(Participant.telegram_user_id == telegram_user_id)
        )

    return await bot.query(read)


async def english_speaker(bot: RunningBot, telegram_user_id: int, name: str) -> StandinUser:
    """Someone whose Telegram speaks English, seated at Bengkulu directly, who has written to the bot once."""
    user = bot.standin.user(telegram_user_id, language_code="en")
    await user.send_text("/help")
    await user.next_message()

    async def seat(session):
        meeting, role = await meeting_and_role(session, BENGKULU, "stakeholder")
        person = await upsert_participant(
            session,
            telegram_user_id=telegram_user_id,
            chat_id=telegram_user_id,
            full_name=name,
            institution="Library of Bengkulu",
            position="Librarian",
            phone_e164="+6281200000099",
            now=bot.clock.now(),
        )
        await register_directly(session, participant=person, meeting=meeting, role=role, now=bot.clock.now())

    await bot.query(seat)
    return user


async def check_in_directly(bot: RunningBot, telegram_user_id: int, now: datetime) -> None:
    registration_id = await registration_id_of(bot, telegram_user_id)
    result = await bot.query(lambda s: check_in(s, registration_id, way=CheckInWay.CODE, by=PIC, now=now))
    assert result is not None and result.recorded


async def certificate_of(bot: RunningBot, telegram_user_id: int) -> Certificate | None:
    registration_id = await registration_id_of(bot, telegram_user_id)
    return await bot.query(
        lambda s: s.scalar(select(Certificate).where(Certificate.registration_id == registration_id))
    )


async def certificate_rows(bot: RunningBot) -> list[OutboxStatus]:
    async def read(session):
        return list(
            await session.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == MessageKind.CERTIFICATE))
        )

    return await bot.query(read)


async def pdf_after(user: StandinUser, words: str):
    """The certificate message with `words` and the document that follows it."""
    await next_with(user, words)
    document = await user.next_message()
    assert document.kind == "document", user.transcript()
    return document


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


async def test_after_the_end_each_person_checked_in_gets_one_certificate_and_anyone_can_check_it(bot) -> None:
    siti = bot.standin.user(8601)
    await register(siti, BENGKULU, name="Siti Rahma")
    budi = bot.standin.user(8602)
    await register(budi, BENGKULU, name="Budi Santoso")
    john = await english_speaker(bot, 8603, "John Smith")
    await check_in_directly(bot, 8601, START)
    await check_in_directly(bot, 8603, START + timedelta(minutes=5))

    # During the meeting: nothing yet.
    bot.clock.set(END - timedelta(minutes=1))
    await none_yet(siti, "e-sertifikat")
    assert await certificate_of(bot, 8601) is None

    bot.clock.set(END)
    document = await pdf_after(siti, "e-sertifikat")
    certificate = await certificate_of(bot, 8601)
    assert certificate is not None and certificate.number == "SHM-PROVINSI-2023-SHM23-BENGKULU-0001"
    assert document.document is not None and document.document["file_name"] == f"sertifikat-{certificate.number}.pdf"
    reader, text = pdf_text(bytes_of(bot.standin, document))
    assert len(reader.pages) == 1
    for words in (
        "SERTIFIKAT",
        "diberikan kepada",
        "Siti Rahma",
        certificate.number,
        "Bengkulu",
        "Stakeholder Provinsi",
    ):
        assert words in text, text
    assert "26 Juli 2023" in text and "WIB" in text, text

    # The QR holds the link that opens the bot with the certificate's payload.
    link = start_link("shm_test_bot", f"sert-{certificate.verify_token}")
    (image,) = reader.pages[0].images
    drawn = image.image.convert("L")
    expected = Image.open(io.BytesIO(qr_png(link, scale=6))).convert("L")
    assert drawn.size == expected.size and ImageChops.difference(drawn, expected).getbbox() is None

    english = await pdf_after(john, "e-certificate")
    _, english_text = pdf_text(bytes_of(bot.standin, english))
    for words in ("CERTIFICATE", "is awarded to", "John Smith", "Chair of the Committee", "SHM23-BENGKULU-0002"):
        assert words in english_text, english_text
    assert "diberikan" not in english_text

    # Siti's own record shows when she came and her certificate, in the message and in the JSON file.
    await siti.send_text("/datasaya")
    shown = (await next_with(siti, "Pendaftaran: Bengkulu")).plain_text
    assert "Hadir: Rabu, 26 Juli 2023 pukul 09.00 WIB" in shown, shown
    assert f"Sertifikat: {certificate.number} (terbit 26 Juli 2023)" in shown, shown
    record = json.loads(bytes_of(bot.standin, await next_with(siti, "JSON")))
    (kept,) = record["registrations"]
    assert kept["checked_in_at"] == START.isoformat() and kept["checked_in_via"] == "code"
    assert kept["certificate"]["number"] == certificate.number

    # Not checked in: nothing. Another sweep later: nothing twice.
    await none_yet(budi, "sertifikat")
    assert await certificate_of(bot, 8602) is None
    bot.clock.set(END + timedelta(hours=1))
    await none_yet(siti, "e-sertifikat")
    assert count_with(siti, "e-sertifikat") == 1 and count_with(john, "e-certificate") == 1
    assert await certificate_rows(bot) == [OutboxStatus.SENT, OutboxStatus.SENT]

    # Budi scans Siti's QR: genuine, for Siti at Bengkulu, and nothing else about her.
    await budi.send_text(f"/start sert-{certificate.verify_token}")
    answer = (await next_with(budi, "Sertifikat asli")).plain_text
    for words in ("Siti Rahma", "Bengkulu", certificate.number, "26 Juli 2023"):
        assert words in answer, answer
    for private in (ANSWERS["institution"], ANSWERS["position"], "0812", "+62"):
        assert private not in answer, answer
    # So does someone who never wrote to the bot before, in their own language.
    stranger = bot.standin.user(8690, language_code="en")
    await stranger.send_text(f"/start sert-{certificate.verify_token}")
    answer = (await next_with(stranger, "Genuine certificate")).plain_text
    assert "Siti Rahma" in answer and "Bengkulu" in answer and certificate.number in answer, answer
    token = certificate.verify_token
    await budi.send_text(f"/start sert-{token[:-1]}{'B' if token.endswith('A') else 'A'}")
    assert "tidak ditemukan" in (await budi.next_message()).plain_text
    await budi.send_text("/start sert-")
    assert "tidak ditemukan" in (await budi.next_message()).plain_text


async def test_a_check_in_corrected_after_the_end_sends_the_certificate_then(bot) -> None:
    siti = bot.standin.user(8611)
    await register(siti, BENGKULU, name="Siti Rahma")
    bot.clock.set(END + timedelta(hours=2))
    await none_yet(siti, "e-sertifikat")
    await check_in_directly(bot, 8611, bot.clock.now())
    # The correction's transaction planned it; the next outbox run (the clock moving) sends it.
    bot.clock.set(END + timedelta(hours=2, minutes=1))
    document = await pdf_after(siti, "e-sertifikat")
    _, text = pdf_text(bytes_of(bot.standin, document))
    assert "Siti Rahma" in text and "SHM23-BENGKULU-0001" in text, text


async def test_a_certificate_that_fails_to_build_is_tried_again_and_nothing_half_sent(bot, monkeypatch) -> None:
    # A builder the worker runs and that fails there: int() of the certificate's content.
    monkeypatch.setattr("handlers.certificates.certificate_pdf", int)
    siti = bot.standin.user(8621)
    await register(siti, BENGKULU, name="Siti Rahma")
    await check_in_directly(bot, 8621, START)
    bot.clock.set(END)

    async def rows(session):
        return (
            await session.execute(
                select(OutboxMessage.status, OutboxMessage.last_error, OutboxMessage.due_at).where(
                    OutboxMessage.kind == MessageKind.CERTIFICATE
                )
            )
        ).all()

    ((status, error, due_at),) = await bot.eventually(rows, lambda found: bool(found) and found[0][1] is not None)
    assert (status, error) == (OutboxStatus.PENDING, "build: TypeError") and due_at > END
    assert count_with(siti, "e-sertifikat") == 0

    monkeypatch.undo()
    bot.clock.set(due_at)
    await pdf_after(siti, "e-sertifikat")
