"""Operations wired to a real controller with an in-memory radio: metrics, positions, faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
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
    cfg = _example_with_token(tmp_path, port)

    async def main() -> None:
        async with _running_ops(cfg, tmp_path) as (controller, ops):
            body = json.dumps({"alarm_type": "TRAUME", "location": {
                "building": "A", "floor": 1, "room": "101", "unit": "Akuttmottak",
                "latitude": 62.46431, "longitude": 6.34478}}).encode()
            status, answer = await _http_post(port, "/api/alarms", body, "t0k")
            assert status == 202
            alarm_id = answer["id"]
            alarm = controller.engine.alarm(alarm_id)
            assert alarm.text.startswith("TRAUMEALARM A1 rom 101 Akuttmottak #")
            assert alarm.location["latitude"] == 62.46431
            data, bits = lip.to_sds(lip.ShortLocationReport.from_position(62.46431, 6.34478))
            controller.incoming(IncomingSds("primary", 2101, 12, data, bits))
            pos = {p["issi"]: p for p in ops.alarm_detail(alarm_id)["positions"]}
            assert pos[2101]["distance_m"] < 2

    asyncio.run(main())


async def _http_get(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return answer.partition(b"\r\n\r\n")[2]


def test_metrics_count_each_alarm_once_first_send_and_first_accept_only(
    tmp_path: Path, ops_kit: Any
) -> None:
    """Scraped over HTTP: cancel messages after the end are no "first send", an accept
    after resolution no "first accept", and resolved-then-cancelled counts as resolved."""
    port = ops_kit.free_port()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'listen: "127.0.0.1:8080"', f'listen: "127.0.0.1:{port}"'
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

        async def sent(step: str) -> None:
            async with asyncio.timeout(5):
                while not (steps := [s for k, s in alarm.sends.items() if k.step == step]) \
                        or any(s.state is not SendState.SENT for s in steps):
                    await asyncio.sleep(0)  # let the dispatcher task run

        await sent("c1")
        accept = (0x8001).to_bytes(2, "big")
        now[0] += 12
        controller.incoming(IncomingSds("primary", 2001, 13, accept, 16))
        now[0] += 8
        controller.incoming(IncomingSds("primary", 2002, 13, accept, 16))  # 2 of 2: resolved
        controller.flush()
        assert alarm.state.value == "resolved"
        now[0] += 100
        controller.incoming(IncomingSds("primary", 2003, 13, accept, 16))  # late accept
        now[0] += 100
        await controller.cancel(reply.alarm_id, source="test")  # resolved, then cancelled
        await sent("x")  # the cancel messages went out (radio accepted, sent)
        page = (await _http_get(port, "/metrics")).decode()
        m = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(page) for s in fam.samples
        }
        assert m[("tetrakit_alarm_time_to_first_send_seconds_count", ())] == 1
        assert m[("tetrakit_alarm_time_to_first_send_seconds_sum", ())] == 0.0
        assert m[("tetrakit_alarm_time_to_first_accept_seconds_count", ())] == 1
        assert m[("tetrakit_alarm_time_to_first_accept_seconds_sum", ())] == 12.0
        assert m[("tetrakit_alarms_total",
                  (("alarm_type", "HJERTESTANS"), ("outcome", "resolved")))] == 1
        assert ("tetrakit_alarms_total",
                (("alarm_type", "HJERTESTANS"), ("outcome", "cancelled"))) not in m
        assert m[("tetrakit_alarms_open", ())] == 0
        await ops.stop()
        await controller.stop()

    asyncio.run(main())


def _example_with_token(tmp_path: Path, port: int) -> Any:
    """The example configuration with its HTTP API on ``port`` and the token ``t0k``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    old = 'listen: "127.0.0.1:8080"\n  token: null'
    assert old in text
    text = text.replace(old, f'listen: "127.0.0.1:{port}"\n  token: "t0k"')
    return parse_config(text, file="hospital.yaml", base=tmp_path)


@contextlib.asynccontextmanager
async def _running_ops(cfg: Any, tmp_path: Path) -> AsyncIterator[tuple[Controller, Operations]]:
    """A controller and its operations on one in-memory radio, stopped however the test ends."""
    radio = MemoryRadio("primary")
    pool = SupervisedRadioPool([radio])
    controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool)
    ops = Operations(cfg, controller, pool, {"primary": radio}, notifier=SdNotifier(""))
    await controller.start()
    await ops.start()
    try:
        yield controller, ops
    finally:
        await ops.stop()
        await controller.stop()


