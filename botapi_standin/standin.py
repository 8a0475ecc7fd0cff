"""BotApiStandin: the public entry point tying the core, the HTTP server and test users together."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .core import StandinCore
from .faults import is_message_method
from .server import build_app
from .state import WAIT, CallRecord, WarningRecord, wait_until
from .users import StandinUser
from .webhook import WebhookAttempt, WebhookPacing


class BotApiStandin:
    """A loopback Telegram Bot API server with test users and fault injection."""

    def __init__(
        self,
        bot_username: str = "shm_test_bot",
        rate_limit_per_second: int | None = None,
        *,
        bot_first_name: str = "SHM Bot",
        strict_html: bool = True,
        first_update_id: int = 10001,
        clock: Callable[[], float] = time.time,
        webhook_pacing: WebhookPacing | None = None,
        deliver_webhooks: bool = False,
    ) -> None:
        """`deliver_webhooks` makes setWebhook POST updates as Telegram does (off: only recorded, as before).

        `webhook_pacing` sets the retry backoff and request timeout (fractions of a second by default).
        """
        self.core = StandinCore(
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            rate_limit_per_second=rate_limit_per_second,
            strict_html=strict_html,
            first_update_id=first_update_id,
            clock=clock,
            webhook_pacing=webhook_pacing,
            deliver_webhooks=deliver_webhooks,
        )
        self._users: dict[int, StandinUser] = {}
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, extend: Callable[[web.Application], None] | None = None
    ) -> None:
        """Serve on host:port (port 0 picks a free port; read it back from .port); `extend` adds routes."""
        app = build_app(self)
        if extend is not None:
            extend(app)
        # A short shutdown_timeout: stop() releases waiters first, so nothing should linger.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        # The port actually bound, when port 0 asked for any free one.
        self.port = site.port

    async def stop(self) -> None:
        """Stop webhook delivery, release long polls and delays, then shut the server down."""
        await self.core.delivery.stop()
        self.core.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder().base_url(...): PTB appends <token>/<method>."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder().base_file_url(...), for File.download_*."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the control API."""
        return f"{self.url}/_standin"

    # ------------------------------------------------------------------ users

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Siti",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        note: str | dict[str, str] | None = None,
    ) -> StandinUser:
        """The test user with this id (created with its private chat on first call).

        `note` says who the user plays (the web chat shows it in its user switcher): a text, or texts by
        language code for a page that follows the chosen user's language.
        """
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        profile: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username), ("language_code", language_code)):
            if value:
                profile[key] = value
        user = StandinUser(self.core, self.core.register_user(profile), note=note)
        self._users[user_id] = user
        return user

    def group(
        self,
        chat_id: int = -100_200_300,
        title: str = "Grup PIC",
        member_id: int = 1001,
        first_name: str = "Siti",
        language_code: str | None = "id",
    ) -> StandinUser:
        """A member speaking in a group chat with the bot (chat ids of groups are negative)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        profile: dict[str, Any] = {"id": member_id, "is_bot": False, "first_name": first_name}
        if language_code:
            profile["language_code"] = language_code
        return StandinUser(self.core, self.core.register_group(chat_id, title, profile))

    def get_user(self, user_id: int) -> StandinUser | None:
        """The test user with this id if it exists."""
        return self._users.get(user_id)

    @property
    def users(self) -> list[StandinUser]:
        """All test users."""
        return list(self._users.values())

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 2,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Refuse the next `times` calls of method ("*" = any; to chat_id only, if given) with status.

        A 429 carries retry_after.
        """
        self.core.faults.fail_next(method, status, retry_after, description, times, chat_id)

    def delay_next(self, method: str, seconds: float, times: int = 1, chat_id: int | None = None) -> None:
        """Hold the next `times` calls of method (to chat_id, if given) for `seconds`; they still take effect."""
        self.core.faults.delay_next(method, seconds, times, chat_id)

    # ------------------------------------------------------------------ records

    @property
    def calls(self) -> list[CallRecord]:
        """Every Bot API request in arrival order."""
        return self.core.calls

    @property
    def errors(self) -> list[CallRecord]:
        """Every request answered with an error (status >= 400) and its description."""
        return self.core.errors

    @property
    def bot_errors(self) -> list[CallRecord]:
        """Refusals the bot caused: every error except the faults and blocks a test set up."""
        return [record for record in self.core.errors if not record.injected]

    @property
    def warnings(self) -> list[WarningRecord]:
        """Unknown parameters the bot sent (Telegram ignores them; usually typos)."""
        return self.core.warnings

    @property
    def unimplemented(self) -> list[CallRecord]:
        """Calls to spec methods the stand-in only acknowledged with result true."""
        return self.core.unimplemented

    @property
    def rate_limited_count(self) -> int:
        """How many 429s the rate limiter gave."""
        return self.core.rate_limiter.refused

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates."""
        return self.core.updates.pending

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook parameters last set (None when polling)."""
        return self.core.webhook

    def calls_to(self, method: str) -> list[CallRecord]:
        """Recorded calls of one method (case-insensitive)."""
        lowered = method.lower()
        return [c for c in self.core.calls if c.method.lower() == lowered]

    async def wait_for(self, predicate: Callable[[BotApiStandin], bool], timeout: float = WAIT) -> None:
        """Wait until predicate(standin) holds; re-checked after every Bot API answer and webhook attempt."""
        if not await wait_until(self.core.activity, lambda: bool(predicate(self)), timeout):
            raise AssertionError(f"stand-in condition not met within {timeout}s")

    # ------------------------------------------------------------------ webhook and send statistics

    @property
    def deliver_webhooks(self) -> bool:
        """Whether setWebhook starts delivering updates (takes effect at the next setWebhook)."""
        return self.core.deliver_webhooks

    @deliver_webhooks.setter
    def deliver_webhooks(self, value: bool) -> None:
        self.core.deliver_webhooks = value

    @property
    def webhook_pacing(self) -> WebhookPacing:
        """The webhook retry pacing (mutable: takes effect for the next retry)."""
        return self.core.delivery.pacing

    @property
    def webhook_deliveries(self) -> list[WebhookAttempt]:
        """Every webhook POST in start order, failed ones included (`delivered` tells them apart)."""
        return self.core.delivery.attempts

    @property
    def webhook_peak_in_flight(self) -> int:
        """The most webhook POSTs that were awaiting an answer at once."""
        return self.core.delivery.peak_in_flight

    async def wait_webhook_delivered(self, timeout: float = WAIT) -> None:
        """Wait until the webhook has taken every queued update with a 2xx answer."""
        if not self.core.delivery.active:
            raise AssertionError("no webhook is being delivered to (set one with deliver_webhooks on)")
        if not await self.core.delivery.wait_idle(timeout):
            pending = [u["update_id"] for u in self.core.updates.pending]
            last = self.core.delivery.last_error_message
            raise AssertionError(f"webhook updates {pending} not delivered within {timeout}s (last error: {last})")

    def busiest_second(self, window: float = 1.0) -> int:
        """The most message calls (sends, edits, copies, forwards) that started within any `window` seconds."""
        starts = sorted(c.received_at for c in self.core.calls if is_message_method(c.method))
        busiest = first = 0
        for last, started in enumerate(starts):
            while started - starts[first] >= window:
                first += 1
            busiest = max(busiest, last - first + 1)
        return busiest
