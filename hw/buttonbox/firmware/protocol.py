"""Button box protocol, panel side (hw/buttonbox/PROTOCOL.md).

This module is the whole protocol logic of the panel firmware: framing, the
CRC-16/CCITT-FALSE check value, sequence numbers, repetition of PRESS/FAULT/
CLEAR every 500 ms until acknowledged, the heartbeat every second, PING -> HB,
LED commands and supervision of the host.  It does no I/O and reads no clock:
bytes from the host and the current time (integer milliseconds from a
non-wrapping counter) are passed in, and the bytes to send are taken out with
:meth:`Panel.take_output`.  It therefore runs unchanged under MicroPython on the
Raspberry Pi Pico (``main.py`` is the thin hardware layer) and under CPython,
where the host's tests and the simulated panel (``firmware_sim.buttonbox``) run
this very file.

MicroPython has no ``typing``, ``dataclasses`` or ``enum``, so this file uses
plain classes, tuples of strings and no annotations.
"""

VERSION = "1.0.0"

RETRY_MS = 500  # PROTOCOL.md §5: PRESS/FAULT/CLEAR repeated until ACK
HEARTBEAT_MS = 1000  # PROTOCOL.md §6: HB every second
HOST_SILENT_MS = 3000  # PROTOCOL.md §7: host silent after 3 s without a valid frame
MAX_FRAME = 64  # PROTOCOL.md §2: longest frame including "!" and LF
MAX_BUTTONS = 255
SEQ_MOD = 65536

# HB status bits (PROTOCOL.md §6)
ST_INPUT_FAULT = 0x0001
ST_PENDING = 0x0002
ST_HOST_SILENT = 0x0004
ST_RX_ERRORS = 0x0008
ST_WATCHDOG_RESET = 0x0010

LED_MODES = ("OFF", "ON", "SLOW", "FAST")
FAULT_KINDS = ("OPEN", "SHORT", "TAMPER")
SLOW_HALF_MS = 500  # SLOW: 1 Hz, half on / half off
FAST_HALF_MS = 125  # FAST: 4 Hz


def _make_table():
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE = _make_table()


