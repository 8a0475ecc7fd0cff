"""Webhook delivery: POST each queued update to the bot's URL as Telegram does, retrying with backoff.

Used only when the stand-in is made with deliver_webhooks=True; otherwise setWebhook is just recorded.

Deliberate differences from Telegram: plain http is accepted for loopback URLs (tests cannot get a
certificate Telegram would trust), and only loopback hosts are ever contacted, so a test that sets
an https URL elsewhere keeps its updates pending instead of reaching out to the internet. A method
put in the webhook answer's body (Telegram's "reply to the webhook") is not executed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .errors import bad_request
from .state import Signal, wait_until
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_CONNECTIONS = 40
NOT_LOOPBACK = "The stand-in delivers webhooks to loopback addresses only"
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(slots=True)
class WebhookPacing:
    """Retry pacing: Telegram's is minutes, the stand-in's is fractions of a second so tests stay quick."""

    first_retry: float = 0.1
    max_retry: float = 2.0
    timeout: float = 10.0


@dataclass(slots=True)
class WebhookAttempt:
    """One POST of an update to the webhook: status when an answer came, else error."""

    update_id: int
    url: str
    started_at: float  # time.monotonic(), like CallRecord.received_at
    finished_at: float = 0.0
    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """Telegram counts an update delivered only on a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


def is_loopback(host: str | None) -> bool:
    """Whether host names this machine (the only place the stand-in delivers to)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_params(url: str, secret: Any, max_connections: Any) -> tuple[str | None, int]:
    """Refuse what Telegram refuses; return (secret or None, max_connections clamped to 1..100)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    token = str(secret) if secret not in (None, "") else None
    if token is not None and (len(token) > 256 or not set(token) <= _SECRET_CHARS):
        raise bad_request("secret token contains unallowed characters")
    try:
        connections = int(max_connections) if max_connections not in (None, "") else DEFAULT_MAX_CONNECTIONS
    except (TypeError, ValueError):
        connections = DEFAULT_MAX_CONNECTIONS
    return token, min(max(connections, 1), 100)


@dataclass(slots=True)
class _Target:
    """Where and how updates go while one webhook is set."""

    url: str
    secret: str | None
    max_connections: int
    session: aiohttp.ClientSession
    tasks: dict[int, asyncio.Task[None]] = field(default_factory=dict)


class WebhookDelivery:
    """Pushes the update queue to the webhook: id order, up to max_connections at once, retried until 2xx."""

    def __init__(
        self,
        queue: UpdateQueue,
        clock: Callable[[], float],
        pacing: WebhookPacing | None = None,
        signal: Signal | None = None,
    ) -> None:
        """`signal` is notified after every attempt and when delivery starts or stops."""
        self.queue = queue
        self.clock = clock
        self.pacing = pacing or WebhookPacing()
        self.attempts: list[WebhookAttempt] = []
        self.signal = signal or Signal()
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.in_flight = 0
        self.peak_in_flight = 0
        self._target: _Target | None = None
        self._runner: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """Whether a webhook is set and being delivered to."""
        return self._target is not None

    @property
    def idle(self) -> bool:
        """Nothing left to deliver: no pending update the bot allows and no POST still running."""
        target = self._target
        return not self.queue.deliverable(1) and not (target and target.tasks)

    async def start(self, url: str, secret: str | None, max_connections: int) -> None:
        """(Re)start delivery to url; errors of an earlier webhook are forgotten, as setWebhook does."""
        await self.stop()
        self.last_error_date = self.last_error_message = None
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max_connections, ssl=False),
            timeout=aiohttp.ClientTimeout(total=self.pacing.timeout),
        )
        self._target = _Target(url, secret, max_connections, session)
        self._runner = asyncio.create_task(self._run(self._target), name="standin-webhook")
        self.signal.notify()

    async def stop(self) -> None:
        """Stop delivering; updates not answered with 2xx stay queued for getUpdates."""
        target, runner = self._target, self._runner
        self._target = self._runner = None
        if target is None:
            return
        tasks = [runner, *target.tasks.values()] if runner is not None else list(target.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await target.session.close()
        self.signal.notify()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued update was delivered; False on timeout."""
        return await wait_until(self.signal, lambda: self.idle, timeout)

    # ------------------------------------------------------------------ the delivery loop

    async def _run(self, target: _Target) -> None:
        """Start a POST for each pending update in id order while fewer than max_connections are running."""
        if not is_loopback(urlsplit(target.url).hostname):
            self._fail(NOT_LOOPBACK)
            return
        while True:
            # A delivery ending between this scan and the wait below would otherwise go unnoticed.
            version = self.queue.signal.version
            for update in self.queue.deliverable(target.max_connections):
                if len(target.tasks) >= target.max_connections:
                    break
                update_id = int(update["update_id"])
                if update_id not in target.tasks:
                    target.tasks[update_id] = asyncio.create_task(self._deliver(target, update))
            # The queue's signal fires on new updates and when a delivery ends; the timeout is a backstop.
            if self.queue.signal.version == version:
                await self.queue.signal.wait(1.0)

    async def _deliver(self, target: _Target, update: dict[str, Any]) -> None:
        """POST one update until it is answered with 2xx, backing off between failures."""
        update_id = int(update["update_id"])
        delay = self.pacing.first_retry
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            while self.queue.contains(update_id):
                attempt = WebhookAttempt(update_id, target.url, time.monotonic())
                self.attempts.append(attempt)
                self.signal.notify()
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                try:
                    attempt.status, attempt.error = await self._post(target, body)
                except asyncio.CancelledError:
                    attempt.error = "Delivery stopped: the webhook was removed"
                    raise
                finally:
                    self.in_flight -= 1
                    attempt.finished_at = time.monotonic()
                if attempt.delivered:
                    self.queue.remove(update_id)
                    return
                self._fail(attempt.error or f"Wrong response from the webhook: {attempt.status}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.pacing.max_retry)
        finally:
            target.tasks.pop(update_id, None)
            self.signal.notify()
            self.queue.signal.notify()

    async def _post(self, target: _Target, body: bytes) -> tuple[int | None, str | None]:
        """One POST; (status, None) on an answer, (status or None, Telegram-like error text) otherwise."""
        headers = {"Content-Type": "application/json"}
        if target.secret is not None:
            headers[SECRET_HEADER] = target.secret
        try:
            async with target.session.post(target.url, data=body, headers=headers) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return resp.status, None
                return resp.status, f"Wrong response from the webhook: {resp.status} {resp.reason or ''}".rstrip()
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ConnectionRefusedError):
                return None, "Connection refused"
            return None, f"Connection failed: {exc.os_error.strerror or type(exc.os_error).__name__}"
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {type(exc).__name__}"

    def _fail(self, message: str) -> None:
        """Remember the latest error for getWebhookInfo."""
        self.last_error_date = int(self.clock())
        self.last_error_message = message
        self.signal.notify()
