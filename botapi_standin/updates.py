"""The pending-update queue with Telegram's getUpdates semantics (offset, limit, long polling)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from .errors import ApiError
from .state import Signal

# Telegram's default when allowed_updates was never given (or given as []).
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
ENDED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"


class _Poll:
    """One getUpdates request in progress."""

    __slots__ = ("terminated",)

    def __init__(self) -> None:
        self.terminated: str | None = None  # the 409's description once ended


class UpdateQueue:
    """Unconfirmed updates in update_id order; confirmed ones are dropped forever."""

    def __init__(self, first_update_id: int = 10001) -> None:
        self._queue: deque[dict[str, Any]] = deque()
        self._next_id = first_update_id
        self.signal = Signal()
        self.allowed: frozenset[str] | None = None  # None: Telegram's default set
        self._active: _Poll | None = None
        self.closing = False

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Snapshot of the unconfirmed updates."""
        return list(self._queue)

    def is_allowed(self, kind: str) -> bool:
        """Whether the bot's allowed_updates setting lets this update type through."""
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def put(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Create an update; Telegram does not even store types the bot did not allow."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if self.is_allowed(kind):
            self._queue.append(update)
            self.signal.notify()
        return update

    def clear(self) -> None:
        """Drop every pending update (drop_pending_updates)."""
        self._queue.clear()

    def end_poll(self) -> None:
        """End a getUpdates still waiting (a webhook takes the updates from now on)."""
        if self._active is not None:
            self._active.terminated = ENDED_BY_WEBHOOK
            self.signal.notify()

    def contains(self, update_id: int) -> bool:
        """Whether this update is still pending."""
        return any(u["update_id"] == update_id for u in self._queue)

    def remove(self, update_id: int) -> None:
        """Forget one update (a webhook delivered it; deliveries may finish out of order)."""
        for update in self._queue:
            if update["update_id"] == update_id:
                self._queue.remove(update)
                self.signal.notify()
                return

    def deliverable(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The first `limit` (default all) pending updates the bot allows, in id order."""
        return self._collect(len(self._queue) if limit is None else limit) if self._queue else []

    def confirm(self, offset: int) -> None:
        """Apply getUpdates' offset: forget updates below it (negative: keep only the last -offset)."""
        if offset > 0:
            while self._queue and self._queue[0]["update_id"] < offset:
                self._queue.popleft()
        elif offset < 0:
            while len(self._queue) > -offset:
                self._queue.popleft()

    def set_allowed(self, allowed: Any) -> None:
        """Store allowed_updates persistently, as Telegram does ([] means the default set)."""
        if isinstance(allowed, list):
            self.allowed = frozenset(str(a) for a in allowed) if allowed else None

    def _collect(self, limit: int) -> list[dict[str, Any]]:
        """First `limit` pending updates the bot allows; disallowed ones are discarded."""
        result: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for update in self._queue:
            kind = next(k for k in update if k != "update_id")
            if not self.is_allowed(kind):
                rejected.append(update)
                continue
            result.append(update)
            if len(result) >= limit:
                break
        for update in rejected:
            self._queue.remove(update)
        return result

    async def get(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """Answer getUpdates: return at once if anything is pending, else long-poll up to timeout."""
        self.confirm(offset)
        limit = min(max(limit, 1), 100)
        poll = _Poll()
        if self._active is not None:
            # Like Telegram: a newer getUpdates ends the one still waiting.
            self._active.terminated = TERMINATED
            self.signal.notify()
        self._active = poll
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, poll.terminated)
                result = self._collect(limit)
                remaining = deadline - loop.time()
                if result or remaining <= 0 or self.closing:
                    return result
                await self.signal.wait(remaining)
        finally:
            if self._active is poll:
                self._active = None
