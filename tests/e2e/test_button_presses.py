"""Pressing buttons as people do: twice or three times, at once or one after another; the message keeps the choice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from botapi_standin import BotMessage, StandinUser
from handlers import callback_data as cb
from models.staff import PicInvite
from tests.e2e.chat import count_with, next_with, register, type_details
from tests.e2e.conftest import running_bot
from tests.e2e.test_reminders import BENGKULU, START
from tests.models.factories import make_pic, seat

EDITS = ("editMessageText", "editMessageReplyMarkup")


def edits_of(bot, message: BotMessage) -> list[str]:
    """The edit calls the bot made to one message, refused ones included."""
    return [
        call.method
        for call in bot.standin.core.calls
        if call.method in EDITS and call.params.get("message_id") == message.message_id
    ]


async def answers_to(user: StandinUser, data: str, n: int) -> list[str | None]:
    """The notices of the first `n` presses of the button with this data, once all are answered."""
    await user.wait_for(lambda u: len([a for a in u.callback_answers if a.data == data]) >= n)
    return [a.text for a in user.callback_answers if a.data == data]


async def at_roles(user: StandinUser) -> BotMessage:
    await user.send_text("/start shm23-aceh")
    await user.press(await user.next_message(), text="Setuju")
    return await next_with(user, "Pilih peran")


async def test_three_taps_at_once_on_a_role_ask_for_the_name_once(bot) -> None:
    user = bot.standin.user(7101)
    roles = await at_roles(user)
    data = roles.find_button(text="Stakeholder")["callback_data"]
    await asyncio.gather(*(user.press(roles, data=data) for _ in range(3)))
    answers = await answers_to(user, data, 3)
    # One person's updates are handled one after another: the three answers come after the first's replies.
    assert answers[1:] == ["Sudah diterima.", "Sudah diterima."], user.transcript()
    assert count_with(user, "nama lengkap") == 1, user.transcript()
    assert edits_of(bot, roles) == ["editMessageText"]
    assert bot.standin.core.problems == []


async def test_a_tap_after_the_keyboard_closed_is_answered_and_asks_nothing(bot) -> None:
    user = bot.standin.user(7102)
    roles = await at_roles(user)
    data = roles.find_button(text="Stakeholder")["callback_data"]
    await user.press(roles, data=data)
    await next_with(user, "nama lengkap")
    # A phone that still showed the buttons sends the same press once more.
    await user.press_forged(roles, data)
    assert (await answers_to(user, data, 2))[1] == "Sudah diterima."
    await user.send_text("Budi Santoso")
    assert "instansi" in (await user.next_message()).plain_text, user.transcript()
    assert count_with(user, "nama lengkap") == 1 and edits_of(bot, roles) == ["editMessageText"]


async def test_a_double_tap_on_consent_and_on_paging_acts_once(bot) -> None:
    user = bot.standin.user(7103)
    await user.send_text("/start")
    consent = await user.next_message()
    agree = consent.find_button(text="Setuju")["callback_data"]
    await asyncio.gather(user.press(consent, data=agree), user.press(consent, data=agree))
    meetings = await user.next_message()
    await answers_to(user, agree, 2)
    assert count_with(user, "Pilih pertemuan") == 1, user.transcript()
    after = meetings.find_button(text="Berikutnya")["callback_data"]
    await asyncio.gather(user.press(meetings, data=after), user.press(meetings, data=after))
    await answers_to(user, after, 2)
    assert "halaman 2/5" in user.message(meetings.message_id).plain_text
    assert edits_of(bot, meetings) == ["editMessageText"]
    # Typing in between makes the next press a new one: the list pages on.
    await user.send_text("halo")
    await next_with(user, "Pilih pertemuan")
    page_two = user.message(meetings.message_id)
    await user.press(page_two, text="Sebelumnya")
    await user.wait_for(lambda u: "halaman 1/5" in u.message(meetings.message_id).plain_text)
    assert bot.standin.core.problems == []


async def test_two_different_buttons_tapped_at_once_choose_the_first(bot) -> None:
    user = bot.standin.user(7104)
    roles = await at_roles(user)
    first = roles.find_button(text="Stakeholder")["callback_data"]
    second = roles.find_button(text="Tim Sinergi")["callback_data"]
    await asyncio.gather(user.press(roles, data=first), user.press(roles, data=second))
    assert await answers_to(user, second, 1) == ["Sudah diterima."]
    assert count_with(user, "nama lengkap") == 1, user.transcript()
    assert "→ Stakeholder Provinsi" in user.message(roles.message_id).plain_text
    assert bot.standin.core.problems == []


async def test_a_closed_keyboard_leaves_the_choice_in_the_message(bot) -> None:
    user = bot.standin.user(7105)
    await user.send_text("/start shm23-aceh")
    consent = await user.next_message()
    consent_text = consent.plain_text
    await user.press(consent, text="Setuju")
    roles = await user.next_message()
    roles_text = roles.plain_text
    await user.press(roles, text="Stakeholder")
    await next_with(user, "nama lengkap")
    assert user.message(consent.message_id).plain_text == consent_text + "\n\n→ ✅ Setuju"
    assert not user.message(consent.message_id).button_texts
    # The role as the program names it, without the seats its button showed.
    assert user.message(roles.message_id).plain_text == roles_text + "\n\n→ Stakeholder Provinsi"
    await type_details(user)
    summary = await user.next_message()
    summary_text = summary.plain_text
    await user.press(summary, text="Kirim")
    await next_with(user, "Pendaftaran berhasil")
    sent = user.message(summary.message_id)
    # What the person typed ("&", "<Kab. Bengkulu>") is still escaped in the edited summary.
    assert sent.plain_text == summary_text + "\n\n→ ✅ Kirim", sent.plain_text
    assert "&lt;Kab. Bengkulu&gt;" in sent.text and "&amp;" in sent.text
    assert bot.standin.core.problems == []


async def test_a_stale_button_closes_without_a_choice(bot) -> None:
    user = bot.standin.user(7106)
    await user.send_text("/start")
    consent = await user.next_message()
    consent_text = consent.plain_text
    await user.send_text("setuju")
    await user.next_message()
    again = await user.next_message()
    await user.press(again, text="Setuju")
    await next_with(user, "Pilih pertemuan")
    await user.press(consent, text="Setuju")
    await next_with(user, "Pilih pertemuan")
    assert user.message(consent.message_id).plain_text == consent_text
    assert not user.message(consent.message_id).button_texts


async def test_a_page_button_that_would_show_the_same_page_edits_nothing(bot) -> None:
    user = bot.standin.user(7107)
    await user.send_text("/start")
    await user.press(await user.next_message(), text="Setuju")
    meetings = await next_with(user, "halaman 1/5")
    # Kept from an older list (or forged): "page 1", which the message shows already.
    data = cb.pack(cb.MeetingPage(0))
    await user.press_forged(meetings, data)
    await answers_to(user, data, 1)
    # The next update is handled once the press is done with, edits included.
    await user.send_text("halo")
    await next_with(user, "Pilih pertemuan")
    assert edits_of(bot, meetings) == []
    assert bot.standin.core.problems == []


async def test_a_double_tap_on_hadir_records_it_once_and_the_question_keeps_the_answer(bot) -> None:
    user = bot.standin.user(7108)
    await register(user, BENGKULU, role="Pemustaka")
    await user.next_message()  # the calendar file
    bot.clock.set(START - timedelta(days=3))
    question = await next_with(user, "Apakah Anda akan hadir")
    asked = question.plain_text
    attend = question.find_button(text="Hadir")["callback_data"]
    await asyncio.gather(user.press(question, data=attend), user.press(question, data=attend))
    assert (await answers_to(user, attend, 2))[1] == "Sudah diterima."
    assert count_with(user, "kehadiran Anda") == 1, user.transcript()
    assert user.message(question.message_id).plain_text == asked + "\n\n→ ✅ Hadir"
    assert bot.standin.core.problems == []


async def test_a_double_tap_on_a_staff_button_asks_for_the_role_once(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, 7109)
        await seat(session, BENGKULU, "pemustaka", 1)

    await bot.query(setup)
    pic = bot.standin.user(7109)
    await pic.send_text("/pindah")
    roster = await pic.next_message()
    pick = roster.find_button(text="Peserta 1 — Pemustaka")["callback_data"]
    await asyncio.gather(pic.press(roster, data=pick), pic.press(roster, data=pick))
    assert (await answers_to(pic, pick, 2))[1] == "Sudah diterima."
    assert count_with(pic, "ke peran") == 1, pic.transcript()
    assert pic.message(roster.message_id).plain_text.endswith("→ Peserta 1 — Pemustaka yang terdampak TPBIS")
    assert bot.standin.core.problems == []


async def test_a_button_the_rewritten_message_still_has_is_pressed_anew_but_not_twice_at_once(standin, db_url) -> None:
    """The PIC panel keeps "Buat tautan undangan": a second link after the panel showed the first one is
    wanted (a meeting has two PICs); a double tap on the same view makes one."""
    admin_id = 7110
    admin = standin.user(admin_id, first_name="Panitia")
    async with running_bot(standin, db_url, admin_ids=frozenset({admin_id})) as bot:
        await admin.send_text("/pic")
        await admin.press(await next_with(admin, "Pilih pertemuan"), text="Aceh")
        panel = await next_with(admin, "PIC ")
        create = panel.find_button(text="Buat tautan undangan")["callback_data"]
        await asyncio.gather(admin.press(panel, data=create), admin.press(panel, data=create))
        assert (await answers_to(admin, create, 2))[1] == "Sudah diterima."
        await admin.wait_for(lambda u: "belum dipakai" in u.message(panel.message_id).plain_text)
        assert count_with(admin, "Tautan undangan PIC") == 1, admin.transcript()
        # Pressed again on the panel as it now reads (one link waiting): a second link.
        await admin.press(admin.message(panel.message_id), data=create)
        await admin.wait_for(lambda u: count_with(u, "Tautan undangan PIC") == 2)
        invites = await bot.query(lambda s: s.scalar(select(func.count(PicInvite.id))))
        assert invites == 2
