"""Limits of the web server: query slots waited for in the event loop, failed merge tokens per
client, and who the client is (docs/security.md, "The web server").

All counts live in the memory of one server process.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from hrgraph.web.app import WebSettings

#: What a query refused for a full queue is told.
QUEUE_FULL = "The server is busy with other queries: too many are waiting. Try again shortly."

def _address(text: str) -> str:
    """An address in one spelling (``::ffff:10.0.0.1`` → ``10.0.0.1``); a malformed one cut
    short, so that a header cannot make a key of any size."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return text.strip()[:64]
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(p, strict=False) for p in proxies)


def client_address(scope: dict, settings: WebSettings) -> str:
    """The address a request comes from: its TCP peer, or — only when the peer is one of
    ``settings.trusted_proxies`` — the right-most address of ``X-Forwarded-For`` that is not a
    trusted proxy itself (proxies append the peer they saw; what a client wrote comes first).
    The header is ignored from any other peer, so that a client cannot choose its own address.
    """
    client = scope.get("client")
    peer = _address(str(client[0])) if client else "unknown"
    if not settings.trusted_proxies or not _trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = [_address(part) for name, value in scope.get("headers", [])
                 if name.lower() == b"x-forwarded-for"
                 for part in value.decode("latin-1").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, settings.trusted_proxies):
            return address
    return forwarded[0] if forwarded else peer


def busy(retry_after: float, message: str) -> HTTPException:
    """429 Too Many Requests, with ``Retry-After`` in whole seconds."""
    return HTTPException(429, message, headers={"Retry-After": str(max(1, math.ceil(
        retry_after)))})


# --------------------------------------------------------------------------- query slots


@dataclass(eq=False)
class _Waiter:
    client: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


def _grant(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class QuerySlots:
    """At most ``slots`` ad hoc queries at once; the others wait in the event loop.

    A request that finds no free slot waits on a future, not in a thread: waiting takes none of
    the threads that serve pages. At most ``queue`` requests wait; one more is refused at once
    (:func:`busy`). One client may run at most ``slots - 1`` queries (one slot stays free for
    other clients; all of them when ``slots`` is 1) and have at most ``max(1, queue // 4)``
    waiting. Freed slots go to the longest-waiting request whose client may run one more.

    Not bound to an event loop (the test client runs each request in a loop of its own): the
    counts are guarded by a lock, and a waiter is woken in its own loop.
    """

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self.per_client = max(1, slots - 1)
        self.waiting_per_client = max(1, queue // 4)
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._busy = 0
        self._waiters: deque[_Waiter] = deque()

    @property
    def running(self) -> int:
        """Slots in use."""
        return self._busy

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot."""
        return len(self._waiters)

    def would_refuse(self, client: str) -> bool:
        """Whether :meth:`acquire` would refuse ``client`` at once (a hint: no slot is taken)."""
        with self._lock:
            if self._may_run(client):
                return False
            mine = sum(1 for w in self._waiters if w.client == client)
            return len(self._waiters) >= self.queue or mine >= self.waiting_per_client

    def _may_run(self, client: str) -> bool:
        return self._busy < self.slots and self._running.get(client, 0) < self.per_client

    def _take(self, client: str) -> None:
        self._busy += 1
        self._running[client] = self._running.get(client, 0) + 1

    def _give_back(self, client: str) -> None:
        self._busy -= 1
        left = self._running.get(client, 0) - 1
        if left > 0:
            self._running[client] = left
        else:
            self._running.pop(client, None)

    def _dispatch(self) -> None:
        """Hand free slots to waiters that may run (under the lock)."""
        for waiter in list(self._waiters):
            if self._busy >= self.slots:
                return
            if self._running.get(waiter.client, 0) >= self.per_client:
                continue
            self._waiters.remove(waiter)
            self._take(waiter.client)
            try:
                waiter.loop.call_soon_threadsafe(_grant, waiter.future)
            except RuntimeError:  # its event loop is gone: nobody waits there any more
                self._give_back(waiter.client)

    async def acquire(self, client: str, timeout: float) -> None:
        """Take a slot for ``client``, waiting at most ``timeout`` seconds.

        Raises:
            HTTPException: 429 with ``Retry-After``: the queue (or this client's share of it) is
                full, or no slot came free in time.
        """
        with self._lock:
            if self._may_run(client):
                self._take(client)
                return
            mine = sum(1 for w in self._waiters if w.client == client)
            if len(self._waiters) >= self.queue or mine >= self.waiting_per_client:
                raise busy(timeout, QUEUE_FULL)
            loop = asyncio.get_running_loop()
            waiter = _Waiter(client, loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter.future, timeout)
        except BaseException as exc:  # timed out, or the request was cancelled
            with self._lock:
                granted = waiter not in self._waiters
                if not granted:
                    self._waiters.remove(waiter)
            if granted:  # a slot was handed over meanwhile: pass it on
                self.release(client)
            if isinstance(exc, asyncio.TimeoutError):
                raise busy(timeout, f"The server is busy with other queries: no query slot came "
                                    f"free within {timeout:g} seconds. Try again shortly."
                           ) from None
            raise

    def release(self, client: str) -> None:
        """Give back a slot taken by :meth:`acquire`."""
        with self._lock:
            self._give_back(client)
            self._dispatch()


class FailureLimiter:
    """At most ``limit`` failures per client address in any ``window`` seconds (failed merge
    tokens on ``POST /contribute``).

    The counts live in this process's memory: a restart forgets them, and each server process
    counts on its own (run one, or put a limit in the proxy in front). At most ``max_clients``
    addresses are remembered; when more fail at once, the oldest are forgotten first.
    """

    def __init__(self, limit: int, window: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str) -> float | None:
        """Seconds until ``client`` may try again, or ``None`` when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if not times:
                self._failures.pop(client, None)
            if len(times) < self.limit:
                return None
            return times[0] + self.window - now

    def failed(self, client: str) -> None:
        """Count one failure of ``client``."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)
