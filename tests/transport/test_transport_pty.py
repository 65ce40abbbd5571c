"""Transports over real ptys, loop:// and socket:// (DESIGN.md layer 2)."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from pathlib import Path

import pytest
from scripted_peer import Script, ScriptedPeer

from tetrakit.errors import DecodeError, TransportError
from tetrakit.transport import (
    AsyncTransport,
    BlockingTransport,
    TraceWriter,
    open_port,
    read_trace,
    register_simulator_handler,
)

pytestmark = pytest.mark.timeout(20)


def _read_until(transport: BlockingTransport, wanted: bytes, timeout: float = 5.0) -> bytes:
    data = b""
    for _ in range(100):
        chunk = transport.read(timeout)
        if not chunk:
            break
        data += chunk
        if wanted in data:
            break
    return data


def test_missing_device_names_url() -> None:
    with pytest.raises(TransportError, match="/dev/does-not-exist-tetrakit"):
        open_port("/dev/does-not-exist-tetrakit")


def test_unknown_scheme_names_url() -> None:
    with pytest.raises(TransportError, match=r"nosuch://x: cannot open port"):
        open_port("nosuch://x")


def test_empty_port_is_clear() -> None:
    with pytest.raises(TransportError, match="no port given"):
        open_port("")


def test_tetrasim_url_is_registered() -> None:
    """tetrasim:// works when the simulator is installed, else the error says so."""
    if not register_simulator_handler():
        with pytest.raises(TransportError, match=r"tetrasim://hospital.*simulator"):
            open_port("tetrasim://hospital")
        return
    with BlockingTransport.open("tetrasim://hospital?issi=1003") as link:
        link.write(b"AT\r\n")
        assert b"\r\nOK\r\n" in _read_until(link, b"OK\r\n")


def test_blocking_pty_round_trip_and_trace(tmp_path: Path) -> None:
    script = Script([(b"AT\r\n", b"\r\nOK\r\n"), (b"ATE0\r\n", b"\r\nOK\r\n")])
    trace_path = tmp_path / "t.jsonl"
    trace = TraceWriter(trace_path)
    with ScriptedPeer(script) as peer:
        with BlockingTransport.open(peer.url, trace=trace) as link:
            link.write(b"AT\r\n")
            assert _read_until(link, b"OK\r\n") == b"\r\nOK\r\n"
            link.write(b"ATE0\r\n")
            assert _read_until(link, b"OK\r\n") == b"\r\nOK\r\n"
            assert link.read(0.05) == b""
        assert peer.commands == [b"AT\r\n", b"ATE0\r\n"]
        assert script.done, script.failures
    trace.close()
    records = list(read_trace(trace_path))
    tx = b"".join(r.data for r in records if r.direction == "tx")
    rx = b"".join(r.data for r in records if r.direction == "rx")
    assert tx == b"AT\r\nATE0\r\n"
    assert rx == b"\r\nOK\r\n\r\nOK\r\n"
    assert all(r.time > 1e9 for r in records)
    times = [r.time for r in records]
    assert times == sorted(times)
    assert trace_path.read_text().startswith(f"# port {peer.url}")


def test_blocking_reports_lost_pty() -> None:
    peer = ScriptedPeer(lambda _cmd: None)
    link = BlockingTransport.open(peer.url)
    try:
        peer.send(b"+CTSDSR: 13,1,0,2,0,16\r\n8004\r\n")
        assert _read_until(link, b"8004\r\n") == b"+CTSDSR: 13,1,0,2,0,16\r\n8004\r\n"
        peer.close()  # both pty ends of the peer go away: the device vanished
        with pytest.raises(TransportError, match=peer.url):
            for _ in range(50):
                link.read(2.0)
        with pytest.raises(TransportError, match="link lost"):
            link.write(b"AT\r\n")
    finally:
        link.close()
    with pytest.raises(TransportError, match="closed"):
        link.read(0.1)


