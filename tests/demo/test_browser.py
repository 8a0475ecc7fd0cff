"""The web chat in a real browser: Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo.app import Demo
from tests.demo.test_web_api import CHART

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed (pip install -e '.[test]')")

CHROMIUM = next((path for path in (shutil.which("chromium"), "/usr/bin/chromium") if path and Path(path).exists()),
                None)
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="no Chromium: install Debian's package (apt-get install -y chromium)")
# The machine is offline: without these Chromium waits for the network, or refuses to start as root.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[object]:
    """Chromium with a new empty profile."""
    async with playwright_api.async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1100, "height": 820}, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()


async def press(page, words: str) -> None:  # type: ignore[no-untyped-def]
    """Press the inline button with these words on the newest message that has one."""
    await page.locator(".inline-btn", has_text=words).last.click()


async def say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type a message and send it with Enter."""
    await page.fill("#composer-input", text)
    await page.press("#composer-input", "Enter")


async def bot_said(page, words: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for a bot bubble containing these words."""
    await page.locator(".row.bot .bubble", has_text=words).last.wait_for()


async def test_a_participant_registers_through_the_page_and_the_seat_count_falls(
        demo: Demo, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


async def test_photos_formatting_and_refusals_show_on_a_phone_sized_page(
        demo: Demo, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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

    async with page.expect_response(lambda r: r.url.endswith("/_demo/clock") and r.request.method == "POST") as moved:
        await page.locator("#clock-jumps button", has_text="+1 jam").click()
    assert (await moved.value).ok
    assert demo.clock.offset.total_seconds() >= 3600
    await page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