async def _http_post(port: int, path: str, body: bytes, token: str) -> tuple[int, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    answer = await reader.read()
    writer.close()
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


def test_http_duplicate_trigger_and_cancel_reason_through_the_real_controller(
    tmp_path: Path, ops_kit: Any
) -> None:
    port = ops_kit.free_port()
    cfg = _example_with_token(tmp_path, port)

    async def main() -> None:
        async with _running_ops(cfg, tmp_path) as (controller, _ops):
            status, first = await _http_post(port, "/api/alarms", b'{"button": "C2-214"}', "t0k")
            assert status == 202 and first["duplicate"] is False
            status, again = await _http_post(port, "/api/alarms", b'{"button": "C2-214"}', "t0k")
            assert status == 202 and again == {"id": first["id"], "duplicate": True,
                                               "status": "duplicate of a running alarm"}
            status, bad = await _http_post(port, f"/api/alarms/{first['id']}/cancel", b"{bad",
                                           "t0k")
            assert status == 400 and "not JSON" in bad["error"]
            status, done = await _http_post(port, f"/api/alarms/{first['id']}/cancel",
                                            b'{"reason": "drill"}', "t0k")
            assert status == 200 and done["alarm"]["state"] == "cancelled"
            facts = [f for f in controller.journal.events(first["id"]) if f.kind == "cancelled"]
            assert len(facts) == 1 and "reason: drill" in facts[0].data["source"]

    asyncio.run(main())


def test_control_socket_refuses_a_button_with_type_or_location(tmp_path: Path) -> None:
    """A button carries its own type and location: overriding them is refused, so a
    real press of that button is never swallowed as a duplicate of a made-up alarm."""
    from tetrakit.alarm.control import ControlServer

    text = EXAMPLE.read_text(encoding="utf-8").replace('listen: "127.0.0.1:8080"', "listen: null")
    cfg = parse_config(text, file="hospital.yaml", base=tmp_path)

    async def main() -> None:
        radio = MemoryRadio("primary")
        pool = SupervisedRadioPool([radio])
        controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool)
        await controller.start()
        server = ControlServer(controller, tmp_path / "ctl.sock")
        for req in ({"button": "C2-214", "type": "TEST", "location": "x"},
                    {"button": "C2-214", "type": "TEST"},
                    {"button": "C2-214", "location": "x"}):
            reply = await server.handle_line(json.dumps({"op": "trigger", **req}).encode())
            assert reply["ok"] is False, req
            assert "exactly one of 'button' or 'type'" in reply["error"] \
                or "takes no 'location'" in reply["error"]
        assert controller.engine.alarms == {}  # nothing was raised
        reply = await server.handle_line(b'{"op": "trigger", "button": "C2-214"}')
        assert reply["ok"] is True and reply["duplicate"] is False  # the real press
        await controller.stop()

    asyncio.run(main())


# ---------------------------------------------------------------------- reloads (SIGHUP)


def _ops_config(tmp_path: Path, port: int, auth: str, extra: str = "") -> Any:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'listen: "127.0.0.1:8080"\n  token: null', f'listen: "127.0.0.1:{port}"\n  {auth}'
    )
    return parse_config(text + extra, file="hospital.yaml", base=tmp_path)


async def _status(port: int, path: str, token: str | None = None) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    method = "POST" if token else "GET"
    body = b'{"alarm_type": "TEST", "location": "drill"}' if token else b""
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                 .encode() + body)
    answer = await reader.read()
    writer.close()
    return int(answer.split()[1])


