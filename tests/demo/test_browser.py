"""The web chat in a real browser: Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from botapi_standin import WAIT
from demo.app import Demo
from demo.seed import ADMIN, PARTICIPANTS, PIC, PIC_MEETING, PROGRAM_CODE
from models.participant import Participant
from models.program import Meeting
from models.registration import CheckInWay, Registration
from tests.demo.test_web_api import CHART, register_over_http

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install -e '.[test]')"
)

CHROMIUM = next(
    (path for path in (shutil.which("chromium"), "/usr/bin/chromium") if path and Path(path).exists()), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: install Debian's package (apt-get install -y chromium)"
)
# The machine is offline: without these Chromium waits for the network, or refuses to start as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
SITI, ENGLISH = PARTICIPANTS[0].id, PARTICIPANTS[2]


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[object]:
    """Chromium with a new empty profile."""
    async with playwright_api.async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1100, "height": 820},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()


async def press(page, words: str) -> None:
    """Press the inline button with these words on the newest message that has one."""
    await page.locator(".inline-btn", has_text=words).last.click()


async def say(page, text: str) -> None:
    """Type a message and send it with Enter."""
    await page.fill("#composer-input", text)
    await page.press("#composer-input", "Enter")


async def bot_said(page, words: str) -> None:
    """Wait for a bot bubble containing these words."""
    await page.locator(".row.bot .bubble", has_text=words).last.wait_for()


async def test_a_participant_registers_through_the_page_and_the_seat_count_falls(
    demo: Demo, browser, tmp_path: Path
) -> None:
    page = await browser.new_page()
    await page.goto(demo.url)
    await page.locator('.chat-item[data-user-id="1001"]').click()
    await page.locator("#clock-now").wait_for()

    await say(page, "/start")
    await press(page, "Setuju")
    await press(page, "Jawa Barat")
    role = page.locator(".inline-btn", has_text="Stakeholder Provinsi").last
    assert "sisa 18/18" in await role.inner_text()
    await role.click()
    await bot_said(page, "nama lengkap")
    await say(page, "Siti Rahma")
    await bot_said(page, "instansi")
    await say(page, "Dinas Perpustakaan & Arsip <Kota Bandung>")
    await bot_said(page, "jabatan")
    await say(page, "Pustakawan Ahli Muda")
    await bot_said(page, "nomor HP")
    await page.locator("#reply-keyboard button", has_text="Bagikan nomor").click()
    await page.locator(".row.user .bubble", has_text="📱").wait_for()
    await bot_said(page, "Periksa data")
    await press(page, "Kirim")
    document = page.locator(".row.bot .doc").last
    await document.wait_for()
    async with page.expect_download() as download_info:
        await document.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".ics")
    assert (Path(await download.path()).read_bytes()).startswith(b"BEGIN:VCALENDAR")
    # The user's text came back escaped, shown as typed.
    assert await page.locator(".row.user .bubble", has_text="<Kota Bandung>").count() == 1
    await page.screenshot(path=str(tmp_path / "registered.png"))

    # Fast-forward: the 7-day reminder arrives, dated by the bot's clock.
    await page.locator("#clock-jumps button", has_text="ke 7 hari sebelum").click()
    await bot_said(page, "7 hari lagi")
    assert await page.locator("#clock-jumps button", has_text="ke 7 hari sebelum").is_disabled()
    await page.screenshot(path=str(tmp_path / "reminder.png"))
    # A /command in the bot's text is tappable, as in Telegram's apps.
    await page.locator(".row.bot a.command", has_text="/status").last.click()
    await page.locator(".row.user .bubble", has_text="/status").wait_for()
    await page.locator(".day").first.wait_for()

    # Another participant sees one seat fewer in the same role.
    await page.locator('.chat-item[data-user-id="1002"]').click()
    await say(page, "/start")
    await press(page, "Setuju")
    await press(page, "Jawa Barat")
    role = page.locator(".inline-btn", has_text="Stakeholder Provinsi").last
    await role.wait_for()
    assert "sisa 17/18" in await role.inner_text()
    await page.screenshot(path=str(tmp_path / "seat-count.png"))
    assert await page.locator("#problems").is_hidden()


async def test_photos_formatting_and_refusals_show_on_a_phone_sized_page(demo: Demo, browser, tmp_path: Path) -> None:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 390, "height": 780})
    await page.goto(demo.url)
    await page.locator('.chat-item[data-user-id="2001"]').click()
    bot = demo.application.bot
    await bot.send_photo(2001, photo=CHART, caption="<b>Rekap</b> <i>nasional</i>", parse_mode="HTML")
    image = page.locator(".row.bot .photo img").last
    await image.wait_for()
    await page.wait_for_function("() => [...document.querySelectorAll('.photo img')].some(i => i.naturalWidth === 240)")
    assert await page.locator(".row.bot .bubble b", has_text="Rekap").count() == 1
    assert await page.locator(".row.bot .bubble i", has_text="nasional").count() == 1
    with pytest.raises(Exception, match="parse entities"):
        await bot.send_message(2001, "<b>tidak ditutup", parse_mode="HTML")
    await page.locator(".row.error", has_text="sendMessage").wait_for()
    assert "1 kiriman bot" in await page.locator("#problems-title").inner_text()

    await page.locator("#clock-toggle").click()
    async with page.expect_response(lambda r: r.url.endswith("/_demo/clock") and r.request.method == "POST") as moved:
        await page.locator("#clock-jumps button", has_text="+1 jam").click()
    assert (await moved.value).ok
    assert demo.clock.offset.total_seconds() >= 3600
    await page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


async def open_chat(page, user_id: int) -> None:
    """Switch the page to this user's chat."""
    await page.locator(f'.chat-item[data-user-id="{user_id}"]').click()
    await page.locator(f'.chat-item.active[data-user-id="{user_id}"]').wait_for()


