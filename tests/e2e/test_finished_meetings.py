"""A meeting that has started, end to end: nobody cancels or moves there, /status shows it finished, staff only correct.

And people added by hand, who have no Telegram: their PIC records Hadir / Tidak hadir for them from /peserta.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import callback_data as cb
from models.alerts import Alert, AlertKind
from models.audit import AuditEntry
from models.outbox import MessageKind, OutboxMessage
from models.participant import Participant
from models.registration import Registration, RegistrationStatus
from models.roster import add
from tests.e2e.chat import count_with, next_with, none_yet, register
from tests.e2e.conftest import RunningBot
from tests.models.factories import make_participant, make_pic, meeting_and_role

BENGKULU = "shm23-bengkulu"
# Bengkulu, wave 1: Rabu, 26 Juli 2023 pukul 09.00 WIB (02:00 UTC).
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
PIC = 7001
WINDOW = timedelta(minutes=10)


async def _statuses(session: AsyncSession, telegram_user_id: int) -> list[tuple[str, str, bool | None]]:
    rows = await session.execute(
        select(Participant.full_name, Registration.status, Registration.attendance)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(Participant.telegram_user_id == telegram_user_id)
        .order_by(Registration.id)
    )
    return [(name, status.value, attendance) for name, status, attendance in rows]


async def status_of(bot: RunningBot, telegram_user_id: int) -> list[tuple[str, str, bool | None]]:
    return await bot.query(lambda session: _statuses(session, telegram_user_id))


async def waiting_person(bot: RunningBot, n: int, role: str = "pemustaka") -> int:
    """Peserta n, with a chat, registered for the role at Bengkulu without chatting; returns their registration id."""

    async def setup(session):
        from models.seats import register as register_directly

        meeting, role_ = await meeting_and_role(session, BENGKULU, role)
        person = await make_participant(session, n)
        registration = await register_directly(
            session, participant=person, meeting=meeting, role=role_, now=bot.clock.now()
        )
        return registration.id

    registration_id = await bot.query(setup)
    bot.standin.user(10_000 + n)
    return registration_id


async def alerts_of(bot: RunningBot, kind: AlertKind) -> list[dict]:
    async def read(session):
        return list(await session.scalars(select(Alert.details).where(Alert.kind == kind).order_by(Alert.id)))

    return await bot.query(read)


async def messages_of_kind(bot: RunningBot, kind: MessageKind) -> int:
    async def read(session):
        return len(list(await session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == kind))))

    return await bot.query(read)


async def audit_of(bot: RunningBot, action: str) -> list[AuditEntry]:
    async def read(session):
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))

    return await bot.query(read)


async def test_a_confirmed_participant_cannot_cancel_a_meeting_that_started_and_status_shows_it_finished(bot) -> None:
    user = bot.standin.user(8501)
    await register(user, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await waiting_person(bot, 2)
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC, bot.clock.now()))
    pic = bot.standin.user(PIC)
    bot.clock.set(START - timedelta(days=3))
    question = await next_with(user, "Apakah Anda akan hadir")
    await user.press(question, text="Hadir")
    await next_with(user, "kehadiran Anda di")
    await user.send_text("/batal")
    confirm = await next_with(user, "Batalkan pendaftaran Anda")

    # A day after the start, the confirmation kept from before is pressed, and /batal is tried again.
    bot.clock.set(START + timedelta(days=1))
    await user.press(confirm, text="Ya, batalkan")
    refused = await next_with(user, "sudah dimulai")
    assert "tidak dapat dibatalkan" in refused.plain_text
    await user.send_text("/batal")
    assert "Tidak ada pendaftaran yang dapat dibatalkan" in (await user.next_message()).plain_text
    await user.send_text("/status")
    status = (await next_with(user, "Pendaftaran Anda")).plain_text
    assert "Pertemuan yang sudah dimulai" in status and "hadir (terkonfirmasi)" in status, status
    assert "kursi terkonfirmasi" not in status  # not shown as a seat still to come

    assert await status_of(bot, 8501) == [("Budi Santoso", "seated", True)]
    assert await status_of(bot, 10_002) == [("Peserta 2", "waitlisted", None)]
    assert await alerts_of(bot, AlertKind.SEAT_FREED) == []
    await none_yet(pic, "kursi kosong")
    assert count_with(bot.standin.user(10_002), "kursi") == 0


async def test_an_attendance_button_pressed_after_the_start_says_the_meeting_has_started(bot) -> None:
    user = bot.standin.user(8502)
    await register(user, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await waiting_person(bot, 2)
    bot.clock.set(START - timedelta(days=3))
    question = await next_with(user, "Apakah Anda akan hadir")
    bot.clock.set(START + timedelta(hours=1))
    await user.press(question, text="Tidak hadir")
    assert "sudah dimulai" in (await user.next_message()).plain_text
    assert await status_of(bot, 8502) == [("Budi Santoso", "seated", None)]
    assert await status_of(bot, 10_002) == [("Peserta 2", "waitlisted", None)]


async def test_after_the_start_a_pic_only_corrects_the_roster_and_no_seat_passes_on(bot) -> None:
    user = bot.standin.user(8503)
    await register(user, BENGKULU, role="Pemustaka", name="Budi Santoso")
    waiting = await waiting_person(bot, 2)
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC, bot.clock.now()))
    pic = bot.standin.user(PIC)
    await pic.send_text("/keluarkan")
    roster = await next_with(pic, "Keluarkan peserta")
    await pic.press(roster, text="Budi Santoso")
    await next_with(pic, "Ketik alasannya")

    # The reason is typed only after the meeting started: the removal asked for before is refused.
    bot.clock.set(START + timedelta(days=1))
    await pic.send_text("Tidak datang")
    refused = await next_with(pic, "sudah dimulai")
    assert "tidak ada yang diubah" in refused.plain_text and "koreksi" in refused.plain_text
    assert await status_of(bot, 8503) == [("Budi Santoso", "seated", None)]

    # Made again after the start, it is a correction: said so before the reason is asked.
    await pic.send_text("/keluarkan")
    roster = await next_with(pic, "Keluarkan peserta")
    await pic.press(roster, text="Budi Santoso")
    note = await next_with(pic, "koreksi")
    assert "kursi tidak diteruskan ke daftar tunggu" in note.plain_text
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Tidak datang, salah catat")
    await next_with(pic, "dikeluarkan dari")
    assert count_with(pic, "daftar tunggu.") == 0  # no "seat given to … from the waiting list"

    assert await status_of(bot, 8503) == [("Budi Santoso", "cancelled", None)]
    assert await status_of(bot, 10_002) == [("Peserta 2", "waitlisted", None)]
    entries = await audit_of(bot, "remove")
    assert [(e.reason, e.details["correction"], e.details["seat_passed_to"]) for e in entries] == [
        ("Tidak datang, salah catat", True, None)
    ]
    assert await messages_of_kind(bot, MessageKind.REMOVED) == 0
    assert await messages_of_kind(bot, MessageKind.PROMOTED) == 0
    assert await alerts_of(bot, AlertKind.SEAT_FREED) == []
    assert waiting
    await none_yet(user, "dikeluarkan")


async def test_a_pic_records_attendance_for_people_added_by_hand_and_they_are_not_counted_as_unanswered(bot) -> None:
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC, bot.clock.now()))
    pic = bot.standin.user(PIC)
    # Budi registers on paper, through the PIC's /tambah; Peserta 2 waits for the same single seat.
    await pic.send_text("/tambah")
    await next_with(pic, "empat baris")
    await pic.send_text("Budi Santoso\nDesa Sukamaju\nKepala Desa\n0813-1111-2222")
    roles = await next_with(pic, "Pilih perannya")
    await pic.press(roles, text="Pemustaka")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Formulir kertas")
    await next_with(pic, "ditambahkan sebagai")
    await waiting_person(bot, 2)

    async def add_citra(session):
        meeting, role = await meeting_and_role(session, BENGKULU, "stakeholder")
        citra = await add(
            session,
            meeting=meeting,
            role_id=role.id,
            full_name="Citra Dewi",
            institution="Bappeda Kota Bengkulu",
            position="Kepala Bidang",
            phone_e164="+6281311113333",
            actor_user_id=PIC,
            reason="telepon",
            now=bot.clock.now(),
        )
        return citra.id

    await bot.query(add_citra)
    silent = bot.standin.user(8504)
    await register(silent, BENGKULU, role="Stakeholder Provinsi", name="Dedi Telegram")

    bot.clock.set(START - timedelta(days=3))
    await pic.send_text("/peserta")
    page = await next_with(pic, "Peserta Bengkulu")
    assert "Belum dicatat PIC" in page.plain_text, page.plain_text
    labels = page.button_texts
    assert "✅ Hadir: Budi Santoso" in labels and "❌ Tidak hadir: Citra Dewi" in labels, labels
    assert not any("Dedi" in label for label in labels)  # he answers for himself

    # A forged button naming Dedi's registration records nothing for him.
    dedi = await bot.query(
        lambda s: s.scalar(select(Registration.id).join(Participant).where(Participant.telegram_user_id == 8504))
    )
    forged = cb.pack(cb.RecordAttendance(dedi, False))
    await pic.press_forged(page, forged)
    while (answer := await pic.wait_callback_answer()).data != forged:
        pass
    assert answer.text == "Tombol ini sudah tidak berlaku."
    assert await status_of(bot, 8504) == [("Dedi Telegram", "seated", None)]

    # The refusal closed that page's buttons; the PIC opens the roster again.
    await pic.send_text("/peserta")
    page = await next_with(pic, "Peserta Bengkulu")
    await pic.press(page, text="❌ Tidak hadir: Budi Santoso")
    confirm = await next_with(pic, "tidak hadir di")
    await pic.press(confirm, text="Ya, tidak hadir")
    await next_with(pic, "dicatat tidak hadir")
    offered = await next_with(pic, "ditawarkan kepada")
    assert "Peserta 2" in offered.plain_text
    await next_with(bot.standin.user(10_002), "Ambil")

    # The day before, Dedi has not answered; Citra has no answer recorded: each is named for what it is.
    bot.clock.set(START - timedelta(hours=20))
    urgent = (await next_with(pic, "Pertemuan 20 jam lagi")).plain_text
    assert "1 peserta belum menjawab Hadir / Tidak hadir: Dedi Telegram" in urgent, urgent
    assert "1 peserta yang ditambahkan PIC belum dicatat kehadirannya: Citra Dewi" in urgent, urgent

    async def budi(session):
        return (
            await session.execute(
                select(Registration.status, Registration.attendance)
                .join(Participant)
                .where(Participant.full_name == "Budi Santoso")
            )
        ).one()

    assert tuple(await bot.query(budi)) == (RegistrationStatus.CANCELLED, False)
    entries = await audit_of(bot, "attendance_recorded")
    assert [e.details["attend"] for e in entries] == [False]

    # After the start the roster has no attendance buttons any more.
    bot.clock.set(START + timedelta(hours=1))
    await pic.send_text("/peserta")
    after = await next_with(pic, "Peserta Bengkulu")
    assert not any("Hadir" in label for label in after.button_texts)


async def test_a_seat_offer_pressed_after_the_start_passes_nothing_on_and_the_link_shows_how_it_ended(bot) -> None:
    absent = bot.standin.user(8505)
    await register(absent, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await waiting_person(bot, 2)
    await waiting_person(bot, 3)
    bot.clock.set(START - timedelta(days=3))
    question = await next_with(absent, "Apakah Anda akan hadir")
    await absent.press(question, text="Tidak hadir")
    await absent.wait_for(lambda u: "Yakin tidak dapat hadir" in u.messages[-1].plain_text)
    await absent.press(absent.messages[-1], text="Ya, saya tidak hadir")
    offered = bot.standin.user(10_002)
    offer = await next_with(offered, "Ambil")

    # The hold ran past the start while nobody answered; the offer is pressed afterwards.
    bot.clock.set(START + timedelta(hours=1))
    await offered.press(offer, text="Ambil")
    assert "sudah dimulai" in (await next_with(offered, "Bengkulu")).plain_text
    # The offer lapses in the outbox's sweep, which may run just after the press is answered.
    waiting_again = [("Peserta 2", "waitlisted", None)]
    await bot.eventually(lambda session: _statuses(session, 10_002), lambda rows: rows == waiting_again)
    assert await status_of(bot, 10_003) == [("Peserta 3", "waitlisted", None)]
    assert count_with(offered, "sudah habis") == 0  # a lapse after the start is no news
    assert count_with(bot.standin.user(10_003), "Ambil") == 0
    await offered.send_text(f"/start {BENGKULU}")
    await next_with(offered, "Anda sudah terdaftar")
    ended = await offered.next_message()
    assert "sudah dimulai" in ended.plain_text and "tidak mendapat kursi" in ended.plain_text, ended.plain_text