def crc16(data, crc=0xFFFF):
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR.

    The check value of b"123456789" is 0x29B1.  ``crc`` continues a running value.
    """
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def encode_frame(fields):
    """``!`` + fields joined by ``,`` + ``*`` + four uppercase hex digits + LF."""
    payload = ",".join(fields).encode()
    return b"!" + payload + b"*" + f"{crc16(payload):04X}".encode() + b"\n"


_HEX = "0123456789ABCDEF"


def _is_decimal(text):
    # canonical decimal: "0" or no leading zero (PROTOCOL.md §3)
    if not text or len(text) > 10 or not all("0" <= c <= "9" for c in text):
        return False
    return text == "0" or text[0] != "0"


def split_frame(line):
    """The fields of one frame (bytes without the LF), or ``None`` if it is not a frame.

    Checks the framing, the character set and the check value; the meaning of
    the fields is checked by the caller.  A CR before the LF is tolerated.
    """
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) < 7 or len(line) > MAX_FRAME - 1 or line[0] != 0x21:  # "!"
        return None
    if line[-5] != 0x2A:  # "*"
        return None
    payload = line[1:-5]
    check = line[-4:]
    for byte in payload:
        if byte < 0x20 or byte > 0x7E or byte in (0x21, 0x2A):
            return None
    try:
        check_text = check.decode()
    except UnicodeError:
        return None
    if not all(c in _HEX for c in check_text):
        return None
    if int(check_text, 16) != crc16(payload):
        return None
    return payload.decode().split(",")


def seq_newer(a, b):
    """True when sequence number ``a`` is later than ``b`` (modulo 65536)."""
    diff = (a - b) % SEQ_MOD
    return 0 < diff < SEQ_MOD // 2


class Panel:
    """The protocol state of one panel.

    ``now`` is always integer milliseconds from a counter that does not wrap.
    Creating the panel queues ``HELLO`` (sequence number 0).
    """

    def __init__(self, buttons, now, version=VERSION, watchdog_reset=False):
        if not 1 <= buttons <= MAX_BUTTONS:
            raise ValueError("buttons must be 1-255")
        self.buttons = buttons
        self.version = version
        self.start_ms = now
        self.seq = 0
        self.host_seq = None  # last sequence number seen from the host
        self.pending = []  # [seq, frame bytes, time of last transmission]
        self.leds = ["OFF"] * buttons
        self.faults = [None] * buttons
        self.rx_dropped = 0
        self.retransmissions = 0
        self._rx = bytearray()
        self._rx_skip = False  # discarding an over-long line up to its LF
        self._rx_errors = False
        self._watchdog_reset = watchdog_reset
        self._out = bytearray()
        self._last_rx = now
        self._next_hb = now + HEARTBEAT_MS
        self._send(("HELLO", version, str(buttons)), now, False)

    # --- inputs from the hardware layer -------------------------------------

    def press(self, button, now):
        """A button went down (debounced): PRESS, repeated until acknowledged."""
        self._check_button(button)
        self._send(("PRESS", str(button)), now, True)

    def release(self, button, now):
        """A button went up (debounced): RELEASE, sent once."""
        self._check_button(button)
        self._send(("RELEASE", str(button)), now, False)

    def fault(self, button, kind, now):
        """A supervised input went into fault (OPEN, SHORT or TAMPER)."""
        self._check_button(button)
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be OPEN, SHORT or TAMPER")
        self.faults[button - 1] = kind
        self._send(("FAULT", str(button), kind), now, True)

    def clear(self, button, now):
        """A supervised input is healthy again."""
        self._check_button(button)
        self.faults[button - 1] = None
        self._send(("CLEAR", str(button)), now, True)

    # --- bytes from the host and the passing of time -------------------------

    def receive(self, data, now):
        """Feed bytes from the host; acts on every complete line."""
        for byte in data:
            if byte == 0x0A:
                if self._rx_skip:
                    self._rx_skip = False
                    self._drop()
                elif self._rx and self._rx != b"\r":
                    self._line(bytes(self._rx), now)
                self._rx = bytearray()
            elif not self._rx_skip:
                self._rx.append(byte)
                if len(self._rx) > MAX_FRAME:
                    self._rx = bytearray()
                    self._rx_skip = True

    def poll(self, now):
        """Repeat unacknowledged messages and send the heartbeat when due."""
        for entry in self.pending:
            if now - entry[2] >= RETRY_MS:
                entry[2] = now
                self._out += entry[1]
                self.retransmissions += 1
        if now >= self._next_hb:
            # keep the 1 s rhythm; after a long stall send one HB, not a burst
            self._next_hb += HEARTBEAT_MS
            if self._next_hb <= now:
                self._next_hb = now + HEARTBEAT_MS
            self._heartbeat(now)

    def take_output(self):
        """The bytes to write to the serial line (and forget them)."""
        out = bytes(self._out)
        self._out = bytearray()
        return out

    # --- state for the hardware layer --------------------------------------

    def status(self, now):
        """The HB status bits (PROTOCOL.md §6)."""
        bits = 0
        for kind in self.faults:
            if kind is not None:
                bits |= ST_INPUT_FAULT
        if self.pending:
            bits |= ST_PENDING
        if self.host_silent(now):
            bits |= ST_HOST_SILENT
        if self._rx_errors:
            bits |= ST_RX_ERRORS
        if self._watchdog_reset:
            bits |= ST_WATCHDOG_RESET
        return bits

    def host_silent(self, now):
        """True after 3 s without a valid frame from the host."""
        return now - self._last_rx >= HOST_SILENT_MS

    def led_mode(self, button):
        """The mode the host last set for a button's LED."""
        self._check_button(button)
        return self.leds[button - 1]

    def led_lit(self, button, now):
        """Whether the button's LED is lit at ``now`` (blinking computed here)."""
        return mode_lit(self.led_mode(button), now)

    # --- internals -----------------------------------------------------------

    def _check_button(self, button):
        if not 1 <= button <= self.buttons:
            raise ValueError("no such button")

    def _next_seq(self):
        seq = self.seq
        self.seq = (seq + 1) % SEQ_MOD
        return seq

    def _send(self, fields, now, repeat):
        seq = self._next_seq()
        parts = [fields[0], str(seq)]
        parts.extend(fields[1:])  # no "*" unpacking in displays: MicroPython lacks it
        frame = encode_frame(parts)
        self._out += frame
        if repeat:
            self.pending.append([seq, frame, now])

    def _heartbeat(self, now):
        uptime = (now - self.start_ms) // 1000
        status = self.status(now)
        self._rx_errors = False
        self._send(("HB", str(uptime), f"{status:04X}"), now, False)

    def _drop(self):
        self.rx_dropped += 1
        self._rx_errors = True

    def _line(self, line, now):
        fields = split_frame(line)
        if fields is None or len(fields) < 2 or not _is_decimal(fields[1]):
            self._drop()
            return
        seq = int(fields[1])
        kind = fields[0]
        if seq >= SEQ_MOD:
            self._drop()
        elif kind == "ACK" and len(fields) == 2:
            # the ACK field is the panel's own number being acknowledged
            self._last_rx = now
            self.pending = [e for e in self.pending if e[0] != seq]
        elif kind == "PING" and len(fields) == 2:
            self._accept(seq, now)
            self._heartbeat(now)
        elif kind == "LED" and len(fields) == 4 and fields[3] in LED_MODES:
            if not _is_decimal(fields[2]) or not 1 <= int(fields[2]) <= self.buttons:
                self._drop()
                return
            self._accept(seq, now)
            self.leds[int(fields[2]) - 1] = fields[3]
        else:
            self._drop()

    def _accept(self, seq, now):
        # the host's numbers are only recorded (for diagnosis): LED and PING are
        # idempotent, so a repeated or missing number changes nothing
        self._last_rx = now
        self.host_seq = seq


def mode_lit(mode, now):
    """Whether an LED in ``mode`` is lit at ``now`` ms (SLOW 1 Hz, FAST 4 Hz)."""
    if mode == "ON":
        return True
    if mode == "SLOW":
        return (now // SLOW_HALF_MS) % 2 == 0
    if mode == "FAST":
        return (now // FAST_HALF_MS) % 2 == 0
    return False
