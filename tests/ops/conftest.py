"""Fixtures for the operations tests: an asyncio loop on virtual time.

``run_virtual(coro)`` runs a coroutine on an event loop whose clock jumps
forward whenever every task is waiting for a timer, so supervision over
minutes of polls runs in milliseconds and never depends on how busy the
machine is.  Real I/O (sockets) still works: the loop first looks for ready
I/O without blocking and only advances time when there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import socket
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


class _VirtualSelector:
    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeLoop) -> None:
        self._real = real
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        events = self._real.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            return self._real.select(None)
        self._loop.virtual_now += timeout  # nothing ready: jump to the next timer
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` only moves when it would wait."""

    def __init__(self) -> None:
        super().__init__()
        self.virtual_now = 1000.0
        self._selector = _VirtualSelector(self._selector, self)  # type: ignore[has-type]

    def time(self) -> float:
        return self.virtual_now


@pytest.fixture
def run_virtual() -> Callable[[Coroutine[Any, Any, T]], T]:
    def run(coro: Coroutine[Any, Any, T]) -> T:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(coro)

    return run


# --------------------------------------------------------------------------------------
# the alarm daemon against the simulator (tetrasim:// worlds in this process)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hospital.yaml"
TOKEN = "ops-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ops_config_text(
    tmp: Path,
    *,
    seed: int,
    scenario: str = "hospital",
    interval: float = 0.5,
    misses: int = 2,
    port: int | None = None,
    extra: str = "",
) -> str:
    """examples/hospital.yaml, pointed at a private simulated world and fast supervision."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for issi in (1001, 1002):
        text = text.replace(
            f"tetrasim://hospital?issi={issi}", f"tetrasim://{scenario}?issi={issi}&seed={seed}"
        )
    text = text.replace("interval: 10\n  misses: 3", f"interval: {interval}\n  misses: {misses}")
    text = text.replace(
        'listen: "127.0.0.1:8080"\n  token: null',
        f'listen: "127.0.0.1:{port or free_port()}"\n  token: "{TOKEN}"',
    )
    text = text.replace('schedule: ["07:00", "15:00", "23:00"]', "schedule: []")
    text = text.replace("journal: var/alarm-journal.sqlite3", f"journal: {tmp}/journal.sqlite3")
    text = text.replace(
        "control_socket: var/tetrakit-alarm.sock", f"control_socket: {tmp}/ctl.sock"
    )
    return text + extra


@dataclass
class SimDaemon:
    """A running daemon and the simulated world behind its radios."""

    daemon: Any
    world: Any
    host: Any
    changed: asyncio.Event
    task: asyncio.Task[None]

    @property
    def ops(self) -> Any:
        return self.daemon.ops

    @property
    def controller(self) -> Any:
        return self.daemon.controller

    @property
    def http_port(self) -> int:
        return int(self.daemon.ops.http.port)

    def fault(self, issi: int, kind: str, duration: float | None = None) -> None:
        from firmware_sim.scenario import FaultSpec

        with self.host.cond:
            self.world.apply_fault(FaultSpec(0.0, issi, kind, duration))

    def log(self, event: str | None = None, **match: Any) -> list[dict[str, Any]]:
        with self.host.cond:
            return self.world.log.find(event, **match)

    async def until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ``predicate()`` holds; re-checked on every world, alarm or fault event."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


@contextlib.asynccontextmanager
async def running_daemon(config_path: Path, *, seed: int, scenario: str = "hospital",
                         ready_timeout: float = 30) -> AsyncIterator[SimDaemon]:
    from firmware_sim import registry
    from tetrakit.alarm.daemon import Daemon

    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def poke(*_: object) -> None:
        changed.set()

    def poke_threadsafe(_: object) -> None:
        loop.call_soon_threadsafe(changed.set)

    daemon = Daemon(config_path)
    task = asyncio.create_task(daemon.run())
    try:
        async with asyncio.timeout(ready_timeout):
            while daemon.ops is None or daemon.ops.readiness()[0] is False:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)  # start-up only: polls readiness, bounded
        world = registry.get(scenario, seed=seed)
        assert world is not None
        host = _host_of(world)
        with host.cond:
            world.log.subscribe(poke_threadsafe)
        daemon.controller.subscribe(poke)
        daemon.controller.subscribe_facts(poke)
        daemon.ops.faults.listeners.append(poke)
        sd = SimDaemon(daemon, world, host, changed, task)
        yield sd
    finally:
        daemon.request_stop()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(15):
                await task
        registry.reset()


def _host_of(world: Any) -> Any:
    from firmware_sim import registry

    for entry in registry._worlds.values():
        if entry.host.world is world:
            return entry.host
    raise AssertionError("world has no host")


@pytest.fixture
def notify_env(tmp_path: Path) -> Iterator[tuple[socket.socket, dict[str, str]]]:
    """A unix datagram socket standing in for systemd's $NOTIFY_SOCKET."""
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    old = {k: os.environ.get(k) for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    os.environ["NOTIFY_SOCKET"] = path
    yield sock, os.environ  # type: ignore[misc]
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    sock.close()



@dataclass(frozen=True)
class OpsKit:
    """What the simulator tests need, handed out as one fixture."""

    config_text: Callable[..., str]
    running: Callable[..., Any]
    token: str
    free_port: Callable[[], int]


@pytest.fixture
def ops_kit() -> OpsKit:
    return OpsKit(ops_config_text, running_daemon, TOKEN, free_port)
