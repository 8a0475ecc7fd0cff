"""A round-robin loopback HTTP proxy for tests: one webhook URL in front of several bot instances.

A backend that refuses the connection gets a 502 answer, as a load balancer would give, so the
stand-in retries the update like Telegram does.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from aiohttp import web

# Headers that describe one hop, not the request: aiohttp sets its own for the forwarded request.
_HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})
# resp.read() has already decoded a compressed answer.
_ANSWER_SKIPPED = _HOP_HEADERS | {"content-encoding"}


@dataclass(slots=True)
class ProxiedRequest:
    """One request the proxy handled: which backend, and the status it answered with (502: backend down)."""

    backend: str
    path: str
    status: int
    update_id: int | None = None


class RoundRobinProxy:
    """Forwards each request to the next backend in turn (or, pinned, to backends[update_id % n])."""

    def __init__(self, backends: Sequence[str], *, pin_by_update_id: bool = False, timeout: float = 30.0) -> None:
        """`backends` are root URLs like http://127.0.0.1:8443; the request's path is appended."""
        if not backends:
            raise ValueError("at least one backend is needed")
        self.backends = [b.rstrip("/") for b in backends]
        self.pin_by_update_id = pin_by_update_id
        self.timeout = timeout
        self.forwarded: list[ProxiedRequest] = []
        self._turn = itertools.cycle(range(len(self.backends)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.host = "127.0.0.1"
        self.port = 0

    @property
    def url(self) -> str:
        """Root URL of the proxy."""
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on host:port (port 0 picks a free one; read it back from .port)."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host, self.port = host, site.port

    async def stop(self) -> None:
        """Stop serving and close the connections to the backends."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> RoundRobinProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def requests_to(self, backend: str) -> list[ProxiedRequest]:
        """Requests forwarded to one backend (by its root URL)."""
        root = backend.rstrip("/")
        return [r for r in self.forwarded if r.backend == root]

    def _pick(self, update_id: int | None) -> str:
        """The backend for this request."""
        if self.pin_by_update_id and update_id is not None:
            return self.backends[update_id % len(self.backends)]
        return self.backends[next(self._turn)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Forward method, path, headers and body; hand the backend's answer back."""
        assert self._session is not None
        body = await request.read()
        update_id = _update_id(body)
        backend = self._pick(update_id)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        record = ProxiedRequest(backend, request.path_qs, 502, update_id)
        self.forwarded.append(record)
        try:
            async with self._session.request(
                request.method, backend + request.path_qs, data=body, headers=headers, allow_redirects=False
            ) as resp:
                payload = await resp.read()
                record.status = resp.status
                answer_headers = {k: v for k, v in resp.headers.items() if k.lower() not in _ANSWER_SKIPPED}
                return web.Response(status=resp.status, body=payload, headers=answer_headers)
        except TimeoutError:
            record.status = 504
            return web.Response(status=504, text="Gateway Timeout")
        except aiohttp.ClientError:
            return web.Response(status=502, text="Bad Gateway")


def _update_id(body: bytes) -> int | None:
    """The update_id of a webhook body, if it is one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("update_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
