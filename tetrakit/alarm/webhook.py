"""JSON webhook for fault notices (a second channel besides the radios).

A fault notice must reach someone even when every radio is down, so faults
also go to an HTTP(S) URL (``fault_alarm.webhook``).  The webhook must never
hold up an alarm: :meth:`Webhook.post` only queues the payload, a worker task
sends it with the standard library's ``urllib`` in a thread with a bounded
timeout, and failures are logged and counted, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tetrakit import __version__

__all__ = ["Webhook", "validate_webhook_url"]

log = logging.getLogger(__name__)


def validate_webhook_url(url: str) -> str:
    """Return ``url`` when it is an absolute http(s) URL, else raise ValueError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"webhook URL must be an absolute http:// or https:// URL, got {url!r}")
    return url


class Webhook:
    """Fire-and-forget JSON POSTs to one URL.

    Args:
        url: the http(s) URL.
        timeout: seconds for one POST (connect + answer).
        max_pending: notices kept while the receiver is slow; the oldest is
            dropped (and logged) beyond that, so memory stays bounded.
    """

    def __init__(self, url: str, *, timeout: float = 5.0, max_pending: int = 100) -> None:
        self.url = validate_webhook_url(url)
        self.timeout = timeout
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(max_pending)
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def start(self) -> None:
        """Start the worker task (on the running loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._worker(), name="fault-webhook")

    async def stop(self, *, drain_timeout: float = 0.0) -> None:
        """Stop the worker, first trying to send what is queued for ``drain_timeout`` s."""
        if self._task is None:
            return
        if drain_timeout > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(drain_timeout):
                    await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def post(self, payload: dict[str, Any]) -> None:
        """Queue one JSON object for sending; never blocks, never raises."""
        if self._queue.full():
            dropped = self._queue.get_nowait()
            self._queue.task_done()
            self.dropped += 1
            log.error("fault webhook %s is behind; dropped notice %r", self.url, dropped)
        self._queue.put_nowait(payload)

    async def drained(self) -> None:
        """Wait until every queued notice was sent or given up (tests, shutdown)."""
        await self._queue.join()

    async def _worker(self) -> None:
        while True:
            payload = await self._queue.get()
            try:
                await asyncio.to_thread(self._send, payload)
                self.sent += 1
            except (OSError, ValueError) as exc:
                # urllib's errors are OSErrors (URLError, HTTPError, timeouts)
                self.failed += 1
                log.error("fault webhook POST to %s failed: %s", self.url, exc)
            finally:
                self._queue.task_done()

    def _send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"tetrakit-alarm/{__version__}",
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            status = response.status
            response.read()
        if not 200 <= status < 300:
            raise OSError(f"HTTP {status}")
