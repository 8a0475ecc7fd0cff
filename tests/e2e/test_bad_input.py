"""Bad input gets a clear answer in Indonesian, the step is asked again and nothing is lost."""

from __future__ import annotations

from models.conversation import Conversation
from tests.e2e.chat import ANSWERS, consent_and_choose, count_with, next_with, register, type_details


async def _at_name_step(bot, user_id: int):
    user = bot.standin.user(user_id)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    return user


async def test_non_text_messages_where_a_name_is_asked(bot) -> None:
    user = await _at_name_step(bot, 6001)
    for send in (
        user.send_sticker(),
        user.send_photo(),
        user.send_voice(),
        user.send_location(-6.2, 106.8),
        user.send_document("cv.pdf"),
    ):
        await send
        refusal = await user.next_message()
        assert "ketik jawaban sebagai teks" in refusal.plain_text, user.transcript()
        assert "nama lengkap" in (await user.next_message()).plain_text
    await user.send_text(ANSWERS["name"])
    assert "instansi" in (await user.next_message()).plain_text


async def test_an_edited_message_is_not_taken_for_an_answer(bot) -> None:
    user = await _at_name_step(bot, 6010)
    sent = await user.send_text(ANSWERS["name"])
    assert "instansi" in (await user.next_message()).plain_text
    # Editing the name already given: the bot says edits are not read and asks the current step again.
    await user.edit_text(sent["message"]["message_id"], "Nama Lain")
    assert "tidak dibaca" in (await user.next_message()).plain_text, user.transcript()
    assert "instansi" in (await user.next_message()).plain_text
    # Nothing the edit said was stored: the institution typed next follows the first name.
    await user.send_text(ANSWERS["institution"])
    await user.next_message()
    draft = await bot.query(lambda session: session.get(Conversation, 6010))
    assert (draft.full_name, draft.institution) == (ANSWERS["name"], ANSWERS["institution"])
    # An edited command is not run again either.
    command = await user.send_text("/status")
    await next_with(user, "jabatan")  # the status, then the step in progress again
    await user.edit_text(command["message"]["message_id"], "/hapusdata")
    assert "tidak dibaca" in (await user.next_message()).plain_text
    assert "jabatan" in (await user.next_message()).plain_text
    assert count_with(user, "Hapus") == 0, user.transcript()


async def test_empty_whitespace_long_and_letterless_names(bot) -> None:
    user = await _at_name_step(bot, 6002)
    for text, answer in (
        ("   \t  ", "tidak boleh kosong"),
        ("x" * 500, "terlalu panjang (paling banyak 120"),
        ("12345", "harus berisi huruf"),
        ("A", "terlalu pendek"),
    ):
        await user.send_text(text)
        assert answer in (await user.next_message()).plain_text, user.transcript()
        assert "nama lengkap" in (await user.next_message()).plain_text
    await user.send_text("  Budi   Santoso ")
    assert "instansi" in (await user.next_message()).plain_text
    await user.send_text("/status")
    assert "belum terdaftar" in (await user.next_message()).plain_text
    assert "lanjutkan" in (await user.next_message()).plain_text
    assert "instansi" in (await user.next_message()).plain_text
    await type_details_from_institution(user)
    summary = await user.next_message()
    assert "Nama: Budi Santoso\n" in summary.plain_text


async def type_details_from_institution(user) -> None:
    await user.send_text(ANSWERS["institution"])
    await user.next_message()
    await user.send_text(ANSWERS["position"])
    await user.next_message()
    await user.share_contact("6281234567890")
    assert "0812-3456-7890" in (await user.next_message()).plain_text


async def test_invalid_and_valid_phones(bot) -> None:
    user = await _at_name_step(bot, 6003)
    for text in (ANSWERS["name"], ANSWERS["institution"], ANSWERS["position"]):
        await user.send_text(text)
        await user.next_message()
    assert user.reply_keyboard is not None  # the "share my number" button
    for raw, answer in (
        ("12345", "tidak valid"),
        ("021 5551234", "bukan nomor kantor"),
        ("telepon saya", "tidak valid"),
    ):
        await user.send_text(raw)
        assert answer in (await user.next_message()).plain_text, user.transcript()
        assert "Bagikan nomor saya" in (await user.next_message()).plain_text
    await user.send_sticker()
    assert "ketik jawaban sebagai teks" in (await user.next_message()).plain_text
    await user.next_message()
    await user.share_contact("+62 812-3456-7890")
    assert "Nomor tersimpan: 0812-3456-7890" in (await user.next_message()).plain_text
    assert user.reply_keyboard is None  # removed once the number is in
    assert "Periksa data" in (await user.next_message()).plain_text


