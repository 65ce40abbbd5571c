"""The PEI receiver: bytes from the radio in, line events out (EN 300 392-5 §6.11, §6.13.3).

Sans-I/O, in the manner of h11: :meth:`PeiReceiver.receive_data` only buffers;
:meth:`PeiReceiver.next_event` returns the next event or ``None`` when more
bytes are needed.  ``receive_data(b"")`` signals end of stream.

What is tolerated (and becomes an event or nothing):

* line endings CR, LF or CR LF, and Ctrl-Z (0x1A) ending an echoed
  ``AT+CMGS`` payload; empty lines are skipped;
* echoed command lines (``ATE1``) -> :class:`~tetrakit.pei.events.Echo`, and the
  echoed hex payload that follows an echoed ``AT+CMGS=`` line;
* a ``>`` prompt, alone on a line or as ``"> "`` at the start of a line, also
  without a line ending -> :class:`~tetrakit.pei.events.Prompt`;
* lines with control bytes, or starting with a non-ASCII byte (noise at
  connect) -> :class:`~tetrakit.pei.events.Garbage`; when such junk is glued in
  front of clean text on the same line, the junk becomes Garbage and the text
  is read as a line of its own; junk inside or after text spoils the whole line;
* ``+CTSDSR`` headers with their payload on the next non-empty line, on the
  same line after ``", "`` (6- and 7-field headers), or with the header
  continued on a line starting with ``","``; odd nibble counts (Sepura) and a
  padding nibble or octet (Motorola): the header length wins.

What is a :class:`~tetrakit.errors.PeiProtocolError` (the stream can no longer
be trusted, or an SDS would be lost silently):

* a line longer than ``max_line`` bytes (also while still incomplete);
* a ``+CTSDSR`` header that does not parse, or whose payload line is not hex;
* the stream ending between a ``+CTSDSR`` header and its payload.

After a protocol error every call to :meth:`PeiReceiver.next_event` raises
the same error until :meth:`PeiReceiver.reset`.  Nothing but
``PeiProtocolError`` escapes ``next_event``; anything else is a bug.

Events do not depend on how the stream is split into chunks.
"""

from __future__ import annotations

import re
from collections import deque

from tetrakit.errors import DecodeError, PeiProtocolError, PeiUsageError
from tetrakit.pei.events import (
    Echo,
    EndOfStream,
    FinalKind,
    FinalResult,
    Garbage,
    Prompt,
    ReceiverEvent,
    ResultLine,
    SdsIncoming,
)
from tetrakit.pei.results import CtsdsrHeader, parse_ctsdsr_header

__all__ = ["MAX_LINE", "PeiReceiver"]

#: longest line accepted, in bytes; an SDS payload is at most 512 hex digits
MAX_LINE = 8192

# CR and Ctrl-Z end a line like LF does; all three become LF before splitting,
# so that one C-level split finds every line whatever the mix of endings.
_TO_LF = bytes.maketrans(b"\r\x1a", b"\n\n")
# Control bytes left in a line after splitting (tab is allowed as a blank).
_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
_LEADING_JUNK = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f-\xff]+")
# An echoed command: "AT" alone, or followed by an extended command (+, &, ...),
# a basic command letter with a digit/?/= or at the end (ATE0, ATZ, ATI), or a
# dial string.  Bare text that merely starts with "AT" ("ATTEL") is not echo.
_ECHO = re.compile(r"AT(?:$|[+&$%*#\\^]|D|[A-Z](?:$|[0-9?=;]))", re.IGNORECASE)
_HEX = re.compile(r"[0-9A-Fa-f]+")
_PROMPT = b"> "
_OK = FinalResult(FinalKind.OK, None, "OK")
_ERROR = FinalResult(FinalKind.ERROR, None, "ERROR")
_PROMPT_EVENT = Prompt()


