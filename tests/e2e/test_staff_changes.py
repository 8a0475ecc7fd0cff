"""PICs and organizers at work, end to end: /umumkan, roster changes with reasons, program upload."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import DEFAULT_PROGRAM_FILE
from handlers import callback_data as cb
from models.announcement import Announcement, draft_announcement
from models.audit import AuditEntry
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import ConsentRecord, Participant
from models.program import Meeting, Role, meeting_by_code
from models.program_file import ProgramFileError, parse_program
from models.registration import Registration, RegistrationStatus
from models.seats import cancel
from models.staff import PicInvite, create_invite, revoke_pic
from tests.e2e.chat import consent_and_choose, count_with, next_with
from tests.e2e.conftest import running_bot
from tests.models.factories import T0, make_pic, seat

BENGKULU = "shm23-bengkulu"
ACEH = "shm23-aceh"
PIC = 7001
ADMIN = 7100


async def audit_of(session, action: str) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


async def test_an_announcement_reaches_every_live_participant_once_and_its_author_learns_how_many(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        ids = [
            (await seat(session, BENGKULU, role, n)).participant.telegram_user_id
            for n, role in enumerate(["stakeholder", "stakeholder", "pemustaka", "pemustaka", "stakeholder"])
        ]
        gone = await session.scalar(
            select(Registration).join(Participant).where(Participant.telegram_user_id == ids[4])
        )
        await cancel(session, gone.id, now=T0)
        return ids

    ids = await bot.query(setup)
    users = [bot.standin.user(i) for i in ids]
    await users[1].block(notify=False)
    pic = bot.standin.user(PIC)

    await pic.send_text("/umumkan")
    assert "Ketik pengumuman" in (await pic.next_message()).plain_text
    await pic.send_text("Rapat <b>pindah</b> ke Aula & mulai 08.00")
    assert "4 peserta" in (await pic.next_message()).plain_text
    preview = await pic.next_message()
    assert "Rapat <b>pindah</b> ke Aula & mulai 08.00" in preview.plain_text, pic.transcript()
    # Before it is sent: pressing Kirim adds the choice to the preview.
    shown = preview.plain_text
    send = preview.find_button(text="Kirim ke 4 peserta")["callback_data"]
    await pic.press(preview, data=send)
    await pic.press_forged(preview, send)  # a double tap
    await next_with(pic, "sedang dikirim")
    report = await next_with(pic, "diterima oleh")
    assert "diterima oleh 3 dari 4 peserta (1 memblokir bot, 0 gagal terkirim)" in report.plain_text, report.plain_text

    for user in (users[0], users[2], users[3]):
        assert count_with(user, "Rapat <b>pindah</b> ke Aula") == 1, user.transcript()
        assert user.messages[-1].plain_text == shown
    assert count_with(users[4], "Rapat") == 0
    assert count_with(pic, "diterima oleh") == 1
    rows = await bot.query(
        lambda s: s.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT))
    )
    assert sorted(r.value for r in rows) == ["sent", "sent", "sent", "unreachable"]


async def test_another_provinces_announcement_cannot_be_sent_with_a_forged_button(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        await make_pic(session, ACEH, 7002)
        await seat(session, ACEH, "stakeholder", 1)
        aceh = await session.scalar(select(Meeting).where(Meeting.code == ACEH))
        return (
            await draft_announcement(
                session, meeting_id=aceh.id, author_user_id=7002, author_chat_id=7002, body="Info Aceh", now=T0
            )
        ).id

    announcement_id = await bot.query(setup)
    pic = bot.standin.user(PIC)
    await pic.send_text("/umumkan")
    asked = await pic.next_message()
    assert "belum punya peserta" in asked.plain_text
    await pic.press_forged(asked, cb.pack(cb.AnnounceSend(announcement_id)))
    assert "hanya untuk panitia dan PIC" in (await pic.next_message()).plain_text
    confirmed = await bot.query(
        lambda s: s.scalar(select(Announcement.confirmed_at).where(Announcement.id == announcement_id))
    )
    assert confirmed is None
    assert (
        await bot.query(
            lambda s: s.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT))
        )
        is None
    )


async def unchanged_state(session) -> tuple[list, ...]:
    """What a refused staff button must leave as it was."""

    async def rows(*columns):
        return [tuple(row) for row in await session.execute(select(*columns).order_by(columns[0]))]

    return (
        await rows(Registration.id, Registration.role_id, Registration.status),
        await rows(Announcement.id, Announcement.confirmed_at),
        await rows(PicInvite.id, PicInvite.revoked_at),
        await rows(AuditEntry.id),
        await rows(OutboxMessage.id),
    )


async def test_forged_staff_buttons_naming_another_provinces_people_are_refused(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        await make_pic(session, ACEH, 7002)
        await seat(session, BENGKULU, "stakeholder", 1)
        aceh_seated = await seat(session, ACEH, "pemustaka", 2)
        await seat(session, ACEH, "pemustaka", 3)  # waits
        aceh = await meeting_by_code(session, ACEH)
        announcement = await draft_announcement(
            session, meeting_id=aceh.id, author_user_id=7002, author_chat_id=7002, body="Info Aceh", now=T0
        )
        invite = await create_invite(session, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        stakeholder = await session.scalar(select(Role.id).where(Role.code == "stakeholder"))
        return aceh.id, aceh_seated.id, stakeholder, announcement.id, invite.id

    aceh, registration, stakeholder, announcement, invite = await bot.query(setup)
    before = await bot.query(unchanged_state)
    pic = bot.standin.user(PIC)
    # Bengkulu's PIC at their own roster; the forged data is sent from it.
    await pic.send_text("/keluarkan")
    own = await pic.next_message()
    assert "Peserta 1" in " ".join(own.button_texts), pic.transcript()
    for forged in (
        cb.RosterPage("rm", aceh, 0),
        cb.RosterPage("mv", aceh, 1),
        cb.RosterPick("rm", registration),
        cb.RosterPick("mv", registration),
        cb.RosterMoveTo(registration, stakeholder),
        cb.AnnounceDrop(announcement),
        cb.AnnounceSend(announcement),
        cb.PicWithdrawInvite(invite),
    ):
        await pic.press_forged(own, cb.pack(forged))
        assert "hanya untuk panitia" in (await pic.next_message()).plain_text, forged
    # No removal was left waiting for its reason: typing one removes nobody.
    await pic.send_text("Tidak jadi ikut")
    await pic.next_message()
    # Mid-way through adding someone to Bengkulu, a role button naming Aceh is refused too.
    await pic.send_text("/tambah")
    await pic.next_message()
    await pic.send_text("Budi Santoso\nBappeda Kota Bengkulu\nKepala Bidang\n0813-1111-2222")
    roles = await pic.next_message()
    await pic.press_forged(roles, cb.pack(cb.RosterAddRole(aceh, stakeholder)))
    assert "hanya untuk panitia" in (await pic.next_message()).plain_text
    await pic.send_text("Mendaftar lewat formulir kertas")
    await pic.next_message()

    assert await bot.query(unchanged_state) == before
    # Nothing of Aceh's roster was shown.
    assert not any("Peserta 2" in m.plain_text + " ".join(m.button_texts) for m in pic.messages), pic.transcript()


async def test_a_revoked_pics_old_buttons_are_refused(bot) -> None:
    async def setup(session):
        assignment = await make_pic(session, BENGKULU, PIC)
        for n in range(11):
            await seat(session, BENGKULU, "stakeholder", n)
        return assignment.id

    assignment = await bot.query(setup)
    pic = bot.standin.user(PIC)
    await pic.send_text("/keluarkan")
    roster = await pic.next_message()
    assert "halaman 1/2" in roster.plain_text, roster.plain_text
    pick = roster.find_button(text="Peserta 0")["callback_data"]
    await pic.send_text("/umumkan")
    await next_with(pic, "Ketik pengumuman")
    await pic.send_text("Rapat pindah ke Aula")
    preview = await next_with(pic, "Rapat pindah ke Aula")
    await bot.query(lambda s: revoke_pic(s, assignment, revoked_by=ADMIN, now=bot.clock.now()))
    before = await bot.query(unchanged_state)

    await pic.press(roster, text="»")
    assert "hanya untuk panitia" in (await pic.next_message()).plain_text
    assert "halaman 1/2" in pic.message(roster.message_id).plain_text
    await pic.press_forged(roster, pick)
    assert "hanya untuk panitia" in (await pic.next_message()).plain_text
    await pic.press(preview, text="Kirim ke 11 peserta")
    assert "hanya untuk panitia" in (await pic.next_message()).plain_text
    assert await bot.query(unchanged_state) == before
    assert await bot.query(lambda s: s.scalar(select(Announcement.confirmed_at))) is None


async def test_a_move_to_a_full_role_is_refused_and_a_move_passes_the_freed_seat_on(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        moving = await seat(session, BENGKULU, "pemustaka", 1)
        waiting = await seat(session, BENGKULU, "pemustaka", 2)
        await seat(session, BENGKULU, "rm_desa", 3)
        return moving.participant.telegram_user_id, waiting.participant.telegram_user_id, moving.id

    moving_id, waiting_id, registration_id = await bot.query(setup)
    moving, waiting = bot.standin.user(moving_id), bot.standin.user(waiting_id)
    pic = bot.standin.user(PIC)

    await pic.send_text("/pindah")
    roster = await pic.next_message()
    assert "⏳ Peserta 2 — Pemustaka" in roster.button_texts[2], roster.button_texts
    await pic.press(roster, text="Peserta 1 — Pemustaka")
    roles = await next_with(pic, "ke peran")
    await pic.press(roles, text="Perwakilan Desa")
    refused = await next_with(pic, "sudah penuh")
    assert "1 dari 1 kursi terisi" in refused.plain_text

    await pic.send_text("/pindah")
    await pic.press(await pic.next_message(), text="Peserta 1 — Pemustaka")
    await pic.press(await next_with(pic, "ke peran"), text="Stakeholder Provinsi")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Salah pilih peran saat mendaftar")
    done = await pic.next_message()
    assert "Peserta 1 kini terdaftar sebagai Stakeholder Provinsi" in done.plain_text, pic.transcript()
    assert "diberikan kepada Peserta 2" in (await pic.next_message()).plain_text
    await next_with(waiting, "Kabar baik")
    await next_with(moving, "mengubah peran Anda")

    entries = await bot.query(lambda s: audit_of(s, "move"))
    assert [(e.actor_user_id, e.registration_id, e.reason) for e in entries] == [
        (PIC, registration_id, "Salah pilih peran saat mendaftar")
    ]
    assert entries[0].details["from_role"] == "pemustaka" and entries[0].details["to_role"] == "stakeholder"
    statuses = await bot.query(
        lambda s: s.execute(
            select(Participant.telegram_user_id, Registration.status).join(Registration).order_by(Participant.id)
        )
    )
    assert [(u, st.value) for u, st in statuses][:2] == [(moving_id, "seated"), (waiting_id, "seated")]


async def test_a_pic_half_way_through_their_own_registration_keeps_it_through_staff_commands(bot) -> None:
    """Staff commands that would start a step of their own ask the PIC to finish or leave the registration first."""

    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        await seat(session, BENGKULU, "pemustaka", 1)

    await bot.query(setup)
    pic = bot.standin.user(PIC)
    await pic.send_text("/pindah")
    old_roster = await next_with(pic, "Pindah peran")
    await consent_and_choose(pic, ACEH, "Stakeholder Provinsi")
    await pic.send_text("Rina Wulandari")
    await next_with(pic, "instansi")

    for command in ("/umumkan", "/pindah", "/tambah", "/keluarkan"):
        await pic.send_text(command)
        assert "Selesaikan dulu" in (await pic.next_message()).plain_text, pic.transcript()
        assert "instansi" in (await pic.next_message()).plain_text, pic.transcript()
    # A button of a roster shown before the registration began does not start a reason's step either.
    await pic.press(old_roster, text="Peserta 1 — Pemustaka")
    await next_with(pic, "Selesaikan dulu")
    await next_with(pic, "instansi")
    # Reading reports leaves the draft alone.
    await pic.send_text("/rekap")
    await next_with(pic, "Rekap")

    await pic.send_text("Dinas Perpustakaan Aceh")
    assert "jabatan" in (await pic.next_message()).plain_text, pic.transcript()
    await pic.send_text("Pustakawan")
    await next_with(pic, "nomor HP")
    await pic.send_text("0812-3456-7890")
    summary = await next_with(pic, "Periksa data")
    assert "Rina Wulandari" in summary.plain_text and "Dinas Perpustakaan Aceh" in summary.plain_text
    await pic.press(summary, text="Kirim")
    await next_with(pic, "Aceh")
    registered = await bot.query(
        lambda s: s.scalar(select(Registration).join(Participant).where(Participant.telegram_user_id == PIC))
    )
    assert registered is not None and registered.status == RegistrationStatus.SEATED


async def test_a_person_added_by_hand_and_a_person_removed_are_in_the_audit_log(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        return (await seat(session, BENGKULU, "stakeholder", 1)).participant.telegram_user_id

    removed_id = await bot.query(setup)
    pic = bot.standin.user(PIC)

    await pic.send_text("/tambah")
    assert "empat baris" in (await pic.next_message()).plain_text
    await pic.send_text("Budi Santoso\nBappeda Kota Bengkulu\n0812")
    assert "tepat empat baris" in (await pic.next_message()).plain_text
    await pic.send_text("Budi Santoso\nBappeda Kota Bengkulu\nKepala Bidang\n12345")
    assert "Baris 4" in (await pic.next_message()).plain_text
    assert "Nomor telepon tidak valid" in (await pic.next_message()).plain_text
    await pic.send_text("Budi Santoso\nBappeda & Kota <Bengkulu>\nKepala Bidang\n0813-1111-2222")
    roles = await pic.next_message()
    assert "0813-1111-2222" in roles.plain_text and "Bappeda & Kota <Bengkulu>" in roles.plain_text
    await pic.press(roles, text="Pemustaka")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Mendaftar lewat formulir kertas")
    assert "Budi Santoso ditambahkan sebagai Pemustaka" in (await pic.next_message()).plain_text

    await pic.send_text("/ubah")
    await pic.press(await pic.next_message(), text="Keluarkan peserta")
    roster = await next_with(pic, "Keluarkan peserta — pilih")
    await pic.press(roster, text="Budi Santoso")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Tidak jadi ikut (telepon)")
    assert "Budi Santoso (Pemustaka yang terdampak TPBIS) dikeluarkan" in (await pic.next_message()).plain_text
    await pic.send_text("/keluarkan")
    await pic.press(await pic.next_message(), text="Peserta 1")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Ganti orang dari instansi")
    await next_with(pic, "dikeluarkan")
    await next_with(bot.standin.user(removed_id), "mengeluarkan Anda")

    async def read(session):
        budi = await session.scalar(select(Participant).where(Participant.full_name == "Budi Santoso"))
        consent = await session.scalar(select(ConsentRecord).where(ConsentRecord.participant_id == budi.id))
        removed = await session.scalar(
            select(OutboxMessage.status)
            .join(Registration)
            .where(Registration.participant_id == budi.id, OutboxMessage.kind == MessageKind.REMOVED)
        )
        return budi, consent, removed, await audit_of(session, "add"), await audit_of(session, "remove")

    budi, consent, removed, added, removals = await bot.eventually(read, lambda r: r[2] != OutboxStatus.PENDING)
    assert budi.telegram_user_id is None and budi.chat_id is None and budi.institution == "Bappeda & Kota <Bengkulu>"
    assert consent.given and consent.recorded_by == PIC and consent.telegram_user_id is None
    # Nobody to tell: the notice is dropped, not sent.
    assert removed == OutboxStatus.OBSOLETE
    assert [(e.reason, e.details) for e in added] == [
        ("Mendaftar lewat formulir kertas", {"role": "pemustaka", "status": "seated", "consent": "offline"})
    ]
    assert [e.reason for e in removals] == ["Tidak jadi ikut (telepon)", "Ganti orang dari instansi"]
    assert all(e.actor_user_id == PIC for e in added + removals)
    assert "Budi" not in str([e.details for e in added + removals])


async def test_only_an_organizer_loads_a_program_file_sent_as_a_document(standin, db_url) -> None:
    shipped = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        admin, someone = standin.user(ADMIN), standin.user(9005)

        broken = shipped.replace('province: "17"', 'province: "99"', 1)
        try:
            parse_program(broken, "program.yaml")
            raise AssertionError("the broken program parsed")
        except ProgramFileError as error:
            expected = str(error)
        await admin.send_document("program.yaml", broken.encode())
        refused = await admin.next_message()
        assert "tidak dimuat" in refused.plain_text and expected in refused.plain_text, refused.plain_text
        assert "program.yaml:" in expected

        await admin.send_document("program.pdf", b"%PDF-1.4")
        assert "harus berupa file YAML" in (await admin.next_message()).plain_text

        moved = shipped.replace("Hotel Mercure Bengkulu", "Hotel Santika Bengkulu")
        await admin.send_document("program.yaml", moved.encode())
        loaded = await admin.next_message()
        assert "0 pertemuan baru, 1 diperbarui" in loaded.plain_text, loaded.plain_text

        await someone.send_document("program.yaml", broken.replace("Bengkulu", "Nowhere").encode())
        assert "Ketik /start" in (await someone.next_message()).plain_text

        venue = await running.query(lambda s: s.scalar(select(Meeting.venue).where(Meeting.code == BENGKULU)))
        assert venue == "Hotel Santika Bengkulu"
        entries = await running.query(lambda s: audit_of(s, "program_loaded"))
        assert [(e.actor_user_id, e.details["updated"]) for e in entries] == [(ADMIN, 1)]


async def test_a_too_long_announcement_is_refused_at_input_and_a_cancelled_one_sends_nothing(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        return (await seat(session, BENGKULU, "stakeholder", 1)).participant.telegram_user_id

    participant = bot.standin.user(await bot.query(setup))
    pic = bot.standin.user(PIC)
    await pic.send_text("/umumkan")
    await pic.next_message()
    await pic.send_text("x" * 3501)
    assert "terlalu panjang (paling banyak 3500 karakter)" in (await pic.next_message()).plain_text
    await pic.send_text("/cancel")
    assert "Tidak ada yang diubah atau dikirim" in (await pic.next_message()).plain_text
    await pic.send_text("Info yang tidak jadi")
    assert "Ketik /start" in (await pic.next_message()).plain_text

    await pic.send_text("/umumkan")
    await pic.next_message()
    await pic.send_text("Info yang tidak jadi")
    await pic.next_message()
    await pic.press(await pic.next_message(), text="Batal")
    assert "tidak ada yang dikirim" in (await pic.next_message()).plain_text
    assert await bot.query(lambda s: s.scalar(select(Announcement.id))) is None
    assert count_with(participant, "Info yang tidak jadi") == 0
