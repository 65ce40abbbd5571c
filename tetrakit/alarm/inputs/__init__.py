"""Alarm inputs other than the CLI and the HTTP API.

The alarm button box (hw/buttonbox/PROTOCOL.md):

- :mod:`.buttonbox_codec`: frames <-> dataclasses, CRC-16/CCITT-FALSE;
- :mod:`.buttonbox_session`: the sans-I/O host session (acks, duplicates,
  supervision, LEDs);
- :mod:`.buttonbox`: :class:`ButtonBoxInput` on a serial line in asyncio, and
  :func:`attach_buttonboxes` binding panels to the controller.

Only the sans-I/O names are imported here, so that importing the codec or
the session pulls in no asyncio or serial; import the runner from
:mod:`tetrakit.alarm.inputs.buttonbox`.
"""

from __future__ import annotations

from tetrakit.alarm.inputs.buttonbox_codec import FaultKind, LedMode
from tetrakit.alarm.inputs.buttonbox_session import ButtonBoxSession, PanelState

__all__ = ["ButtonBoxSession", "FaultKind", "LedMode", "PanelState"]
