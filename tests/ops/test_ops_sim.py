"""The daemon's operations against the simulator: failover, faults, reboots, journal, positions.

Each test runs the real daemon (controller, dispatcher, radio sessions over
``tetrasim://`` ports, supervision, fault alarms, HTTP API) against a private
simulated world (its own seed) on the real clock, with supervision polling
every 0.5 s and 2 misses making a radio faulty.  Waiting is event-driven:
``until()`` re-checks its condition on every world-log entry, journaled fact
and fault notice.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tetrakit.alarm.engine import AlarmState
from tetrakit.alarm.faults import FaultKind
from tetrakit.alarm.supervision import LinkState
from tetrakit.cli import cli as cli_main

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]

TEAM = [2001, 2002, 2003, 2004, 2005]


def _config(tmp_path: Path, ops_kit: Any, seed: int, **kw: Any) -> Path:
    path = tmp_path / "alarm.yaml"
    path.write_text(ops_kit.config_text(tmp_path, seed=seed, **kw), encoding="utf-8")
    return path


def _notices(sd: Any, kind: FaultKind, component: str) -> list[Any]:
    return [n for n in sd.ops.faults.history if n.kind is kind and n.component == component]


def _texts_to(sd: Any, issi: int) -> list[tuple[int, str]]:
    return [(e["from"], e.get("text", "")) for e in sd.log("sds_submitted", to=issi)]


async def _http(port: int, method: str, path: str, body: bytes = b"",
                token: str | None = None) -> tuple[int, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"{method} {path} HTTP/1.1", "Host: x", "Connection: close"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if method == "POST":
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    data = await reader.read()
    writer.close()
    head_blob, _, payload = data.partition(b"\r\n\r\n")
    status = int(head_blob.split()[1])
    ctype = [h for h in head_blob.split(b"\r\n") if h.lower().startswith(b"content-type")]
    if ctype and b"json" in ctype[0]:
        return status, json.loads(payload)
    return status, payload.decode()


def test_primary_dies_secondary_carries_on_fault_and_recovery(
    tmp_path: Path, ops_kit: Any
) -> None:
    seed = 101

    async def main() -> None:
        async with ops_kit.running(_config(tmp_path, ops_kit, seed), seed=seed) as sd:
            sup = sd.ops.supervisor
            await sd.until(lambda: sup.state("secondary") is LinkState.HEALTHY, 10,
                           "secondary healthy")
            sd.fault(1001, "reboot", duration=3.0)  # silent 3 s, back without registrations
            await sd.until(lambda: bool(_notices(sd, FaultKind.RADIO, "primary")), 10,
                           "a fault notice for the primary")
            # the fault alarm went out through the secondary to the fault target 1003
            await sd.until(lambda: any(t.startswith("FAULT radio primary") and f == 1002
                                       for f, t in _texts_to(sd, 1003)), 10,
                           "the fault SDS to 1003 via 1002")
            # an alarm now: the secondary carries every call-out
            reply = await sd.controller.trigger(button="B3-312", source="test")
            alarm = sd.controller.engine.alarm(reply.alarm_id)

            def callouts() -> list[dict[str, Any]]:
                return [e for e in sd.log("sds_submitted")
                        if f"#{reply.alarm_id}" in str(e.get("text", ""))]

            await sd.until(lambda: {e["to"] for e in callouts()} >= {*TEAM, 9100}, 15,
                           "every recipient's call-out on the air")
            assert {e["from"] for e in callouts()} == {1002}
            # the primary comes back: recovery reported, re-initialised, traffic returns
            await sd.until(lambda: any(not n.raised for n in
                                       _notices(sd, FaultKind.RADIO, "primary")), 30,
                           "the primary's recovery notice")
            await sd.until(lambda: any(t.startswith("RECOVERED radio primary")
                                       for _, t in _texts_to(sd, 1003)), 10,
                           "the recovery SDS to 1003")
            primary = sd.daemon.links[0].radio
            health = primary.health()
            assert health.reinit_count >= 1 and health.registered  # registrations restored
            assert sd.daemon.pool.select().id == "primary"
            # nothing sent twice for the same recipient and step
            keys = [f.data["key"] for f in alarm.timeline if f.kind == "send"]
            assert len(keys) == len(set(keys))

    asyncio.run(main())


def test_radio_reboots_mid_alarm_no_sds_lost_or_doubled(tmp_path: Path, ops_kit: Any) -> None:
    seed = 102

    async def main() -> None:
        async with ops_kit.running(_config(tmp_path, ops_kit, seed), seed=seed) as sd:
            reply = await sd.controller.trigger(button="B3-312", source="test")
            sd.fault(1001, "reboot", duration=2.0)  # while the call-outs are being written
            alarm = sd.controller.engine.alarm(reply.alarm_id)

            def delivered() -> set[int]:
                return {e["to"] for e in sd.log("sds_delivered")
                        if e["to"] in TEAM and any(
                            s["id"] == e["id"] and f"#{reply.alarm_id}" in str(s.get("text", ""))
                            for s in sd.log("sds_submitted", to=e["to"]))}

            await sd.until(lambda: delivered() >= set(TEAM), 45,
                           "the call-out delivered to every team member")
            await sd.until(lambda: all(
                s.state.value == "sent" for s in alarm.sends.values()), 15, "every send sent")
            facts = alarm.timeline
            keys = [f.data["key"] for f in facts if f.kind == "send"]
            assert len(keys) == len(set(keys)), "a send key was created twice"
            # each send key was accepted by exactly one radio and sent once
            accepted = [f.data["key"] for f in facts
                        if f.kind == "send_state" and f.data["state"] == "radio_accepted"]
            sent = [f.data["key"] for f in facts
                    if f.kind == "send_state" and f.data["state"] == "sent"]
            assert sorted(accepted) == sorted(set(accepted)) == sorted(keys)
            assert sorted(sent) == sorted(keys)
            # on the air: each individual got the call-out once per send step, no more
            for issi in TEAM:
                steps = [k for k in keys if k.split("/")[1] == str(issi)]
                on_air = [e for e in sd.log("sds_submitted", to=issi)
                          if f"#{reply.alarm_id}" in str(e.get("text", ""))]
                assert len(on_air) == len(steps), (issi, on_air, steps)
            # the reboot moved traffic: the secondary carried call-outs
            radios = {f.data["radio"] for f in facts
                      if f.kind == "send_state" and f.data["state"] == "radio_accepted"}
            assert "secondary" in radios
            assert alarm.state in (AlarmState.ACTIVE, AlarmState.RESOLVED)

    asyncio.run(main())


def test_silent_radio_is_faulty_within_the_configured_time(
    tmp_path: Path, ops_kit: Any
) -> None:
    seed = 103
    interval, misses = 0.5, 2

    async def main() -> None:
        cfg = _config(tmp_path, ops_kit, seed, interval=interval, misses=misses)
        async with ops_kit.running(cfg, seed=seed) as sd:
            loop = asyncio.get_running_loop()
            sup = sd.ops.supervisor
            await sd.until(lambda: sup.state("secondary") is LinkState.HEALTHY, 10, "healthy")
            started = loop.time()
            sd.fault(1002, "reboot", duration=600.0)  # stays silent
            await sd.until(lambda: bool(_notices(sd, FaultKind.RADIO, "secondary")), 10,
                           "a fault for the silent secondary")
            took = loop.time() - started
            # misses x interval, plus the poll that was running, plus scheduling slack
            assert took <= (misses + 1) * interval + 1.5, took
            assert sup.state("secondary") is LinkState.FAULTY
            status, ready = await _http(sd.http_port, "GET", "/readyz")
            assert status == 200 and ready == {"ready": True}  # the primary still works
            status, text = await _http(sd.http_port, "GET", "/metrics")
            assert 'tetrakit_radio_link_state{radio="secondary",state="faulty"} 1.0' in text

    asyncio.run(main())


def _fill_journal(db: sqlite3.Connection) -> None:
    """Make the journal's database full: no new page allowed, the last pages filled up.

    ``PRAGMA max_page_count`` holds the file at its size (a full disk); filler
    rows then use the free room left in the pages of the events table and its
    index, so the next alarm needs a page it cannot get.
    """
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    for size in (400, 40, 1):
        for _ in range(10_000):
            try:
                with db:
                    db.execute("INSERT INTO events (at, alarm_id, kind, data) "
                               "VALUES (0, 'filler', 'filler', ?)", ("x" * size,))
            except sqlite3.OperationalError as exc:
                assert "full" in str(exc)
                break


@pytest.mark.parametrize("failure", ["full", "read-only"])
def test_failing_journal_refuses_the_trigger_and_raises_a_fault(
    tmp_path: Path, ops_kit: Any, failure: str
) -> None:
    seed = 104 if failure == "full" else 106

    async def main() -> None:
        async with ops_kit.running(_config(tmp_path, ops_kit, seed), seed=seed) as sd:
            db = sd.daemon.journal._db
            if failure == "full":
                _fill_journal(db)
            else:
                # as a read-only disk: SQLite refuses every write on this connection
                # (the tests run as root, which ignores file modes)
                db.execute("PRAGMA query_only = ON")
            body = json.dumps({"button": "B3-312"}).encode()
            status, answer = await _http(sd.http_port, "POST", "/api/alarms", body,
                                         ops_kit.token)
            assert status == 503
            assert answer["error"].startswith("alarm NOT accepted: alarm refused, not journaled")
            assert ("full" if failure == "full" else "readonly") in answer["error"]
            assert sd.controller.engine.open_alarms() == []  # refused, not half-raised
            await sd.until(lambda: any(t.startswith("FAULT journal journal")
                                       for _, t in _texts_to(sd, 1003)), 10,
                           "the journal fault SDS to 1003")
            status, ready = await _http(sd.http_port, "GET", "/readyz")
            assert status == 503 and ready["ready"] is False
            assert any(r.startswith("journal") for r in ready["reasons"])
            db.execute("PRAGMA max_page_count = 1073741823")  # space again
            db.execute("PRAGMA query_only = OFF")  # writable again
            status, answer = await _http(sd.http_port, "POST", "/api/alarms", body,
                                         ops_kit.token)
            assert status == 202 and answer["status"] == "accepted and journaled"
            await sd.until(lambda: any(not n.raised for n in
                                       _notices(sd, FaultKind.JOURNAL, "journal")), 10,
                           "the journal's recovery notice")

    asyncio.run(main())


def test_positions_three_members_move_and_status_shows_distances(
    tmp_path: Path, ops_kit: Any
) -> None:
    seed = 105
    scenario_src = Path(__file__).resolve().parents[2] / "firmware_sim" / "scenarios" / \
        "hospital.yaml"
    scenario = tmp_path / "moving.yaml"
    # the built-in hospital, with position reports every second
    scenario.write_text(
        scenario_src.read_text(encoding="utf-8")
        .replace("name: hospital", "name: moving", 1)
        .replace("interval: 120", "interval: 1"),
        encoding="utf-8",
    )

    async def main() -> None:
        cfg = _config(tmp_path, ops_kit, seed, scenario=str(scenario))
        async with ops_kit.running(cfg, seed=seed, scenario=str(scenario)) as sd:
            reply = await sd.controller.trigger(button="B3-312", source="test")
            port = sd.http_port

            async def positions() -> dict[int, Any]:
                status, detail = await _http(port, "GET", f"/api/alarms/{reply.alarm_id}")
                assert status == 200
                return {p["issi"]: p for p in detail["positions"]}

            radios = {1001, 1002}

            def asked() -> set[int]:
                return {e["to"] for e in sd.log("sds_submitted")
                        if e.get("kind") == "lip" and e.get("from") in radios}

            def answered() -> set[int]:
                # reason for sending 32: "response to an immediate location request";
                # the periodic reports (every second here) carry 129 and do not count
                return {e["from"] for e in sd.log("lip_report") if e.get("reason") == 32}

            # the LIP immediate request went from a controller radio to every individual
            # recipient, and the simulated members answered it
            await sd.until(lambda: asked() >= set(TEAM), 15, "location requests")
            await sd.until(lambda: answered() >= set(TEAM[:3]), 15,
                           "answers to the location requests")
            await sd.until(lambda: sd.ops.positions.by_reason.get(32, 0) >= 3, 15,
                           "the answers recorded by the controller")
            await sd.until(lambda: all(sd.ops.positions.last(i) for i in TEAM[:3]), 15,
                           "positions of three members")
            first = await positions()
            for issi in TEAM[:3]:
                p = first[issi]
                assert p["position"] is not None and p["distance_m"] is not None
                assert 0 <= p["distance_m"] < 500 and p["age_s"] >= 0
            before = {i: (first[i]["position"]["latitude"], first[i]["position"]["longitude"])
                      for i in TEAM[:3]}
            # the CLI status of the alarm (over the control socket) shows the same
            # positions: last position, age and distance per responder
            shown = await asyncio.to_thread(
                CliRunner().invoke, cli_main,
                ["alarm", "status", "-c", str(cfg), reply.alarm_id],
            )
            assert shown.exit_code == 0, shown.output
            block = shown.output.split("positions:\n", 1)[1].split("timeline:", 1)[0]
            for issi in TEAM[:3]:
                line = next(x for x in block.splitlines() if x.strip().startswith(str(issi)))
                assert " s ago " in line and " m away" in line
            as_json = await asyncio.to_thread(
                CliRunner().invoke, cli_main,
                ["alarm", "status", "-c", str(cfg), "--json", reply.alarm_id],
            )
            cli_pos = {p["issi"]: p for p in json.loads(as_json.output)["positions"]}
            assert all(cli_pos[i]["distance_m"] is not None for i in TEAM[:3])

            def moved() -> bool:
                now = {i: sd.ops.positions.last(i) for i in TEAM[:3]}
                return all(f is not None and (f.latitude, f.longitude) != before[i]
                           for i, f in now.items())

            await sd.until(moved, 20, "three members reporting new positions")
            later = await positions()
            for issi in TEAM[:3]:
                assert (later[issi]["position"]["latitude"],
                        later[issi]["position"]["longitude"]) != before[issi]
                assert later[issi]["distance_m"] is not None

    asyncio.run(main())


def test_http_port_taken_is_a_fault_not_a_dead_daemon(tmp_path: Path, ops_kit: Any) -> None:
    seed = 107
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def main() -> None:
            cfg = _config(tmp_path, ops_kit, seed, port=port)
            async with ops_kit.running(cfg, seed=seed) as sd:
                assert sd.ops.http is None
                fault = sd.ops.faults.active[(FaultKind.INPUT, "http")]
                assert f"cannot listen on 127.0.0.1:{port}" in fault.detail
                reply = await sd.controller.trigger(button="B3-312", source="test")
                assert reply.alarm_id == "A1"  # alarms still work

        asyncio.run(main())


def test_coverage_loss_makes_the_radio_faulty_until_it_registers_again(
    tmp_path: Path, ops_kit: Any
) -> None:
    seed = 108

    async def main() -> None:
        async with ops_kit.running(_config(tmp_path, ops_kit, seed), seed=seed) as sd:
            sup = sd.ops.supervisor
            await sd.until(lambda: sup.state("secondary") is LinkState.HEALTHY, 10, "healthy")
            sd.fault(1002, "coverage_loss", duration=3.0)  # answers, but not registered
            await sd.until(lambda: bool(_notices(sd, FaultKind.RADIO, "secondary")), 10,
                           "a fault for the secondary out of coverage")
            fault = _notices(sd, FaultKind.RADIO, "secondary")[0]
            assert fault.detail.startswith("not registered to the network (+CREG stat")
            assert sd.daemon.links[1].radio.state.value == "ready"  # the link itself is fine
            await sd.until(lambda: len(_notices(sd, FaultKind.RADIO, "secondary")) == 2, 15,
                           "the secondary's recovery")
            assert sup.state("secondary") is LinkState.HEALTHY

    asyncio.run(main())
