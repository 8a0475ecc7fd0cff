"""A person's own records: each registration keeps what was given for it, returning people reuse
their details, and a person reads (and corrects) what is kept about them."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from handlers import callback_data as cb
from models.program import Meeting
from models.registration import Registration
from tests.e2e.chat import ANSWERS, bytes_of, next_with, register, type_details
from tests.e2e.conftest import RunningBot, running_bot
from tests.models import factories

ADMIN = 7101
JABAR_PIC = 7102
SITI = 7103
JABAR = "shm23-jawa-barat"
ACEH = "shm23-aceh"
FOR_JABAR = {"name": "Dr. Siti Rahma, M.Hum.", "institution": "Dinas Perpustakaan & Kearsipan"}


@pytest.fixture
async def bot(standin, db_url) -> AsyncIterator[RunningBot]:  # type: ignore[no-untyped-def]
    """The bot with one organizer."""
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


async def _details_at(bot: RunningBot, meeting_code: str) -> tuple[str, str, str, str]:
    async def read(session):  # type: ignore[no-untyped-def]
        registration = await session.scalar(
            select(Registration)
            .join(Meeting, Meeting.id == Registration.meeting_id)
            .where(Meeting.code == meeting_code)
        )
        return registration.full_name, registration.institution, registration.position, registration.phone_e164

    return await bot.query(read)


async def _forged_answer(user, message, data: str) -> str:  # type: ignore[no-untyped-def]
    """Press a button with this data on the message; the notice the press is answered with."""
    before = len(user.callback_answers)
    await user.press_forged(message, data)
    await user.wait_for(lambda u: len(u.callback_answers) > before)
    return user.callback_answers[before].text or ""


async def _to_role(user, meeting_code: str, role: str = "Stakeholder Provinsi"):  # type: ignore[no-untyped-def]
    """A second registration by deep link (consent was given): pick the role; returns the next message."""
    await user.send_text(f"/start {meeting_code}")
    await user.press(await next_with(user, "Pilih peran"), text=role)
    return await user.next_message()


async def test_a_second_registration_leaves_the_first_meetings_records_as_they_were(bot) -> None:  # type: ignore[no-untyped-def]
    siti = bot.standin.user(SITI, "Siti")
    assert "Pendaftaran berhasil" in (await register(siti, JABAR, **FOR_JABAR)).plain_text
    offer = await _to_role(siti, ACEH)
    assert "Pakai data" in offer.plain_text and "Dinas Perpustakaan & Kearsipan" in offer.plain_text
    await siti.press(offer, text="Isi data baru")
    assert "nama lengkap" in (await siti.next_message()).plain_text
    await type_details(siti, name=FOR_JABAR["name"], institution="Perpustakaan Aceh", position="Pustakawan")
    await siti.press(await next_with(siti, "Periksa data"), text="Kirim")
    assert "Pendaftaran berhasil" in (await siti.next_message()).plain_text

    assert await _details_at(bot, JABAR) == (
        FOR_JABAR["name"],
        FOR_JABAR["institution"],
        ANSWERS["position"],
        "+6281234567890",
    )
    assert (await _details_at(bot, ACEH))[1:3] == ("Perpustakaan Aceh", "Pustakawan")
    # The Jawa Barat PIC's roster and exports show what Siti gave for Jawa Barat.
    await bot.query(lambda s: factories.make_pic(s, JABAR, JABAR_PIC))
    pic = bot.standin.user(JABAR_PIC)
    await pic.send_text("/peserta")
    roster = await next_with(pic, "Dr. Siti Rahma")
    assert "Dinas Perpustakaan & Kearsipan" in roster.plain_text and "Perpustakaan Aceh" not in roster.plain_text
    await pic.send_text("/ekspor")
    await pic.next_message()
    await pic.next_message()  # the Excel file
    rows = list(
        csv.reader(io.StringIO(bytes_of(bot.standin, await pic.next_message()).decode("utf-8-sig")), delimiter=";")
    )
    assert [row[2:4] for row in rows[1:]] == [["Dinas Perpustakaan & Kearsipan", ANSWERS["position"]]]


async def test_a_returning_person_reuses_their_details_in_one_tap_and_sees_where_they_are_registered(bot) -> None:  # type: ignore[no-untyped-def]
    siti = bot.standin.user(SITI, "Siti")
    await register(siti, JABAR, **FOR_JABAR)
    await siti.send_text("/start")
    await siti.press(await next_with(siti, "pertemuan lain"), text="Daftar pertemuan lain")
    meetings = await next_with(siti, "Pilih pertemuan")
    assert "✅ menandai" in meetings.plain_text
    marked = [label for label in meetings.button_texts if label.startswith("✅")]
    assert len(marked) == 1 and "Jawa Barat" in marked[0], meetings.button_texts

    offer = await _to_role(siti, ACEH)
    await siti.press(offer, text="Pakai data ini")
    summary = await siti.next_message()
    assert "Periksa data" in summary.plain_text and "Dinas Perpustakaan & Kearsipan" in summary.plain_text
    # The reused details can still be changed before submitting.
    await siti.press(summary, text="Ubah")
    await siti.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await siti.press(siti.message(summary.message_id), text="Jabatan")
    assert "jabatan" in (await siti.next_message()).plain_text
    await siti.send_text("Pustakawan Ahli Madya")
    summary = await next_with(siti, "Periksa data")
    await siti.press(summary, text="Kirim")
    assert "Pendaftaran berhasil" in (await siti.next_message()).plain_text
    assert await _details_at(bot, ACEH) == (
        FOR_JABAR["name"],
        FOR_JABAR["institution"],
        "Pustakawan Ahli Madya",
        "+6281234567890",
    )
    # A stale "use these details" button from the finished registration changes nothing.
    assert "tidak berlaku" in await _forged_answer(siti, offer, cb.pack(cb.ReuseDetails(True)))
    assert (await _details_at(bot, ACEH))[2] == "Pustakawan Ahli Madya"
