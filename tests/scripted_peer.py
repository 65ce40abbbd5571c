"""A scripted PEI peer on a real pty, standing in for a radio in end-to-end tests.

The peer owns the master side of ``os.openpty()``; the code under test
opens the slave side by its path (``peer.url``), exactly as it would open
``/dev/ttyUSB0``.  A thread reads what the host writes, cuts it into
commands (a line ending in CR LF; ``AT+CMGS=`` runs up to its Ctrl-Z) and
asks a responder for the reply bytes.  Everything received is kept, so tests
can assert the exact bytes written.

Two responders:

* :class:`Script`: an exact list of ``(expected command bytes, reply)``;
  any difference is recorded as a failure (and the peer stops answering).
* any callable ``(command bytes) -> reply bytes | None``, e.g. a small
  rule-based radio model written in a test.

Synchronisation is by condition variables (``wait_for_commands``), never by
sleeping.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pytest

Responder = Callable[[bytes], bytes | None]


def cut_commands(buffer: bytearray) -> list[bytes]:
    """Remove and return the complete commands at the start of ``buffer``.

    A command is a line ending in CR LF; ``AT+CMGS=<to>,<bits>`` CR LF runs on
    to the Ctrl-Z after its hex payload.
    """
    out = []
    while True:
        buf = bytes(buffer)
        head = buf.upper()
        if head.startswith(b"AT+CMGS=") and not head.startswith(b"AT+CMGS=?") and (
            b"\r\n" in buf
        ):
            end = buf.find(b"\x1a")
            if end < 0:
                return out
            end += 1
        else:
            end = buf.find(b"\r\n")
            if end < 0:
                return out
            end += 2
        out.append(buf[:end])
        del buffer[:end]


class Script:
    """Answer commands from a fixed script, checking each command byte for byte."""

    def __init__(self, steps: Sequence[tuple[bytes, bytes]]) -> None:
        self.steps = list(steps)
        self.position = 0
        self.failures: list[str] = []

    def __call__(self, command: bytes) -> bytes | None:
        if self.failures:
            return None
        if self.position >= len(self.steps):
            self.failures.append(f"unexpected extra command {command!r}")
            return None
        expected, reply = self.steps[self.position]
        if command != expected:
            self.failures.append(
                f"step {self.position}: expected {expected!r}, got {command!r}"
            )
            return None
        self.position += 1
        return reply

    @property
    def done(self) -> bool:
        return self.position == len(self.steps) and not self.failures


class ScriptedPeer:
    """The radio side of a pty pair.

    Args:
        responder: called with each complete command; its return value is
            written back (``None`` or ``b""``: no answer).
    """

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self._master, self._slave = os.openpty()
        # raw mode from the start so nothing translates CR/LF before the
        # program under test opens (and itself configures) the slave
        tty.setraw(self._slave)
        tty.setraw(self._master)
        self.url = os.ttyname(self._slave)
        self.commands: list[bytes] = []
        self._buffer = bytearray()
        self._cond = threading.Condition()
        self._stop_r, self._stop_w = os.pipe()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="scripted-peer", daemon=True)
        self._thread.start()

    # ---- control from the test ------------------------------------------------
    def send(self, data: bytes) -> None:
        """Write unsolicited bytes to the host."""
        os.write(self._master, data)

    def wait_for_commands(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Block until at least ``count`` commands were received; return all of them."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.commands) >= count, timeout)
            if not ok:
                raise AssertionError(
                    f"peer got {len(self.commands)} commands, wanted {count}: {self.commands!r}"
                )
            return list(self.commands)

    def wait_for(self, predicate: Callable[[list[bytes]], bool], timeout: float = 5.0) -> None:
        """Block until ``predicate(commands)`` holds."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.commands), timeout):
                raise AssertionError(f"condition not met; commands so far: {self.commands!r}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        os.write(self._stop_w, b"x")
        self._thread.join(5)
        for fd in (self._master, self._slave, self._stop_r, self._stop_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> ScriptedPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the reader thread --------------------------------------------------
    def _run(self) -> None:
        while True:
            ready, _, _ = select.select([self._master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            if not data:
                return
            self._buffer += data
            for command in self._cut_commands():
                reply = self.responder(command)
                if reply:
                    os.write(self._master, reply)
                with self._cond:
                    self.commands.append(command)
                    self._cond.notify_all()

    def _cut_commands(self) -> list[bytes]:
        return cut_commands(self._buffer)


class SocketPeer:
    """The radio side of a TCP link (``socket://127.0.0.1:<port>``), which can drop and
    accept the host again: a USB adapter unplugged and plugged back, a terminal server
    restarting.  Each new connection is answered by ``responder``; ``on_connect`` runs
    first (e.g. ``FakeRadio.reboot``).
    """

    def __init__(self, responder: Responder, on_connect: Callable[[], None] | None = None):
        import socket

        self.responder = responder
        self.on_connect = on_connect
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(1)
        self.url = f"socket://127.0.0.1:{self._server.getsockname()[1]}"
        self.connections = 0
        self.commands: list[bytes] = []
        self._conn: socket.socket | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="socket-peer", daemon=True)
        self._thread.start()

    def send(self, data: bytes) -> None:
        conn = self._conn
        if conn is not None:
            conn.sendall(data)

    def drop(self) -> None:
        """Hang up on the host (it will see its link fail)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(2)
            conn.close()

    def wait_connections(self, count: int, timeout: float = 10.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.connections >= count, timeout):
                raise AssertionError(f"{self.connections} connections, wanted {count}")

    def close(self) -> None:
        self._closed = True
        self.drop()
        # shutdown wakes a thread blocked in accept(); close alone does not on Linux
        with contextlib.suppress(OSError):
            self._server.shutdown(2)
        self._server.close()
        self._thread.join(5)

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            if self.on_connect is not None:
                self.on_connect()
            self._conn = conn
            with self._cond:
                self.connections += 1
                self._cond.notify_all()
            buffer = bytearray()
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                buffer += data
                for command in cut_commands(buffer):
                    reply = self.responder(command)
                    with self._cond:
                        self.commands.append(command)
                        self._cond.notify_all()
                    if reply:
                        with contextlib.suppress(OSError):
                            conn.sendall(reply)
            self.drop()


class ByteSink(Protocol):
    """Anything with ``send(bytes)`` that carries radio -> host bytes."""

    def send(self, data: bytes) -> None: ...


class FakeRadio:
    """A small rule-based radio for the scripted peer (a test double, not the simulator).

    It answers the commands tetrakit's radio session sends: ``AT``, ``ATE0``,
    ``AT+CMEE``, ``AT+CTOM``, ``AT+CNUMF?``, ``AT+CSQ?``, ``AT+CREG?``,
    ``AT+CTSP`` (set and query), ``AT+CTSDS`` and ``AT+CMGS`` with the
    two-stage ``+CMGS``.  Echo is on until ``ATE0``.  SDS the radio "receives"
    reach the host only for services registered with ``AT+CTSP``, as on a
    real radio.  Faults: :attr:`silent`, :meth:`reboot` (echo back on,
    registrations lost), :attr:`errors` (command prefix -> CME code),
    :attr:`hold_status` (keep the over-the-air ``+CMGS`` result until
    :meth:`release`).
    """

    def __init__(self, own_issi: int = 1003, *, auto_report: bool = True) -> None:
        self.own_issi = own_issi
        self.auto_report = auto_report
        self.echo = True
        self.silent = False
        self.hold_status = False
        self.registrations: set[tuple[int, int, int]] = set()
        self.errors: dict[bytes, int] = {}
        self.sent: list[tuple[int, bytes, int]] = []  # (to, payload, bits)
        self.boots = 1
        self.next_instance = 0
        self._held: list[bytes] = []
        self._sds_service = 12
        self.peer: ByteSink | None = None

    # ---- test controls --------------------------------------------------------
    def reboot(self) -> None:
        """The radio restarted: default state, nothing routed to the PEI."""
        self.echo = True
        self.registrations.clear()
        self.boots += 1

    def release(self) -> None:
        """Send the held over-the-air ``+CMGS`` results."""
        assert self.peer is not None
        held, self._held = self._held, []
        for data in held:
            self.peer.send(data)

    def receive_sds(self, ai_service: int, calling: int, payload: bytes, bits: int) -> bool:
        """An SDS arrives over the air; forwarded to the host only when routed.

        Returns:
            True when it was forwarded.
        """
        assert self.peer is not None
        if not self._routed(ai_service, payload):
            return False
        self.peer.send(self._ctsdsr(ai_service, calling, payload, bits))
        return True

    # ---- the responder ----------------------------------------------------------
    def __call__(self, command: bytes) -> bytes | None:
        if self.silent:
            return None
        out = command.split(b"\r\n")[0] + b"\r\n" if self.echo else b""
        line = command.split(b"\r\n")[0].strip().upper()
        for prefix, code in self.errors.items():
            if line.startswith(prefix.upper()):
                return out + b"\r\n+CME ERROR: %d\r\n" % code
        return out + self._answer(line, command)

    def _answer(self, line: bytes, command: bytes) -> bytes:
        ok = b"\r\nOK\r\n"
        if line in (b"AT", b"ATE1"):
            self.echo = self.echo or line == b"ATE1"
            return ok
        if line == b"ATE0":
            self.echo = False
            return ok
        if line.startswith(b"AT+CMEE="):
            return ok
        if line == b"AT+CTOM?":
            return b"\r\n+CTOM: 0\r\n" + ok
        if line.startswith(b"AT+CTOM="):
            return ok
        if line == b"AT+CNUMF?":
            return b"\r\n+CNUMF: 0,%d\r\n" % self.own_issi + ok
        if line == b"AT+CSQ?":
            return b"\r\n+CSQ: 20,99\r\n" + ok
        if line == b"AT+CREG?":
            return b"\r\n+CREG: 1,1,90109999\r\n" + ok
        if line.startswith(b"AT+CTSP="):
            fields = tuple(int(x) for x in line[8:].split(b",")[:3])
            if len(fields) == 2:
                fields = (*fields, 0)
            self.registrations.add((fields[0], fields[1], fields[2]))
            return ok
        if line == b"AT+CTSP?":
            body = b"".join(b"\r\n+CTSP: %d,%d,%d" % reg for reg in sorted(self.registrations))
            return (body + b"\r\n" if body else b"") + ok
        if line.startswith(b"AT+CTSDS="):
            self._sds_service = int(line[9:].split(b",")[0])
            return ok
        if line.startswith(b"AT+CMGS="):
            return self._cmgs(line, command)
        return b"\r\n+CME ERROR: 4\r\n"

    def _cmgs(self, line: bytes, command: bytes) -> bytes:
        to_text, bits_text = line[8:].split(b",")[:2]
        to, bits = int(to_text), int(bits_text)
        hex_part = command.split(b"\r\n", 1)[1].rstrip(b"\x1a").strip()
        payload = bytes.fromhex(hex_part.decode() + ("0" if len(hex_part) % 2 else ""))
        self.sent.append((to, payload, bits))
        instance = self.next_instance
        self.next_instance = (self.next_instance + 1) % 256
        accepted = b"\r\n+CMGS: %d\r\n\r\nOK\r\n" % instance
        ref = payload[2] if self._sds_service == 12 and payload and payload[0] >= 0x80 else None
        status = (
            b"\r\n+CMGS: %d,4,%d\r\n" % (instance, ref)
            if ref is not None
            else b"\r\n+CMGS: %d,4\r\n" % instance
        )
        wants_report = (
            self.auto_report
            and ref is not None
            and len(payload) > 1
            and payload[1] >> 4 == 0
            and payload[1] & 0x0C
        )
        if to == self.own_issi:
            # addressed to ourselves: the network delivers it back (a loop test)
            if self._routed(self._sds_service, payload):
                status += self._ctsdsr(self._sds_service, to, payload, bits)
        elif wants_report and self._routed(12, payload):
            status += self._ctsdsr(12, to, bytes([payload[0], 0x10, 0x00, payload[2]]), 32)
        if self.hold_status:
            self._held.append(status)
            return accepted
        return accepted + status

    def _routed(self, ai_service: int, payload: bytes) -> bool:
        for profile, layer1, layer2 in self.registrations:
            if profile == 0:
                continue
            if ai_service == 13 and layer1 == 2:
                return True
            if ai_service == 12 and layer1 == 3 and payload and layer2 == payload[0]:
                return True
        return False

    def _ctsdsr(self, ai_service: int, calling: int, payload: bytes, bits: int) -> bytes:
        return b"\r\n+CTSDSR: %d,%d,0,%d,0,%d\r\n%s\r\n" % (
            ai_service,
            calling,
            self.own_issi,
            bits,
            payload.hex().upper().encode(),
        )


def fake_radio_peer(radio: FakeRadio | None = None) -> tuple[ScriptedPeer, FakeRadio]:
    """A peer answering as ``radio`` (a fresh :class:`FakeRadio` when not given)."""
    radio = radio or FakeRadio()
    peer = ScriptedPeer(radio)
    radio.peer = peer
    return peer, radio


@dataclass
class PeiPort:
    """The radio an end-to-end PEI test talks to (see the ``pei_port`` fixture).

    ``kind`` is ``"peer"`` (a :class:`FakeRadio` on a pty: ``peer`` and
    ``radio`` are set and allow fault injection), ``"url"`` (any port given
    with ``TETRAKIT_TEST_PORT``, e.g. the simulator) or ``"hil"`` (a real
    radio).  ``own_issi`` is the radio's own ISSI when known, ``to`` a
    party test messages may be sent to (see :attr:`to_issi`).
    """

    url: str
    kind: str
    to: int | None
    own_issi: int | None = None
    peer: ScriptedPeer | None = None
    radio: FakeRadio | None = None

    def client_options(self) -> dict[str, Any]:
        """Serial settings and vendor for a RadioClient, from the environment the CLI reads
        (``TETRAKIT_BAUDRATE``, ``TETRAKIT_RTSCTS``, ``TETRAKIT_VENDOR``)."""
        return {
            "baudrate": int(os.environ.get("TETRAKIT_BAUDRATE", "38400")),
            "rtscts": os.environ.get("TETRAKIT_RTSCTS", "") not in ("", "0", "false", "no"),
            "vendor": os.environ.get("TETRAKIT_VENDOR", "generic"),
        }

    @property
    def to_issi(self) -> int:
        """The party test messages go to; skips the test when none was named.

        On a real network nobody gets test messages unasked: with a real radio
        ``TETRAKIT_TEST_TO_ISSI`` must be set.
        """
        if self.to is None:
            pytest.skip("set TETRAKIT_TEST_TO_ISSI to a radio that may receive test messages")
        return self.to

    def require_peer(self) -> tuple[ScriptedPeer, FakeRadio]:
        """The scripted peer and its radio; skips the test on a simulator or real radio."""
        if self.peer is None or self.radio is None:
            pytest.skip(f"needs the scripted peer (fault injection), not {self.kind} {self.url}")
        return self.peer, self.radio


@contextlib.contextmanager
def open_pei_port(hil_url: str | None) -> Iterator[PeiPort]:
    """A real radio when ``hil_url`` is given, else ``TETRAKIT_TEST_PORT``, else a FakeRadio.

    Identities for the first two come from ``TETRAKIT_TEST_OWN_ISSI`` and
    ``TETRAKIT_TEST_TO_ISSI`` (defaults for a ``TETRAKIT_TEST_PORT``: the
    ``hospital`` scenario's CLI radio 1003 and handheld 2001; none for a real
    radio).
    """
    own_env = os.environ.get("TETRAKIT_TEST_OWN_ISSI")
    to_env = os.environ.get("TETRAKIT_TEST_TO_ISSI")
    if hil_url:
        # no default recipient on a real network
        yield PeiPort(hil_url, "hil", int(to_env) if to_env else None,
                      int(own_env) if own_env else None)
        return
    url = os.environ.get("TETRAKIT_TEST_PORT")
    if url:
        yield PeiPort(url, "url", int(to_env or "2001"), int(own_env or "1003"))
        return
    peer, radio = fake_radio_peer(FakeRadio(1003))
    try:
        yield PeiPort(peer.url, "peer", 2001, 1003, peer, radio)
    finally:
        peer.close()
