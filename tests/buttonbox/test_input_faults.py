"""ButtonBoxInput: nothing a panel says is lost quietly (PROTOCOL.md §9).

* a press of a panel button bound to no controller button is an input fault
  naming the panel and the button, and acknowledged only once that fault was
  taken;
* a HELLO announcing fewer buttons than the configuration binds is a fault;
* every dropped frame reaches the ``tetrakit_input_frames_dropped_total``
  counter, and a burst of drops is a WARNING.

The panel side is a fake transport fed with literal frames; the clock is virtual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tetrakit.alarm.config import ButtonBox
from tetrakit.alarm.inputs.buttonbox import DROP_WARN_COUNT, ButtonBoxInput
from tetrakit.alarm.inputs.buttonbox_codec import Ack, Hello, Press, decode, encode
from tetrakit.alarm.metrics import AlarmMetrics

pytestmark = pytest.mark.timeout(20)

BOX = ButtonBox(id="panel-a", port="fake://", buttons=((1, "B3-312"), (2, "A1-101")))


class FakeTransport:
    """The host's end of the line; the test plays the panel."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.on_data: Callable[[bytes], None] | None = None
        self.wrote = asyncio.Event()

    def start(self, on_data: Callable[[bytes], None], on_lost: Callable[[Any], None]) -> None:
        self.on_data = on_data

    async def write(self, data: bytes) -> None:
        self.written += data
        self.wrote.set()

    async def close(self) -> None:
        return None

    def feed(self, data: bytes) -> None:
        assert self.on_data is not None
        self.on_data(data)

    def acks(self) -> list[int]:
        lines = bytes(self.written).splitlines()
        return [m.seq for m in map(decode, lines) if isinstance(m, Ack)]

    async def until_acks(self, want: list[int]) -> None:
        async with asyncio.timeout(5):
            while self.acks() != want:
                self.wrote.clear()
                await self.wrote.wait()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Hooks:
    def __init__(self) -> None:
        self.presses: list[tuple[str, str]] = []
        self.faults: list[tuple[str, str]] = []
        self.clears: list[tuple[str, str]] = []
        self.fail_faults = 0

    def on_press(self, button_id: str, source: str) -> None:
        self.presses.append((button_id, source))

    def on_fault(self, component: str, detail: str) -> None:
        if self.fail_faults:
            self.fail_faults -= 1
            raise RuntimeError("fault reporter down")
        self.faults.append((component, detail))

    def on_clear(self, component: str, detail: str) -> None:
        self.clears.append((component, detail))


@asynccontextmanager
async def running(
    box: ButtonBox = BOX, **kw: Any
) -> AsyncIterator[tuple[ButtonBoxInput, FakeTransport, Hooks, Clock]]:
    transport = FakeTransport()
    hooks = Hooks()
    clock = Clock()

    async def opener(url: str, baudrate: int) -> Any:
        return transport

    inp = ButtonBoxInput(
        box,
        on_press=hooks.on_press,
        on_fault=hooks.on_fault,
        on_clear=hooks.on_clear,
        clock=clock,
        opener=opener,
        **kw,
    )
    await inp.start()
    try:
        await inp.wait_connected(5)
        yield inp, transport, hooks, clock
    finally:
        await inp.stop()


# literal frames (check values worked out by hand, see test_codec.py)
HELLO_4 = b"!HELLO,0,1.0.0,4*C3E3\n"
PRESS_1_3 = b"!PRESS,1,3*7E1A\n"
PRESS_1_1 = b"!PRESS,1,1*5E58\n"


def test_literal_frames_used_here_are_valid() -> None:
    assert encode(Hello(0, "1.0.0", 4)) == HELLO_4
    assert encode(Press(1, 3)) == PRESS_1_3
    assert encode(Press(1, 1)) == PRESS_1_1


