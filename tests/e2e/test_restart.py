"""A real `python -m bot` process killed with SIGKILL mid-registration continues where it was."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select

from bot.database import create_engine, session_factory
from bot.settings import PROJECT_ROOT
from models.participant import Participant
from models.registration import Registration
from tests.e2e.chat import ANSWERS
from tests.e2e.conftest import TOKEN


@asynccontextmanager
async def bot_process(standin, db_url: str) -> AsyncIterator[subprocess.Popen]:  # type: ignore[no-untyped-def]
    """`python -m bot` pointed at the stand-in, running until it polls; killed on exit."""
    polls_before = len(standin.calls_to("getUpdates"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE_URL": standin.base_url, "DATABASE_URL": db_url}
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            if len(standin.calls_to("getUpdates")) > polls_before:
                break
            assert process.poll() is None, process.stdout.read().decode()
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the bot did not start polling within 15 s")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        log = process.stdout.read().decode()
        # No personal data in logs: nothing the person typed shows up.
        for typed in ANSWERS.values():
            assert typed not in log, log
        assert TOKEN.split(":")[1] not in log


async def test_sigkill_in_the_middle_loses_nothing_and_repeats_nothing(standin, db_url) -> None:  # type: ignore[no-untyped-def]
    user = standin.user(7001, "Siti")
    async with bot_process(standin, db_url) as process:
        await user.send_text("/start shm23-aceh")
        await user.press(await user.next_message(timeout=10), text="Setuju")
        await user.press(await user.next_message(), text="Stakeholder")
        assert "nama lengkap" in (await user.next_message()).plain_text
        # Hold the poll that would confirm the name, so Telegram keeps it and delivers it again.
        standin.delay_next("getUpdates", 30)
        name_update = await user.send_text(ANSWERS["name"])
        assert "instansi" in (await user.next_message()).plain_text
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert name_update["update_id"] in [u["update_id"] for u in standin.pending_updates]
    # Typed while the bot was down.
    await user.send_text(ANSWERS["institution"])
    async with bot_process(standin, db_url):
        asked = await user.next_message(timeout=10)
        assert "jabatan" in asked.plain_text, user.transcript()
        await user.send_text(ANSWERS["position"])
        assert "nomor HP" in (await user.next_message()).plain_text
        await user.share_contact("6281234567890")
        await user.next_message()
        summary = await user.next_message()
        assert ANSWERS["name"] in summary.plain_text and ANSWERS["institution"] in summary.plain_text
        await user.press(summary, text="Kirim")
        assert "Pendaftaran berhasil" in (await user.next_message()).plain_text
    # The re-delivered name was recognised and not taken as the institution.
    assert sum("Ketik nama instansi" in m.plain_text for m in user.messages) == 1
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            [participant] = list(await session.scalars(select(Participant)))
            assert (participant.full_name, participant.institution) == (ANSWERS["name"], ANSWERS["institution"])
            assert len(list(await session.scalars(select(Registration)))) == 1
    finally:
        await engine.dispose()
