"""ButtonBoxInput against a simulated panel on a real pty, in real time.

The simulated panel runs the firmware's own protocol module in its host thread;
the input runs on asyncio.  Waiting is on callbacks (presses, faults, LED
changes, bytes moved), each bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from firmware_sim.buttonbox.hosting import PanelHost, PtyEndpoint
from firmware_sim.buttonbox.panel import SimPanel
from tetrakit.alarm.config import ButtonBox
from tetrakit.alarm.inputs.buttonbox import ButtonBoxInput
from tetrakit.alarm.inputs.buttonbox_codec import LedMode

pytestmark = pytest.mark.timeout(30)

BOX = ButtonBox(id="panel-a", port="", buttons=((1, "B3-312"), (2, "A1-101")))


class Watch:
    """Re-checks conditions whenever something happened (any thread)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self.presses: list[tuple[str, str]] = []
        self.faults: list[tuple[str, str]] = []
        self.clears: list[tuple[str, str]] = []

    def poke(self) -> None:
        self.loop.call_soon_threadsafe(self._changed.set)

    async def until(self, cond: Callable[[], bool], timeout: float = 5.0) -> float:
        start = time.monotonic()
        async with asyncio.timeout(timeout):
            while not cond():
                self._changed.clear()
                if cond():
                    break
                await self._changed.wait()
        return time.monotonic() - start

    def on_fault(self, component: str, detail: str) -> None:
        self.faults.append((component, detail))
        self.poke()

    def on_clear(self, component: str, detail: str) -> None:
        self.clears.append((component, detail))
        self.poke()


@pytest.fixture
def host() -> Iterator[PanelHost]:
    h = PanelHost()
    yield h
    h.stop()


@asynccontextmanager
async def running(
    host: PanelHost, *, on_press: Callable[[str, str], object] | None = None
) -> AsyncIterator[tuple[Watch, SimPanel, ButtonBoxInput]]:
    watch = Watch()
    panel = host.new_panel("panel-a", 4)
    endpoint = PtyEndpoint()
    panel.led_listeners.append(lambda change: watch.poke())
    host.listeners.append(watch.poke)

    def press(button_id: str, source: str) -> object:
        watch.presses.append((button_id, source))
        watch.poke()
        return on_press(button_id, source) if on_press else None

    box = ButtonBox(id=BOX.id, port=endpoint.path, buttons=BOX.buttons)
    inp = ButtonBoxInput(box, on_press=press, on_fault=watch.on_fault, on_clear=watch.on_clear)
    host.attach(panel, endpoint)
    await inp.start()
    try:
        await inp.wait_connected(5)
        yield watch, panel, inp
    finally:
        await inp.stop()
        host.detach(panel.id)
        endpoint.close()


def test_press_over_pty_is_one_trigger_and_leds_follow(host: PanelHost) -> None:
    async def main() -> None:
        async with running(host) as (watch, panel, inp):
            await watch.until(lambda: inp.state == "ok")
            host.call("panel-a", lambda p, now: p.press(1, now))
            await watch.until(lambda: bool(watch.presses))
            await watch.until(lambda: not panel.fw.pending)  # acknowledged
            assert watch.presses == [("B3-312", "buttonbox:panel-a:1")]
            inp.set_led("B3-312", LedMode.SLOW)
            await watch.until(lambda: panel.led(1) == "SLOW")
            inp.set_led("B3-312", LedMode.ON)
            await watch.until(lambda: panel.led(1) == "ON")
            assert panel.led_modes(1)[-2:] == ["SLOW", "ON"]
            assert watch.presses == [("B3-312", "buttonbox:panel-a:1")]
            assert inp.stats.presses == 1

    asyncio.run(main())


def test_press_of_unbound_button_is_a_fault_not_lost(host: PanelHost) -> None:
    async def main() -> None:
        async with running(host) as (watch, panel, inp):
            await watch.until(lambda: inp.state == "ok", timeout=10)
            host.call("panel-a", lambda p, now: p.press(3, now))  # the panel has 4; 3 unbound
            await watch.until(lambda: bool(watch.faults), timeout=10)
            # acknowledged after the fault
            await watch.until(lambda: not panel.fw.pending, timeout=10)
            assert watch.presses == []
            assert watch.faults[0][0] == "buttonbox:panel-a:3:unbound"
            assert "panel panel-a button 3 pressed" in watch.faults[0][1]
            assert inp.state == "fault"

    asyncio.run(main())


def test_refused_press_is_repeated_until_taken(host: PanelHost) -> None:
    attempts: list[int] = []

    def flaky(button_id: str, source: str) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("journal is read-only")

    async def main() -> None:
        async with running(host, on_press=flaky) as (watch, panel, inp):
            await watch.until(lambda: inp.state == "ok")
            host.call("panel-a", lambda p, now: p.press(2, now))
            await watch.until(lambda: len(watch.presses) == 2)
            await watch.until(lambda: not panel.fw.pending)
            assert [b for b, _ in watch.presses] == ["A1-101", "A1-101"]
            assert panel.fw.retransmissions >= 1

    asyncio.run(main())


