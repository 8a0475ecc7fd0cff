"""Playing a participant through the registration conversation."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from botapi_standin import WAIT, BotApiStandin, BotMessage, StandinUser
from models.outbox import MessageKind, OutboxMessage
from models.participant import Participant
from models.registration import Registration

ANSWERS = {
    "name": "Dra. Siti Rahma, M.Hum.",
    "institution": "Dinas Perpustakaan & Arsip <Kab. Bengkulu>",
    "position": 'Kepala Bidang "Layanan" 📚',
    "phone": "0812-3456-7890",
}


async def next_with(user: StandinUser, words: str, timeout: float = WAIT) -> BotMessage:
    """The next message that contains `words`, passing over the ones before it."""
    while True:
        message = await user.next_message(timeout=timeout)
        if words in message.plain_text:
            return message


def count_with(user: StandinUser, words: str) -> int:
    """How many of the bot's messages to the user contain `words`."""
    return sum(words in m.plain_text for m in user.messages)


async def none_yet(user: StandinUser, words: str, wait: float = 0.5) -> None:
    """No message with `words` comes in `wait` seconds: the bot acts on a moment within milliseconds."""
    before = count_with(user, words)
    await asyncio.sleep(wait)
    assert count_with(user, words) == before, user.transcript()


def bytes_of(standin: BotApiStandin, message: BotMessage) -> bytes:
    """The file a document or photo message carries, as the stand-in holds it."""
    item = message.document if message.kind == "document" else message.photo[-1]
    return standin.core.files.get(item["file_id"]).data


async def consent_and_choose(user: StandinUser, meeting_code: str, role: str) -> None:
    """/start with a meeting's deep link, agree, and pick the role; the name is asked next."""
    await user.send_text(f"/start {meeting_code}")
    consent = await user.next_message()
    assert "Setuju" in " ".join(consent.button_texts), user.transcript()
    await user.press(consent, text="Setuju")
    roles = await user.next_message()
    await user.press(roles, text=role)
    await next_with(user, "nama lengkap")


async def type_details(user: StandinUser, **answers: str) -> None:
    """Answer name, institution, position and phone; stops at the summary."""
    values = {**ANSWERS, **answers}
    await user.send_text(values["name"])
    assert "instansi" in (await user.next_message()).plain_text
    await user.send_text(values["institution"])
    assert "jabatan" in (await user.next_message()).plain_text
    await user.send_text(values["position"])
    assert "nomor HP" in (await user.next_message()).plain_text
    await user.send_text(values["phone"])
    assert "Nomor tersimpan" in (await user.next_message()).plain_text


async def register(
    user: StandinUser, meeting_code: str = "shm23-aceh", role: str = "Stakeholder Provinsi", **answers: str
):
    """A whole registration; returns the bot's final message."""
    await consent_and_choose(user, meeting_code, role)
    await type_details(user, **answers)
    summary = await user.next_message()
    assert "Periksa data" in summary.plain_text, user.transcript()
    await user.press(summary, text="Kirim")
    return await user.next_message()


async def outbox_statuses(
    session: AsyncSession, telegram_user_id: int, kinds: tuple[MessageKind, ...] = (MessageKind.PROMOTED,)
) -> list[str]:
    """The statuses of the outbox messages of the given kinds planned for a person, oldest first."""
    rows = await session.scalars(
        select(OutboxMessage.status)
        .join(Registration, Registration.id == OutboxMessage.registration_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Participant.telegram_user_id == telegram_user_id, OutboxMessage.kind.in_(kinds))
        .order_by(OutboxMessage.id)
    )
    return [status.value for status in rows]