async def test_a_pic_adds_a_participant_by_hand_in_one_several_line_message(
    demo: Demo, browser, tmp_path: Path
) -> None:
    """Shift+Enter starts a new line and Enter sends, as in Telegram's apps: the four lines /tambah asks for."""
    page = await browser.new_page()
    await page.goto(demo.url)
    await open_chat(page, PIC.id)
    await say(page, "/tambah")
    await bot_said(page, "empat baris")
    box = page.locator("#composer-input")
    await box.click()
    one_line = (await box.bounding_box())["height"]
    lines = ["Ahmad Fauzi", "Dinas Perpustakaan Kab. Garut", "Kepala Bidang", "0812-3456-7890"]
    for number, line in enumerate(lines):
        if number:
            await page.keyboard.press("Shift+Enter")
        await page.keyboard.type(line)
    assert await box.input_value() == "\n".join(lines), "Shift+Enter inserts a new line and sends nothing"
    assert (await box.bounding_box())["height"] > one_line * 2, "the text box grows with its lines"
    await page.screenshot(path=str(tmp_path / "several-lines.png"))
    await page.keyboard.press("Enter")
    await bot_said(page, "Pilih perannya")
    sent = [item for side, item in demo.standin.get_user(PIC.id).chat.timeline if side == "user"]
    assert sent[-1]["text"] == "\n".join(lines), "the bot got one text with its newlines"
    assert await box.input_value() == ""
    bubble = page.locator(".row.user .bubble").last
    assert (await bubble.locator(".text").inner_text()).split("\n") == lines
    await press(page, "Stakeholder Provinsi")
    await bot_said(page, "alasan")
    await say(page, "Mendaftar lewat formulir kertas")
    await bot_said(page, "ditambahkan")
    assert "Ahmad Fauzi" in await page.locator(".row.bot .bubble").last.inner_text()
    assert await page.locator("#problems").is_hidden()


