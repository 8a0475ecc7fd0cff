"""Program files sent to the bot: hostile files refused with file:line, read off the event loop, and
changes that hide or move registered people applied only once the organizer confirms them."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select

from bot.app import build_application, polling
from bot.settings import DEFAULT_PROGRAM_FILE
from botapi_standin import WAIT
from handlers import callback_data as cb
from models.audit import AuditEntry
from models.conversation import Conversation
from models.program import Meeting
from models.program_uploads import ProgramUpload
from models.registration import Registration, RegistrationStatus
from tests.e2e.chat import next_with
from tests.e2e.conftest import running_bot
from tests.models.factories import seat

T = TypeVar("T")
SHIPPED = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
NO_MEETINGS = (SHIPPED[: SHIPPED.index("\nmeetings:")] + "\nmeetings: []\n").encode()
BENGKULU_MOVED = SHIPPED.replace("date: 2023-07-26", "date: 2023-07-28", 1).encode()
BENGKULU = "shm23-bengkulu"
ADMIN = 7100
APOLOGY = "terjadi gangguan"


async def listed(session) -> int:
    return await session.scalar(select(func.count()).select_from(Meeting).where(Meeting.listed.is_(True)))


async def bengkulu_day(session) -> int:
    meeting = await session.scalar(select(Meeting).where(Meeting.code == BENGKULU))
    return meeting.local_start().day


async def test_a_deeply_nested_file_is_a_file_line_error_and_changes_nothing(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        admin = standin.user(ADMIN)
        await admin.send_document("program.yaml", b"meetings: " + b"[" * 3000 + b"]" * 3000)
        refused = await admin.next_message()
        assert "tidak dimuat" in refused.plain_text and "program.yaml:1: (file): not valid YAML" in refused.plain_text
        aliases = SHIPPED.replace("  - code: shm23-bengkulu", "  - &m\n    code: shm23-bengkulu") + "  - *m\n" * 30_000
        await admin.send_document("aliases.yaml", aliases.encode())
        assert "an alias counts all it repeats" in (await admin.next_message()).plain_text
        # 1 MB, the size of the 10,400-meeting file that cost 6.6 s: refused by its size, before anything reads it.
        await admin.send_document("many.yaml", SHIPPED.encode() + b"\n" * (1024 * 1024))
        assert "File terlalu besar (paling besar 256 KB)" in (await admin.next_message()).plain_text
        assert all(APOLOGY not in m.plain_text for m in admin.messages), admin.transcript()
        assert await running.query(listed) == 38


class GatedFiles:
    """The bot's file worker behind a gate the test opens: while it is shut, the file is being read."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

    async def run(self, function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        self.entered.set()
        await self.opened.wait()
        return await self.inner.run(function, *args, **kwargs)

    def stop(self) -> None:
        self.inner.stop()


async def test_others_are_answered_while_a_program_file_is_read(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        services = running.application.bot_data["services"]
        gate = GatedFiles(services.files)
        running.application.bot_data["services"] = dataclasses.replace(services, files=gate)
        admin, bystander = standin.user(ADMIN), standin.user(9201)
        update = await admin.send_document("program.yaml", SHIPPED.replace("Hotel Mercure", "Hotel Baru").encode())
        await asyncio.wait_for(gate.entered.wait(), WAIT)
        await bystander.send_text("/bantuan")
        assert "/start" in (await bystander.next_message()).plain_text
        # The file is read before its update's transaction: the update is not even claimed yet.
        claimed = await running.query(
            lambda s: s.scalar(select(Conversation.last_update_id).filter_by(telegram_user_id=ADMIN))
        )
        assert claimed in (None, 0) or claimed < update["update_id"]
        assert admin.messages == []
        gate.opened.set()
        assert "1 diperbarui" in (await admin.next_message()).plain_text


async def test_a_file_hiding_registered_meetings_is_applied_only_once_confirmed(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        await running.query(lambda s: seat(s, BENGKULU, "stakeholder", 1))
        admin = standin.user(ADMIN)
        await admin.send_document("program.yaml", NO_MEETINGS)
        summary = await admin.next_message()
        assert f"{BENGKULU} disembunyikan: 1 pendaftaran" in summary.plain_text, summary.plain_text
        assert "Belum ada yang berubah" in summary.plain_text
        assert all(len(b["callback_data"].encode()) <= 64 for b in summary.buttons)
        assert await running.query(listed) == 38

        await admin.press(summary, text="Terapkan")
        loaded = await next_with(admin, "dimuat")
        assert "38 disembunyikan" in loaded.plain_text, loaded.plain_text
        assert await running.query(listed) == 0
        statuses = await running.query(lambda s: s.scalars(select(Registration.status)))
        assert list(statuses) == [RegistrationStatus.SEATED]
        assert await running.query(lambda s: s.scalar(select(func.count()).select_from(ProgramUpload))) == 0
        entries = await running.query(
            lambda s: s.scalars(select(AuditEntry).where(AuditEntry.action == "program_loaded"))
        )
        assert [e.details["unlisted"] for e in entries] == [38]


async def test_a_stale_confirmation_is_refused_and_a_dropped_file_changes_nothing(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        await running.query(lambda s: seat(s, BENGKULU, "stakeholder", 1))
        admin, someone = standin.user(ADMIN), standin.user(9202)
        await admin.send_document("moved.yaml", BENGKULU_MOVED)
        moved = await admin.next_message()
        assert f"{BENGKULU} pindah tanggal 26 Juli 2023 → 28 Juli 2023: 1 peserta" in moved.plain_text, moved.plain_text
        await admin.send_document("empty.yaml", NO_MEETINGS)
        hidden = await admin.next_message()
        assert "disembunyikan: 1 pendaftaran" in hidden.plain_text

        await admin.press(moved, text="Terapkan")
        assert "sudah tidak berlaku" in (await next_with(admin, "tidak berlaku")).plain_text
        assert await running.query(bengkulu_day) == 26

        # Someone who is no organizer, forging the press of the file waiting: refused, nothing applied.
        await someone.send_text("/bantuan")
        help_message = await someone.next_message()
        upload_id = await running.query(lambda s: s.scalar(select(ProgramUpload.id)))
        await someone.press_forged(help_message, cb.pack(cb.ProgramApply(upload_id)))
        await next_with(someone, "/start")
        assert await running.query(listed) == 38

        await admin.press(hidden, text="Batal")
        await next_with(admin, "tidak diterapkan")
        assert await running.query(listed) == 38 and await running.query(bengkulu_day) == 26
        assert await running.query(lambda s: s.scalar(select(func.count()).select_from(ProgramUpload))) == 0


async def test_registrations_that_change_before_the_press_are_shown_again(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        await running.query(lambda s: seat(s, BENGKULU, "stakeholder", 1))
        admin = standin.user(ADMIN)
        await admin.send_document("program.yaml", NO_MEETINGS)
        summary = await admin.next_message()
        await running.query(lambda s: seat(s, "shm23-aceh", "stakeholder", 2))
        await admin.press(summary, text="Terapkan")
        again = await next_with(admin, "Terapkan file ini")
        assert "shm23-aceh disembunyikan: 1 pendaftaran" in again.plain_text, admin.transcript()
        assert "pendaftaran berubah" in admin.transcript()
        assert await running.query(listed) == 38
        await admin.press(again, text="Terapkan")
        await next_with(admin, "dimuat")
        assert await running.query(listed) == 0


async def test_a_file_waiting_for_its_confirmation_survives_a_restart(standin, db_url) -> None:
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        await running.query(lambda s: seat(s, BENGKULU, "stakeholder", 1))
        admin = standin.user(ADMIN)
        await admin.send_document("program.yaml", NO_MEETINGS)
        summary = await admin.next_message()
        assert "disembunyikan" in summary.plain_text
    async with polling(build_application(running.settings, clock=running.clock), poll_timeout=1) as application:
        await admin.press(summary, text="Terapkan")
        assert "38 disembunyikan" in (await next_with(admin, "dimuat")).plain_text
        async with application.bot_data["services"].sessions() as session:
            assert await listed(session) == 0
