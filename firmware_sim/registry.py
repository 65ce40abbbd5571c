"""One shared world per scenario in a process, for the ``tetrasim://`` URL handler.

All ports opened on the same scenario (and seed, clock and speed) share one
:class:`~firmware_sim.world.World`, so a radio opened as
``tetrasim://hospital?issi=1001`` receives what another part of the same
program sends through ``tetrasim://hospital?issi=1003``.  A world on the real
clock runs in a background thread while at least one of its ports is open;
closing the last port pauses it (the world and its state stay until
:func:`reset`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from firmware_sim.clock import Scheduler, VirtualClock
from firmware_sim.hosting import Host, ThreadedHost, VirtualHost
from firmware_sim.scenario import load_scenario, resolve_scenario
from firmware_sim.world import World

__all__ = ["WorldKey", "acquire", "get", "get_host", "release", "reset"]


@dataclass(frozen=True, slots=True)
class WorldKey:
    """What identifies a shared world."""

    scenario: str
    seed: int | None
    virtual: bool
    speed: float


@dataclass(slots=True)
class _Entry:
    host: Host
    users: int = 0


_lock = threading.Lock()
_worlds: dict[WorldKey, _Entry] = {}


def _key(scenario: str, seed: int | None, virtual: bool, speed: float) -> WorldKey:
    return WorldKey(str(resolve_scenario(scenario).resolve()), seed, virtual, speed)


def acquire(scenario: str, *, seed: int | None = None, virtual: bool = False,
            speed: float = 1.0) -> Host:
    """The shared host of a scenario, created on first use; counts one more user.

    Raises:
        ConfigError: the scenario is unknown or invalid.
    """
    key = _key(scenario, seed, virtual, speed)
    with _lock:
        entry = _worlds.get(key)
        if entry is None:
            clock: Scheduler = VirtualClock() if virtual else Scheduler()
            world = World(load_scenario(key.scenario), seed=seed, clock=clock)
            host: Host = VirtualHost(world) if virtual else ThreadedHost(world, speed=speed)
            entry = _worlds[key] = _Entry(host)
        entry.users += 1
        if isinstance(entry.host, ThreadedHost):
            entry.host.start()
        return entry.host


def release(host: Host) -> None:
    """One user fewer; the last one pauses a real-time world's thread."""
    with _lock:
        for entry in _worlds.values():
            if entry.host is host:
                entry.users = max(0, entry.users - 1)
                if entry.users == 0 and isinstance(host, ThreadedHost):
                    host.stop()
                return


def get(scenario: str, *, seed: int | None = None, virtual: bool = False,
        speed: float = 1.0) -> World | None:
    """The shared world of a scenario if one exists (for tests and tools)."""
    host = get_host(scenario, seed=seed, virtual=virtual, speed=speed)
    return None if host is None else host.world


def get_host(scenario: str, *, seed: int | None = None, virtual: bool = False,
             speed: float = 1.0) -> Host | None:
    """The host running a scenario's shared world, if one exists."""
    with _lock:
        entry = _worlds.get(_key(scenario, seed, virtual, speed))
        return None if entry is None else entry.host


def reset() -> None:
    """Stop and forget every shared world."""
    with _lock:
        for entry in _worlds.values():
            if isinstance(entry.host, ThreadedHost):
                entry.host.stop()
        _worlds.clear()
