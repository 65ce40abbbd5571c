"""firmware_sim: simulated TETRA radios, network (SwMI), team members and faults.

The simulator speaks the same PEI (EN 300 392-5) as real radios, so tetrakit,
the alarm controller, the examples and the benchmarks run against it
unchanged.  Main pieces:

* :class:`~firmware_sim.world.World` -- a scenario brought to life on a
  virtual or real clock: :class:`~firmware_sim.terminal.TerminalModel` per
  PEI radio (sans-I/O PEI server), :class:`~firmware_sim.network.Network`
  (SwMI), :class:`~firmware_sim.members.TeamMember` handhelds, the fault
  timeline and the :class:`~firmware_sim.worldlog.WorldLog`;
* ways in: :func:`~firmware_sim.link.open_link` (in-process), the pyserial URL
  ``tetrasim://<scenario>?issi=<ISSI>`` (registered on import, see
  :mod:`firmware_sim.urlhandler.protocol_tetrasim`), and ``tetrakit sim
  --pty`` / ``--listen`` (:mod:`firmware_sim.serve`).
"""

from __future__ import annotations

import serial

__all__ = ["HANDLER_PACKAGE", "register"]

#: the package that holds ``protocol_tetrasim`` (pyserial looks modules up by name)
HANDLER_PACKAGE = "firmware_sim.urlhandler"


def register() -> None:
    """Make ``serial.serial_for_url("tetrasim://...")`` open simulated radios (idempotent)."""
    if HANDLER_PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(HANDLER_PACKAGE)


register()