def test_reload_with_an_unusable_token_or_port_keeps_the_running_api(
    tmp_path: Path, ops_kit: Any, caplog: Any
) -> None:
    """A reload must never take the HTTP API down, and READY=1 always follows RELOADING=1."""
    port = ops_kit.free_port()
    token_file = tmp_path / "token"
    token_file.write_text("first-token\n", encoding="utf-8")
    cfg = _ops_config(tmp_path, port, f'token_file: "{token_file}"')
    notify = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))

    async def main() -> None:
        radio = MemoryRadio("primary")
        pool = SupervisedRadioPool([radio])
        controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool)
        notifier = SdNotifier(str(notify))
        ops = Operations(cfg, controller, pool, {"primary": radio}, notifier=notifier)
        await controller.start()
        await ops.start()
        api = ops.http
        assert api is not None and await _status(port, "/healthz") == 200

        # 1. the token file became unreadable after the configuration was read
        new_file = tmp_path / "token2"
        new_file.write_text("second-token", encoding="utf-8")
        unreadable = _ops_config(tmp_path, port, f'token_file: "{new_file}"')
        new_file.unlink()
        await ops.reload(unreadable)
        assert notifier.sent[-2].startswith("RELOADING=1")
        assert notifier.sent[-1].startswith("READY=1")
        assert "reload refused" in notifier.sent[-1] and "http.token_file" in notifier.sent[-1]
        assert ops.http is api and ops.config is cfg
        assert await _status(port, "/healthz") == 200
        assert await _status(port, "/api/alarms", "first-token") == 202

        # 2. a new address that cannot be listened on: the old listener stays, with a fault
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = taken.getsockname()[1]
            moved = _ops_config(tmp_path, busy, f'token_file: "{token_file}"')
            await ops.reload(moved)
            assert notifier.sent[-1].startswith("READY=1\nSTATUS=running: configuration reloaded")
            assert ops.http is api and await _status(port, "/healthz") == 200
            fault = ops.faults.active[(FaultKind.INPUT, "http")]
            assert f"cannot listen on 127.0.0.1:{busy}" in fault.detail
            assert f"still on 127.0.0.1:{port}" in fault.detail

        # 3. the same address with a new token: applied on the running listener
        token_file.write_text("third-token", encoding="utf-8")
        await ops.reload(_ops_config(tmp_path, port, f'token_file: "{token_file}"'))
        assert ops.http is api
        assert await _status(port, "/api/alarms", "first-token") == 401
        assert await _status(port, "/api/alarms", "third-token") == 202
        assert (FaultKind.INPUT, "http") not in ops.faults.active  # listening as configured

        # 4. a part that fails while applying: logged, and READY=1 still follows
        def broken(**_: Any) -> None:
            raise RuntimeError("supervisor broke")

        ops.supervisor.reconfigure = broken  # type: ignore[method-assign]
        await ops.reload(cfg)
        assert notifier.sent[-1].startswith("READY=1")
        assert "reload failed part-way: supervisor broke" in notifier.sent[-1]
        await ops.stop()
        await controller.stop()

    try:
        asyncio.run(main())
    finally:
        sock.close()


