"""The button box as an alarm input: the session on a serial line, in asyncio.

:class:`ButtonBoxInput` runs one panel (``inputs.buttonboxes[]`` in the
configuration): it opens the port through :mod:`tetrakit.transport` (any
pyserial URL, ``simpanel://`` for the simulated panel), feeds the sans-I/O
:class:`~tetrakit.alarm.inputs.buttonbox_session.ButtonBoxSession`, and turns
its events into calls:

* a press of a bound panel button -> ``on_press(button_id, source)`` with
  ``source = "buttonbox:<panel>:<n>"``; the PRESS is acknowledged once that
  call returned (for the controller: once the alarm is journaled), so a press
  the controller refused is repeated by the panel and tried again;
* panel lost / wire fault -> ``on_fault(component, detail)``; back / cleared
  -> ``on_clear(component, detail)``.  Components are ``buttonbox:<panel>``
  for the link and ``buttonbox:<panel>:<n>`` for one button's wire;
* a press of a panel button bound to no controller button is not dropped
  quietly: it is a fault of ``buttonbox:<panel>:<n>:unbound`` (acknowledged
  once the fault hook took it), and a HELLO announcing fewer buttons than the
  configuration binds is a fault of ``buttonbox:<panel>:bindings`` (cleared by
  a HELLO that has them all) — PROTOCOL.md §9;
* every dropped frame -> ``on_dropped(component, reason)`` (the
  ``tetrakit_input_frames_dropped_total`` counter) and a WARNING when more than
  ``DROP_WARN_COUNT`` are dropped within ``DROP_WARN_WINDOW`` seconds.

:func:`attach_buttonboxes` binds the inputs to a
:class:`~tetrakit.alarm.controller.Controller`: presses trigger alarms and the
LEDs follow the alarms' state through the controller's subscribe hook.

A port that cannot be opened or fails is reopened with backoff; meanwhile the
session's supervision runs on, so the panel is reported lost after
``lost_after`` seconds as if it were silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from tetrakit.alarm.config import ButtonBox
from tetrakit.alarm.inputs.buttonbox_codec import FaultKind, LedMode
from tetrakit.alarm.inputs.buttonbox_session import (
    ButtonBoxSession,
    ButtonPressed,
    ButtonReleased,
    FrameDropped,
    PanelBack,
    PanelEvent,
    PanelLost,
    PanelStarted,
    PanelState,
    SessionStats,
    WireCleared,
    WireFault,
)
from tetrakit.errors import TransportError
from tetrakit.transport import AsyncTransport

if TYPE_CHECKING:
    from tetrakit.alarm.config import AlarmConfig
    from tetrakit.alarm.controller import Controller
    from tetrakit.alarm.engine import AlarmChanged

__all__ = [
    "DROP_WARN_COUNT",
    "DROP_WARN_WINDOW",
    "ButtonBoxInput",
    "OnDropped",
    "OnFault",
    "OnPress",
    "attach_buttonboxes",
]

log = logging.getLogger(__name__)

OnPress = Callable[[str, str], Awaitable[object] | object]
OnFault = Callable[[str, str], None]
OnDropped = Callable[[str, str], None]
Opener = Callable[[str, int], Awaitable[AsyncTransport]]

_WIRE_MEANING = {
    FaultKind.OPEN: "cable cut (loop open)",
    FaultKind.SHORT: "short circuit",
    FaultKind.TAMPER: "button housing opened",
}
_REOPEN_MIN, _REOPEN_MAX = 0.5, 30.0
# A frame dropped now and then is line noise the repetition heals (§5); this many
# within the window is a line that needs a look (cable, termination, baud rate).
DROP_WARN_COUNT = 5
DROP_WARN_WINDOW = 10.0


async def _open(url: str, baudrate: int) -> AsyncTransport:
    return await AsyncTransport.open(url, baudrate=baudrate)


def _nothing(component: str, detail: str) -> None:
    return None


def _bound_list(pairs: Sequence[tuple[int, str]]) -> str:
    return ", ".join(f"{number} ({button_id})" for number, button_id in pairs)


class ButtonBoxInput:
    """One button panel on one serial line.

    Args:
        config: the panel's configuration (``inputs.buttonboxes[]``).
        on_press: called with the bound button id and the source; may be a
            coroutine function.  Raising refuses the press (it is not
            acknowledged, so the panel repeats it).
        on_fault: called when the panel is lost or a wire faults.
        on_clear: called when that ends.
        on_dropped: called with the component and the reason (``check``,
            ``syntax``, ``oversize``, ``unexpected``) of every dropped frame.
        clock: monotonic seconds (injectable for tests).
        opener: opens the port (default :meth:`AsyncTransport.open`).
    """

    def __init__(
        self,
        config: ButtonBox,
        *,
        on_press: OnPress,
        on_fault: OnFault = _nothing,
        on_clear: OnFault = _nothing,
        on_dropped: OnDropped = _nothing,
        clock: Callable[[], float] = time.monotonic,
        opener: Opener = _open,
    ) -> None:
        self.config = config
        self.on_press = on_press
        self.on_fault = on_fault
        self.on_clear = on_clear
        self.on_dropped = on_dropped
        self.clock = clock
        self._opener = opener
        self._numbers: dict[str, list[int]] = {}
        for number, button_id in config.buttons:
            self._numbers.setdefault(button_id, []).append(number)
        self.session = ButtonBoxSession(
            config.id,
            now=clock(),
            buttons=[n for n, _ in config.buttons],
            lost_after=config.lost_after,
            defer_press_ack=True,
        )
        self._transport: AsyncTransport | None = None
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._press_tasks: set[asyncio.Task[None]] = set()
        self._connected = asyncio.Event()
        self._link_lost = asyncio.Event()
        # components of configuration mismatches reported as faults (unbound
        # presses, bindings beyond the panel's buttons)
        self.binding_faults: set[str] = set()
        self._recent_drops: deque[float] = deque()
        self._drops_warned_at: float | None = None

    # ------------------------------------------------------------------ interface

    @property
    def component(self) -> str:
        """The fault component name of the panel link."""
        return f"buttonbox:{self.config.id}"

    @property
    def state(self) -> str:
        """``unknown``, ``ok``, ``fault`` (a wire or binding fault) or ``lost`` (for metrics)."""
        if self.session.state is PanelState.LOST:
            return "lost"
        if self.session.state is PanelState.UNKNOWN:
            return "unknown"
        return "fault" if self.session.faults or self.binding_faults else "ok"

    @property
    def dropped(self) -> int:
        """Frames dropped since start, all reasons together."""
        return sum(self.session.stats.dropped.values())

    @property
    def stats(self) -> SessionStats:
        return self.session.stats

    @property
    def connected(self) -> bool:
        return self._transport is not None

    def set_led(self, button_id: str, mode: LedMode | str) -> None:
        """Show ``mode`` on every panel button bound to controller button ``button_id``."""
        numbers = self._numbers.get(button_id)
        if not numbers:
            return
        now = self.clock()
        for number in numbers:
            self.session.set_led(number, LedMode(mode), now)
        self._flush()

    def rebind(self, buttons: dict[int, str]) -> None:
        """Apply new bindings ``{panel button number: controller button id}`` (a reload).

        The line stays open: a press in flight keeps the id it was bound to when
        it arrived.  LEDs of buttons that lost their binding go dark; the panel's
        size from its HELLO is checked against the new bindings again.

        Raises:
            ValueError: a button number below 1.
        """
        if any(n < 1 for n in buttons):
            raise ValueError(f"panel button numbers start at 1: {sorted(buttons)}")
        old_numbers = {n for ns in self._numbers.values() for n in ns}
        self.config = dataclasses.replace(self.config, buttons=tuple(sorted(buttons.items())))
        self._numbers = {}
        for number, button_id in self.config.buttons:
            self._numbers.setdefault(button_id, []).append(number)
        now = self.clock()
        for number in old_numbers - set(buttons):
            self.session.set_led(number, LedMode.OFF, now)
        # a press of a button that is bound now is no longer an unbound-press fault
        for number in buttons:
            component = f"{self.component}:{number}:unbound"
            if component in self.binding_faults:
                self.binding_faults.discard(component)
                self._call(self.on_clear, component,
                           f"panel {self.config.id} button {number} now bound to "
                           f"{buttons[number]}")
        if self.session.panel_buttons is not None:
            self._check_bindings(self.session.panel_buttons)
        self._flush()

    def led(self, button_id: str) -> LedMode | None:
        """The LED mode shown for a controller button (None if not on this panel)."""
        numbers = self._numbers.get(button_id)
        return self.session.led(numbers[0]) if numbers else None

    async def start(self) -> None:
        """Open the port (retrying in the background) and start the session."""
        if self._tasks:
            raise RuntimeError("already started")
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._keep_open(), name=f"buttonbox-{self.config.id}-port"),
            loop.create_task(self._ticker(), name=f"buttonbox-{self.config.id}-tick"),
            loop.create_task(self._writer(), name=f"buttonbox-{self.config.id}-write"),
        ]

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the port is open."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def stop(self) -> None:
        """Stop the tasks and close the port (idempotent)."""
        tasks, self._tasks = self._tasks, []
        tasks += list(self._press_tasks)
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self._close_transport()

    # ------------------------------------------------------------------ tasks

    async def _keep_open(self) -> None:
        delay = _REOPEN_MIN
        url = self.config.port
        while True:
            try:
                transport = await self._opener(url, self.config.baudrate)
            except TransportError as exc:
                log.warning("button box %s: %s; retrying in %.1f s", self.config.id, exc, delay)
                await asyncio.sleep(delay)  # reconnect backoff
                delay = min(delay * 2, _REOPEN_MAX)
                continue
            delay = _REOPEN_MIN
            self._link_lost.clear()
            transport.start(self._on_data, self._on_lost)
            self._transport = transport
            self._connected.set()
            log.info("button box %s: port %s open", self.config.id, url)
            self.session.refresh_leds(self.clock())
            self._flush()
            await self._link_lost.wait()
            await self._close_transport()
            await asyncio.sleep(_REOPEN_MIN)  # reconnect backoff: a flapping port must not spin

    async def _ticker(self) -> None:
        while True:
            now = self.clock()
            self._handle(self.session.tick(now))
            self._flush()
            timeout = max(0.0, min(self.session.next_deadline(), now + 0.5) - self.clock())
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _writer(self) -> None:
        while True:
            data = await self._outgoing.get()
            transport = self._transport
            if transport is None:
                continue  # nobody to tell; the LED refresh and the panel's repeats heal it
            try:
                await transport.write(data)
            except TransportError as exc:
                log.warning("button box %s: write failed: %s", self.config.id, exc)
                self._link_lost.set()

    # ------------------------------------------------------------------ callbacks

    def _on_data(self, data: bytes) -> None:
        self._handle(self.session.receive_data(data, self.clock()))
        self._flush()
        self._wake.set()

    def _on_lost(self, exc: TransportError) -> None:
        log.warning("button box %s: port lost: %s", self.config.id, exc)
        self._link_lost.set()

    async def _close_transport(self) -> None:
        transport, self._transport = self._transport, None
        self._connected.clear()
        if transport is not None:
            await transport.close()

    def _flush(self) -> None:
        data = self.session.data_to_send()
        if data:
            self._outgoing.put_nowait(data)

    def _handle(self, events: Sequence[PanelEvent]) -> None:
        panel = self.config.id
        for ev in events:
            match ev:
                case ButtonPressed(_, number, seq):
                    self._press(number, seq)
                case WireFault(_, number, kind):
                    bound = self.config.button_id(number) or "not bound"
                    self._call(
                        self.on_fault,
                        f"{self.component}:{number}",
                        f"panel {panel} button {number} ({bound}): {kind.value}, "
                        f"{_WIRE_MEANING[kind]}",
                    )
                case WireCleared(_, number):
                    self._call(
                        self.on_clear,
                        f"{self.component}:{number}",
                        f"panel {panel} button {number}: wire healthy again",
                    )
                case PanelLost(_, silent):
                    self._call(
                        self.on_fault,
                        self.component,
                        f"panel {panel} lost: no valid frame for {silent:.1f} s",
                    )
                case PanelBack():
                    self._call(self.on_clear, self.component, f"panel {panel} is back")
                case PanelStarted(_, version, buttons):
                    if version is None:
                        log.warning("button box %s restarted (its HELLO was lost)", panel)
                    else:
                        log.info(
                            "button box %s started: firmware %s, %s buttons",
                            panel,
                            version,
                            buttons,
                        )
                    if buttons is not None:
                        self._check_bindings(buttons)
                case ButtonReleased():
                    pass
                case FrameDropped(_, reason, detail):
                    self._dropped(reason.value, detail)

    def _check_bindings(self, buttons: int) -> None:
        """HELLO told the panel's size: a binding beyond it can never be pressed."""
        component = f"{self.component}:bindings"
        missing = [(n, b) for n, b in self.config.buttons if n > buttons]
        if missing:
            self.binding_faults.add(component)
            self._call(
                self.on_fault,
                component,
                f"panel {self.config.id} has {buttons} buttons but inputs.buttonboxes binds "
                f"button {_bound_list(missing)}: those alarms cannot be raised from it",
            )
        elif component in self.binding_faults:
            self.binding_faults.discard(component)
            self._call(
                self.on_clear,
                component,
                f"panel {self.config.id} has {buttons} buttons: every binding fits",
            )

    def _dropped(self, reason: str, detail: str) -> None:
        panel = self.config.id
        log.debug("button box %s: dropped frame (%s): %s", panel, reason, detail)
        try:
            self.on_dropped(self.component, reason)
        except Exception:  # a broken counter must not stop the input
            log.exception("button box %s: drop hook failed", panel)
        now = self.clock()
        recent = self._recent_drops
        recent.append(now)
        while recent and now - recent[0] > DROP_WARN_WINDOW:
            recent.popleft()
        warned = self._drops_warned_at
        if len(recent) > DROP_WARN_COUNT and (warned is None or now - warned >= DROP_WARN_WINDOW):
            self._drops_warned_at = now
            by_reason = ", ".join(
                f"{r.value} {n}" for r, n in self.session.stats.dropped.items() if n
            )
            log.warning(
                "button box %s: %d frames dropped in the last %.0f s (since start: %s); "
                "check the line (cable, termination, baud rate)",
                panel,
                len(recent),
                DROP_WARN_WINDOW,
                by_reason,
            )

    def _call(self, fn: OnFault, component: str, detail: str) -> bool:
        try:
            fn(component, detail)
        except Exception:  # a broken hook must not stop the input
            log.exception("button box %s: fault hook failed", self.config.id)
            return False
        return True

    def _press(self, number: int, seq: int) -> None:
        button_id = self.config.button_id(number)
        if button_id is None:
            # Someone pressed for help and no alarm can follow: that must reach a
            # person like any other failed input, not only a log line.
            component = f"{self.component}:{number}:unbound"
            detail = (
                f"panel {self.config.id} button {number} pressed but bound to no controller "
                f"button in inputs.buttonboxes (bound: {_bound_list(self.config.buttons)}); "
                "no alarm raised"
            )
            log.error("button box %s: %s", self.config.id, detail)
            self.binding_faults.add(component)
            # acknowledged once the fault is reported; if the hook failed the
            # panel repeats the press and it is tried again
            ok = self._call(self.on_fault, component, detail)
            self.session.press_done(seq, ok=ok, now=self.clock())
            return
        source = f"{self.component}:{number}"
        log.info("button box %s: button %d pressed -> %s", self.config.id, number, button_id)
        task = asyncio.get_running_loop().create_task(self._trigger(button_id, source, seq))
        self._press_tasks.add(task)
        task.add_done_callback(self._press_tasks.discard)

    async def _trigger(self, button_id: str, source: str, seq: int) -> None:
        ok = False
        try:
            result: Any = self.on_press(button_id, source)
            if inspect.isawaitable(result):
                await result
            ok = True
        except Exception as exc:
            log.error(
                "button box %s: press of %s refused: %s (the panel will repeat it)",
                self.config.id,
                button_id,
                exc,
            )
        self.session.press_done(seq, ok=ok, now=self.clock())
        self._flush()


def attach_buttonboxes(
    controller: Controller,
    config: AlarmConfig,
    *,
    on_fault: OnFault = _nothing,
    on_clear: OnFault = _nothing,
    on_dropped: OnDropped = _nothing,
    clock: Callable[[], float] = time.monotonic,
) -> list[ButtonBoxInput]:
    """One :class:`ButtonBoxInput` per configured panel, bound to ``controller``.

    Presses call ``controller.trigger(button=<bound id>, source="buttonbox:<panel>:<n>")``;
    LEDs follow each alarm's ``led`` (SLOW sent, ON accepted, FAST failed) via
    ``controller.subscribe``.  The caller starts and stops the inputs.
    """

    async def press(button_id: str, source: str) -> None:
        await controller.trigger(button=button_id, source=source)

    inputs = [
        ButtonBoxInput(
            box,
            on_press=press,
            on_fault=on_fault,
            on_clear=on_clear,
            on_dropped=on_dropped,
            clock=clock,
        )
        for box in config.inputs.buttonboxes
    ]

    def changed(event: AlarmChanged) -> None:
        if event.button is None:
            return
        for inp in inputs:
            inp.set_led(event.button, LedMode(str(event.led)))

    if inputs:
        controller.subscribe(changed)
    return inputs