async def test_web_addresses_in_messages_are_links_and_nothing_else_is(demo: Demo, browser) -> None:
    page = await browser.new_page()
    await page.goto(demo.url)
    await open_chat(page, SITI)
    await say(page, 'lihat https://perpusnas.go.id/tpbis?x=1&y=2. <img src=x onerror="window.hacked=1">')
    typed = page.locator('.row.user .bubble a[href="https://perpusnas.go.id/tpbis?x=1&y=2"]')
    await typed.wait_for()
    assert await typed.inner_text() == "https://perpusnas.go.id/tpbis?x=1&y=2"
    assert await typed.get_attribute("target") == "_blank" and "noopener" in await typed.get_attribute("rel")
    assert await page.locator(".row.user .bubble img").count() == 0
    assert '<img src=x onerror="window.hacked=1">' in await page.locator(".row.user .bubble").last.inner_text()
    bot = demo.application.bot
    await bot.send_message(
        SITI,
        'Panduan: www.perpusnas.go.id/panduan, <a href="https://t.me/shm_demo_bot">'
        'bot</a> dan <a href="javascript:window.hacked=1">ini</a>',
        parse_mode="HTML",
    )
    plain = page.locator('.row.bot .bubble a[href="http://www.perpusnas.go.id/panduan"]')
    await plain.wait_for()
    assert await plain.inner_text() == "www.perpusnas.go.id/panduan"
    assert await page.locator('.row.bot .bubble a[href="https://t.me/shm_demo_bot"]').count() == 1
    said = page.locator(".row.bot .bubble .text", has_text="Panduan").last
    assert await said.locator("a").count() == 2, "only the two web addresses are links"
    assert await said.locator("[href^='javascript']").count() == 0
    assert await said.locator(".link-refused").inner_text() == "ini"
    assert await page.evaluate("() => window.hacked") is None


async def test_the_pages_own_words_follow_the_chosen_users_language(demo: Demo, browser, tmp_path: Path) -> None:
    page = await browser.new_page()
    await page.goto(demo.url)
    await open_chat(page, SITI)
    jumps = page.locator("#clock-jumps button")
    await jumps.first.wait_for()

    async def words() -> dict[str, object]:
        return await page.evaluate("""() => ({
            lang: document.documentElement.lang,
            placeholder: document.querySelector('#composer-input').placeholder,
            send: document.querySelector('#send-button').title,
            attach: document.querySelector('#attach-button')?.title,
            clock: document.querySelector('#clock .clock-now .muted').textContent,
            chats: document.querySelector('.sidebar-head').textContent,
            jumps: [...document.querySelectorAll('#clock-jumps button')].map(b => b.textContent),
            titles: [...document.querySelectorAll('#clock-jumps button')].map(b => b.title),
            notes: [...document.querySelectorAll('.chat-item .note')].map(n => n.textContent),
        })""")

    indonesian = await words()
    assert indonesian["lang"] == "id" and indonesian["placeholder"] == "Tulis pesan…"
    assert (indonesian["send"], indonesian["clock"], indonesian["chats"]) == ("Kirim", "Waktu bot", "Chat")
    assert indonesian["jumps"][:3] == ["+1 jam", "+1 hari", "ke 7 hari sebelum SHM Bandung"]
    assert "pertanyaan Hadir / Tidak hadir" in indonesian["titles"]
    assert indonesian["notes"][0] == "peserta"

    await open_chat(page, ENGLISH.id)
    await page.locator("#clock-jumps button", has_text="+1 hour").wait_for()
    english = await words()
    assert english["lang"] == "en" and english["placeholder"] == "Write a message…"
    assert (english["send"], english["attach"], english["clock"]) == ("Send", "Send a file", "Bot time")
    assert english["jumps"][:3] == ["+1 hour", "+1 day", "to 7 days before SHM Bandung"]
    assert "Attending / Not attending question" in english["titles"]
    assert english["notes"][0] == "participant" and english["notes"][2] == "participant (English)"
    assert "No messages yet" in await page.locator("#messages").inner_text()
    await say(page, "/start")
    await page.locator(".row.bot .bubble").first.wait_for()
    assert (await page.locator(".day").first.inner_text()).split()[0].endswith("day"), "dates in English too"
    await page.screenshot(path=str(tmp_path / "english.png"))

    await open_chat(page, SITI)
    await page.locator("#clock-jumps button", has_text="+1 jam").wait_for()
    assert (await words())["placeholder"] == "Tulis pesan…"


