"""Organizers manage PICs through the bot; every staff button is authorised again on the server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import func, select
from telegram import BotCommandScopeChat

from botapi_standin import BotApiStandin, BotMessage, StandinUser
from handlers import callback_data as cb
from handlers.staff import COMMANDS
from handlers.texts import Html
from models.audit import AuditEntry
from models.participant import Participant
from models.program import meeting_by_code
from models.registration import Registration
from models.staff import PicAssignment, PicInvite, authority_of, pics_of
from tests.e2e.chat import next_with, register
from tests.e2e.conftest import RunningBot, running_bot

ADMIN = 4_242
LINK = re.compile(r"https://t\.me/shm_test_bot\?start=(pic-[A-Za-z0-9_-]+)")


@pytest.fixture
async def bot(standin: BotApiStandin, db_url: str) -> AsyncIterator[RunningBot]:
    """The bot with one organizer, who has talked to it before."""
    standin.user(ADMIN, first_name="Panitia")
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


async def meeting_id(bot: RunningBot, code: str) -> int:
    meeting = await bot.query(lambda s: meeting_by_code(s, code))
    assert meeting is not None
    return meeting.id


async def menu_of(bot: RunningBot, chat_id: int) -> list[str]:
    """The commands in one chat's own menu, as Telegram holds them."""
    commands = await bot.application.bot.get_my_commands(scope=BotCommandScopeChat(chat_id))
    return [c.command for c in commands]


async def open_panel(admin: StandinUser, province: str) -> BotMessage:
    """/pic, then the meeting from the chooser."""
    await admin.send_text("/pic")
    chooser = await next_with(admin, "Pilih pertemuan")
    await admin.press(chooser, text=province)
    return await next_with(admin, "PIC ")


async def invite_link(admin: StandinUser, province: str) -> str:
    """A fresh invite link for the province's meeting, as the organizer receives it."""
    panel = await open_panel(admin, province)
    await admin.press(panel, text="Buat tautan undangan")
    message = await next_with(admin, "Tautan undangan PIC")
    match = LINK.search(message.plain_text)
    assert match, message.plain_text
    return match.group(1)


async def make_pic(admin: StandinUser, user: StandinUser, province: str) -> None:
    """The user becomes PIC through an invite link."""
    token = await invite_link(admin, province)
    await user.send_text(f"/start {token}")
    await next_with(user, "Anda sekarang PIC")
    await next_with(admin, "Tautan undangan Anda dipakai")


async def press_and_answer(user: StandinUser, message: BotMessage, action: cb.Action) -> str | None:
    """Send the action's data from the message; the notice the bot shows where it was pressed."""
    data = cb.pack(action)
    answered = len(user.callback_answers)
    await user.press_forged(message, data)
    await user.wait_for(lambda u: any(a.data == data for a in u.callback_answers[answered:]))
    return next(a.text for a in user.callback_answers[answered:] if a.data == data)


async def audit_count(bot: RunningBot) -> int:
    return await bot.query(lambda s: s.scalar(select(func.count(AuditEntry.id))))


