"""The radio pool's choice, and the systemd unit's promises."""

from __future__ import annotations

import asyncio
import configparser
from pathlib import Path

import pytest

from tetrakit.alarm.faults import NoRadioAvailable
from tetrakit.alarm.radio_pool import SupervisedRadioPool
from tetrakit.radio import RadioSession, SdsState

UNIT = Path(__file__).resolve().parents[2] / "hw" / "systemd" / "tetrakit-alarm.service"


class Link:
    def __init__(self, radio_id: str) -> None:
        self.id = radio_id
        self.up = True

    def is_healthy(self) -> bool:
        return self.up

    async def send_sds(self, *a: object, **k: object) -> object:
        raise AssertionError("the pool never sends")


def test_pool_prefers_primary_and_fails_over_in_order() -> None:
    faulty: set[str] = set()
    p, s, x = Link("primary"), Link("secondary"), Link("spare")
    pool = SupervisedRadioPool([p, s, x], supervised_usable=lambda rid: rid not in faulty)
    changes: list[tuple[str, bool]] = []
    pool.listeners.append(lambda rid, up: changes.append((rid, up)))
    assert pool.select() is p
    assert pool.pick(avoid=["primary"]) is s
    faulty.add("primary")
    assert pool.select() is s
    pool.report_failure("secondary", "AT+CMGS: no answer")
    pool.report_failure("secondary", "again")  # reported once
    assert pool.select() is x
    # demoted, not excluded: better than no radio at all
    x.up = False
    assert pool.select() is s
    assert [r.id for r in pool.healthy_radios()] == ["secondary"]
    s.up = False
    assert pool.select() is None
    with pytest.raises(NoRadioAvailable) as err:
        pool.pick()
    assert str(err.value) == (
        "no usable radio (primary: faulty (supervision), "
        "secondary: session down, spare: session down)"
    )
    s.up = True
    assert pool.why_not("secondary") == "demoted: AT+CMGS: no answer"
    pool.report_working("secondary")
    assert pool.why_not("secondary") == "usable"
    assert changes == [("secondary", False), ("secondary", True)]


def test_pool_wakes_a_waiting_dispatcher() -> None:
    async def main() -> None:
        pool = SupervisedRadioPool([Link("primary")])
        waiter = asyncio.create_task(pool.wait_changed(30))
        await asyncio.sleep(0)
        pool.notify_changed()
        async with asyncio.timeout(5):
            await waiter

    asyncio.run(main())


def test_pool_refuses_bad_setups() -> None:
    with pytest.raises(ValueError, match="at least one radio"):
        SupervisedRadioPool([])
    with pytest.raises(ValueError, match="duplicate radio ids"):
        SupervisedRadioPool([Link("a"), Link("a")])


def test_systemd_unit_is_notify_with_watchdog_and_hardening() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    service = parser["Service"]
    assert service["Type"] == "notify"
    assert service["WatchdogSec"] == "30s"
    assert service["Restart"] in ("on-failure", "on-watchdog", "always")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["ExecStart"].endswith("tetrakit alarm run /etc/tetrakit/alarm.yaml")
    for key, value in {
        "ProtectSystem": "strict",
        "StateDirectory": "tetrakit-alarm",
        "NoNewPrivileges": "true",
        "PrivateTmp": "true",
        "ProtectHome": "true",
    }.items():
        assert service[key] == value, key
    assert parser["Install"]["WantedBy"] == "multi-user.target"


def test_a_queued_sds_can_be_withdrawn_for_failover_once() -> None:
    session = RadioSession("generic", now=0.0)
    handle = session.send_sds(2001, b"\x82\x00", 16, now=0.0)  # no link yet: it waits
    assert handle.state is SdsState.QUEUED
    assert session.withdraw(handle, 1.0, "radio primary is silent")
    assert handle.state is SdsState.FAILED
    assert "withdrawn: radio primary is silent" in str(handle.error)
    assert not session.withdraw(handle, 2.0, "again")  # gone: nothing to take back