async def test_an_organizer_uploads_a_program_file_from_the_page(demo: Demo, browser, tmp_path: Path) -> None:
    """The file picker sends a document as Telegram delivers it; the bot downloads and loads the program."""
    program = (demo.directory / f"{PROGRAM_CODE}.yaml").read_text(encoding="utf-8")
    assert "venue: Harris Festival Citylink" in program
    edited = program.replace("venue: Harris Festival Citylink", "venue: Hotel Savoy Homann")
    page = await browser.new_page()
    await page.goto(demo.url)
    await open_chat(page, ADMIN.id)
    async with page.expect_file_chooser() as chooser:
        await page.locator("#attach-button").click()
    await (await chooser.value).set_files(
        {"name": "shm-demo.yaml", "mimeType": "application/x-yaml", "buffer": edited.encode("utf-8")}
    )
    await page.locator(".row.user .doc-name", has_text="shm-demo.yaml").wait_for()
    await bot_said(page, "dimuat")
    answer = await page.locator(".row.bot .bubble").last.inner_text()
    assert "shm-demo" in answer and "1 diperbarui" in answer
    async with demo.sessions() as db:
        meeting = await db.scalar(select(Meeting).where(Meeting.code == PIC_MEETING))
    assert meeting.venue == "Hotel Savoy Homann"
    sent = [item for side, item in demo.standin.get_user(ADMIN.id).chat.timeline if side == "user"][-1]
    assert sent["document"]["file_name"] == "shm-demo.yaml" and sent["document"]["file_size"] == len(edited.encode())

    # A broken file is answered with where it is wrong; the caption comes from the text box.
    await page.fill("#composer-input", "coba lagi")
    async with page.expect_file_chooser() as chooser:
        await page.locator("#attach-button").click()
    await (await chooser.value).set_files({"name": "rusak.yaml", "mimeType": "", "buffer": b"program: [\n"})
    await bot_said(page, "tidak dimuat")
    assert await page.locator(".row.user .bubble", has_text="coba lagi").count() == 1
    await page.screenshot(path=str(tmp_path / "program-upload.png"))
    assert await page.locator("#problems").is_hidden()


async def test_on_a_phone_the_clock_bar_folds_away_and_names_are_whole(demo: Demo, browser, tmp_path: Path) -> None:
    demo.standin.user(1004, "Kurniawati", "Sulistyaningrum-Prawirodirjo", language_code="id", note="peserta")
    page = await browser.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(demo.url)
    await page.locator('.chat-item[data-user-id="1004"]').wait_for()
    await open_chat(page, PIC.id)
    toggle = page.locator("#clock-toggle")
    await toggle.wait_for()
    assert await page.locator("#clock").bounding_box() is None, "the clock bar is folded away"
    assert await toggle.get_attribute("aria-expanded") == "false"
    await page.screenshot(path=str(tmp_path / "phone-folded.png"))

    clipped = await page.evaluate("""() => {
        const list = document.querySelector('#chat-list').getBoundingClientRect();
        const out = [];
        for (const item of document.querySelectorAll('.chat-item')) {
            const box = item.getBoundingClientRect();
            for (const part of item.querySelectorAll('.name span')) {
                const r = part.getBoundingClientRect();
                const inside = r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                    && r.top >= list.top - 0.5 && r.bottom <= list.bottom + 0.5;
                if (!inside || part.scrollWidth > part.clientWidth) out.push(part.textContent);
            }
        }
        const head = document.querySelector('#chat-sub');
        if (head.scrollWidth > head.clientWidth || head.getBoundingClientRect().right > innerWidth) out.push(head.textContent);
        return out;
    }""")
    assert clipped == [], f"cut off: {clipped}"
    await page.locator('.chat-item[data-user-id="1004"]').scroll_into_view_if_needed()
    box = await page.locator('.chat-item[data-user-id="1004"] .name span').last.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 390

    await toggle.click()
    clock = await page.locator("#clock").bounding_box()
    assert clock is not None and clock["width"] <= 390
    assert await toggle.get_attribute("aria-expanded") == "true"
    await page.locator("#clock-jumps button", has_text="+1 hari").wait_for()
    await page.screenshot(path=str(tmp_path / "phone-clock-open.png"))
    await toggle.click()
    assert await page.locator("#clock").bounding_box() is None


