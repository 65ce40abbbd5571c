"""The asyncio controller and its control socket, with an in-memory radio."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tetrakit import sds
from tetrakit.alarm.control import ControlError, ControlServer, request
from tetrakit.alarm.controller import AlarmRefusedError, Controller
from tetrakit.alarm.dispatcher import IncomingSds, StaticRadioPool
from tetrakit.alarm.engine import AlarmChanged, AlarmEngine, Led, Record, UnknownAlarmError
from tetrakit.alarm.http_api import HttpApi
from tetrakit.alarm.journal import Journal
from tetrakit.alarm.operations import _Backend

from .fakes import FakeHandle, FakeRadio
from .helpers import async_test, make_config


def _make(tmp_path: Path, radio: FakeRadio) -> Controller:
    cfg = make_config(base=tmp_path)
    journal = Journal(tmp_path / "j.sqlite3")
    return Controller(cfg, journal, StaticRadioPool([radio]))


def status(radio: str, sender: int, value: int) -> IncomingSds:
    return IncomingSds(radio, sender, 13, value.to_bytes(2, "big"), 16)


def text(radio: str, sender: int, t: str, mr: int = 5) -> IncomingSds:
    data, bits = sds.encode(sds.text_message(t, message_reference=mr))
    return IncomingSds(radio, sender, 12, data, bits)


@async_test
async def test_trigger_journals_before_sending_and_resolves(tmp_path: Path) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    changes: list[AlarmChanged] = []
    c.subscribe(changes.append)
    journal_seen_at_first_write: list[list[str]] = []

    def on_write(send: object, radio_id: str) -> None:
        if not journal_seen_at_first_write:
            other = Journal(tmp_path / "j.sqlite3")
            journal_seen_at_first_write.append([f.kind for f in other.events("A1")])
            other.close()

    c.dispatcher.on_write = on_write
    await c.start()
    reply = await c.trigger(button="B3-312", source="test")
    assert reply.alarm_id == "A1" and reply.state == "journaled"
    await radio.wait_written(4)
    # another connection saw the committed alarm before the first SDS was written
    assert journal_seen_at_first_write[0][:2] == ["raised", "recipient"]
    by_dest = {w.destination: w for w in radio.written}
    assert set(by_dest) == {2001, 2002, 2003, 9100}
    both = sds.DeliveryReportRequest.RECEIVED_AND_CONSUMED
    assert by_dest[2001].pdu.delivery_report_request == both
    assert by_dest[9100].pdu.delivery_report_request == sds.DeliveryReportRequest.NONE
    assert by_dest[2001].access_priority == 2
    # a short report "consumed" for 2001, then two accepts
    mr = by_dest[2001].pdu.message_reference
    c.incoming(status("fake", 2001, sds.short_report_status(3, mr).value))
    c.incoming(status("fake", 2001, 0x8001))
    c.incoming(text("fake", 2002, "OK"))
    c.flush()  # group commit: what came in during this turn of the loop is journaled now
    detail = c.alarm_detail("A1")
    assert detail["state"] == "resolved"
    rec = {r["issi"]: r for r in detail["recipients"]}
    assert rec[2001]["delivery"] == "consumed" and rec[2001]["answer"] == "accept"
    assert changes[-1].led is Led.ON
    kinds = [f.kind for f in c.journal.events("A1")]
    assert kinds[0] == "raised" and kinds[-1] == "resolved" and kinds.count("answer") == 2
    await c.stop()


@async_test
async def test_priority_order(tmp_path: Path) -> None:
    radio = FakeRadio(healthy=False)
    pool_c = _make(tmp_path, radio)
    await pool_c.start()
    await pool_c.trigger(button="A1-101")  # low priority
    await pool_c.trigger(button="B3-312")  # high priority
    radio.healthy = True
    await radio.wait_written(5)
    ids = [w.pdu.user_data.text.rsplit("#", 1)[1] for w in radio.written]  # type: ignore[union-attr]
    assert ids == ["A2", "A2", "A2", "A2", "A1"]  # the low-priority alarm goes last
    await pool_c.stop()


@async_test
async def test_busy_radio_is_retried(tmp_path: Path) -> None:
    radio = FakeRadio(busy_times=1)
    c = _make(tmp_path, radio)
    c.dispatcher.retry_delay = 0.01
    await c.start()
    await c.trigger(button="A1-101")
    await radio.wait_written(1)
    assert radio.written[0].destination == 2003
    await c.stop()


@async_test
async def test_journal_failure_refuses_trigger(tmp_path: Path) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    await c.start()
    c.journal._db.execute("PRAGMA query_only=1")  # stands in for a full or read-only disk
    with pytest.raises(AlarmRefusedError, match=r"not journaled.*j\.sqlite3"):
        await c.trigger(button="B3-312")
    assert c.list_alarms() == []
    assert c.health()["journal"] == "failing"
    await asyncio.sleep(0)
    assert radio.written == []
    c.journal._db.execute("PRAGMA query_only=0")
    assert (await c.trigger(button="B3-312")).alarm_id == "A2"
    await c.stop()


@async_test
async def test_control_socket(tmp_path: Path) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    await c.start()
    server = ControlServer(c, tmp_path / "ctl.sock")
    await server.start()
    assert stat.S_IMODE((tmp_path / "ctl.sock").stat().st_mode) == 0o600

    def call(req: dict[str, object]) -> dict[str, object]:
        return request(tmp_path / "ctl.sock", req)

    reply = await asyncio.to_thread(call, {"op": "trigger", "button": "B3-312"})
    assert reply["alarm_id"] == "A1" and reply["state"] == "journaled"
    dup = await asyncio.to_thread(call, {"op": "trigger", "button": "B3-312"})
    assert dup["alarm_id"] == "A1" and dup["duplicate"] is True
    listing = await asyncio.to_thread(call, {"op": "list"})
    assert [a["id"] for a in listing["alarms"]] == ["A1"]  # type: ignore[index]
    detail = await asyncio.to_thread(call, {"op": "detail", "alarm_id": "A1"})
    assert detail["alarm"]["timeline"][0]["kind"] == "raised"  # type: ignore[index]
    cancelled = await asyncio.to_thread(call, {"op": "cancel", "alarm_id": "A1"})
    assert cancelled["state"] == "cancelled"
    with pytest.raises(ControlError, match="unknown button 'NOPE'"):
        await asyncio.to_thread(call, {"op": "trigger", "button": "NOPE"})
    with pytest.raises(ControlError, match="no alarm 'A9'"):
        await asyncio.to_thread(call, {"op": "detail", "alarm_id": "A9"})
    with pytest.raises(ControlError, match="unknown op"):
        await asyncio.to_thread(call, {"op": "reboot"})
    assert (await server.handle_line(b"{not json"))["ok"] is False
    # a second server on the same socket is refused
    with pytest.raises(ControlError, match="already running"):
        await ControlServer(c, tmp_path / "ctl.sock").start()
    await server.stop()
    with pytest.raises(ControlError, match="no alarm controller is running"):
        request(tmp_path / "ctl.sock", {"op": "list"})
    await c.stop()


@async_test
async def test_cancel_while_queued_drops_callouts(tmp_path: Path) -> None:
    radio = FakeRadio(healthy=False)  # the radio is down: the call-outs wait in the queue
    c = _make(tmp_path, radio)
    await c.start()
    await c.trigger(button="A1-101")
    await c.cancel("A1", source="test")
    radio.healthy = True
    await radio.wait_written(1)
    texts = [w.pdu.user_data.text for w in radio.written]  # type: ignore[union-attr]
    assert texts == ["AVLYST AKUTT TILSYN A1 rom 101 #A1"]
    states = [f.data.get("state") for f in c.journal.events("A1") if f.kind == "send_state"]
    assert "failed" in states  # the dropped call-out is journaled, not silently lost
    await c.stop()


class _BrokenFor2001(FakeRadio):
    async def send_sds(self, destination: int, data: bytes, bits: int, *, group: bool,
                       access_priority: int) -> FakeHandle:
        if destination == 2001:
            raise RuntimeError("driver bug")
        if destination == 2002:
            raise ValueError("identity out of range")
        return await super().send_sds(destination, data, bits, group=group,
                                      access_priority=access_priority)


@async_test
async def test_one_bad_send_does_not_stop_the_queue(tmp_path: Path) -> None:
    radio = _BrokenFor2001()
    c = _make(tmp_path, radio)
    await c.start()
    await c.trigger(button="B3-312")
    await radio.wait_written(2)  # 2003 and the group still go out
    assert sorted(w.destination for w in radio.written) == [2003, 9100]
    c.flush()
    failed = {f.data["key"]: f.data["reason"] for f in c.journal.events("A1")
              if f.kind == "send_state" and f.data["state"] == "failed"}
    assert "internal error" in failed["A1/2001/c1"] and "refused" in failed["A1/2002/c1"]
    await c.stop()


@async_test
async def test_a_storm_of_triggers_shares_one_commit_and_each_is_on_disk_before_its_sds(
    tmp_path: Path,
) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    on_disk_at_first_write: dict[str, bool] = {}

    def on_write(send: object, radio_id: str) -> None:
        alarm_id = send.key.alarm_id  # type: ignore[attr-defined]
        if alarm_id not in on_disk_at_first_write:
            other = Journal(tmp_path / "j.sqlite3")
            on_disk_at_first_write[alarm_id] = [f.kind for f in other.events(alarm_id)][:1] == [
                "raised"]
            other.close()

    c.dispatcher.on_write = on_write
    transactions: list[list[str]] = []
    append = c.journal.append

    def recording_append(facts: Any) -> None:
        append(facts)
        transactions.append([f.kind for f in facts])

    c.journal.append = recording_append  # type: ignore[method-assign]
    await c.start()
    replies = await asyncio.gather(*(
        c.trigger(alarm_type="TILSYN", location=f"rom {n}", source="storm") for n in range(20)
    ))
    # 20 triggers of one turn of the loop: one transaction holds all of them
    with_raised = [kinds for kinds in transactions if "raised" in kinds]
    assert len(with_raised) == 1 and with_raised[0].count("raised") == 20
    ids = [r.alarm_id for r in replies]
    assert len(set(ids)) == 20
    # every reply came after its alarm was committed: another connection sees all of them
    other = Journal(tmp_path / "j.sqlite3")
    assert {a for a, state in other.alarm_states().items() if state == "active"} == set(ids)
    other.close()
    await radio.wait_written(20)
    assert on_disk_at_first_write == {i: True for i in ids}
    await c.stop()


@async_test
async def test_a_storm_that_cannot_be_journaled_is_refused_and_nothing_is_sent(
    tmp_path: Path,
) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    await c.start()
    c.journal._db.execute("PRAGMA query_only = ON")
    results = await asyncio.gather(*(
        c.trigger(alarm_type="TILSYN", location=f"rom {n}") for n in range(5)
    ), return_exceptions=True)
    assert all(isinstance(r, AlarmRefusedError) and "not journaled" in str(r) for r in results)
    assert c.engine.alarms == {} and not c.journal_ok
    c.journal._db.execute("PRAGMA query_only = OFF")
    reply = await c.trigger(alarm_type="TILSYN", location="rom 1")  # the journal is back
    await radio.wait_written(1)
    assert [w.destination for w in radio.written] == [2003]
    assert c.engine.alarm(reply.alarm_id).state.value == "active"
    await c.stop()


@async_test
async def test_next_sds_waits_in_the_radio_while_the_previous_is_written(tmp_path: Path) -> None:
    radio = FakeRadio(auto=False)  # accepts only when told
    c = _make(tmp_path, radio)
    await c.start()
    await c.trigger(button="B3-312")  # four call-outs
    await radio.wait_written(2)
    # the one being written and the next behind it; the dispatcher holds the rest
    assert len(radio.written) == 2 and c.dispatcher.queued == 2
    radio.handles[0].accepted.set_result(None)
    await radio.wait_written(3)
    assert len(radio.written) == 3 and c.dispatcher.queued == 1
    for h in radio.handles:
        if not h.accepted.done():
            h.accepted.set_result(None)
    await radio.wait_written(4)
    await c.stop()


@async_test
async def test_window_of_one_is_strictly_one_at_a_time(tmp_path: Path) -> None:
    radio = FakeRadio(auto=False)
    c = _make(tmp_path, radio)
    c.dispatcher.window = 1
    await c.start()
    await c.trigger(button="B3-312")
    await radio.wait_written(1)
    assert len(radio.written) == 1 and c.dispatcher.queued == 3
    radio.handles[0].accepted.set_result(None)
    await radio.wait_written(2)
    assert c.dispatcher.queued == 2
    await c.stop()


@async_test
async def test_location_outside_latin1_is_refused_by_every_input(tmp_path: Path) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    await c.start()
    with pytest.raises(AlarmRefusedError, match=r"'✚' \(U\+271A\)") as info:
        await c.trigger(alarm_type="TILSYN", location="Kantina ✚")
    assert "Latin-1" in str(info.value) and c.list_alarms() == []
    # the control socket (CLI) answers with the error, not an alarm
    server = ControlServer(c, tmp_path / "ctl.sock")
    reply = await server.handle_line(
        b'{"op": "trigger", "type": "TILSYN", "location": "rom \\u0394"}')
    assert reply["ok"] is False and "U+0394" in reply["error"]
    # the HTTP API answers 400
    api = HttpApi(_Backend(SimpleNamespace(controller=c)),  # type: ignore[arg-type]
                  render_metrics=lambda: b"", token="t0k", host="127.0.0.1", port=0)
    await api.start()
    try:
        body = json.dumps({"alarm_type": "TILSYN", "location": "Kantina ✚"}).encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
        writer.write(b"POST /api/alarms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k\r\n"
                     b"Content-Type: application/json\r\nConnection: close\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()
        answer = await reader.read()
        writer.close()
    finally:
        await api.stop()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert b"U+271A" in answer
    await asyncio.sleep(0)
    assert radio.written == [] and c.journal.alarm_states() == {}
    await c.stop()


@async_test
async def test_detail_of_an_old_closed_alarm_comes_from_the_journal(tmp_path: Path) -> None:
    cfg = make_config(base=tmp_path)
    journal = Journal(tmp_path / "j.sqlite3")
    eng = AlarmEngine(cfg)
    t = 1_800_000_000.0
    for n in range(55):  # more closed alarms than a restart loads
        res = eng.trigger(t + n, alarm_type="TILSYN", location=f"rom {n}")
        journal.append([a.fact for a in res.actions if isinstance(a, Record)])
        journal.append([a.fact for a in eng.cancel(t + n + 0.5, res.alarm_id)
                        if isinstance(a, Record)])
    c = Controller(cfg, journal, StaticRadioPool([FakeRadio()]))
    await c.start()
    assert "A1" not in c.engine.alarms and "A55" in c.engine.alarms
    detail = c.alarm_detail("A1")
    assert detail["id"] == "A1" and detail["state"] == "cancelled"
    assert detail["location"] == "rom 0"
    assert [e["kind"] for e in detail["timeline"]][:1] == ["raised"]
    assert "cancelled" in [e["kind"] for e in detail["timeline"]]
    assert [r["issi"] for r in detail["recipients"]] == [2003]
    assert "A1" not in c.engine.alarms  # the live engine is not touched
    with pytest.raises(UnknownAlarmError, match="no alarm 'A99'"):
        c.alarm_detail("A99")
    server = ControlServer(c, tmp_path / "ctl.sock")
    reply = await server.handle_line(b'{"op": "detail", "alarm_id": "A2"}')
    assert reply["ok"] is True and reply["alarm"]["state"] == "cancelled"
    await c.stop()


@async_test
async def test_cancel_of_a_resolved_alarm_is_sent_to_the_team(tmp_path: Path) -> None:
    radio = FakeRadio()
    c = _make(tmp_path, radio)
    await c.start()
    await c.trigger(button="A1-101")
    await radio.wait_written(1)
    c.incoming(status("fake", 2003, 0x8001))
    c.flush()
    assert c.alarm_detail("A1")["state"] == "resolved"
    assert (await c.cancel("A1", source="test"))["state"] == "cancelled"
    await radio.wait_written(2)
    assert radio.written[1].pdu.user_data.text == (  # type: ignore[union-attr]
        "AVLYST AKUTT TILSYN A1 rom 101 #A1")
    with pytest.raises(AlarmRefusedError, match="already cancelled"):
        await c.cancel("A1")
    await c.stop()
