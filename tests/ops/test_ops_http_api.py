"""The HTTP API against a fake controller: every endpoint and every refusal."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tetrakit.alarm.http_api import (
    BadRequest,
    HttpApi,
    Triggered,
    TriggerRequest,
    parse_cancel,
    parse_listen,
    parse_trigger,
)
from tetrakit.alarm.metrics import AlarmMetrics
from tetrakit.errors import TetrakitError

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


class FakeBackend:
    def __init__(self) -> None:
        self.triggers: list[tuple[TriggerRequest, str]] = []
        self.cancelled: list[str] = []
        self.reasons: list[str | None] = []
        self.by_button: dict[str, str] = {}
        self.alarms: dict[str, dict[str, Any]] = {}
        self.journal_error: str | None = None
        self.ready = (True, [])

    async def trigger(self, request: TriggerRequest, *, source: str) -> Triggered:
        if request.button is not None and request.button not in ("B3-312", "B5-520"):
            raise LookupError(f"unknown button {request.button!r}")
        if self.journal_error:
            raise TetrakitError(self.journal_error)
        if request.button is not None and request.button in self.by_button:
            # a repeated press: the running alarm's id (the controller's duplicate rule)
            return Triggered(self.by_button[request.button], duplicate=True)
        alarm_id = f"A{len(self.triggers) + 1}"
        self.triggers.append((request, source))
        self.alarms[alarm_id] = {"id": alarm_id, "state": "dispatched"}
        if request.button is not None:
            self.by_button[request.button] = alarm_id
        return Triggered(alarm_id)

    async def cancel(
        self, alarm_id: str, *, source: str, reason: str | None = None
    ) -> dict[str, Any]:
        if alarm_id not in self.alarms:
            raise LookupError(alarm_id)
        if self.alarms[alarm_id]["state"] == "cancelled":
            raise ValueError(f"alarm {alarm_id} is already cancelled")
        self.alarms[alarm_id]["state"] = "cancelled"
        self.cancelled.append(alarm_id)
        self.reasons.append(reason)
        return self.alarms[alarm_id]

    def list_alarms(self) -> list[dict[str, Any]]:
        return list(self.alarms.values())

    def alarm_detail(self, alarm_id: str) -> dict[str, Any]:
        alarm = self.alarms[alarm_id]  # KeyError is a LookupError
        return {**alarm, "recipients": [{"issi": 2001, "timeline": []}], "positions": []}

    def readiness(self) -> tuple[bool, list[str]]:
        return self.ready


async def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if raw is None:
        head = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status_line, _, rest = data.partition(b"\r\n")
    header_blob, _, payload = rest.partition(b"\r\n\r\n")
    hdrs = {}
    for line in header_blob.decode("latin-1").split("\r\n"):
        k, _, v = line.partition(":")
        hdrs[k.lower()] = v.strip()
    return int(status_line.split()[1]), hdrs, payload


def run_api(test: Any, *, token: str | None = TOKEN, **kwargs: Any) -> None:
    async def main() -> None:
        backend = FakeBackend()
        metrics = AlarmMetrics()
        api = HttpApi(
            backend, render_metrics=metrics.render, token=token, host="127.0.0.1", port=0,
            **kwargs,
        )
        await api.start()
        try:
            async with asyncio.timeout(20):
                await test(api.port, backend, metrics)
        finally:
            await api.stop()

    asyncio.run(main())


def test_trigger_by_button_is_accepted_and_journaled() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        status, headers, body = await request(
            port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH
        )
        assert status == 202
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body) == {"id": "A1", "status": "accepted and journaled",
                                    "duplicate": False}
        req, source = backend.triggers[0]
        assert req == TriggerRequest(button="B3-312")
        assert source.startswith("http:127.0.0.1:")
        # the same button again within the duplicate window: said so, with the running id
        status, _, body = await request(
            port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH
        )
        assert status == 202
        assert json.loads(body) == {"id": "A1", "status": "duplicate of a running alarm",
                                    "duplicate": True}
        assert len(backend.triggers) == 1

    run_api(t)


def test_trigger_by_type_with_location_object_or_text() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        loc = {"building": "B", "floor": 3, "room": "312", "latitude": 62.46, "longitude": 6.34}
        body = json.dumps({"alarm_type": "HJERTESTANS", "location": loc}).encode()
        status, _, _ = await request(port, "POST", "/api/alarms", body, AUTH)
        assert status == 202
        body = json.dumps({"alarm_type": "HJERTESTANS", "location": "Akuttmottak"}).encode()
        status, _, _ = await request(port, "POST", "/api/alarms", body, AUTH)
        assert status == 202
        assert backend.triggers[0][0].location == {
            "building": "B", "floor": "3", "room": "312", "latitude": 62.46, "longitude": 6.34
        }
        assert backend.triggers[1][0].location == "Akuttmottak"

    run_api(t)


@pytest.mark.parametrize(
    ("body", "ctype", "status", "error"),
    [
        (b"{bad", "application/json", 400, "body is not JSON"),
        (b"[1]", "application/json", 400, "must be a JSON object, got list"),
        (b'{"reason": 5}', "application/json", 400, "'reason' must be a text"),
        (b'{"why": "x"}', "application/json", 400, "unknown key(s) in cancel body: why"),
        (b"false alarm", "text/plain", 415, "must be application/json (or no body)"),
        (b"{}", None, 415, "got Content-Type 'none'"),
    ],
)
def test_cancel_refuses_a_malformed_body(
    body: bytes, ctype: str | None, status: int, error: str
) -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        await request(port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if ctype is not None:
            headers["Content-Type"] = ctype
        got, _, answer = await request(port, "POST", "/api/alarms/A1/cancel", body, headers)
        assert got == status and error in json.loads(answer)["error"]
        assert backend.cancelled == []  # nothing was cancelled on a bad request

    run_api(t)


def test_cancel_takes_an_empty_body_or_a_reason() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        await request(port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH)
        await request(port, "POST", "/api/alarms", b'{"button": "B5-520"}', AUTH)
        status, _, _ = await request(port, "POST", "/api/alarms/A1/cancel",
                                     b'{"reason": "pressed by mistake"}', AUTH)
        assert status == 200
        status, _, _ = await request(port, "POST", "/api/alarms/A2/cancel", b"",
                                     {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert backend.cancelled == ["A1", "A2"]
        assert backend.reasons == ["pressed by mistake", None]

    run_api(t)
    assert parse_cancel(b"  ") is None and parse_cancel(b'{"reason": " "}') is None


def test_list_detail_cancel_and_unknown_ids() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        await request(port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH)
        status, _, body = await request(port, "GET", "/api/alarms")
        assert status == 200 and json.loads(body) == {
            "alarms": [{"id": "A1", "state": "dispatched"}]
        }
        status, _, body = await request(port, "GET", "/api/alarms/A1")
        assert status == 200 and json.loads(body)["recipients"][0]["issi"] == 2001
        status, _, body = await request(port, "GET", "/api/alarms/A99")
        assert status == 404 and json.loads(body) == {"error": "no alarm 'A99'"}
        status, _, body = await request(port, "POST", "/api/alarms/A1/cancel", b"", AUTH)
        assert status == 200 and json.loads(body)["status"] == "cancelled"
        assert backend.cancelled == ["A1"]
        status, _, body = await request(port, "POST", "/api/alarms/A1/cancel", b"", AUTH)
        assert status == 409 and "already cancelled" in json.loads(body)["error"]
        status, _, body = await request(port, "POST", "/api/alarms/A7/cancel", b"", AUTH)
        assert status == 404 and json.loads(body) == {"error": "no alarm 'A7'"}

    run_api(t)


@pytest.mark.parametrize(
    ("headers", "www"),
    [
        ({}, 'Bearer realm="tetrakit-alarm"'),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 'Bearer realm="tetrakit-alarm"'),
        ({"Authorization": "Bearer wrong"}, 'Bearer realm="tetrakit-alarm", error="invalid_token"'),
    ],
)
def test_bad_tokens_get_401_with_a_challenge(headers: dict[str, str], www: str) -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        h = {"Content-Type": "application/json", **headers}
        for path in ("/api/alarms", "/api/alarms/A1/cancel"):
            body = b'{"button": "B3-312"}' if path == "/api/alarms" else b""
            status, hdrs, payload = await request(port, "POST", path, body, h)
            assert status == 401
            assert hdrs["www-authenticate"] == www
            assert json.loads(payload)["error"]
        assert backend.triggers == [] and backend.cancelled == []

    run_api(t)


def test_without_a_configured_token_changes_are_refused() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        status, _, body = await request(port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH)
        assert status == 403 and "no http.token" in json.loads(body)["error"]
        status, _, _ = await request(port, "GET", "/api/alarms")
        assert status == 200  # reading needs no token

    run_api(t, token=None)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "empty body"),
        (b"{not json", "body is not JSON: Expecting property name"),
        (b"[1, 2]", "body must be a JSON object, got list"),
        (b'{"button": "B3-312", "colour": "red"}', "unknown field 'colour'"),
        (b"{}", 'give exactly one of "button" or "alarm_type"'),
        (b'{"button": "B3-312", "alarm_type": "X"}', 'give exactly one of "button"'),
        (b'{"button": 17}', '"button" must be a non-empty string'),
        (b'{"alarm_type": "HJERTESTANS"}', '"location" is required'),
        (b'{"alarm_type": "HJERTESTANS", "location": 5}', '"location" must be an object or'),
        (b'{"alarm_type": "X", "location": {"roof": 1}}', "unknown field 'location.roof'"),
        (b'{"alarm_type": "X", "location": {"latitude": 95, "longitude": 6}}', "between -90"),
        (b'{"alarm_type": "X", "location": {"latitude": 62.4}}', "both latitude and longitude"),
        (b'{"alarm_type": "X", "location": {"latitude": "n"}}', "must be a number"),
        (b'{"button": "B9-999"}', "unknown button 'B9-999'"),
        (b"\xff\xfe", "body is not UTF-8"),
    ],
)
def test_malformed_bodies_get_400_naming_the_problem(body: bytes, error: str) -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        status, _, payload = await request(port, "POST", "/api/alarms", body, AUTH)
        assert status == 400
        assert error in json.loads(payload)["error"]
        assert backend.triggers == []

    run_api(t)


def test_other_refusals() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        h = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"}
        status, _, body = await request(port, "POST", "/api/alarms", b"B3-312", h)
        assert status == 415 and "application/json" in json.loads(body)["error"]
        status, hdrs, body = await request(port, "DELETE", "/api/alarms")
        assert status == 405 and hdrs["allow"] == "GET, POST"
        status, _, body = await request(port, "GET", "/nope")
        assert status == 404 and json.loads(body) == {"error": "no such endpoint: /nope"}
        big = b'{"button": "' + b"x" * 70_000 + b'"}'
        status, _, body = await request(port, "POST", "/api/alarms", big, AUTH)
        assert status == 413 and "body too large" in json.loads(body)["error"]
        status, _, body = await request(port, "GET", "/", raw=b"NONSENSE\r\n\r\n")
        assert status == 400 and "malformed HTTP request" in json.loads(body)["error"]
        # the journal cannot take it: refused with the reason, never dropped
        backend.journal_error = "journal: database or disk is full"
        status, _, body = await request(port, "POST", "/api/alarms", b'{"button": "B3-312"}', AUTH)
        assert status == 503
        assert json.loads(body) == {
            "error": "alarm NOT accepted: journal: database or disk is full"
        }

    run_api(t)


def test_healthz_readyz_and_keep_alive() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        status, _, body = await request(port, "GET", "/healthz")
        assert status == 200 and json.loads(body) == {"status": "alive"}
        status, _, body = await request(port, "GET", "/readyz")
        assert status == 200 and json.loads(body) == {"ready": True}
        backend.ready = (False, ["no radio is registered", "journal is not writable"])
        status, _, body = await request(port, "GET", "/readyz")
        assert status == 503
        data = json.loads(body)
        assert data["reasons"] == ["no radio is registered", "journal is not writable"]
        assert data["error"] == "no radio is registered; journal is not writable"
        # two requests on one connection
        raw = (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        data2 = await reader.read()
        writer.close()
        assert data2.count(b"HTTP/1.1 200") == 2

    run_api(t)


def test_idle_and_slow_clients_are_cut_off() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /api/alarms HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        data = await reader.read()
        writer.close()
        assert data.startswith(b"HTTP/1.1 408")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await reader.read() == b""  # idle: closed without a word
        writer.close()

    run_api(t, request_timeout=0.2)


def test_metrics_are_prometheus_text() -> None:
    async def t(port: int, backend: FakeBackend, metrics: AlarmMetrics) -> None:
        metrics.alarm_raised("HJERTESTANS")
        metrics.alarm_finished("HJERTESTANS", "resolved")
        metrics.first_send(0.004)
        metrics.first_accept(12.5)
        metrics.sds_result("primary", ok=True)
        metrics.sds_result("primary", ok=True)
        metrics.sds_result("secondary", ok=False)
        metrics.link_state("primary", "healthy", -71.0)
        metrics.link_state("secondary", "faulty")
        metrics.input("panel-a", "lost")
        status, headers, body = await request(port, "GET", "/metrics")
        assert status == 200 and headers["content-type"].startswith("text/plain")
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(body.decode())
            for s in fam.samples
        }
        assert samples[("tetrakit_alarms_total",
                        (("alarm_type", "HJERTESTANS"), ("outcome", "resolved")))] == 1
        assert samples[("tetrakit_sds_sent_total", (("radio", "primary"),))] == 2
        assert samples[("tetrakit_sds_failed_total", (("radio", "secondary"),))] == 1
        assert samples[("tetrakit_radio_link_state",
                        (("radio", "secondary"), ("state", "faulty")))] == 1
        assert samples[("tetrakit_radio_link_state",
                        (("radio", "secondary"), ("state", "healthy")))] == 0
        assert samples[("tetrakit_radio_rssi_dbm", (("radio", "primary"),))] == -71.0
        assert samples[("tetrakit_input_state", (("input", "panel-a"), ("state", "lost")))] == 1
        assert samples[("tetrakit_alarm_time_to_first_send_seconds_bucket",
                        (("le", "0.01"),))] == 1
        assert samples[("tetrakit_alarm_time_to_first_accept_seconds_count", ())] == 1
        assert samples[("tetrakit_alarms_open", ())] == 0

    run_api(t)


def test_parse_helpers() -> None:
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen("8080")
    with pytest.raises(BadRequest, match="leave it out"):
        parse_trigger(b'{"button": "B3-312", "location": "x"}')