async def test_on_the_meeting_day_rina_scans_the_code_siti_holds_up_and_gets_the_attendance_list(
    demo: Demo, http, browser, tmp_path: Path
) -> None:
    """Issue 13's demo: Siti's QR shows as an image; held up, Rina's chat scans it and checks Siti in."""
    await register_over_http(http, SITI)
    page = await browser.new_page()
    await page.goto(demo.url)
    await open_chat(page, SITI)
    codes = page.locator(".row.bot", has=page.locator(".hold-code"))
    await codes.first.wait_for()  # the code that came with the seat
    assert await codes.count() == 1
    await page.locator("#clock-jumps button", has_text="ke pagi hari SHM Bandung").click()
    await bot_said(page, "Hari ini: Jawa Barat")
    await page.wait_for_function("() => document.querySelectorAll('.row.bot .hold-code').length === 2")
    code = codes.last  # the morning's
    assert "Kode check-in" in await code.inner_text()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.row.bot .photo img')].some(i => i.complete && i.naturalWidth > 100)"
    )
    await code.locator(".hold-code").click()
    held = page.locator("#held")
    await held.wait_for()
    assert "Siti" in await held.inner_text()
    await page.screenshot(path=str(tmp_path / "code-held.png"))

    # The held code stays up when the page switches to Rina, whose camera scans it.
    await open_chat(page, PIC.id)
    scan = page.locator("#scan-held")
    assert await scan.inner_text() == "Pindai sebagai Rina"
    await scan.click()
    await page.locator(".row.user .bubble", has_text="/start hadir-").wait_for()
    await bot_said(page, "✓ Siti Rahma")
    assert "1/30 hadir" in await page.locator(".row.bot .bubble", has_text="✓ Siti Rahma").last.inner_text()
    assert await held.is_hidden(), "a scanned code is put away"
    async with demo.sessions() as db:
        registration = await db.scalar(
            select(Registration).join(Participant).where(Participant.telegram_user_id == SITI)
        )
    assert registration.checked_in_at is not None
    assert (registration.checked_in_by, registration.checked_in_via) == (PIC.id, CheckInWay.CODE)
    await page.screenshot(path=str(tmp_path / "scanned.png"))

    # The signed attendance list: a PDF that downloads from the page.
    await say(page, "/daftarhadir")
    document = page.locator(".row.bot a.doc", has_text="daftar-hadir").last
    # Built in the file worker, a process spawned on first use: the stand-in's generous ceiling.
    await document.wait_for(timeout=WAIT * 1000)
    assert (await document.get_attribute("download")).endswith(".pdf")
    async with page.expect_download() as download_info:
        await document.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(await download.path()).read_bytes().startswith(b"%PDF")
    await page.screenshot(path=str(tmp_path / "attendance-list.png"))
    assert await page.locator("#problems").is_hidden()
