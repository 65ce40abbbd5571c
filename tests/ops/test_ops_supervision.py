"""Radio link supervision: the sans-I/O policy and the asyncio supervisor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tetrakit.alarm.supervision import (
    LinkState,
    PollOutcome,
    RadioFaulty,
    RadioRecovered,
    RadioSupervision,
    ReinitRequested,
    registered_stat,
)
from tetrakit.alarm.supervisor import Supervisor
from tetrakit.errors import TransportError

GOOD = PollOutcome(answered=True, registered=True, rssi_dbm=-71.0)
SILENT = PollOutcome(answered=False, detail="no answer within 10 s")
UNREGISTERED = PollOutcome(answered=True, registered=False)


def _poll(sup: RadioSupervision, now: float, outcome: PollOutcome) -> list[Any]:
    assert sup.due(now)
    sup.poll_started(now)
    return sup.poll_finished(now + 0.1, outcome)


def test_registered_stat_home_and_roaming_only() -> None:
    assert [s for s in range(8) if registered_stat(s)] == [1, 5]
    assert not registered_stat(None)


def test_faulty_after_configured_misses_then_recovered_with_reinit() -> None:
    sup = RadioSupervision("primary", now=0.0, interval=10, misses=3)
    assert sup.state is LinkState.UNKNOWN
    assert _poll(sup, 0.0, GOOD) == []
    assert sup.state is LinkState.HEALTHY
    assert not sup.due(5.0) and sup.due(10.0)
    assert _poll(sup, 10.0, SILENT) == []
    assert sup.state is LinkState.DEGRADED and sup.usable
    assert _poll(sup, 20.0, SILENT) == []
    events = _poll(sup, 30.0, SILENT)
    assert [type(e) for e in events] == [RadioFaulty]
    assert events[0].radio_id == "primary" and "3 poll(s) in a row" in events[0].reason
    assert sup.state is LinkState.FAULTY and not sup.usable
    # still silent: no second fault event
    assert _poll(sup, 40.0, SILENT) == []
    events = _poll(sup, 50.0, GOOD)
    # answering again after silence: it may have rebooted, so re-init, and recovered
    assert [type(e) for e in events] == [ReinitRequested, RadioRecovered]
    assert events[1].down_for == pytest.approx(20.0)  # faulty at 30.1, back at 50.1
    assert sup.state is LinkState.HEALTHY and sup.bad_polls == 0


def test_not_registered_counts_as_bad_but_needs_no_reinit() -> None:
    sup = RadioSupervision("secondary", now=0.0, interval=5, misses=2)
    _poll(sup, 0.0, GOOD)
    assert _poll(sup, 5.0, UNREGISTERED) == []
    events = _poll(sup, 10.0, UNREGISTERED)
    assert isinstance(events[0], RadioFaulty)
    assert events[0].reason == "not registered to the network"
    assert [type(e) for e in _poll(sup, 15.0, GOOD)] == [RadioRecovered]


def test_reboot_seen_by_the_session_asks_for_reinit_at_once() -> None:
    sup = RadioSupervision("primary", now=0.0)
    rebooted = PollOutcome(answered=True, registered=True, rebooted=True)
    assert [type(e) for e in _poll(sup, 0.0, rebooted)] == [ReinitRequested]
    assert sup.state is LinkState.HEALTHY


def test_mark_faulty_is_immediate_and_once() -> None:
    sup = RadioSupervision("primary", now=0.0)
    _poll(sup, 0.0, GOOD)
    events = sup.mark_faulty(1.0, "port /dev/ttyUSB0 vanished")
    assert events == [RadioFaulty("primary", "port /dev/ttyUSB0 vanished", 1.0)]
    assert sup.mark_faulty(2.0, "again") == []
    assert sup.snapshot(3.0)["fault"] == "port /dev/ttyUSB0 vanished"


@pytest.mark.parametrize(("interval", "misses"), [(0, 3), (10, 0)])
def test_bad_settings_are_refused(interval: float, misses: int) -> None:
    with pytest.raises(ValueError, match="supervision"):
        RadioSupervision("r", now=0.0, interval=interval, misses=misses)


class FakeRadio:
    """A radio whose answers the test switches: ok, silent (hangs), unregistered."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.polls = 0
        self.reinits = 0

    async def supervision_poll(self) -> PollOutcome:
        self.polls += 1
        if self.mode == "silent":
            await asyncio.sleep(3600)  # never answers; the supervisor's timeout ends it
        if self.mode == "gone":
            raise TransportError("port closed")
        return PollOutcome(answered=True, registered=self.mode == "ok", rssi_dbm=-80.0)

    async def reinit(self) -> None:
        self.reinits += 1


