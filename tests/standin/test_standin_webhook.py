"""Webhook delivery by the stand-in: secret header, retries with backoff, max_connections, the proxy."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot

from botapi_standin import WAIT, BotApiStandin, CallRecord, WebhookPacing
from botapi_standin.proxy import RoundRobinProxy
from botapi_standin.state import Signal, wait_until
from tests.standin.standin_helpers import TOKEN, eventually

SECRET = "s3cret_token-1"


@dataclass
class Receiver:
    """A tiny webhook endpoint: records what arrives, answers with queued statuses, can hold requests."""

    statuses: deque[int] = field(default_factory=deque)  # answers to give before the default 200
    held: asyncio.Event | None = None  # while set to an unset Event, requests wait for it
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    current: int = 0
    peak: int = 0
    signal: Signal = field(default_factory=Signal)
    runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        """The webhook URL to give setWebhook."""
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def delivered_ids(self) -> list[int]:
        """update_ids of the requests answered with 200, in arrival order."""
        return [b["update_id"] for b, s in zip(self.bodies, self.answered, strict=True) if s == 200]

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request, wait while held, answer."""
        self.bodies.append(await request.json())
        self.headers.append(dict(request.headers))
        self.current += 1
        self.peak = max(self.peak, self.current)
        self.signal.notify()
        try:
            if self.held is not None:
                await self.held.wait()
            status = self.statuses.popleft() if self.statuses else 200
        finally:
            self.current -= 1
        self.answered.append(status)
        self.signal.notify()
        return web.Response(status=status)

    async def start(self, port: int = 0) -> None:
        """Serve on a free loopback port (or the one given)."""
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site.port

    async def stop(self) -> None:
        """Stop serving: later connections are refused."""
        if self.held is not None:
            self.held.set()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def wait_for(self, predicate: Any, timeout: float = WAIT) -> None:
        """Wait until predicate(receiver) holds."""
        if not await wait_until(self.signal, lambda: bool(predicate(self)), timeout):
            raise AssertionError(f"receiver condition not met within {timeout}s: {self.answered}")