def test_async_pty_delivers_in_loop_thread_and_single_writer() -> None:
    received: list[bytes] = []

    def answer(cmd: bytes) -> bytes:
        return b"\r\nOK " + cmd.strip() + b"\r\n"

    async def main(peer: ScriptedPeer) -> None:
        loop_thread = threading.get_ident()
        done = asyncio.Event()
        link = await AsyncTransport.open(peer.url)

        def on_data(chunk: bytes) -> None:
            assert threading.get_ident() == loop_thread
            received.append(chunk)
            if b"".join(received).count(b"OK") == 20:
                done.set()

        link.start(on_data, lambda exc: pytest.fail(f"lost: {exc}"))
        # concurrent writers: each command still arrives whole and in order
        await asyncio.gather(*(link.write(b"AT+N=%d\r\n" % i) for i in range(20)))
        await asyncio.wait_for(done.wait(), 5)
        await link.close()
        await link.close()
        with pytest.raises(TransportError, match="closed"):
            await link.write(b"AT\r\n")

    with ScriptedPeer(answer) as peer:
        asyncio.run(main(peer))
        assert peer.commands == [b"AT+N=%d\r\n" % i for i in range(20)]
    text = b"".join(received)
    assert text == b"".join(b"\r\nOK AT+N=%d\r\n" % i for i in range(20))


def test_async_reports_loss_once() -> None:
    async def main() -> None:
        peer = ScriptedPeer(lambda _cmd: None)
        link = await AsyncTransport.open(peer.url)
        lost: asyncio.Queue[TransportError] = asyncio.Queue()
        link.start(lambda _d: None, lost.put_nowait)
        peer.close()
        exc = await asyncio.wait_for(lost.get(), 5)
        assert peer.url in str(exc)
        assert link.is_closing
        with pytest.raises(TransportError, match="link lost"):
            await link.write(b"AT\r\n")
        await link.close()
        assert lost.empty()

    asyncio.run(main())


def test_loop_url() -> None:
    with BlockingTransport.open("loop://") as link:
        link.write(b"AT+CMGS=1234,16\r\n8004\x1a")
        assert _read_until(link, b"\x1a") == b"AT+CMGS=1234,16\r\n8004\x1a"


def test_socket_url() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []

    def serve() -> None:
        conn, _ = server.accept()
        accepted.append(conn)
        data = b""
        while not data.endswith(b"\r\n"):
            data += conn.recv(100)
        conn.sendall(b"\r\nOK\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with BlockingTransport.open(f"socket://127.0.0.1:{port}") as link:
            link.write(b"AT\r\n")
            assert _read_until(link, b"OK\r\n") == b"\r\nOK\r\n"
            thread.join(5)
            accepted[0].close()  # the far end hangs up
            with pytest.raises(TransportError, match=f"socket://127.0.0.1:{port}"):
                for _ in range(50):
                    link.read(2.0)
    finally:
        server.close()


def test_trace_reader_rejects_bad_lines() -> None:
    good = '{"t": 1.5, "dir": "rx", "hex": "4F4B"}\n'
    assert [r.data for r in read_trace(io.StringIO("# c\n\n" + good))] == [b"OK"]
    cases = {
        "not json\n": "not a JSON object",
        '{"t": 1, "dir": "up", "hex": ""}\n': "'dir'",
        '{"t": "x", "dir": "rx", "hex": ""}\n': "'t'",
        '{"t": 1, "dir": "rx", "hex": "4G"}\n': "not valid hex",
        "[1]\n": "expected a JSON object",
    }
    for text, message in cases.items():
        with pytest.raises(DecodeError) as info:
            list(read_trace(io.StringIO(good + text)))
        assert ":2:" in str(info.value)
        assert message in str(info.value)


def test_trace_writer_fake_clock() -> None:
    out = io.StringIO()
    writer = TraceWriter(out, clock=lambda: 100.25)
    writer.record("tx", b"AT\r\n")
    writer.record("rx", b"")
    writer.close()
    writer.record("rx", b"late")
    assert out.getvalue() == '{"t": 100.25, "dir": "tx", "hex": "41540D0A", "text": "AT\\r\\n"}\n'


def test_open_port_applies_serial_settings() -> None:
    with ScriptedPeer(lambda _cmd: None) as peer:
        port = open_port(peer.url, baudrate=115200, rtscts=True, timeout=0.05)
        try:
            ser = port.serial
            assert (ser.baudrate, ser.rtscts, ser.xonxoff) == (115200, True, False)
            assert (ser.bytesize, ser.parity, ser.stopbits) == (8, "N", 1)
            assert port.read() == b""  # the read timeout, no data
        finally:
            port.close()
        assert not port.is_open
    with pytest.raises(ValueError, match="negative"):
        open_port("loop://", timeout=-1)
