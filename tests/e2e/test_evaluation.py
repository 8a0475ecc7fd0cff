"""The evaluation end to end: asked after the end of those checked in, answered with buttons, results for staff."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from handlers import callback_data as cb
from models.certificates import certificate_of
from models.check_in import check_in
from models.conversation import Conversation
from models.evaluation import (
    EvaluationProgress,
    EvaluationResponse,
    EvaluationScore,
    ask_evaluations,
    comment,
    finish,
    rate,
)
from models.outbox import MessageKind, OutboxMessage
from models.participant import Participant
from models.program import Meeting, Program
from models.registration import CheckInWay, Registration
from models.seats import register as register_directly
from tests.e2e.chat import bytes_of, count_with, next_with, none_yet, register
from tests.e2e.conftest import RunningBot, running_bot
from tests.models.factories import T0, make_participant, make_pic, meeting_and_role

BENGKULU = "shm23-bengkulu"
SEMARANG = "shm23-jawa-tengah"
# Both on 26 July 2023, 09:00-16:00 WIB (02:00-09:00 UTC).
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 7101
OTHER_PIC = 7102
ADMIN = 7100


@pytest.fixture
async def bot(standin, db_url) -> AsyncIterator[RunningBot]:
    """The bot with one organizer (who has a chat: meetings without a PIC alert the organizers)."""
    standin.user(ADMIN, "Andi")
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


async def registration_of(bot: RunningBot, telegram_user_id: int, meeting_code: str = BENGKULU) -> int:
    async def read(session) -> int:
        registration_id = await session.scalar(
            select(Registration.id)
            .join(Participant, Participant.id == Registration.participant_id)
            .where(Participant.telegram_user_id == telegram_user_id)
            .order_by(Registration.id)
        )
        assert registration_id is not None
        return registration_id

    return await bot.query(read)


async def check_in_person(bot: RunningBot, registration_id: int) -> None:
    async def write(session) -> None:
        done = await check_in(session, registration_id, way=CheckInWay.CODE, by=PIC, now=START)
        assert done is not None and done.recorded

    await bot.query(write)


async def seated_directly(bot: RunningBot, n: int, meeting_code: str = BENGKULU, *, checked: bool = True) -> int:
    """Peserta n (Telegram user 10_000 + n) seated without chatting, checked in at the start; their registration."""
    bot.standin.user(10_000 + n)

    async def write(session) -> int:
        meeting, role = await meeting_and_role(session, meeting_code, "stakeholder")
        person = await make_participant(session, n)
        registration = await register_directly(session, participant=person, meeting=meeting, role=role, now=T0)
        if checked:
            await check_in(session, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        return registration.id

    return await bot.query(write)


async def responses(bot: RunningBot) -> list[tuple[str | None, list[tuple[str, int]]]]:
    async def read(session):
        out = []
        for response in await session.scalars(select(EvaluationResponse).order_by(EvaluationResponse.id)):
            scores = await session.execute(
                select(EvaluationScore.question_code, EvaluationScore.score)
                .where(EvaluationScore.response_id == response.id)
                .order_by(EvaluationScore.id)
            )
            out.append((response.comment, [tuple(row) for row in scores]))
        return out

    return await bot.query(read)


async def answers_of(bot: RunningBot, registration_id: int) -> dict | None:
    async def read(session):
        progress = await session.get(EvaluationProgress, registration_id)
        return None if progress is None else dict(progress.answers)

    return await bot.query(read)


async def edited_to(user, message, words: str) -> None:
    """Wait until the bot has rewritten the message to show `words`."""
    await user.wait_for(lambda u: words in u.message(message.message_id).plain_text)


async def rate_all(user, question, scores: tuple[int, ...], last_words: str = "Lewati") -> None:
    """Press a score for each statement in turn, waiting for each rewrite."""
    for n, score in enumerate(scores):
        await user.press(question, text=str(score))
        following = f"Pernyataan {n + 2} dari" if n + 1 < len(scores) else last_words
        await edited_to(user, question, following)


async def test_after_the_end_the_checked_in_person_rates_skips_the_comment_and_is_thanked(bot) -> None:
    siti = bot.standin.user(8601, "Siti")
    await register(siti, BENGKULU)
    await check_in_person(bot, await registration_of(bot, 8601))
    # Seated, not checked in: never asked.
    await seated_directly(bot, 2, checked=False)
    absent = bot.standin.user(10_002)

    bot.clock.set(END - timedelta(minutes=1))
    await none_yet(siti, "Evaluasi")
    bot.clock.set(END)
    question = await next_with(siti, "Evaluasi: Bengkulu")
    assert "Pernyataan 1 dari 3" in question.plain_text
    assert "Materi pertemuan bermanfaat bagi pekerjaan saya" in question.plain_text
    assert question.button_texts == ["1", "2", "3", "4", "5"]

    await siti.press(question, text="4")
    await edited_to(siti, question, "Pernyataan 2 dari 3")
    assert "✓ Pernyataan 1: 4" in siti.message(question.message_id).plain_text
    await siti.press(question, text="3")
    await edited_to(siti, question, "Pernyataan 3 dari 3")
    await siti.press(question, text="5")
    await edited_to(siti, question, "Saran atau komentar untuk pertemuan berikutnya?")
    assert siti.message(question.message_id).button_texts == ["Lewati"]
    await siti.press(question, text="Lewati")
    await edited_to(siti, question, "sudah tersimpan")
    assert siti.message(question.message_id).buttons == []

    assert await responses(bot) == [(None, [("materi", 4), ("narasumber", 3), ("tindak_lanjut", 5)])]
    assert await answers_of(bot, await registration_of(bot, 8601)) == {}
    assert count_with(absent, "Evaluasi") == 0
    # Asked once: a later clock move asks nobody again.
    bot.clock.set(END + timedelta(days=1))
    await none_yet(siti, "Evaluasi")
    assert count_with(siti, "Evaluasi") == 1


async def test_a_double_tap_rates_once_a_comment_is_typed_and_an_old_button_after_finishing_changes_nothing(
    bot,
) -> None:
    registration_id = await seated_directly(bot, 3)
    user = bot.standin.user(10_003)
    bot.clock.set(END)
    question = await next_with(user, "Evaluasi: Bengkulu")

    # Two taps on "4" before the bot has rewritten the message.
    before = len(user.callback_answers)
    await user.press(question, text="4")
    await user.press(question, text="4")
    await edited_to(user, question, "Pernyataan 2 dari 3")
    await user.wait_for(lambda u: len(u.callback_answers) >= before + 2)
    assert "Sudah diterima." in [a.text for a in user.callback_answers[before:]]
    assert await answers_of(bot, registration_id) == {"materi": 4}
    # The first statement's "2", kept from the old message and pressed now: nothing changes.
    await user.press_forged(question, cb.pack(cb.Rate(registration_id, 0, 2)))
    await user.wait_for(lambda u: len(u.callback_answers) >= before + 3)
    assert user.callback_answers[-1].text == "Sudah diterima."
    assert await answers_of(bot, registration_id) == {"materi": 4}

    await user.press(question, text="2")
    await edited_to(user, question, "Pernyataan 3 dari 3")
    await user.press(question, text="5")
    await edited_to(user, question, "Ketik komentar Anda")
    await user.send_text("Materi & narasumber <bagus>, tapi ruangannya dingin")
    thanks = await next_with(user, "sudah tersimpan")
    assert "Bengkulu" in thanks.plain_text
    assert await responses(bot) == [
        (
            "Materi & narasumber <bagus>, tapi ruangannya dingin",
            [("materi", 4), ("narasumber", 2), ("tindak_lanjut", 5)],
        )
    ]
    conversation = await bot.query(lambda s: s.get(Conversation, 10_003))
    assert conversation is not None and conversation.step is None

    # An old message's buttons after finishing: a rating, the skip, and one more comment typed.
    for data in (cb.pack(cb.Rate(registration_id, 0, 1)), cb.pack(cb.EvaluationComment(registration_id, False))):
        count = len(user.callback_answers)
        await user.press_forged(question, data)
        await user.wait_for(lambda u, count=count: len(u.callback_answers) > count)
        assert user.callback_answers[-1].text == "Evaluasi ini sudah selesai. Terima kasih!"
        # The message whose button it was now says so (the typed comment left its question showing).
        await edited_to(user, question, "sudah tersimpan")
    await user.send_text("Satu lagi")
    assert "/start" in (await user.next_message()).plain_text
    # Someone else's evaluation, forged: refused, and theirs unchanged.
    other = await seated_directly(bot, 4)
    await user.press_forged(question, cb.pack(cb.Rate(other, 0, 1)))
    await user.wait_for(lambda u: u.callback_answers[-1].text == "Tombol ini sudah tidak berlaku.")
    assert len(await responses(bot)) == 1


async def _isi_data_baru(user, meeting_code: str) -> None:
    """A second registration up to its name step (consent given, details offered for reuse)."""
    await user.send_text(f"/start {meeting_code}")
    await user.press(await next_with(user, "Pilih peran"), text="Stakeholder Provinsi")
    offer = await next_with(user, "Pakai data")
    await user.press(offer, text="Isi data baru")
    await next_with(user, "nama lengkap")


async def test_someone_half_way_through_a_registration_keeps_it_and_comments_afterwards(bot) -> None:
    siti = bot.standin.user(8602, "Siti")
    await register(siti, BENGKULU)
    registration_id = await registration_of(bot, 8602)
    await check_in_person(bot, registration_id)
    await _isi_data_baru(siti, "shm23-aceh")

    bot.clock.set(END)
    question = await next_with(siti, "Evaluasi: Bengkulu")
    await rate_all(siti, question, (5, 5, 4), last_words="Tulis komentar")
    assert siti.message(question.message_id).button_texts == ["Tulis komentar", "Lewati"]
    # What is typed goes to the registration: it is the name.
    await siti.send_text("Dra. Siti Aminah")
    assert "instansi" in (await siti.next_message()).plain_text
    conversation = await bot.query(lambda s: s.get(Conversation, 8602))
    assert conversation is not None and conversation.full_name == "Dra. Siti Aminah"
    assert conversation.step != "evaluation_comment"
    count = len(siti.callback_answers)
    await siti.press(question, text="Tulis komentar")
    await siti.wait_for(lambda u: len(u.callback_answers) > count)
    assert "Selesaikan dulu" in (siti.callback_answers[-1].text or "")

    # Left with /cancel: now the comment is taken.
    await siti.send_text("/cancel")
    await siti.next_message()
    await siti.press(question, text="Tulis komentar")
    await edited_to(siti, question, "Ketik komentar Anda")
    await siti.send_text("Sangat bermanfaat")
    await next_with(siti, "sudah tersimpan")
    assert await responses(bot) == [("Sangat bermanfaat", [("materi", 5), ("narasumber", 5), ("tindak_lanjut", 4)])]


async def test_an_english_speaker_gets_the_statements_in_english(bot) -> None:
    john = bot.standin.user(10_005, "John", language_code="en")
    await john.send_text("/help")
    await john.next_message()
    await seated_directly(bot, 5)
    bot.clock.set(END)
    question = await next_with(john, "Evaluation: Bengkulu")
    assert "Statement 1 of 3" in question.plain_text and "The material was useful for my work" in question.plain_text
    await john.press(question, text="5")
    await edited_to(john, question, "The speakers presented clearly")
    await john.press(question, text="4")
    await edited_to(john, question, "I know the next steps after this meeting")
    await john.press(question, text="3")
    await edited_to(john, question, "Any suggestion or comment for the next meeting?")
    await john.press(question, text="Skip")
    await edited_to(john, question, "Thank you!")
    assert len(await responses(bot)) == 1


async def seed_answers(
    bot: RunningBot, meeting_code: str, people: range, comments: bool = True, filler: str = ""
) -> None:
    """People checked in at the meeting who all finished the evaluation, straight through the domain."""
    for n in people:
        bot.standin.user(10_000 + n)

    async def write(session) -> None:
        meeting, role = await meeting_and_role(session, meeting_code, "stakeholder")
        registrations = []
        for n in people:
            person = await make_participant(session, n)
            registration = await register_directly(session, participant=person, meeting=meeting, role=role, now=T0)
            await check_in(session, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
            registrations.append(registration)
        await ask_evaluations(session, now=END)
        for k, registration in enumerate(registrations):
            for question, score in enumerate((4, 3 + k % 2, 5)):
                await rate(session, registration.id, question, score, now=END)
            if comments:
                await comment(session, registration.id, f"=Komentar {meeting_code} {k}{filler}", now=END)
            else:
                await finish(session, registration.id, now=END)
        # The outbox's questions are not what these tests look at.
        for message in await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.EVALUATION)):
            await session.delete(message)

    await bot.query(write)


def workbook_of(bot: RunningBot, message):
    return load_workbook(io.BytesIO(bytes_of(bot.standin, message)))


async def test_evaluasi_shows_a_pic_averages_from_five_answers_and_counts_only_below(bot) -> None:
    await seed_answers(bot, BENGKULU, range(20, 25))
    await seed_answers(bot, SEMARANG, range(30, 34))
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC))
    await bot.query(lambda s: make_pic(s, SEMARANG, OTHER_PIC))

    pic = bot.standin.user(PIC)
    await pic.send_text("/evaluasi")
    results = await next_with(pic, "Evaluasi: Bengkulu")
    text = results.plain_text
    assert "Jawaban: 5 dari 5 peserta yang diminta" in text
    assert "Materi pertemuan bermanfaat bagi pekerjaan saya: 4,0 (5 jawaban)" in text
    assert "Narasumber menyampaikan materi dengan jelas: 3,4 (5 jawaban)" in text
    assert "Komentar (5)" in text and f"=Komentar {BENGKULU} 0" in text
    assert "Peserta 20" not in text
    sheet_message = await next_with(pic, "Hasil evaluasi (Excel)")
    book = workbook_of(bot, sheet_message)
    summary, comments_sheet = book.worksheets
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:4] == ("Pertemuan", "Tanggal", "Diminta", "Jawaban")
    assert rows[1][0] == "Bengkulu" and rows[1][2:7] == (5, 5, 4.0, 3.4, 5.0)
    comment_rows = list(comments_sheet.iter_rows(values_only=True))
    assert comment_rows[0] == ("Pertemuan", "Komentar")
    # Typed texts stay texts, never formulas; no column names anyone.
    assert sorted(r[1] for r in comment_rows[1:]) == [f"=Komentar {BENGKULU} {k}" for k in range(5)]
    assert all(cell.data_type == "s" for row in comments_sheet.iter_rows(min_row=2) for cell in row)

    other = bot.standin.user(OTHER_PIC)
    await other.send_text("/evaluasi")
    counts = await next_with(other, "Evaluasi: Jawa Tengah")
    assert "Jawaban: 4 dari 4" in counts.plain_text
    assert "Kurang dari 5 jawaban: hanya jumlah" in counts.plain_text
    assert "Komentar" not in counts.plain_text.replace("Kurang", "") and ",0" not in counts.plain_text
    assert SEMARANG not in counts.plain_text
    book = workbook_of(bot, await next_with(other, "Hasil evaluasi (Excel)"))
    summary, comments_sheet = book.worksheets
    row = list(summary.iter_rows(values_only=True))[1]
    assert row[2:7] == (4, 4, None, None, None) and "hanya jumlah" in row[7]
    assert list(comments_sheet.iter_rows(values_only=True)) == [("Pertemuan", "Komentar")]

    # A participant is refused.
    participant = bot.standin.user(10_020)
    await participant.send_text("/evaluasi")
    assert "Evaluasi:" not in (await participant.next_message()).plain_text


async def test_evaluasi_gives_an_organizer_the_national_average_and_every_meeting(bot) -> None:
    await seed_answers(bot, BENGKULU, range(40, 45))
    await seed_answers(bot, SEMARANG, range(50, 51))
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/evaluasi")
    overview = await next_with(admin, "Evaluasi nasional")
    text = overview.plain_text
    assert "Jawaban: 6 dari 6 peserta yang diminta, di 2 pertemuan" in text
    # The national average is Bengkulu's alone: Semarang's one answer would be given away.
    assert (
        "Rata-rata nasional dari 1 pertemuan" in text and "Materi pertemuan bermanfaat bagi pekerjaan saya: 4,0" in text
    )
    assert "Bengkulu: 5/5 jawaban, rata-rata" in text and "Jawa Tengah (Semarang): 1/1 jawaban (hanya jumlah)" in text
    book = workbook_of(bot, await next_with(admin, "Hasil evaluasi (Excel)"))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Bengkulu", "Jawa Tengah (Semarang)", "Nasional (pertemuan dengan ≥5 jawaban)"]
    assert rows[2][2:7] == (1, 1, None, None, None)
    assert rows[3][2:5] == (6, 6, 4.0)
    assert {r[0] for r in list(book.worksheets[1].iter_rows(values_only=True))[1:]} == {"Bengkulu"}

    chooser = await next_with(admin, "Pilih pertemuan untuk melihat rinciannya")
    assert chooser.button_texts == ["Bengkulu"]
    await admin.press(chooser, text="Bengkulu")
    details = await next_with(admin, "Evaluasi: Bengkulu")
    assert "Komentar (5)" in details.plain_text
    # A PIC pressing the organizer's button for another province is refused.
    await bot.query(lambda s: make_pic(s, SEMARANG, OTHER_PIC))
    other = bot.standin.user(OTHER_PIC)
    await other.send_text("/bantuan")
    await other.next_message()
    bengkulu_id = await bot.query(lambda s: meeting_and_role(s, BENGKULU, "stakeholder"))
    await other.press_forged(other.last_message, cb.pack(cb.EvaluationMeeting(bengkulu_id[0].id)))
    refusal = await other.next_message()
    assert "Evaluasi:" not in refusal.plain_text and "Komentar" not in refusal.plain_text


async def test_evaluasi_splits_long_comments_over_messages_telegram_accepts(bot) -> None:
    # Six comments of about 970 characters: more than one message holds.
    await seed_answers(bot, BENGKULU, range(60, 66), filler=" & panjang" * 96)
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC))
    pic = bot.standin.user(PIC)
    await pic.send_text("/evaluasi")
    await next_with(pic, "Hasil evaluasi (Excel)")
    parts = [m.plain_text for m in pic.messages if m.kind == "text"]
    assert len(parts) >= 2 and parts[0].startswith("📝 Evaluasi: Bengkulu")
    joined = "\n".join(parts)
    assert all(f"=Komentar {BENGKULU} {k} & panjang" in joined for k in range(6))


async def test_the_organizers_meeting_chooser_pages_and_refuses_a_pic(bot) -> None:
    async def date_meetings(session) -> list[str]:
        meetings = (await session.scalars(select(Meeting).order_by(Meeting.code))).all()[:13]
        for meeting in meetings:
            meeting.starts_at, meeting.ends_at = START, END
        return [meeting.code for meeting in meetings]

    codes = await bot.query(date_meetings)
    for n, code in enumerate(codes):
        await seed_answers(bot, code, range(100 + 5 * n, 105 + 5 * n), comments=False)
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/evaluasi")
    chooser = await next_with(admin, "Pilih pertemuan untuk melihat rinciannya")
    assert "(halaman 1/2)" in chooser.plain_text
    assert len(chooser.button_texts) == 13 and chooser.button_texts[-1] == "Berikutnya »"
    await admin.press(chooser, text="Berikutnya »")
    await edited_to(admin, chooser, "(halaman 2/2)")
    (last,) = [b for b in admin.message(chooser.message_id).button_texts if "«" not in b]
    await admin.press(chooser, text=last)
    details = await next_with(admin, f"Evaluasi: {last}")
    assert "Jawaban: 5 dari 5" in details.plain_text and "Tidak ada komentar." in details.plain_text

    # A PIC sending the organizer's page button is refused.
    await bot.query(lambda s: make_pic(s, codes[0], PIC))
    pic = bot.standin.user(PIC)
    await pic.send_text("/evaluasi")
    mine = await next_with(pic, "Evaluasi:")
    await next_with(pic, "Hasil evaluasi (Excel)")
    await pic.press_forged(mine, cb.pack(cb.EvaluationPage(1)))
    refusal = await pic.next_message()
    assert "Pilih pertemuan" not in refusal.plain_text and "hanya untuk panitia" in refusal.plain_text


async def test_datasaya_shows_the_evaluation_in_progress_and_then_only_that_it_is_finished(bot) -> None:
    await seated_directly(bot, 7)
    user = bot.standin.user(10_007)
    bot.clock.set(END)
    question = await next_with(user, "Evaluasi: Bengkulu")
    await user.press(question, text="2")
    await edited_to(user, question, "Pernyataan 2 dari 3")
    await user.send_text("/datasaya")
    shown = await next_with(user, "Evaluasi: Bengkulu, diminta 26 Juli 2023")
    assert "1 pernyataan dijawab sejauh ini" in shown.plain_text
    record = json.loads(bytes_of(bot.standin, await next_with(user, "JSON")))
    assert [(e["meeting_code"], e["answers_so_far"], e["finished_on"]) for e in record["evaluations"]] == [
        (BENGKULU, {"materi": 2}, None)
    ]

    await rate_all_from(user, question, 1, (3, 4))
    await user.press(question, text="Lewati")
    await edited_to(user, question, "sudah tersimpan")
    await user.send_text("/datasaya")
    shown = await next_with(user, "Evaluasi: Bengkulu, diminta")
    assert "selesai 26 Juli 2023; jawabannya disimpan tanpa nama" in shown.plain_text
    record = json.loads(bytes_of(bot.standin, await next_with(user, "JSON")))
    assert record["evaluations"][0]["answers_so_far"] == {}


async def rate_all_from(user, question, first: int, scores: tuple[int, ...]) -> None:
    """Press the scores of statements `first`, `first` + 1 … in turn, waiting for each rewrite."""
    for n, score in enumerate(scores, first):
        await user.press(question, text=str(score))
        following = f"Pernyataan {n + 2} dari" if n + 1 < first + len(scores) else "Lewati"
        await edited_to(user, question, following)


async def test_a_certificate_that_follows_the_evaluation_arrives_once_it_is_finished(bot) -> None:
    async def follow(session) -> None:
        program = await session.scalar(select(Program))
        program.certificate = {**(program.certificate or {}), "after_evaluation": True}

    await bot.query(follow)
    registration_id = await seated_directly(bot, 8)
    user = bot.standin.user(10_008)
    bot.clock.set(END)
    question = await next_with(user, "Evaluasi: Bengkulu")
    await none_yet(user, "e-sertifikat")
    assert await bot.query(lambda s: certificate_of(s, registration_id)) is None
    await rate_all_from(user, question, 0, (4, 4, 4))
    await user.press(question, text="Lewati")
    # Finishing wakes the outbox: the certificate waiting for it goes out without another clock move.
    await next_with(user, "e-sertifikat")
    document = await user.next_message()
    assert document.kind == "document"
    assert await bot.query(lambda s: certificate_of(s, registration_id)) is not None
