"""Webhook mode (`python -m bot webhook`): Telegram posts updates to an aiohttp server, which also
answers /healthz and /metrics; PTB's own webhook server has no place for those routes.

Each update is handled while Telegram waits for the answer, through the application's concurrent
update processor (bot.update_processor: one person's updates one at a time), and answered 200 only
once it is handled and committed. An instance killed in the middle leaves Telegram without an
answer, so Telegram posts the update again (behind a load balancer, to another instance), and the
applied update ids (models.conversation.claim_update) make sure it is applied once. Answering at
once and queueing, as PTB's own webhook does, would lose every queued update with the process.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import FINISH_SECONDS, finish_updates, freeze_start_up, initialised, until_stopped
from bot.database import SCHEMA_HEAD, schema_version
from bot.metrics import exposition
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# /healthz answers within this even when the database does not.
HEALTH_TIMEOUT = 5.0


def webhook_path(secret: str) -> str:
    """The path Telegram posts to: derived from the secret, so a proxy's access log does not reveal it."""
    return "/telegram/" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def webhook_address(settings: Settings) -> str:
    """WEBHOOK_URL (the public base the proxy forwards to this server) with the update path."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET (Settings.require_webhook)")
    return settings.webhook_url + webhook_path(settings.webhook_secret)


class WebhookServer:
    """The HTTP side of webhook mode: the update route, /healthz and /metrics."""

    def __init__(self, application: Application, settings: Settings) -> None:
        if settings.webhook_secret is None:
            raise ValueError("webhook mode needs WEBHOOK_SECRET (Settings.require_webhook)")
        self.application = application
        self._secret = settings.webhook_secret.encode()
        # Set when the process stops: updates are refused with 503, which Telegram retries (elsewhere,
        # behind a load balancer), and /healthz fails so the balancer stops sending here.
        self.closing = False
        self.accepted = 0
        self._handling: set[asyncio.Task[None]] = set()
        self.app = web.Application()
        self.app.router.add_post(webhook_path(settings.webhook_secret), self.take_update)
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/metrics", self.metrics)

    async def take_update(self, request: web.Request) -> web.Response:
        """An update from Telegram: handled (200), or refused with why."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret header refused")
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        if self.closing:
            return web.json_response({"ok": False, "error": "stopping"}, status=503)
        update = await self._read_update(request)
        if update is None:
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        self.accepted += 1
        task = asyncio.create_task(self._handle(update))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        try:
            # Shielded: a request Telegram gave up on still finishes its update, which is then applied
            # here and recognised as applied when Telegram posts it again.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
            # Cancelled by a stop that could not wait for it: rolled back, for Telegram to post again.
            return web.json_response({"ok": False, "error": "stopping"}, status=503)
        return web.json_response({"ok": True})

    async def _handle(self, update: Update) -> None:
        application = self.application
        await application.update_processor.process_update(update, application.process_update(update))

    async def finish(self, seconds: float = FINISH_SECONDS) -> int:
        """Wait up to `seconds` for the updates being handled; cancel those still running; how many were."""
        if not self._handling:
            return 0
        _, left = await asyncio.wait(set(self._handling), timeout=seconds)
        for task in left:
            task.cancel()
        if left:
            await asyncio.wait(left)
            log.warning("cancelled %d updates still being handled after %g s", len(left), seconds)
        return len(left)

    async def _read_update(self, request: web.Request) -> Update | None:
        try:
            data: Any = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("webhook body refused: not JSON")
            return None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("webhook body refused: not an update (no update_id)")
            return None
        try:
            return Update.de_json(data, self.application.bot)
        except Exception as error:  # whatever a malformed field makes PTB raise
            log.warning("webhook update %s refused: %s", update_id, type(error).__name__)
            return None

    async def healthz(self, request: web.Request) -> web.Response:
        """200 while the database answers at the current schema and the process is not stopping."""
        if self.closing:
            return web.json_response({"ok": False, "status": "stopping"}, status=503)
        try:
            version = await asyncio.wait_for(schema_version(self.application.bot_data["engine"]), HEALTH_TIMEOUT)
        except Exception as error:  # unreachable, refused, timed out: all mean "not healthy"
            log.warning("health check: the database did not answer (%s)", type(error).__name__)
            return web.json_response({"ok": False, "status": "database unavailable"}, status=503)
        if version != SCHEMA_HEAD:
            status = "database unavailable or not migrated" if version is None else "schema not current"
            return web.json_response(
                {"ok": False, "status": status, "schema": version, "expected": SCHEMA_HEAD}, status=503
            )
        return web.json_response({"ok": True, "status": "ok", "schema": version})

    async def metrics(self, request: web.Request) -> web.Response:
        """The Prometheus exposition (bot.metrics)."""
        body, content_type = await exposition(self.application)
        return web.Response(body=body, headers={"Content-Type": content_type})


@asynccontextmanager
async def serving_webhook(
    application: Application,
    settings: Settings,
    *,
    host: str | None = None,
    before_start: Callable[[Application], Awaitable[None]] | None = None,
) -> AsyncIterator[WebhookServer]:
    """Serve updates from Telegram on settings.port for as long as the block lasts.

    The bot starts as polling does (bot.app.initialised); once the server listens, setWebhook
    points Telegram at it. Leaving the block refuses new updates (503), gives those accepted
    FINISH_SECONDS to be handled, then stops the bot. The webhook stays set: other instances
    behind the same address keep serving it. `host` None listens on every interface.
    """
    address = webhook_address(settings)
    server = WebhookServer(application, settings)
    async with initialised(application, before_start):
        await application.start()
        try:
            runner = web.AppRunner(server.app, access_log=None, shutdown_timeout=1.0)
            await runner.setup()
            try:
                await web.TCPSite(runner, host, settings.port).start()
                await application.bot.set_webhook(
                    url=address,
                    secret_token=settings.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                    max_connections=settings.webhook_max_connections,
                )
                log.info("serving webhook updates on port %d", settings.port)
                try:
                    yield server
                finally:
                    server.closing = True
                    log.info("stopping: new updates are refused; finishing those taken")
                    await server.finish()
                    # Anything put on the queue by other means (none in webhook mode, but cheap to honour).
                    await finish_updates(application)
            finally:
                await runner.cleanup()
        finally:
            await application.stop()


async def run_webhook(application: Application, settings: Settings) -> int:
    """`python -m bot webhook`: serve until SIGTERM or SIGINT."""
    async with serving_webhook(application, settings, before_start=freeze_start_up):
        await until_stopped()
    return 0
