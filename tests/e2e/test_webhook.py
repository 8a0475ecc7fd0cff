"""Webhook mode in-process: the update route's refusals, a good update answered, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from sqlalchemy import text
from telegram import Update

from bot.app import build_application, finish_updates
from bot.clock import FrozenClock
from bot.database import SCHEMA_HEAD, create_engine
from bot.webhook import SECRET_HEADER, WebhookServer, serving_webhook, webhook_path
from botapi_standin import WAIT, BotApiStandin
from tests.conftest import with_shipped_program
from tests.e2e.conftest import bot_settings
from tests.models.factories import T0

SECRET = "s3cret-Webhook_token"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Client:
    """Plays Telegram (and a health checker) against the webhook server."""

    def __init__(self, session: aiohttp.ClientSession, base: str, server: WebhookServer) -> None:
        self.session = session
        self.base = base
        self.server = server

    async def post(self, body: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        """POST an update (or anything) to the update path; the status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.session.post(self.base + webhook_path(SECRET), data=data, headers=headers) as response:
            return response.status

    async def get(self, path: str) -> tuple[int, str, str]:
        """GET a path: status, content type header and body."""
        async with self.session.get(self.base + path) as response:
            return response.status, response.headers.get("Content-Type", ""), await response.text()


@asynccontextmanager
async def webhook_bot(standin: BotApiStandin, db_url: str) -> AsyncIterator[Client]:
    """The bot in webhook mode on a free port, on a database with the shipped program."""
    await with_shipped_program(db_url)
    port = free_port()
    settings = bot_settings(standin, db_url, webhook_url=f"http://127.0.0.1:{port}", webhook_secret=SECRET, port=port)
    application = build_application(settings, clock=FrozenClock(T0), webhook=True)
    async with (
        serving_webhook(application, settings, host="127.0.0.1") as server,
        aiohttp.ClientSession() as session,
    ):
        yield Client(session, f"http://127.0.0.1:{port}", server)
    assert standin.core.problems == []


async def test_the_webhook_is_registered_with_its_secret_path_updates_and_connections(standin, db_url) -> None:
    async with webhook_bot(standin, db_url) as client:
        [call] = standin.calls_to("setWebhook")
        assert call.params["url"] == client.base + webhook_path(SECRET)
        assert SECRET not in call.params["url"] and len(webhook_path(SECRET)) == len("/telegram/") + 32
        assert call.params["secret_token"] == SECRET
        assert sorted(call.params["allowed_updates"]) == sorted(Update.ALL_TYPES)
        assert int(call.params["max_connections"]) == 40
        # Polling is not started beside it.
        assert standin.calls_to("getUpdates") == [] and standin.calls_to("deleteWebhook") == []


async def test_requests_without_the_secret_or_not_updates_are_refused_and_a_good_update_is_answered(
    standin, db_url
) -> None:
    user = standin.user(7101, "Siti")
    async with webhook_bot(standin, db_url) as client:
        update = await user.send_text("/start shm23-aceh")
        assert await client.post(update, secret=None) == 403
        assert await client.post(update, secret="wrong") == 403
        assert await client.post(update, secret=SECRET + "x") == 403
        assert await client.post(None, raw=b"{not json") == 400
        assert await client.post(None, raw=b"\xff\xfe") == 400
        assert await client.post([update]) == 400
        assert await client.post({"message": update["message"]}) == 400
        assert await client.post({"update_id": "12"}) == 400
        assert client.server.accepted == 0 and user.messages == []
        assert await client.post(update) == 200
        consent = await user.next_message()
        assert "✅ Setuju" in consent.button_texts
        # A press, answered in the same conversation.
        assert await client.post(await user.press(consent, text="Setuju")) == 200
        assert "Stakeholder" in " ".join((await user.next_message()).button_texts)
        async with client.session.get(client.base + webhook_path(SECRET)) as response:
            assert response.status == 405


async def test_healthz_answers_200_at_the_current_schema_and_503_when_the_database_is_behind(standin, db_url) -> None:
    async with webhook_bot(standin, db_url) as client:
        status, content_type, body = await client.get("/healthz")
        assert (status, json.loads(body)) == (200, {"ok": True, "status": "ok", "schema": SCHEMA_HEAD})
        assert content_type.startswith("application/json")
        engine = create_engine(db_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
            status, _, body = await client.get("/healthz")
            assert status == 503 and json.loads(body)["schema"] == "0007", body
            async with engine.begin() as connection:
                await connection.execute(text("DROP TABLE alembic_version"))
            status, _, body = await client.get("/healthz")
            assert status == 503 and json.loads(body)["schema"] is None, body
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
                await connection.execute(text(f"INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}')"))
        finally:
            await engine.dispose()
        assert (await client.get("/healthz"))[0] == 200
        client.server.closing = True
        assert (await client.get("/healthz"))[0] == 503
        assert await client.post({"update_id": 1}) == 503
        client.server.closing = False


async def test_healthz_answers_503_when_the_database_is_unreachable(standin, db_url) -> None:
    async with webhook_bot(standin, db_url) as client:
        application = client.server.application
        engine = application.bot_data["engine"]
        # A database nobody listens on, in place of the bot's one for the check alone.
        application.bot_data["engine"] = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
        try:
            status, _, body = await client.get("/healthz")
        finally:
            await application.bot_data["engine"].dispose()
            application.bot_data["engine"] = engine
        assert status == 503 and json.loads(body)["ok"] is False, body


async def test_metrics_are_served_in_prometheus_text_format(standin, db_url) -> None:
    async with webhook_bot(standin, db_url) as client:
        status, content_type, body = await client.get("/metrics")
        assert status == 200 and content_type.startswith("text/plain"), content_type
        assert "# TYPE" in body and "# HELP" in body


async def test_an_update_still_running_after_the_bound_is_cancelled_and_the_bot_still_stops(standin, db_url) -> None:
    user = standin.user(7111, "Siti")
    # Well past the bound given below, short of PTB's own 5 s wait for an answer.
    standin.delay_next("sendMessage", 3, chat_id=user.id)
    async with webhook_bot(standin, db_url) as client:
        assert await client.post(await user.send_text("/start shm23-aceh")) == 200
        deadline = asyncio.get_running_loop().time() + WAIT
        while not any(c.status == 0 and int(c.params["chat_id"]) == user.id for c in standin.calls_to("sendMessage")):
            assert asyncio.get_running_loop().time() < deadline, "the reply was not sent"
            await asyncio.sleep(0.02)
        client.server.closing = True
        assert await finish_updates(client.server.application, 0.5) == 1
        # Nothing is left for the stop that follows to wait for.
        assert await finish_updates(client.server.application, 0.5) == 0