class PeiReceiver:
    """Turns the byte stream from a radio's PEI into line events.

    Args:
        max_line: the longest line accepted, in bytes.
    """

    __slots__ = (
        "_after_cmgs_echo",
        "_chunks",
        "_eof",
        "_eof_done",
        "_error",
        "_events",
        "_max_line",
        "_pending_header",
        "_tail",
    )

    def __init__(self, max_line: int = MAX_LINE) -> None:
        if max_line < 16:
            raise ValueError(f"max_line must be at least 16, not {max_line}")
        self._max_line = max_line
        self._events: deque[ReceiverEvent] = deque()
        self._chunks: list[bytes] = []
        self._tail = b""
        self._pending_header: str | None = None
        self._after_cmgs_echo = False
        self._eof = False
        self._eof_done = False
        self._error: PeiProtocolError | None = None

    # ------------------------------------------------------------------ public

    def receive_data(self, data: bytes) -> None:
        """Buffer bytes from the radio; ``b""`` means the stream ended.

        Raises:
            PeiUsageError: if called with data after the end of the stream.
        """
        if self._eof:
            if data:
                raise PeiUsageError("receive_data() called after end of stream")
            return
        if data:
            self._chunks.append(bytes(data))
        else:
            self._eof = True

    def next_event(self) -> ReceiverEvent | None:
        """The next event, or ``None`` if more bytes are needed (or the stream is over).

        Raises:
            PeiProtocolError: see the module docstring; raised again on every
                call until :meth:`reset`.
        """
        events = self._events
        if events:
            return events.popleft()
        if self._error is not None:
            raise self._error
        try:
            self._process()
        except PeiProtocolError as exc:
            self._error = exc
        if events:
            return events.popleft()
        if self._error is not None:
            raise self._error
        return None

    @property
    def broken(self) -> bool:
        """True after a protocol error, until :meth:`reset`."""
        return self._error is not None

    @property
    def pending_bytes(self) -> int:
        """Bytes buffered that do not form a complete line yet."""
        return len(self._tail) + sum(len(c) for c in self._chunks)

    def reset(self) -> None:
        """Forget all buffered bytes, pending events, errors and the end of stream."""
        self._events.clear()
        self._chunks.clear()
        self._tail = b""
        self._pending_header = None
        self._after_cmgs_echo = False
        self._eof = False
        self._eof_done = False
        self._error = None

    # ------------------------------------------------------------------ parsing

    def _process(self) -> None:
        if self._chunks:
            new = b"".join(self._chunks).translate(_TO_LF)
            self._chunks.clear()
            if b"\n" in new:
                parts = (self._tail + new).split(b"\n")
                self._tail = parts.pop()
                line = self._line
                for raw in parts:
                    if raw:
                        line(raw)
            else:
                self._tail += new
            tail = self._tail
            # A "> " prompt often comes without a line ending; report it now.
            while tail[:2] == _PROMPT:
                self._events.append(_PROMPT_EVENT)
                tail = tail[2:]
            self._tail = tail
            if len(tail) > self._max_line:
                raise PeiProtocolError(
                    f"line longer than {self._max_line} bytes without line ending: {tail[:40]!r}..."
                )
        if self._eof and not self._eof_done:
            self._eof_done = True
            if self._tail:
                tail, self._tail = self._tail, b""
                self._line(tail)
            if self._pending_header is not None:
                header, self._pending_header = self._pending_header, None
                h = self._parse(header)
                if h.bits != 0:
                    raise PeiProtocolError(f"stream ended after {header!r} before its payload line")
                self._emit_sds(header, h, "")
            self._events.append(EndOfStream())

    def _line(self, raw: bytes) -> None:
        """Handle one complete line (without its ending)."""
        events = self._events
        while raw[:2] == _PROMPT:
            events.append(_PROMPT_EVENT)
            raw = raw[2:]
        if len(raw) > self._max_line:
            raise PeiProtocolError(f"line longer than {self._max_line} bytes: {raw[:40]!r}...")
        s = raw.strip(b" \t")
        if not s:
            return
        if s[0] >= 0x80 or _CONTROL.search(s) is not None:
            if self._pending_header is not None:
                raise PeiProtocolError(
                    f"payload of {self._pending_header!r} is not hex: {s[:60]!r}"
                )
            self._after_cmgs_echo = False
            # Noise at connect is often glued to the radio's first real line
            # ("\xff\x00OK"): split off leading junk when clean text follows.
            junk = _LEADING_JUNK.match(s)
            rest = s[junk.end() :].strip(b" \t") if junk is not None else b""
            if not rest or rest[0] >= 0x80 or _CONTROL.search(rest) is not None:
                events.append(Garbage(s))
                return
            events.append(Garbage(s[: len(s) - len(rest)].rstrip(b" \t")))
            s = rest
        text = s.decode("latin-1")
        if self._pending_header is not None:
            if text[0] == ",":
                # Header continued on the next line (seen with some radios).
                self._pending_header += text
                if len(self._pending_header) > self._max_line:
                    raise PeiProtocolError(
                        f"+CTSDSR header longer than {self._max_line} characters: "
                        f"{self._pending_header[:40]!r}..."
                    )
                return
            header, self._pending_header = self._pending_header, None
            h = self._parse(header)
            if h.bits != 0:
                self._emit_sds(header, h, text)
                return
            # A zero-length SDS has no payload line; this line is something else.
            self._emit_sds(header, h, "")
        if text == ">":
            events.append(_PROMPT_EVENT)
            return
        if self._after_cmgs_echo:
            self._after_cmgs_echo = False
            if _HEX.fullmatch(text) is not None:
                events.append(Echo(text))
                return
        first = text[0]
        if first == "+":
            if text.startswith("+CTSDSR:"):
                self._sds_header(text)
            elif text.startswith("+CME ERROR"):
                events.append(self._error_result(FinalKind.CME_ERROR, text))
            elif text.startswith("+CMS ERROR"):
                events.append(self._error_result(FinalKind.CMS_ERROR, text))
            else:
                colon = text.find(":")
                if colon > 1:
                    events.append(ResultLine(text[:colon].upper(), text))
                else:
                    events.append(ResultLine(None, text))
        elif text == "OK":
            events.append(_OK)
        elif text == "ERROR":
            events.append(_ERROR)
        elif _ECHO.match(text) is not None:
            # Our own command echoed (ATE1).  After an echoed AT+CMGS the radio
            # also echoes the hex payload (ended by Ctrl-Z).
            self._after_cmgs_echo = text[:8].upper() == "AT+CMGS=" and not text.endswith("?")
            events.append(Echo(text))
        else:
            events.append(ResultLine(None, text))

    @staticmethod
    def _error_result(kind: FinalKind, text: str) -> FinalResult:
        colon = text.find(":")
        code_text = text[colon + 1 :].strip() if colon >= 0 else ""
        code = int(code_text) if code_text.isascii() and code_text.isdigit() else None
        return FinalResult(kind, code, text)

    def _sds_header(self, text: str) -> None:
        parts = text[len("+CTSDSR:") :].split(",")
        n = len(parts)
        # One-line form "<6 or 7 header fields>, <hex>": the payload is the
        # extra field (a 7th field that is 0/1 without a blank is E2EE).
        last = parts[-1].strip()
        inline = n == 8 or (
            n == 7 and last != "" and (parts[6][:1] == " " or last not in ("0", "1"))
        )
        if inline:
            header = text[: text.rfind(",")]
            self._emit_sds(header, self._parse(header), parts[-1])
        else:
            self._pending_header = text

    @staticmethod
    def _parse(header: str) -> CtsdsrHeader:
        try:
            return parse_ctsdsr_header(header[header.find(":") + 1 :])
        except DecodeError as exc:
            raise PeiProtocolError(f"bad +CTSDSR header {header[:80]!r}: {exc}") from exc

    def _emit_sds(self, header: str, h: CtsdsrHeader, payload: str) -> None:
        hx = "".join(payload.split())
        if hx and _HEX.fullmatch(hx) is None:
            raise PeiProtocolError(f"payload of {header[:80]!r} is not hex: {payload[:60]!r}")
        if h.bits > 0 and not hx:
            raise PeiProtocolError(f"{header[:80]!r} announces {h.bits} bits but has no payload")
        padded = hx + "0" if len(hx) % 2 else hx
        data = bytes.fromhex(padded)[: (h.bits + 7) // 8]
        self._events.append(
            SdsIncoming(
                ai_service=h.ai_service,
                calling=h.calling,
                calling_type=h.calling_type,
                called=h.called,
                called_type=h.called_type,
                bits=h.bits,
                e2ee=h.e2ee,
                data=data,
                hex=hx,
                header=header.strip(),
            )
        )
