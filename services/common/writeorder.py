"""One write request at a time per service process.

Every write transaction takes its database's write lock when it begins
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL). A request
moves between worker threads as it runs (a dependency, then the endpoint), so
if many write requests entered at once, their threads could all wait for the
lock while the holder waits for a free thread to finish: a deadlock. Queuing
write requests here, before they take a thread, rules that out; reads are
not queued.
"""

from __future__ import annotations

import asyncio
from weakref import WeakKeyDictionary

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SerializedWritesMiddleware"]

_READS = {"GET", "HEAD", "OPTIONS"}


class SerializedWritesMiddleware:
    """Lets one write request of this app run at a time (per event loop)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # One lock per event loop: asyncio locks cannot cross loops, and each
        # loop has its own worker threads.
        self._locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _READS:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        async with lock:
            await self.app(scope, receive, send)