def test_supervisor_silent_radio_faulty_within_configured_time(run_virtual: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        radios = {"primary": FakeRadio(), "secondary": FakeRadio()}
        events: list[Any] = []
        got_fault = asyncio.Event()
        recovered = asyncio.Event()

        def on_event(ev: Any) -> None:
            events.append((loop.time(), ev))
            if isinstance(ev, RadioFaulty):
                got_fault.set()
            if isinstance(ev, RadioRecovered):
                recovered.set()

        sup = Supervisor(radios, interval=10, misses=3, on_event=on_event)
        sup.start()
        await asyncio.sleep(25)  # virtual: a few healthy polls
        assert sup.state("primary") is LinkState.HEALTHY
        assert sup.healthy() == (True, "ok")
        silent_from = loop.time()
        radios["primary"].mode = "silent"
        async with asyncio.timeout(120):
            await got_fault.wait()
        fault_at, fault = events[-1]
        assert fault.radio_id == "primary"
        # detected within misses x interval (+ the poll in progress)
        assert fault_at - silent_from <= 3 * 10 + 10
        assert sup.state("secondary") is LinkState.HEALTHY  # the other radio is not held up
        assert not sup.usable("primary") and sup.usable("secondary")
        radios["primary"].mode = "ok"
        async with asyncio.timeout(60):
            await recovered.wait()
        assert radios["primary"].reinits == 1
        assert sup.state("primary") is LinkState.HEALTHY
        await sup.stop()

    run_virtual(main())


def test_supervisor_transport_error_counts_as_miss(run_virtual: Any) -> None:
    async def main() -> None:
        radio = FakeRadio()
        radio.mode = "gone"
        faults: list[Any] = []
        sup = Supervisor({"primary": radio}, interval=1, misses=2, on_event=faults.append)
        sup.start()
        await asyncio.sleep(2.5)
        assert [type(e) for e in faults] == [RadioFaulty]
        assert "port closed" in faults[0].reason
        await sup.stop()

    run_virtual(main())


def test_supervisor_health_fails_when_a_polling_task_dies_or_stalls(run_virtual: Any) -> None:
    async def main() -> None:
        radio = FakeRadio()
        sup = Supervisor({"primary": radio}, interval=1, misses=2)
        assert sup.healthy()[0] is False  # not started
        sup.start()
        await asyncio.sleep(1.5)
        assert sup.healthy() == (True, "ok")

        # the task ends (a bug): unhealthy at once
        sup._tasks["primary"].cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        ok, reason = sup.healthy()
        assert not ok and "stopped" in reason
        await sup.stop()

    run_virtual(main())


def test_supervisor_stalled_heartbeat_is_unhealthy() -> None:
    now = [0.0]
    sup = Supervisor({"primary": FakeRadio()}, interval=10, clock=lambda: now[0])

    async def main() -> None:
        sup.start()
        await asyncio.sleep(0)
        assert sup.healthy()[0]
        now[0] = 31.0  # no poll cycle finished for three intervals
        ok, reason = sup.healthy()
        assert not ok and "stalled" in reason
        await sup.stop()

    asyncio.run(main())