def test_unbound_press_is_a_fault_naming_panel_and_button() -> None:
    async def main() -> None:
        async with running() as (inp, transport, hooks, _clock):
            transport.feed(HELLO_4)
            transport.feed(PRESS_1_3)  # button 3: the panel has it, nothing is bound to it
            await transport.until_acks([1])
            assert hooks.presses == []
            assert len(hooks.faults) == 1
            component, detail = hooks.faults[0]
            assert component == "buttonbox:panel-a:3:unbound"
            assert "panel panel-a button 3 pressed" in detail
            assert "no alarm raised" in detail and "1 (B3-312)" in detail
            assert inp.state == "fault"
            # the panel's repeat (its ACK was lost) is acknowledged again, not a second fault
            transport.feed(PRESS_1_3)
            await transport.until_acks([1, 1])
            assert len(hooks.faults) == 1

    asyncio.run(main())


def test_unbound_press_is_not_acked_until_the_fault_is_taken() -> None:
    async def main() -> None:
        async with running() as (inp, transport, hooks, _clock):
            hooks.fail_faults = 1
            transport.feed(PRESS_1_3)
            assert inp.stats.acks == 0  # the session queues an ACK synchronously: none
            assert hooks.faults == []
            transport.feed(PRESS_1_3)  # the panel repeats it 500 ms later
            await transport.until_acks([1])
            assert [c for c, _ in hooks.faults] == ["buttonbox:panel-a:3:unbound"]

    asyncio.run(main())


def test_bound_press_is_no_fault() -> None:
    async def main() -> None:
        async with running() as (inp, transport, hooks, _clock):
            transport.feed(HELLO_4)
            transport.feed(PRESS_1_1)
            await transport.until_acks([1])
            assert hooks.presses == [("B3-312", "buttonbox:panel-a:1")]
            assert hooks.faults == []
            assert inp.state == "ok"

    asyncio.run(main())


def test_hello_with_fewer_buttons_than_bound_is_a_fault() -> None:
    box = ButtonBox(
        id="panel-a", port="fake://", buttons=((1, "B3-312"), (5, "C2-214"), (6, "B5-520"))
    )

    async def main() -> None:
        async with running(box) as (inp, transport, hooks, _clock):
            transport.feed(HELLO_4)
            assert len(hooks.faults) == 1
            component, detail = hooks.faults[0]
            assert component == "buttonbox:panel-a:bindings"
            assert "has 4 buttons" in detail
            assert "5 (C2-214), 6 (B5-520)" in detail and "B3-312" not in detail
            assert inp.state == "fault"
            # the same panel starting again: still known, not reported twice by the input
            transport.feed(HELLO_4)
            assert hooks.clears == []
            # a bigger panel put in its place clears it
            transport.feed(encode(Hello(0, "1.0.0", 8)))
            assert hooks.clears == [
                ("buttonbox:panel-a:bindings", "panel panel-a has 8 buttons: every binding fits")
            ]
            assert inp.state == "ok"

    asyncio.run(main())


def test_hello_that_fits_is_no_fault() -> None:
    async def main() -> None:
        async with running() as (_inp, transport, hooks, _clock):
            transport.feed(HELLO_4)
            assert hooks.faults == [] and hooks.clears == []

    asyncio.run(main())


def test_dropped_frames_reach_the_counter_and_a_burst_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = AlarmMetrics()

    async def main() -> None:
        async with running(on_dropped=metrics.frame_dropped) as (inp, transport, hooks, clock):
            caplog.set_level(logging.DEBUG, logger="tetrakit.alarm.inputs.buttonbox")
            transport.feed(b"!PRESS,1,3*7E1B\n")  # one bit off in the check value
            transport.feed(b"!PRESS,1*5E32\n")  # good check value, a field missing
            transport.feed(b"!ACK,17*2D2E\n")  # a host frame (echo)
            assert inp.dropped == 3
            assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
            # a burst: more than DROP_WARN_COUNT within the window is a WARNING, once
            for _ in range(DROP_WARN_COUNT):
                clock.now += 0.5
                transport.feed(b"!PRESS,1,3*0000\n")
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1
            msg = warnings[0].getMessage()
            assert "button box panel-a" in msg and "frames dropped" in msg
            # the 6th drop within 10 s warned: 3 above and 3 of the burst
            assert "6 frames dropped in the last 10 s" in msg
            assert "check 4, syntax 1, unexpected 1" in msg
            clock.now += 0.5
            transport.feed(b"!PRESS,1,3*0000\n")
            assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
            # a drop now and then, long after, does not warn again
            clock.now += 60
            transport.feed(b"!PRESS,1,3*0000\n")
            assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
            assert hooks.presses == []

    asyncio.run(main())
    page = metrics.render().decode()
    assert (
        'tetrakit_input_frames_dropped_total{input="buttonbox:panel-a",reason="check"} 8.0'
        in page
    )
    assert (
        'tetrakit_input_frames_dropped_total{input="buttonbox:panel-a",reason="syntax"} 1.0'
        in page
    )
    assert (
        'tetrakit_input_frames_dropped_total{input="buttonbox:panel-a",reason="unexpected"} 1.0'
        in page
    )