async def test_text_where_a_button_is_expected(bot) -> None:
    user = bot.standin.user(6004)
    await user.send_text("/start")
    consent = await user.next_message()
    await user.send_text("ya saya setuju")
    assert "pilih dengan tombol" in (await user.next_message()).plain_text
    again = await user.next_message()
    assert "Setuju" in " ".join(again.button_texts)
    await user.press(again, text="Setuju")
    meetings = await user.next_message()
    await user.send_sticker()
    assert "pilih dengan tombol" in (await user.next_message()).plain_text
    assert "Pilih pertemuan" in (await user.next_message()).plain_text
    # The first consent message is still pressable; it belongs to no current question.
    await user.press(consent, text="Setuju")
    answer = await user.wait_callback_answer()
    while answer.data != "c:1" or answer.message_id != consent.message_id:
        answer = await user.wait_callback_answer()
    assert answer.text == "Tombol ini sudah tidak berlaku."
    assert "Pilih pertemuan" in (await user.next_message()).plain_text
    assert meetings.button_texts


async def test_old_and_forged_buttons(bot) -> None:
    user = bot.standin.user(6005)
    await user.send_text("/start shm23-aceh")
    await user.press(await user.next_message(), text="Setuju")
    roles = await user.next_message()
    await user.press(roles, text="Stakeholder")
    await user.next_message()
    for data in ("r:999:1", "m:1", "xy:1", "zz", "sk:1", "l:xx", "ef:../etc", "r:1:" + "9" * 40):
        await user.press_forged(roles, data)
        answer = await user.wait_callback_answer()
        while answer.data != data:
            answer = await user.wait_callback_answer()
        assert answer.text == "Tombol ini sudah tidak berlaku.", (data, user.transcript())
        assert "nama lengkap" in (await user.next_message()).plain_text
    await user.send_text(ANSWERS["name"])
    assert "instansi" in (await user.next_message()).plain_text


async def test_someone_elses_registration_cannot_be_cancelled(bot) -> None:
    owner, intruder = bot.standin.user(6101), bot.standin.user(6102)
    await register(owner)
    await register(intruder, role="Tim Sinergi")
    await owner.send_text("/batal")
    confirm = await owner.next_message()
    data = confirm.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await intruder.send_text("/status")
    status = await intruder.next_message()
    await intruder.press_forged(status, data)
    answer = await intruder.wait_callback_answer()
    while answer.data != data:
        answer = await intruder.wait_callback_answer()
    assert answer.text == "Tombol ini sudah tidak berlaku."
    await owner.send_text("/status")
    assert "kursi terkonfirmasi" in (await owner.next_message()).plain_text


async def test_commands_in_the_middle_of_a_step(bot) -> None:
    user = await _at_name_step(bot, 6006)
    await user.send_text("/bantuan")
    assert "/batal" in (await user.next_message()).plain_text
    assert "lanjutkan" in (await user.next_message()).plain_text
    assert "nama lengkap" in (await user.next_message()).plain_text
    await user.send_text("/foo")
    assert "Perintah tidak dikenal" in (await user.next_message()).plain_text
    assert "lanjutkan" in (await user.next_message()).plain_text
    assert "nama lengkap" in (await user.next_message()).plain_text
    await user.send_text("/start")
    assert "lanjutkan" in (await user.next_message()).plain_text
    assert "nama lengkap" in (await user.next_message()).plain_text
    await type_details(user)
    assert "Periksa data" in (await user.next_message()).plain_text


async def test_an_unknown_deep_link(bot) -> None:
    user = bot.standin.user(6007)
    await user.send_text("/start bukan-kode")
    assert "tidak dikenali" in (await user.next_message()).plain_text
    assert "Apakah Anda setuju" in (await user.next_message()).plain_text


async def test_every_text_fits_telegram(bot) -> None:
    from handlers.texts import CATALOGUES, placeholders

    user = await _at_name_step(bot, 6008)
    long = "Ä" * 120
    await user.send_text(long)
    await user.next_message()
    await user.send_text(long)
    await user.next_message()
    await user.send_text(long)
    await user.next_message()
    await user.send_text("081234567890")
    await user.next_message()
    summary = await user.next_message()
    assert summary.plain_text.count(long) == 3 and len(summary.plain_text) < 4096
    # Every catalogue text rendered with long values stays within a message.
    for catalogue in CATALOGUES.values():
        for key, template in catalogue.items():
            rendered = template.format(**{name: "&amp;" * 40 for name in placeholders(template)})
            assert len(rendered) < 4096, key


async def test_commands_in_a_group_point_to_the_private_chat(bot) -> None:
    member = bot.standin.group(-100_555, "PIC Jawa Barat", member_id=6201)
    await member.send_text("/start@shm_test_bot")
    answer = await member.next_message()
    assert "chat pribadi" in answer.plain_text
    [[link]] = answer.reply_markup["inline_keyboard"]
    assert link["url"] == "https://t.me/shm_test_bot?start"
    await member.send_text("Nama saya Budi")  # ordinary group talk is not answered
    await member.send_text("/status")
    assert "chat pribadi" in (await member.next_message()).plain_text
    # Staff commands too: a roster is never shown where the group reads it.
    await member.send_text("/peserta")
    assert "chat pribadi" in (await member.next_message()).plain_text
    # Another bot's command, and a command this bot does not have, are left alone.
    await member.send_text("/peserta@other_bot")
    await member.send_text("/poll")
    await member.send_text("/bantuan")
    assert "chat pribadi" in (await member.next_message()).plain_text
    assert len(member.messages) == 4, member.transcript()