async def test_an_invite_link_makes_its_first_opener_pic_and_refuses_the_next(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat", last_name="Hidayat")
    bob = bot.standin.user(602, first_name="Budi")
    aceh = await meeting_id(bot, "shm23-aceh")

    panel = await open_panel(admin, "Aceh")
    assert "Belum ada PIC" in panel.plain_text
    token = await invite_link(admin, "Aceh")
    assert len(f"/start {token}") <= 64 + 7

    await alice.send_text(f"/start {token}")
    welcome = await next_with(alice, "Anda sekarang PIC")
    assert "Aceh" in welcome.plain_text and "/rekap" in welcome.plain_text and "/umumkan" in welcome.plain_text
    # The organizer who made the link hears that it was used, and by whom.
    used = await next_with(admin, "Tautan undangan Anda dipakai")
    assert "Rahmat Hidayat sekarang PIC untuk Aceh" in used.plain_text
    menu = await menu_of(bot, alice.id)
    assert {"start", "rekap", "peserta", "ekspor", "umumkan"} <= set(menu) and "pic" not in menu

    await bob.send_text(f"/start {token}")
    assert "sudah dipakai" in (await bob.next_message()).plain_text
    await alice.send_text(f"/start {token}")
    assert "sudah menjadi PIC" in (await alice.next_message()).plain_text

    pics = await bot.query(lambda s: pics_of(s, aceh))
    assert [(p.telegram_user_id, p.display_name, p.granted_via) for p in pics] == [(601, "Rahmat Hidayat", "invite")]
    assert not (await bot.query(lambda s: authority_of(s, bob.id, frozenset()))).is_staff
    assert await menu_of(bot, bob.id) == []
    # An unknown token with the invite prefix is answered as an invite, not as a meeting code.
    await bob.send_text("/start pic-not-a-real-token")
    assert "tidak dikenal" in (await bob.next_message()).plain_text


async def test_the_organizer_lists_and_revokes_a_pic_who_is_told(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat", last_name="Hidayat")
    await make_pic(admin, alice, "Aceh")
    unused = await invite_link(admin, "Aceh")

    panel = await open_panel(admin, "Aceh")
    assert "Rahmat Hidayat" in panel.plain_text and "lewat tautan undangan" in panel.plain_text
    assert "Tautan undangan yang belum dipakai" in panel.plain_text
    # Revoking asks first; « Kembali changes nothing.
    await admin.press(panel, text="Cabut: Rahmat Hidayat")
    await admin.wait_for(lambda u: "Cabut Rahmat Hidayat sebagai PIC Aceh" in u.message(panel.message_id).plain_text)
    await admin.press(admin.message(panel.message_id), text="« Kembali")
    await admin.wait_for(lambda u: "PIC aktif" in u.message(panel.message_id).plain_text)
    assert (await bot.query(lambda s: authority_of(s, alice.id, frozenset()))).is_staff
    await admin.press(admin.message(panel.message_id), text="Cabut: Rahmat Hidayat")
    await admin.wait_for(lambda u: "Ya, cabut" in u.message(panel.message_id).button_texts)
    await admin.press(admin.message(panel.message_id), text="Ya, cabut")
    assert "Rahmat Hidayat tidak lagi menjadi PIC" in (await next_with(admin, "tidak lagi")).plain_text
    assert "Anda tidak lagi menjadi PIC untuk Aceh" in (await alice.next_message()).plain_text
    await admin.wait_for(lambda u: "Belum ada PIC" in u.message(panel.message_id).plain_text)
    assert await menu_of(bot, alice.id) == []
    assert not (await bot.query(lambda s: authority_of(s, alice.id, frozenset()))).is_staff
    assignment = await bot.query(lambda s: s.scalar(select(PicAssignment)))
    assert (assignment.revoked_by, assignment.revoked_at) == (ADMIN, bot.clock.now())
    revoked = await bot.query(lambda s: s.scalar(select(AuditEntry).where(AuditEntry.action == "pic_revoked")))
    assert (revoked.actor_user_id, revoked.details) == (ADMIN, {"assignment_id": assignment.id})

    # Pressing revoke again (an old panel, or a double tap) is answered, and changes nothing.
    before = await audit_count(bot)
    assert await press_and_answer(admin, panel, cb.PicRevoke(assignment.id)) == "PIC ini sudah dicabut sebelumnya."
    stale = await press_and_answer(admin, panel, cb.PicRevokeConfirmed(assignment.id))
    assert stale == "PIC ini sudah dicabut sebelumnya."
    assert await audit_count(bot) == before

    # The unused invite is withdrawn from the panel and no longer works.
    await admin.press(admin.message(panel.message_id), text="Batalkan undangan 1")
    await admin.wait_for(lambda u: "Ya, batalkan tautan" in u.message(panel.message_id).button_texts)
    assert "Batalkan tautan undangan PIC untuk Aceh" in admin.message(panel.message_id).plain_text
    await admin.press(admin.message(panel.message_id), text="Ya, batalkan tautan")
    await admin.wait_for(
        lambda u: "Belum ada PIC" in (shown := u.message(panel.message_id).plain_text) and "belum dipakai" not in shown
    )
    await alice.send_text(f"/start {unused}")
    assert "dibatalkan oleh panitia" in (await alice.next_message()).plain_text


async def test_a_registered_fasilitator_is_made_pic_with_one_tap(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    carol = bot.standin.user(603, first_name="Carol")
    stakeholder = bot.standin.user(604, first_name="Dewi")
    await register(carol, "shm23-aceh", role="Fasilitator Daerah")
    await register(stakeholder, "shm23-aceh", role="Stakeholder Provinsi", name="Dewi Lestari")

    panel = await open_panel(admin, "Aceh")
    # The role is named as the program file names it.
    assert "Pendaftar Fasilitator Daerah / PIC Provinsi yang belum menjadi PIC" in panel.plain_text
    assert "menjadikan pendaftar Fasilitator Daerah / PIC Provinsi PIC" in panel.plain_text
    assert "Dewi Lestari" not in panel.plain_text
    await admin.press(panel, text="Jadikan PIC")
    assert "sekarang PIC untuk Aceh" in (await next_with(admin, "sekarang PIC")).plain_text
    welcome = await next_with(carol, "Anda sekarang PIC")
    assert "/peserta" in welcome.plain_text
    await admin.wait_for(
        lambda u: "dari pendaftaran Fasilitator Daerah / PIC Provinsi" in u.message(panel.message_id).plain_text
    )
    assert "rekap" in await menu_of(bot, carol.id)
    await admin.wait_for(lambda u: "Cabut: Dra. Siti Rahma" in " ".join(u.message(panel.message_id).button_texts))

    aceh = await meeting_id(bot, "shm23-aceh")
    pics = await bot.query(lambda s: pics_of(s, aceh))
    assert [(p.telegram_user_id, p.granted_via, p.granted_by) for p in pics] == [(603, "registration", ADMIN)]
    # The stakeholder's registration cannot be made PIC, even by an organizer with forged data.
    dewi_registration = await bot.query(
        lambda s: s.scalar(
            select(Registration.id).join(Participant).where(Participant.telegram_user_id == stakeholder.id)
        )
    )
    answer = await press_and_answer(admin, panel, cb.PicFromRegistration(dewi_registration))
    assert "tidak (lagi) dapat dijadikan PIC" in answer
    assert [p.telegram_user_id for p in await bot.query(lambda s: pics_of(s, aceh))] == [603]


async def test_a_pic_cannot_manage_pics_nor_reach_another_province(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat")
    erik = bot.standin.user(605, first_name="Erik")
    await make_pic(admin, alice, "Aceh")
    await make_pic(admin, erik, "Bengkulu")
    await register(bot.standin.user(606, first_name="Fajar"), "shm23-bengkulu", role="Fasilitator Daerah")
    aceh, bengkulu = await meeting_id(bot, "shm23-aceh"), await meeting_id(bot, "shm23-bengkulu")
    erik_assignment = await bot.query(
        lambda s: s.scalar(select(PicAssignment.id).where(PicAssignment.telegram_user_id == erik.id))
    )
    fajar_registration = await bot.query(lambda s: s.scalar(select(Registration.id)))
    before = (await audit_count(bot), await bot.query(lambda s: s.scalar(select(func.count(PicInvite.id)))))

    await alice.send_text("/pic")
    assert "hanya untuk panitia" in (await alice.next_message()).plain_text
    welcome = next(m for m in alice.messages if "Anda sekarang PIC" in m.plain_text)
    for forged in (
        cb.StaffPick("pic", bengkulu),
        cb.StaffPick("pic", aceh),
        cb.PicRevoke(erik_assignment),
        cb.PicRevokeConfirmed(erik_assignment),
        cb.PicFromRegistration(fajar_registration),
        cb.PicInvite(aceh),
        cb.PicInvite(bengkulu),
    ):
        await alice.press_forged(welcome, cb.pack(forged))
        assert "hanya untuk panitia" in (await alice.next_message()).plain_text, forged

    assert (await audit_count(bot), await bot.query(lambda s: s.scalar(select(func.count(PicInvite.id))))) == before
    assert [p.telegram_user_id for p in await bot.query(lambda s: pics_of(s, bengkulu))] == [erik.id]
    assert [p.telegram_user_id for p in await bot.query(lambda s: pics_of(s, aceh))] == [alice.id]


async def test_a_participant_typing_pic_is_refused(bot: RunningBot) -> None:
    dewi = bot.standin.user(604, first_name="Dewi")
    await register(dewi, "shm23-aceh")
    await dewi.send_text("/pic")
    assert "hanya untuk panitia" in (await dewi.next_message()).plain_text
    assert await menu_of(bot, dewi.id) == []


async def test_organizers_have_the_staff_commands_in_their_menu(bot: RunningBot) -> None:
    admin_menu = await menu_of(bot, ADMIN)
    assert {"start", "rekap", "peserta", "ekspor", "umumkan", "ubah", "rekap_nasional", "pic"} <= set(admin_menu)
    everyone = [c.command for c in await bot.application.bot.get_my_commands()]
    assert "start" in everyone and not {"rekap", "pic"} & set(everyone)


async def test_a_staff_menu_follows_the_language_the_organizer_chooses(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    await admin.send_text("/bahasa")
    await admin.press(await admin.next_message(), text="English")
    await next_with(admin, "Language set to English")
    commands = await bot.application.bot.get_my_commands(scope=BotCommandScopeChat(ADMIN))
    assert {c.command: c.description for c in commands}["pic"] == "Manage the PICs of a meeting"


@pytest.fixture
def probe() -> Iterator[list[int]]:
    """A staff command that PICs may run, recording the meetings it ran on."""
    ran: list[int] = []

    async def action(turn, meeting, who) -> None:
        ran.append(meeting.id)
        turn.say_html(Html(f"probe {meeting.code}"))

    COMMANDS["probe"] = action
    yield ran
    del COMMANDS["probe"]


async def test_the_shared_guard_refuses_a_forged_meeting_choice_for_another_province(
    bot: RunningBot, probe: list[int]
) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat")
    await make_pic(admin, alice, "Aceh")
    aceh, bengkulu = await meeting_id(bot, "shm23-aceh"), await meeting_id(bot, "shm23-bengkulu")
    welcome = next(m for m in alice.messages if "Anda sekarang PIC" in m.plain_text)

    await alice.press_forged(welcome, cb.pack(cb.StaffPick("probe", bengkulu)))
    assert "hanya untuk panitia" in (await alice.next_message()).plain_text
    await alice.press_forged(welcome, cb.pack(cb.StaffPick("probe", aceh)))
    assert (await alice.next_message()).plain_text == "probe shm23-aceh"
    assert probe == [aceh]


async def test_the_organizer_pages_through_every_meeting_in_the_chooser(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    await admin.send_text("/rekap")
    chooser = await next_with(admin, "Pilih pertemuan")
    seen: list[str] = []
    for page in range(1, 5):
        shown = admin.message(chooser.message_id)
        assert f"halaman {page}/4" in shown.plain_text, shown.plain_text
        meetings = [label for label in shown.button_texts if "»" not in label and "«" not in label]
        # 38 meetings, 12 to a page.
        assert len(meetings) == (12 if page < 4 else 2), meetings
        seen += meetings
        if page < 4:
            await admin.press(shown, text="»")
            await admin.wait_for(lambda u, n=page + 1: f"halaman {n}/4" in u.message(chooser.message_id).plain_text)
    assert len(set(seen)) == 38
    assert not any("»" in label for label in admin.message(chooser.message_id).button_texts)
    await admin.press(chooser, text="«")
    await admin.wait_for(lambda u: "halaman 3/4" in u.message(chooser.message_id).plain_text)
    # A meeting from a later page runs the command like one from the first.
    await admin.press(chooser, text=seen[24])
    recap = await admin.next_message()
    assert seen[24].split()[0] in recap.plain_text, recap.plain_text


async def test_a_pic_who_erased_their_data_stays_pic_unnamed_in_the_panel(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    carol = bot.standin.user(603, first_name="Carol")
    await register(carol, "shm23-aceh", role="Fasilitator Daerah")
    panel = await open_panel(admin, "Aceh")
    await admin.press(panel, text="Jadikan PIC")
    await next_with(carol, "Anda sekarang PIC")

    await carol.send_text("/hapusdata")
    await carol.press(await next_with(carol, "Hapus semua data"), text="Ya, hapus data saya")
    await next_with(carol, "telah dihapus")

    panel = await open_panel(admin, "Aceh")
    assert "PIC (data dihapus)" in panel.plain_text and "Dra. Siti Rahma" not in panel.plain_text
    assert "Cabut: PIC (data dihapus)" in panel.button_texts
    await admin.press(panel, text="Cabut: PIC (data dihapus)")
    await admin.wait_for(lambda u: "Ya, cabut" in u.message(panel.message_id).button_texts)
    await admin.press(admin.message(panel.message_id), text="Ya, cabut")
    await next_with(admin, "PIC (data dihapus) tidak lagi menjadi PIC untuk Aceh")


async def test_help_shows_staff_their_commands_and_the_organizers_menu_has_every_one(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat")
    dewi = bot.standin.user(604, first_name="Dewi")
    await make_pic(admin, alice, "Aceh")
    await dewi.send_text("/bantuan")
    plain = (await next_with(dewi, "Bantuan")).plain_text
    assert "/status" in plain and "/rekap" not in plain and "Perintah PIC" not in plain
    await alice.send_text("/bantuan")
    pic_help = (await next_with(alice, "Bantuan")).plain_text
    assert "Perintah PIC" in pic_help and "/rekap — Rekap kuota pertemuan" in pic_help and "/umumkan" in pic_help
    assert "/rekap_nasional" not in pic_help and "/ekspor_semua" not in pic_help
    await admin.send_text("/bantuan")
    admin_help = (await next_with(admin, "Bantuan")).plain_text
    assert "Perintah panitia" in admin_help and "/ekspor_semua" in admin_help and "/rekap_nasional" in admin_help
    assert "ekspor_semua" in await menu_of(bot, ADMIN)
    assert "ekspor_semua" not in await menu_of(bot, alice.id)


async def test_a_pic_or_participant_using_a_command_not_theirs_is_told_what_they_can_use(bot: RunningBot) -> None:
    admin = bot.standin.get_user(ADMIN)
    alice = bot.standin.user(601, first_name="Rahmat")
    dewi = bot.standin.user(604, first_name="Dewi")
    await make_pic(admin, alice, "Aceh")
    for command in ("/rekap_nasional", "/ekspor_semua", "/pic"):
        await alice.send_text(command)
        answer = (await next_with(alice, "hanya untuk panitia")).plain_text
        assert "Sebagai PIC Anda dapat memakai" in answer and "/rekap — " in answer, (command, answer)
        assert "/rekap_nasional" not in answer
    await dewi.send_text("/rekap")
    answer = (await next_with(dewi, "hanya untuk panitia")).plain_text
    assert "Perintah yang dapat Anda pakai" in answer and "/status — " in answer and "/rekap —" not in answer