def test_daemon_service_counts_drops_in_the_operations_metrics() -> None:
    """ButtonBoxService wires each panel's drops to ``tetrakit_input_frames_dropped_total``."""
    import os
    import tty
    from types import SimpleNamespace

    from tetrakit.alarm.inputs.service import ButtonBoxService

    master, slave = os.openpty()
    tty.setraw(slave)
    metrics = AlarmMetrics()
    faults: list[tuple[str, str]] = []
    box = ButtonBox(id="panel-a", port=os.ttyname(slave), buttons=BOX.buttons)
    ops = SimpleNamespace(
        metrics=metrics,
        input_fault=lambda c, d: faults.append((c, d)),
        input_clear=lambda c, d: None,
        watch_input=lambda name, state: None,
        watch_button_box=lambda box_id, rebind: rebinders.update({box_id: rebind}),
    )
    rebinders: dict[str, Any] = {}
    controller = SimpleNamespace(subscribe=lambda cb: (lambda: None))
    daemon: Any = SimpleNamespace(
        controller=controller, ops=ops, config=SimpleNamespace(inputs=SimpleNamespace(
            buttonboxes=(box,)))
    )
    sample = 'tetrakit_input_frames_dropped_total{input="buttonbox:panel-a",reason="check"}'

    def counted() -> float:
        for line in metrics.render().decode().splitlines():
            if line.startswith(sample):
                return float(line.split()[-1])
        return 0.0

    async def main() -> None:
        service = ButtonBoxService()
        await service.start(daemon)
        try:
            await service.inputs[0].wait_connected(5)
            # a reload can rebind the panel's buttons through the operations
            assert rebinders["panel-a"] == service.inputs[0].rebind
            os.write(master, b"!PRESS,1,3*0000\n!PRESS,1,3*7E1B\n")
            async with asyncio.timeout(5):
                while counted() < 2:
                    await asyncio.sleep(0.01)  # the bytes cross a real pty; bounded
            assert counted() == 2
        finally:
            await service.stop()
            os.close(master)
            os.close(slave)

    asyncio.run(main())


def test_rebind_applies_new_bindings_without_reopening() -> None:
    """A reload (SIGHUP) that binds panel button 3 makes its next press an alarm."""
    PRESS_2_3 = encode(Press(2, 3))

    async def main() -> None:
        async with running() as (inp, transport, hooks, _clock):
            transport.feed(HELLO_4)
            transport.feed(PRESS_1_3)
            await transport.until_acks([1])
            assert [c for c, _ in hooks.faults] == ["buttonbox:panel-a:3:unbound"]
            inp.rebind({1: "B3-312", 3: "C2-214"})
            # the unbound-press fault is over, and button 2 lost its binding
            assert [c for c, _ in hooks.clears] == ["buttonbox:panel-a:3:unbound"]
            assert inp.led("A1-101") is None
            assert inp.state == "ok"
            transport.feed(PRESS_2_3)
            await transport.until_acks([1, 2])
            assert hooks.presses == [("C2-214", "buttonbox:panel-a:3")]
            with pytest.raises(ValueError):
                inp.rebind({0: "B3-312"})

    asyncio.run(main())
