"""pyserial URL handler ``simpanel://``: a simulated button box in this process.

Form: ``simpanel://PANEL_ID[?buttons=N][&seed=N][&version=V][&control=PATH|none]
[&scenario=NAME_OR_FILE]``

- ``PANEL_ID``: the panel's name (letters, digits, ``-_.``), e.g. ``panel-a``.
- ``buttons``: number of buttons, 1-255 (default 4).
- ``control``: the control socket through which ``tetrakit panel ...`` acts on
  the panel; default ``$TETRAKIT_RUNTIME_DIR`` / ``$XDG_RUNTIME_DIR`` / the temp
  dir + ``tetrakit-panel-PANEL_ID.sock``; ``none`` for no socket.
- ``scenario``: a simulator scenario (built-in name or YAML file) whose
  ``panels:`` entry with this id supplies buttons, seed and a timeline.

Opening the URL starts the panel (it sends HELLO) and drives it from the real
clock in a background thread; closing the port stops it.  pyserial finds this
module once ``firmware_sim.buttonbox`` is in ``serial.protocol_handler_packages``
(:func:`firmware_sim.buttonbox.register`; ``tetrakit.transport.open_port`` does it).
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from pathlib import Path
from typing import Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from firmware_sim.buttonbox.hosting import ControlServer, PipeEndpoint, default_host
from firmware_sim.buttonbox.scenario import PanelSpec, parse_panels_text, schedule
from tetrakit.errors import ConfigError

__all__ = ["Serial"]

log = logging.getLogger(__name__)

_FORM = "simpanel://PANEL_ID[?buttons=N&seed=N&version=V&control=PATH|none&scenario=NAME]"


def _parse(url: str) -> tuple[str, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "simpanel":
        raise SerialException(f"expected {_FORM}, got {url!r}")
    panel_id = parts.netloc or parts.path.lstrip("/")
    if not panel_id or not all(c.isalnum() or c in "-_." for c in panel_id):
        raise SerialException(f"{url}: panel id must be letters, digits, '-', '_' or '.'")
    options: dict[str, str] = {}
    for key, values in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items():
        if key not in ("buttons", "seed", "version", "control", "scenario"):
            raise SerialException(f"{url}: unknown option {key!r} (form: {_FORM})")
        options[key] = values[-1]
    return panel_id, options


def _spec(url: str, panel_id: str, options: dict[str, str]) -> PanelSpec:
    spec = PanelSpec(id=panel_id)
    if "scenario" in options:
        from firmware_sim.scenario import resolve_scenario

        try:
            path = resolve_scenario(options["scenario"])
            panels = parse_panels_text(path.read_text(encoding="utf-8"), str(path))
        except (ConfigError, OSError) as exc:
            raise SerialException(f"{url}: {exc}") from exc
        found = [p for p in panels if p.id == panel_id]
        if not found:
            raise SerialException(f"{url}: the scenario has no panel {panel_id!r} under panels:")
        spec = found[0]
    try:
        buttons = int(options.get("buttons", spec.buttons))
        seed = int(options.get("seed", spec.seed))
    except ValueError as exc:
        raise SerialException(f"{url}: buttons and seed must be integers") from exc
    if not 1 <= buttons <= 255:
        raise SerialException(f"{url}: buttons must be 1-255")
    return PanelSpec(panel_id, buttons, seed, options.get("version", spec.version), spec.timeline)


class Serial(SerialBase):
    """A pyserial port whose other end is a simulated panel."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pipe: PipeEndpoint | None = None
        self._control: ControlServer | None = None
        self._key = 0
        self._cancelled = False
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        if self.is_open:
            raise SerialException("port is already open")
        if self.port is None:
            raise SerialException("port must be configured before it can be used")
        url = str(self.port)
        panel_id, options = _parse(url)
        spec = _spec(url, panel_id, options)
        host = default_host()
        try:
            panel = host.new_panel(panel_id, spec.buttons, seed=spec.seed, version=spec.version)
        except ValueError as exc:
            raise SerialException(f"{url}: {exc}") from exc
        schedule(spec, panel, host.clock())
        pipe = PipeEndpoint()
        control = options.get("control", "")
        if control.lower() != "none":
            try:
                self._control = ControlServer(host, panel, Path(control) if control else None)
            except OSError as exc:
                # the line matters more than the remote control: run without it
                log.warning("%s: no control socket: %s", url, exc)
        self._pipe = pipe
        self._key = host.attach(panel, pipe)
        self.is_open = True

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            default_host().detach(self._key)
            if self._control is not None:
                self._control.close()
                self._control = None
            if self._pipe is not None:
                self._pipe.close()
        super().close()

    def _reconfigure_port(self) -> None:
        """Line settings mean nothing to an in-process pipe."""

    @property
    def in_waiting(self) -> int:
        if self._pipe is None or not self.is_open:
            raise PortNotOpenError()
        return self._pipe.host_waiting()

    def read(self, size: int = 1) -> bytes:
        if self._pipe is None or not self.is_open:
            raise PortNotOpenError()
        self._cancelled = False
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        data = bytearray()
        while len(data) < size and self.is_open and not self._cancelled:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            chunk = self._pipe.host_read(size - len(data), remaining)
            data += chunk
            if deadline is not None and time.monotonic() >= deadline:
                break
        return bytes(data)

    def cancel_read(self) -> None:
        self._cancelled = True
        if self._pipe is not None:
            self._pipe.wake()

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pipe is None or not self.is_open:
            raise PortNotOpenError()
        payload = bytes(data)
        self._pipe.host_write(payload)
        return len(payload)

    def flush(self) -> None:
        """Writes are delivered at once."""

    def reset_input_buffer(self) -> None:
        if self._pipe is not None:
            self._pipe.host_read(self._pipe.host_waiting(), 0)

    def reset_output_buffer(self) -> None:
        """Nothing is buffered on the way out."""

    def _update_rts_state(self) -> None:
        """No modem lines."""

    def _update_dtr_state(self) -> None:
        """No modem lines."""

    def _update_break_state(self) -> None:
        """No break condition."""

    @property
    def cts(self) -> bool:
        return True

    @property
    def dsr(self) -> bool:
        return True

    @property
    def ri(self) -> bool:
        return False

    @property
    def cd(self) -> bool:
        return True
