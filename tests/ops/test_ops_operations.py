"""Operations wired to a real controller with an in-memory radio: metrics, positions, faults."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tetrakit import lip
from tetrakit.alarm.config import parse_config
from tetrakit.alarm.controller import Controller
from tetrakit.alarm.dispatcher import IncomingSds
from tetrakit.alarm.engine import SendState
from tetrakit.alarm.faults import FaultKind
from tetrakit.alarm.journal import Journal
from tetrakit.alarm.operations import Operations, fault_targets
from tetrakit.alarm.radio_pool import SupervisedRadioPool
from tetrakit.alarm.sdnotify import SdNotifier
from tetrakit.alarm.supervision import PollOutcome

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hospital.yaml"


class Handle:
    async def wait_accepted(self) -> None:
        return None

    async def wait_result(self) -> bool:
        return True


class MemoryRadio:
    """Accepts and sends every SDS at once and remembers it."""

    def __init__(self, radio_id: str) -> None:
        self.id = radio_id
        self.sent: list[tuple[int, bytes, int, bool]] = []

    def is_healthy(self) -> bool:
        return True

    async def send_sds(self, destination: int, data: bytes, bits: int, *, group: bool,
                       access_priority: int) -> Handle:
        self.sent.append((destination, data, bits, group))
        return Handle()

    async def supervision_poll(self) -> PollOutcome:
        return PollOutcome(answered=True, registered=True, rssi_dbm=-70.0)

    async def reinit(self) -> None:
        return None


def _samples(ops: Operations) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(ops.metrics.render().decode())
        for s in fam.samples
    }


def test_metrics_positions_and_journal_faults_from_a_real_controller(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'listen: "127.0.0.1:8080"', "listen: null"
    )
    cfg = parse_config(text, file="hospital.yaml", base=tmp_path)
    now = [1_000_000.0]

    async def main() -> None:
        radio = MemoryRadio("primary")
        pool = SupervisedRadioPool([radio])
        controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool,
                                clock=lambda: now[0])
        ops = Operations(cfg, controller, pool, {"primary": radio}, notifier=SdNotifier(""),
                         clock=lambda: now[0])
        await controller.start()
        await ops.start()
        reply = await controller.trigger(button="B3-312", source="test")
        alarm = controller.engine.alarm(reply.alarm_id)
        async with asyncio.timeout(5):
            while not all(r.calls for r in alarm.recipients.values()) or any(
                    s.state is not SendState.SENT for s in alarm.sends.values()):
                await asyncio.sleep(0)  # let the dispatcher task run
            await ops.position_requests.idle()
        # every individual was asked for its position after the call-outs (PI 0x0A)
        lip_requests = [d for d, data, _, _ in radio.sent if data[:1] == b"\x0a"]
        assert sorted(lip_requests) == [2001, 2002, 2003, 2004, 2005]
        # 2001 reports 30 m north of the button; 2001 accepts 12 s after the trigger
        data, bits = lip.to_sds(lip.ShortLocationReport.from_position(62.46479, 6.34512))
        now[0] += 12
        controller.incoming(IncomingSds("primary", 2001, 12, data, bits))
        controller.incoming(IncomingSds("primary", 2001, 13, (0x8001).to_bytes(2, "big"), 16))
        detail = ops.alarm_detail(reply.alarm_id)
        pos = {p["issi"]: p for p in detail["positions"]}
        assert 25 < pos[2001]["distance_m"] < 35 and pos[2001]["age_s"] == 0.0
        assert pos[2002]["position"] is None
        # each recipient's own timeline: added, call-out created, sent, its answer
        kari = next(r for r in detail["recipients"] if r["issi"] == 2001)
        kinds = [e["kind"] for e in kari["timeline"]]
        assert kinds[:2] == ["recipient", "send"] and kinds[-1] == "answer"
        assert all(e.get("issi") == 2001 or e["key"].split("/")[1] == "2001"
                   for e in kari["timeline"])
        await controller.cancel(reply.alarm_id, source="test")
        m = _samples(ops)
        assert m[("tetrakit_alarms_raised_total", (("alarm_type", "HJERTESTANS"),))] == 1
        assert m[("tetrakit_alarms_total",
                  (("alarm_type", "HJERTESTANS"), ("outcome", "cancelled")))] == 1
        assert m[("tetrakit_alarm_time_to_first_send_seconds_count", ())] == 1
        assert m[("tetrakit_alarm_time_to_first_send_seconds_sum", ())] == 0.0
        assert m[("tetrakit_alarm_time_to_first_accept_seconds_sum", ())] == 12.0
        assert m[("tetrakit_sds_sent_total", (("radio", "primary"),))] >= 6
        assert m[("tetrakit_alarms_open", ())] == 0
        # a journal that cannot commit: a fault through the controller's hook
        controller.journal._db.execute("PRAGMA query_only = ON")
        controller.incoming(IncomingSds("primary", 2002, 13, (0x8001).to_bytes(2, "big"), 16))
        controller.flush()  # the group commit of this turn of the loop, now
        assert (FaultKind.JOURNAL, "journal") in ops.faults.active
        ready, reasons = ops.readiness()
        assert not ready and any("journal" in r for r in reasons)
        await ops.stop()
        await controller.stop()

    asyncio.run(main())


def test_fault_targets_resolve_teams_groups_and_issis() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "targets: {issis: [1003]}", "targets: {teams: [traume], groups: [9100], issis: [1003]}"
    )
    cfg = parse_config(text, file="hospital.yaml")
    got: list[Any] = [(t.issi, t.group) for t in fault_targets(cfg, cfg.fault_alarm.targets)]
    assert got == [(2101, False), (2102, False), (2103, False), (9101, True), (9100, True),
                   (1003, False)]


def test_http_trigger_with_a_structured_location_keeps_its_coordinates(
    tmp_path: Path, ops_kit: Any
) -> None:
    port = ops_kit.free_port()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'listen: "127.0.0.1:8080"\n  token: null', f'listen: "127.0.0.1:{port}"\n  token: "t0k"'
    )
    cfg = parse_config(text, file="hospital.yaml", base=tmp_path)

    async def main() -> None:
        radio = MemoryRadio("primary")
        pool = SupervisedRadioPool([radio])
        controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool)
        ops = Operations(cfg, controller, pool, {"primary": radio}, notifier=SdNotifier(""))
        await controller.start()
        await ops.start()
        body = json.dumps({"alarm_type": "TRAUME", "location": {
            "building": "A", "floor": 1, "room": "101", "unit": "Akuttmottak",
            "latitude": 62.46431, "longitude": 6.34478}}).encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /api/alarms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Authorization: Bearer t0k\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 202")
        alarm_id = json.loads(answer.partition(b"\r\n\r\n")[2])["id"]
        alarm = controller.engine.alarm(alarm_id)
        assert alarm.text.startswith("TRAUMEALARM A1 rom 101 Akuttmottak #")
        assert alarm.location["latitude"] == 62.46431
        data, bits = lip.to_sds(lip.ShortLocationReport.from_position(62.46431, 6.34478))
        controller.incoming(IncomingSds("primary", 2101, 12, data, bits))
        pos = {p["issi"]: p for p in ops.alarm_detail(alarm_id)["positions"]}
        assert pos[2101]["distance_m"] < 2
        await ops.stop()
        await controller.stop()

    asyncio.run(main())
