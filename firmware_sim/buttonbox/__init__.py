"""The simulated alarm button box (hw/buttonbox/PROTOCOL.md).

- :class:`SimPanel`: the real panel firmware (``hw/buttonbox/firmware/``)
  with simulated buttons, wire faults, hangs and a noisy line; sans-I/O.
- :mod:`~firmware_sim.buttonbox.hosting`: real-time driving over a pty or an
  in-process pipe, and the control socket behind ``tetrakit panel ...``.
- ``simpanel://PANEL_ID`` pyserial URLs (:mod:`.protocol_simpanel`), made
  available by :func:`register`.
- :mod:`~firmware_sim.buttonbox.scenario`: the ``panels:`` section of scenarios.
"""

from __future__ import annotations

import threading

import serial

from firmware_sim.buttonbox.panel import LOOP_STATES, LedChange, SimPanel

__all__ = ["HANDLER_PACKAGE", "LOOP_STATES", "LedChange", "SimPanel", "register"]

#: the package that holds ``protocol_simpanel`` (what pyserial looks in)
HANDLER_PACKAGE = __name__

_lock = threading.Lock()


def register() -> None:
    """Make ``simpanel://`` URLs work in :func:`serial.serial_for_url` (idempotent)."""
    with _lock:
        if HANDLER_PACKAGE not in serial.protocol_handler_packages:
            serial.protocol_handler_packages.append(HANDLER_PACKAGE)