def test_check_reports_an_unreadable_token_file_and_an_open_network_api(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from tetrakit.cli import cli

    base = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "alarm.yaml"
    path.write_text(base.replace("token: null", f'token_file: "{tmp_path}/nope"'),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["alarm", "check", str(path)])
    assert result.exit_code != 0
    msg = str(result.exception)
    line = next(i for i, x in enumerate(base.splitlines(), 1) if "token: null" in x)
    assert "cannot read the token file" in msg and f"{tmp_path}/nope" in msg
    assert f"alarm.yaml:{line}" in msg and "http.token_file" in msg
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    path.write_text(base.replace("token: null", f'token_file: "{tmp_path}/empty"'),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["alarm", "check", str(path)])
    assert "is empty" in str(result.exception)
    # reachable from the network without a token: refused
    path.write_text(base.replace('listen: "127.0.0.1:8080"', 'listen: "0.0.0.0:8080"'),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["alarm", "check", str(path)])
    assert "reachable from the network" in str(result.exception)
    assert "http.listen" in str(result.exception)
    for ok in ('listen: "[::1]:8080"', 'listen: "localhost:8080"'):
        path.write_text(base.replace('listen: "127.0.0.1:8080"', ok), encoding="utf-8")
        assert CliRunner().invoke(cli, ["alarm", "check", str(path)]).exit_code == 0
    path.write_text(base.replace('listen: "127.0.0.1:8080"', 'listen: "0.0.0.0:8080"')
                    .replace("token: null", 'token: "s3cret"'), encoding="utf-8")
    assert CliRunner().invoke(cli, ["alarm", "check", str(path)]).exit_code == 0


class FailingHandle(Handle):
    async def wait_result(self) -> bool:
        return False


class FlakyMemoryRadio(MemoryRadio):
    """Takes every SDS; the first ``failures`` are not sent over the air."""

    def __init__(self, radio_id: str, failures: int) -> None:
        super().__init__(radio_id)
        self.failures = failures
        self.sent_one = asyncio.Event()

    async def send_sds(self, destination: int, data: bytes, bits: int, *, group: bool,
                       access_priority: int) -> Handle:
        if self.failures:
            self.failures -= 1
            return FailingHandle()
        self.sent_one.set()
        return await super().send_sds(destination, data, bits, group=group,
                                      access_priority=access_priority)


def test_faults_are_journaled_retried_and_shown_by_alarm_status(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tetrakit.alarm.config import load_config
    from tetrakit.alarm.control import ControlServer
    from tetrakit.cli import cli

    path = tmp_path / "alarm.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        'listen: "127.0.0.1:8080"', "listen: null"), encoding="utf-8")
    cfg = load_config(path)

    async def main() -> None:
        radio = FlakyMemoryRadio("primary", failures=1)
        pool = SupervisedRadioPool([radio])
        controller = Controller(cfg, Journal(tmp_path / "j.sqlite3"), pool)
        ops = Operations(cfg, controller, pool, {"primary": radio}, notifier=SdNotifier(""))
        ops.faults.retry_interval = 0.05
        await controller.start()
        await ops.start()
        server = ControlServer(controller, cfg.control_socket)
        server.detail, server.health = ops.alarm_detail, ops.health  # as the daemon wires it
        await server.start()
        ops.input_fault("buttonbox panel-a", "lost: no heartbeat for 3 s")
        # the first notice was taken by the radio but not sent: it goes out on a retry
        async with asyncio.timeout(5):
            await radio.sent_one.wait()
        assert radio.sent[0][0] == 1003
        shown = await asyncio.to_thread(CliRunner().invoke, cli, ["alarm", "status", "-c",
                                                                  str(path)])
        assert shown.exit_code == 0, shown.output
        assert "ACTIVE FAULTS (1):" in shown.output
        assert "input buttonbox panel-a: lost: no heartbeat for 3 s" in shown.output
        as_json = await asyncio.to_thread(CliRunner().invoke, cli, ["alarm", "status", "-c",
                                                                    str(path), "--json"])
        health = json.loads(as_json.output.splitlines()[0])["health"]
        assert [f["component"] for f in health["faults"]] == ["buttonbox panel-a"]
        ops.input_clear("buttonbox panel-a", "heartbeat again")
        trail = [(f.kind, f.data["component"], f.data["detail"])
                 for f in controller.journal.events() if f.kind.startswith("fault_")]
        assert trail == [
            ("fault_raised", "buttonbox panel-a", "lost: no heartbeat for 3 s"),
            ("fault_cleared", "buttonbox panel-a", "heartbeat again"),
        ]
        shown = await asyncio.to_thread(CliRunner().invoke, cli, ["alarm", "status", "-c",
                                                                  str(path)])
        assert "ACTIVE FAULTS" not in shown.output
        await server.stop()
        await ops.stop()
        await controller.stop()

    asyncio.run(main())


def test_reload_warns_about_button_boxes_and_journal_and_rebinds_buttons(
    tmp_path: Path, caplog: Any
) -> None:
    import logging

    base = EXAMPLE.read_text(encoding="utf-8").replace('listen: "127.0.0.1:8080"', "listen: null")
    cfg = parse_config(base, file="hospital.yaml", base=tmp_path)

    def variant(old: str, new: str) -> Any:
        assert old in base
        return parse_config(base.replace(old, new), file="hospital.yaml", base=tmp_path)

    async def main() -> None:
        async with _running_ops(cfg, tmp_path) as (_controller, ops):
            swapped = "buttons: {1: B3-312, 2: A1-101, 3: B5-520, 4: C2-214}"
            with caplog.at_level(logging.INFO, logger="tetrakit.alarm.operations"):
                # bindings changed, the panel cannot take them while running: say so
                await ops.reload(variant("buttons: {1: B3-312, 2: A1-101, 3: C2-214, 4: B5-520}",
                                         swapped))
                assert "button box panel-a: button bindings changed; restart" in caplog.text
                caplog.clear()
                # a panel that can take new bindings gets them without a restart
                got: list[dict[int, str]] = []
                ops.watch_button_box("panel-a", got.append)
                await ops.reload(cfg)
                assert got == [{1: "B3-312", 2: "A1-101", 3: "C2-214", 4: "B5-520"}]
                assert "restart" not in caplog.text
                caplog.clear()
                await ops.reload(variant('port: "simpanel://panel-a?buttons=4"',
                                         'port: "/dev/ttyACM7"'))
                assert "button box panel-a changed in the configuration (port or timing); " \
                       "restart the daemon to apply" in caplog.text
                caplog.clear()
                await ops.reload(variant("journal: var/alarm-journal.sqlite3",
                                         "journal: var/other.sqlite3"))
                assert "journal changed in the configuration" in caplog.text
                assert "restart the daemon to apply" in caplog.text
                assert "button box panel-a changed" in caplog.text  # back to the old port
            warned = [r for r in caplog.records if "restart" in r.getMessage()]
            assert all(r.levelno == logging.WARNING for r in warned)

    asyncio.run(main())