@pytest.fixture
async def fast_standin() -> AsyncIterator[BotApiStandin]:
    """A stand-in that delivers to webhooks, its retries starting at 50 ms."""
    server = BotApiStandin(
        deliver_webhooks=True, webhook_pacing=WebhookPacing(first_retry=0.05, max_retry=0.4, timeout=WAIT)
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A started webhook receiver."""
    hook = Receiver()
    await hook.start()
    try:
        yield hook
    finally:
        await hook.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp client session for Bot API calls."""
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, standin: BotApiStandin, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a JSON-bodied Bot API call; return (status, body)."""
    async with http.post(f"{standin.base_url}{TOKEN}/{method}", json=params) as resp:
        return resp.status, await resp.json()


async def set_webhook(http: aiohttp.ClientSession, standin: BotApiStandin, url: str, **params: Any) -> None:
    """setWebhook, asserting it was accepted."""
    status, body = await call(http, standin, "setWebhook", url=url, **params)
    assert (status, body.get("result")) == (200, True), body


def free_port() -> int:
    """A loopback port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_delivers_in_order_with_secret_header(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    user = fast_standin.user(3001)
    sent = [await user.send_text(f"pesan {i}") for i in range(3)]
    await set_webhook(http, fast_standin, receiver.url, secret_token=SECRET, max_connections=1)
    sent.append(await user.send_text("sesudah setWebhook"))
    await fast_standin.wait_webhook_delivered()

    assert receiver.bodies == sent, "the Update JSON, in update_id order"
    assert all(h["X-Telegram-Bot-Api-Secret-Token"] == SECRET for h in receiver.headers)
    assert all(h["Content-Type"] == "application/json" for h in receiver.headers)
    assert [(d.update_id, d.status, d.url) for d in fast_standin.webhook_deliveries] == [
        (u["update_id"], 200, receiver.url) for u in sent
    ]
    assert fast_standin.pending_updates == []
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert "last_error_date" not in info["result"]


async def test_no_secret_header_without_secret(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await set_webhook(http, fast_standin, receiver.url)
    await fast_standin.user(3002).send_text("halo")
    await fast_standin.wait_webhook_delivered()
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.headers[0]


async def test_retries_after_500_with_backoff_then_delivers_once(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.statuses.extend([500, 500])
    await set_webhook(http, fast_standin, receiver.url, secret_token=SECRET)
    update = await fast_standin.user(3003).send_text("coba lagi")
    await fast_standin.wait_webhook_delivered()

    attempts = fast_standin.webhook_deliveries
    assert [(a.update_id, a.status, a.delivered) for a in attempts] == [
        (update["update_id"], 500, False),
        (update["update_id"], 500, False),
        (update["update_id"], 200, True),
    ]
    assert attempts[0].error == "Wrong response from the webhook: 500 Internal Server Error"
    assert receiver.delivered_ids == [update["update_id"]], "delivered exactly once"
    # The pause before a retry is at least the backoff, which doubles (a lower bound: never flaky).
    assert attempts[1].started_at - attempts[0].finished_at >= 0.05 * 0.9
    assert attempts[2].started_at - attempts[1].finished_at >= 0.1 * 0.9
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    assert isinstance(info["result"]["last_error_date"], int)


async def test_retries_after_connection_refused_then_delivers_once(
    fast_standin: BotApiStandin, http: aiohttp.ClientSession
) -> None:
    port = free_port()
    late = Receiver()
    await set_webhook(http, fast_standin, f"http://127.0.0.1:{port}/hook")
    update = await fast_standin.user(3004).send_text("server belum hidup")
    await fast_standin.wait_for(lambda s: len(s.webhook_deliveries) >= 2)
    assert {a.error for a in fast_standin.webhook_deliveries} == {"Connection refused"}
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["last_error_message"] == "Connection refused"
    assert info["result"]["pending_update_count"] == 1

    await late.start(port)
    try:
        await fast_standin.wait_webhook_delivered()
        assert late.delivered_ids == [update["update_id"]]
        assert [a.delivered for a in fast_standin.webhook_deliveries].count(True) == 1
    finally:
        await late.stop()


async def test_never_more_than_max_connections_in_flight(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.held = asyncio.Event()
    user = fast_standin.user(3005)
    sent = [await user.send_text(f"ke-{i}") for i in range(10)]
    await set_webhook(http, fast_standin, receiver.url, max_connections=3)
    await receiver.wait_for(lambda r: r.current == 3)
    assert len(receiver.bodies) == 3
    assert sorted(b["update_id"] for b in receiver.bodies) == [u["update_id"] for u in sent[:3]]
    receiver.held.set()
    await fast_standin.wait_webhook_delivered()

    assert receiver.peak == 3 and fast_standin.webhook_peak_in_flight == 3
    started = [a.update_id for a in sorted(fast_standin.webhook_deliveries, key=lambda a: a.started_at)]
    assert started == [u["update_id"] for u in sent], "started in update_id order"
    assert sorted(receiver.delivered_ids) == [u["update_id"] for u in sent]


async def test_get_updates_refused_while_set_and_works_after_delete(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.statuses.extend([403] * 1000)
    await set_webhook(http, fast_standin, receiver.url, max_connections=5)
    update = await fast_standin.user(3006).send_text("tidak diterima")
    status, body = await call(http, fast_standin, "getUpdates")
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates method")
    await fast_standin.wait_for(lambda s: len(s.webhook_deliveries) >= 2)

    _, info = await call(http, fast_standin, "getWebhookInfo")
    result = info["result"]
    assert result["url"] == receiver.url and result["max_connections"] == 5
    assert result["pending_update_count"] == 1 and result["has_custom_certificate"] is False
    assert result["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert abs(result["last_error_date"] - fast_standin.core.clock()) < WAIT

    assert (await call(http, fast_standin, "deleteWebhook"))[1]["result"] is True
    tries = len(receiver.bodies)
    status, body = await call(http, fast_standin, "getUpdates")
    assert status == 200 and body["result"] == [update], "the undelivered update stays for getUpdates"
    assert not fast_standin.core.delivery.active and fast_standin.core.delivery.in_flight == 0
    assert len(receiver.bodies) == tries, "no delivery after deleteWebhook"
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["url"] == "" and "max_connections" not in info["result"]


async def test_set_webhook_ends_a_waiting_long_poll(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, fast_standin, "getUpdates", timeout=WAIT))
    await eventually(lambda: len(fast_standin.calls_to("getUpdates")) == 1)
    await set_webhook(http, fast_standin, receiver.url)
    status, body = await poll
    assert (status, body["description"]) == (409, "Conflict: terminated by setWebhook request")
    update = await fast_standin.user(3013).send_text("hanya lewat webhook")
    await fast_standin.wait_webhook_delivered()
    assert receiver.delivered_ids == [update["update_id"]]


async def test_without_deliver_webhooks_set_webhook_is_only_recorded(
    standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await set_webhook(http, standin, receiver.url, secret_token=SECRET)
    await standin.user(3014).send_text("tidak dikirim")
    _, info = await call(http, standin, "getWebhookInfo")
    assert info["result"]["url"] == receiver.url and info["result"]["pending_update_count"] == 1
    assert standin.webhook_deliveries == [] and receiver.bodies == []
    with pytest.raises(AssertionError, match="deliver_webhooks"):
        await standin.wait_webhook_delivered(timeout=0.1)


async def test_empty_url_stops_delivery_and_drop_pending_drops(
    fast_standin: BotApiStandin, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.statuses.extend([500] * 1000)
    await set_webhook(http, fast_standin, receiver.url)
    await fast_standin.user(3007).send_text("satu")
    await fast_standin.wait_for(lambda s: len(s.webhook_deliveries) >= 1)
    await set_webhook(http, fast_standin, "")
    assert fast_standin.webhook is None and len(fast_standin.pending_updates) == 1
    assert (await call(http, fast_standin, "getUpdates"))[0] == 200

    await set_webhook(http, fast_standin, receiver.url, drop_pending_updates=True)
    assert fast_standin.pending_updates == []
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0


async def test_url_checks_and_allowed_updates(fast_standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, fast_standin, "setWebhook", url="http://example.org/hook")
    assert (
        status == 400 and body["description"] == "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    status, body = await call(http, fast_standin, "setWebhook", url="https://example.org/hook", secret_token="a b")
    assert status == 400 and "secret token" in body["description"]
    status, body = await call(http, fast_standin, "setWebhook")
    assert status == 400 and body["description"] == "Bad Request: bad webhook: Webhook URL must be non-empty"

    # An https URL off this machine is accepted but never contacted: the update stays pending.
    await set_webhook(http, fast_standin, "https://example.org/hook", allowed_updates=["message"])
    await fast_standin.user(3008).send_text("tidak keluar")
    _, info = await call(http, fast_standin, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert info["result"]["allowed_updates"] == ["message"]
    assert info["result"]["last_error_message"].endswith("loopback addresses only")
    assert fast_standin.webhook_deliveries == []


async def test_proxy_alternates_and_answers_502_when_a_backend_is_down(
    fast_standin: BotApiStandin, http: aiohttp.ClientSession
) -> None:
    first, second = Receiver(), Receiver()
    await first.start()
    await second.start()
    proxy = RoundRobinProxy([f"http://127.0.0.1:{first.port}", f"http://127.0.0.1:{second.port}"])
    await proxy.start()
    try:
        await set_webhook(http, fast_standin, f"{proxy.url}/hook", secret_token=SECRET, max_connections=1)
        user = fast_standin.user(3009)
        sent = [await user.send_text(f"giliran {i}") for i in range(4)]
        await fast_standin.wait_webhook_delivered()
        ids = [u["update_id"] for u in sent]
        assert first.delivered_ids == ids[0::2] and second.delivered_ids == ids[1::2]
        assert all(h["X-Telegram-Bot-Api-Secret-Token"] == SECRET for h in first.headers + second.headers)

        await second.stop()
        more = [await user.send_text(f"lagi {i}") for i in range(3)]
        await fast_standin.wait_webhook_delivered()
        assert first.delivered_ids[2:] == [u["update_id"] for u in more]
        refused = [r for r in proxy.forwarded if r.status == 502]
        assert refused and all(r.backend.endswith(str(second.port)) for r in refused)
        assert any(
            a.error == "Wrong response from the webhook: 502 Bad Gateway" for a in fast_standin.webhook_deliveries
        )
    finally:
        await proxy.stop()
        await first.stop()
        await second.stop()


async def test_proxy_pins_every_other_update(fast_standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    first, second = Receiver(), Receiver()
    await first.start()
    await second.start()
    backends = [f"http://127.0.0.1:{first.port}", f"http://127.0.0.1:{second.port}"]
    try:
        async with RoundRobinProxy(backends, pin_by_update_id=True) as proxy:
            second.statuses.append(500)  # a retry goes back to the same backend when pinned
            await set_webhook(http, fast_standin, f"{proxy.url}/hook", max_connections=10)
            user = fast_standin.user(3010)
            sent = [await user.send_text(f"pin {i}") for i in range(6)]
            await fast_standin.wait_webhook_delivered()
            for receiver, parity in ((first, 0), (second, 1)):
                expected = sorted(u["update_id"] for u in sent if u["update_id"] % 2 == parity)
                assert sorted(receiver.delivered_ids) == expected
            assert len(proxy.requests_to(backends[1])) == 4
    finally:
        await first.stop()
        await second.stop()


async def test_python_telegram_bot_sets_and_reads_webhook(fast_standin: BotApiStandin, receiver: Receiver) -> None:
    receiver.statuses.append(503)
    async with Bot(TOKEN, base_url=fast_standin.base_url) as bot:
        assert await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=7, allowed_updates=["message"])
        update = await fast_standin.user(3011).send_text("lewat PTB")
        await fast_standin.wait_webhook_delivered()
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.max_connections == 7 and info.pending_update_count == 0
        assert info.allowed_updates == ("message",)
        assert info.last_error_message == "Wrong response from the webhook: 503 Service Unavailable"
        assert info.last_error_date is not None
        assert receiver.delivered_ids == [update["update_id"]]
        assert receiver.headers[-1]["X-Telegram-Bot-Api-Secret-Token"] == SECRET
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert (await bot.get_webhook_info()).url == ""
    assert fast_standin.core.problems == []


def test_busiest_second_counts_message_calls_in_any_window() -> None:
    standin = BotApiStandin()
    starts = [0.0, 0.35, 0.9, 1.2, 1.25, 1.3, 5.0]
    for at in starts:
        standin.core.calls.append(CallRecord("sendMessage", {}, 200, 100.0 + at))
    standin.core.calls.append(CallRecord("editMessageText", {}, 200, 101.31))
    for at in (1.0, 1.1, 1.2):  # not message calls
        standin.core.calls.append(CallRecord("sendChatAction", {}, 200, 100.0 + at))
        standin.core.calls.append(CallRecord("getUpdates", {}, 200, 100.0 + at))
    # 0.35 to the edit at 1.31 lie within one second; 0.0 is 1.31 s before the edit.
    assert standin.busiest_second() == 6
    assert standin.busiest_second(window=0.2) == 4
    assert BotApiStandin().busiest_second() == 0


async def test_webhook_body_is_the_update_json(fast_standin: BotApiStandin, receiver: Receiver) -> None:
    async with aiohttp.ClientSession() as http:
        await set_webhook(http, fast_standin, receiver.url)
    update = await fast_standin.user(3012, first_name="Ayu").send_text("/mulai ✓")
    await fast_standin.wait_webhook_delivered()
    assert receiver.bodies == [json.loads(json.dumps(update))]
    await eventually(lambda: receiver.answered == [200])
