"""The button boxes as a daemon service (``tetrakit alarm run``).

For every panel in ``inputs.buttonboxes`` the daemon gets a
:class:`~tetrakit.alarm.inputs.buttonbox.ButtonBoxInput` bound to its
controller (presses trigger alarms, LEDs follow them); a lost panel or a wire
fault becomes a fault alarm through the operations code
(``Operations.input_fault`` / ``input_clear``), each panel's state is
exported as the ``input`` metric and its dropped frames as
``tetrakit_input_frames_dropped_total{input,reason}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from tetrakit.alarm.inputs.buttonbox import ButtonBoxInput, attach_buttonboxes

if TYPE_CHECKING:
    from tetrakit.alarm.daemon import Daemon

__all__ = ["ButtonBoxService", "buttonbox_service"]

log = logging.getLogger(__name__)


def _log_fault(component: str, detail: str) -> None:
    log.error("FAULT input %s: %s", component, detail)


def _log_clear(component: str, detail: str) -> None:
    log.warning("RECOVERED input %s: %s", component, detail)


def _ignore_drop(component: str, reason: str) -> None:
    return None  # without operations there are no metrics; the input still logs


def _state_of(inp: ButtonBoxInput) -> Callable[[], str]:
    return lambda: inp.state


class ButtonBoxService:
    """Starts and stops the daemon's button boxes."""

    def __init__(self) -> None:
        self.inputs: list[ButtonBoxInput] = []

    async def start(self, daemon: Daemon) -> None:
        if daemon.controller is None:
            raise RuntimeError("the controller must be running before the button boxes")
        ops = daemon.ops
        self.inputs = attach_buttonboxes(
            daemon.controller,
            daemon.config,
            on_fault=ops.input_fault if ops is not None else _log_fault,
            on_clear=ops.input_clear if ops is not None else _log_clear,
            on_dropped=ops.metrics.frame_dropped if ops is not None else _ignore_drop,
        )
        for inp in self.inputs:
            if ops is not None:
                ops.watch_input(inp.component, _state_of(inp))
                ops.watch_button_box(inp.config.id, inp.rebind)
            await inp.start()
            log.info("button box %s on %s", inp.config.id, inp.config.port)

    async def stop(self) -> None:
        for inp in self.inputs:
            await inp.stop()
        self.inputs = []


def buttonbox_service(daemon: Daemon) -> ButtonBoxService | None:
    """The daemon's service factory: a service when button boxes are configured."""
    return ButtonBoxService() if daemon.config.inputs.buttonboxes else None
