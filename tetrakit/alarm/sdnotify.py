"""systemd readiness, status and watchdog (sd_notify protocol, no libsystemd).

The service runs with ``Type=notify`` and ``WatchdogSec=`` (see
``hw/systemd/tetrakit-alarm.service``).  The protocol is small enough to speak
directly (alarm-domain.md §5, sd_notify(3)): datagrams of ``KEY=VALUE`` lines
to the unix socket named by ``$NOTIFY_SOCKET`` (a leading ``@`` means the
abstract namespace).  Messages used here:

* ``READY=1`` once the radios, the journal and the main loop are up;
* ``STATUS=...`` one human line, shown by ``systemctl status``;
* ``WATCHDOG=1`` keep-alive pings, at half of ``$WATCHDOG_USEC`` as
  sd_watchdog_enabled(3) recommends, and *only while healthy*;
* ``RELOADING=1`` (with ``MONOTONIC_USEC``, which ``Type=notify-reload``
  requires) and ``READY=1`` again after a reload; ``STOPPING=1`` on shutdown.

The pings come from a task on the daemon's event loop, so a stalled loop
sends none; before each ping the task also asks the health checks (the
supervision task is alive and current, ...) and skips the ping when one
fails, so systemd restarts a daemon that is up but no longer supervising.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence

from tetrakit._tasks import cancel_and_wait

__all__ = ["HealthCheck", "SdNotifier", "Watchdog", "watchdog_interval"]

log = logging.getLogger(__name__)

#: a health check returns (healthy, reason)
HealthCheck = Callable[[], tuple[bool, str]]


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """The watchdog timeout systemd expects, in seconds, or None when disabled.

    Reads ``WATCHDOG_USEC``; ``WATCHDOG_PID``, when set, must be this process
    (sd_watchdog_enabled(3)), otherwise the watchdog belongs to someone else.
    """
    env = os.environ if environ is None else environ
    raw = env.get("WATCHDOG_USEC", "")
    if not raw:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.error("ignoring WATCHDOG_USEC=%r: not an integer", raw)
        return None
    return usec / 1_000_000 if usec > 0 else None


class SdNotifier:
    """Sends sd_notify messages; does nothing when not run by systemd.

    Args:
        address: the socket path (defaults to ``$NOTIFY_SOCKET``; ``@name`` is
            an abstract socket).  None/empty disables notifications.
    """

    def __init__(self, address: str | None = None) -> None:
        addr = os.environ.get("NOTIFY_SOCKET", "") if address is None else address
        self.address = addr
        self._sock: socket.socket | None = None
        if addr:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.sent: list[str] = []  # what was sent, for the status page and tests

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def notify(self, *lines: str) -> bool:
        """Send one datagram of ``KEY=VALUE`` lines; False when it could not."""
        if self._sock is None:
            return False
        message = "\n".join(lines)
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            self._sock.sendto(message.encode("utf-8"), target)
        except OSError as exc:
            # systemd gone or socket full: the daemon itself must go on
            log.warning("sd_notify to %s failed: %s", self.address, exc)
            return False
        self.sent.append(message)
        del self.sent[:-100]
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={_one_line(text)}")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def reloading(self) -> bool:
        # MONOTONIC_USEC lets Type=notify-reload match the reload to the signal
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def stopping(self, status: str = "") -> bool:
        return self.notify("STOPPING=1", *([f"STATUS={_one_line(status)}"] if status else []))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Watchdog:
    """Pings systemd at half the watchdog interval while every check passes.

    Args:
        notifier: where the pings go.
        interval: the watchdog timeout in seconds (``WatchdogSec``); pings go
            every ``interval / 2``.
        checks: health checks; all must pass for a ping.
    """

    def __init__(
        self, notifier: SdNotifier, interval: float, checks: Sequence[HealthCheck] = ()
    ) -> None:
        if interval <= 0:
            raise ValueError(f"watchdog interval must be positive, got {interval}")
        self.notifier = notifier
        self.interval = interval
        self.checks = list(checks)
        self.pings = 0
        self.skipped = 0
        self.last_reason = ""
        self._task: asyncio.Task[None] | None = None

    def check(self) -> tuple[bool, str]:
        """Run every check; the first failure wins."""
        for check in self.checks:
            try:
                ok, reason = check()
            except Exception as exc:  # a crashing check is a failing check
                ok, reason = False, f"health check raised {exc!r}"
            if not ok:
                return False, reason
        return True, "ok"

    def tick(self) -> bool:
        """One watchdog period: ping when healthy.  Returns whether it pinged."""
        ok, reason = self.check()
        if ok:
            if self.last_reason:
                log.warning("healthy again; watchdog pings resume")
                self.notifier.status("running")
            self.last_reason = ""
            self.notifier.watchdog()
            self.pings += 1
            return True
        if reason != self.last_reason:
            log.error("unhealthy, withholding watchdog pings: %s", reason)
            self.notifier.status(f"unhealthy: {reason}")
        self.last_reason = reason
        self.skipped += 1
        return False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="systemd-watchdog")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            self.tick()
            await asyncio.sleep(self.interval / 2)