def test_cut_wire_and_silent_panel_raise_faults_within_3_s(host: PanelHost) -> None:
    async def main() -> None:
        async with running(host) as (watch, panel, inp):
            await watch.until(lambda: inp.state == "ok")
            host.call("panel-a", lambda p, now: p.set_loop(2, "OPEN", now))
            took = await watch.until(lambda: bool(watch.faults), timeout=3.0)
            assert took < 3.0
            assert watch.faults[0][0] == "buttonbox:panel-a:2"
            assert "OPEN" in watch.faults[0][1] and "A1-101" in watch.faults[0][1]
            assert inp.state == "fault"
            await watch.until(lambda: panel.led(2) == "FAST")
            host.call("panel-a", lambda p, now: p.set_loop(2, "NORMAL", now))
            await watch.until(lambda: bool(watch.clears))
            assert watch.clears[0][0] == "buttonbox:panel-a:2"

            host.call("panel-a", lambda p, now: p.hang(now))
            took = await watch.until(lambda: len(watch.faults) == 2, timeout=3.5)
            assert watch.faults[1][0] == "buttonbox:panel-a"
            assert "lost" in watch.faults[1][1]
            # lost 3 s after the last frame, which came before the hang; the exact bound is
            # shown on the virtual clock (test_session.py), here the event loop may lag a bit
            assert took <= 3.5
            assert inp.state == "lost"
            host.call("panel-a", lambda p, now: p.resume(now))
            await watch.until(lambda: len(watch.clears) == 2)
            assert watch.clears[1][0] == "buttonbox:panel-a"

    asyncio.run(main())


def test_noisy_line_loses_nothing(host: PanelHost) -> None:
    async def main() -> None:
        async with running(host) as (watch, panel, inp):
            await watch.until(lambda: inp.state == "ok")
            host.call("panel-a", lambda p, now: p.noise(now, 3.0, rate=0.6))
            host.call("panel-a", lambda p, now: p.press(1, now))
            await watch.until(lambda: bool(watch.presses))
            await watch.until(lambda: not panel.fw.pending, timeout=10)
            assert watch.presses == [("B3-312", "buttonbox:panel-a:1")]
            dropped = sum(inp.stats.dropped.values())
            assert dropped > 0

    asyncio.run(main())


def test_simpanel_url_and_panel_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tetrakit.cli import cli

    monkeypatch.setenv("TETRAKIT_RUNTIME_DIR", str(tmp_path))

    async def main() -> None:
        watch = Watch()

        def press(button_id: str, source: str) -> None:
            watch.presses.append((button_id, source))
            watch.poke()

        box = ButtonBox(id="panel-u", port="simpanel://panel-u?buttons=2", buttons=BOX.buttons)
        inp = ButtonBoxInput(box, on_press=press)
        await inp.start()
        try:
            await inp.wait_connected(5)
            await watch.until(lambda: (tmp_path / "tetrakit-panel-panel-u.sock").exists())
            result = await asyncio.to_thread(
                CliRunner().invoke, cli, ["panel", "--panel", "panel-u", "press", "2"]
            )
            assert result.exit_code == 0, result.output
            assert "loops 1:NORMAL 2:PRESSED" in result.output
            async with asyncio.timeout(5):
                while not watch.presses:
                    await asyncio.sleep(0.02)  # waiting for a condition, bounded
            assert watch.presses == [("A1-101", "buttonbox:panel-u:2")]
            result = await asyncio.to_thread(CliRunner().invoke, cli, ["panel", "status"])
            assert result.exit_code == 0 and "panel panel-u" in result.output
            result = await asyncio.to_thread(CliRunner().invoke, cli, ["panel", "press", "7"])
            assert result.exit_code == 1 and "buttons 1-2" in result.output
        finally:
            await inp.stop()
        assert not (tmp_path / "tetrakit-panel-panel-u.sock").exists()

    asyncio.run(main())


def test_port_that_cannot_be_opened_is_a_lost_panel() -> None:
    async def main() -> None:
        watch = Watch()
        box = ButtonBox(id="nowhere", port="/dev/does-not-exist", lost_after=1.0, buttons=())
        inp = ButtonBoxInput(box, on_press=lambda b, s: None, on_fault=watch.on_fault)
        await inp.start()
        try:
            took = await watch.until(lambda: bool(watch.faults), timeout=3.0)
            assert watch.faults == [("buttonbox:nowhere", watch.faults[0][1])]
            assert "lost" in watch.faults[0][1]
            assert 0.9 <= took <= 1.5
            assert inp.state == "lost" and not inp.connected
        finally:
            await inp.stop()

    asyncio.run(main())
