"""pyserial URL handler ``tetrasim://``: a simulated radio wherever a port is accepted.

URL form::

    tetrasim://<scenario>[?issi=<ISSI>][&seed=<N>][&speed=<X>][&clock=real|virtual]
    tetrasim://<scenario>#<ISSI>

``<scenario>`` is a built-in scenario name (``hospital``) or a path to a
scenario YAML file, relative (``tetrasim://examples/scenario-small.yaml``) or
absolute (``tetrasim:///srv/sim/ward.yaml``).  ``issi`` picks the PEI radio
(default: the first radio of the scenario).  ``seed`` overrides the
scenario's seed.  ``speed`` runs simulated time faster than real time.
``clock=virtual`` runs the world on a virtual clock that advances while a
reader waits (single-threaded use only: tests and scripts).

All ports of the same scenario, seed, clock and speed opened in one process
share one world (:mod:`firmware_sim.registry`).  Register the handler with
``firmware_sim.register()`` (done when :mod:`firmware_sim` is imported); then
``serial.serial_for_url("tetrasim://hospital?issi=1001")`` works.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from firmware_sim import registry
from firmware_sim.hosting import Host
from firmware_sim.link import SimLink
from firmware_sim.world import World
from tetrakit.errors import TetrakitError

__all__ = ["Serial", "TetrasimUrl", "parse_url"]


class TetrasimUrl:
    """A parsed ``tetrasim://`` URL."""

    def __init__(self, scenario: str, issi: int | None, seed: int | None, speed: float,
                 virtual: bool) -> None:
        self.scenario = scenario
        self.issi = issi
        self.seed = seed
        self.speed = speed
        self.virtual = virtual


def parse_url(url: str) -> TetrasimUrl:
    """Parse a ``tetrasim://`` URL.

    Raises:
        SerialException: naming what is wrong with it.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "tetrasim":
        raise SerialException(f"expected a tetrasim:// URL, got {url!r}")
    scenario = urllib.parse.unquote(parts.netloc + parts.path) or "hospital"
    issi: int | None = None
    seed: int | None = None
    speed = 1.0
    virtual = False
    try:
        for option, values in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items():
            value = values[-1]
            if option == "issi":
                issi = int(value)
            elif option == "seed":
                seed = int(value)
            elif option == "speed":
                speed = float(value)
                if not speed > 0:
                    raise ValueError("speed must be positive")
            elif option == "clock":
                if value not in ("real", "virtual"):
                    raise ValueError("clock must be real or virtual")
                virtual = value == "virtual"
            else:
                raise ValueError(f"unknown option {option!r} (issi, seed, speed, clock)")
        if parts.fragment:
            issi = int(parts.fragment)
    except ValueError as exc:
        raise SerialException(
            f"{url}: {exc}; expected tetrasim://<scenario>[?issi=N][&seed=N][&speed=X]"
            "[&clock=real|virtual]"
        ) from None
    return TetrasimUrl(scenario, issi, seed, speed, virtual)


class Serial(SerialBase):
    """A pyserial port onto a simulated radio."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._link: SimLink | None = None
        self._host: Host | None = None
        super().__init__(*args, **kwargs)

    @property
    def world(self) -> World:
        """The shared world this port belongs to."""
        if self._host is None:
            raise PortNotOpenError()
        return self._host.world

    @property
    def issi(self) -> int:
        if self._link is None:
            raise PortNotOpenError()
        return self._link.issi

    def open(self) -> None:
        if self.is_open:
            raise SerialException("Port is already open.")
        if self.port is None:
            raise SerialException("Port must be configured before it can be used.")
        url = parse_url(self.port)
        try:
            host = registry.acquire(url.scenario, seed=url.seed, virtual=url.virtual,
                                    speed=url.speed)
        except TetrakitError as exc:
            raise SerialException(f"{self.port}: {exc}") from exc
        issi = url.issi if url.issi is not None else host.world.scenario.pei_issis[0]
        try:
            self._link = SimLink(host, issi, timeout=self.timeout)
        except KeyError as exc:
            registry.release(host)
            raise SerialException(f"{self.port}: {exc.args[0]}") from None
        self._host = host
        self.is_open = True

    def close(self) -> None:
        if self.is_open and self._host is not None:
            registry.release(self._host)
        if self._link is not None:
            self._link.close()
        self._link = None
        self._host = None
        self.is_open = False

    def _reconfigure_port(self) -> None:
        if self._link is not None:
            self._link.timeout = self.timeout

    def from_url(self, url: str) -> TetrasimUrl:
        return parse_url(url)

    def _require(self) -> SimLink:
        if not self.is_open or self._link is None:
            raise PortNotOpenError()
        return self._link

    @property
    def in_waiting(self) -> int:
        return self._require().in_waiting

    def read(self, size: int = 1) -> bytes:
        link = self._require()
        link.timeout = self.timeout
        return link.read(size)

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._require().write(bytes(data))

    def flush(self) -> None:
        self._require()

    def reset_input_buffer(self) -> None:
        self._require().reset_input_buffer()

    def reset_output_buffer(self) -> None:
        self._require()

    @property
    def out_waiting(self) -> int:
        return 0

    def _update_break_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass

    def _update_dtr_state(self) -> None:
        pass

    @property
    def cts(self) -> bool:
        self._require()
        return True

    @property
    def dsr(self) -> bool:
        self._require()
        return True

    @property
    def ri(self) -> bool:
        self._require()
        return False

    @property
    def cd(self) -> bool:
        self._require()
        return True
