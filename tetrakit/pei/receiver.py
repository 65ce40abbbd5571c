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
from tetrakit.pei.results import ctsdsr_header_fields

__all__ = ["MAX_LINE", "PeiReceiver"]

#: longest line accepted, in bytes; an SDS payload is at most 512 hex digits
MAX_LINE = 8192

# CR and Ctrl-Z end a line like LF does; all three become LF before splitting,
# so that one C-level split finds every line whatever the mix of endings.
_TO_LF = bytes.maketrans(b"\r\x1a", b"\n\n")
# Every byte that can make a line Garbage: control bytes (tab and LF excepted)
# and non-ASCII.  A batch of lines without any of them (the usual case) skips
# the per-line checks below; deleting them and comparing lengths is a single
# C-level pass, several times faster than a regex search.
_UNCLEAN = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0x100)])
# Lines are handled as latin-1 text (one character per byte, so lengths and
# Garbage bytes round-trip exactly).  Control characters left in a line after
# splitting (tab is allowed as a blank):
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LEADING_JUNK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\xff]+")
# An echoed command: "AT" alone, or followed by an extended command (+, &, ...),
# a basic command letter with a digit/?/= or at the end (ATE0, ATZ, ATI), or a
# dial string.  Bare text that merely starts with "AT" ("ATTEL") is not echo.
_ECHO = re.compile(r"AT(?:$|[+&$%*#\\^]|D|[A-Z](?:$|[0-9?=;]))", re.IGNORECASE)
_HEX = re.compile(r"[0-9A-Fa-f]+")
_PROMPT = b"> "
_OK = FinalResult(FinalKind.OK, None, "OK")
_ERROR = FinalResult(FinalKind.ERROR, None, "ERROR")
_PROMPT_EVENT = Prompt()
# Whole lines that are an event by themselves.
_FIXED_LINES: dict[str, ReceiverEvent] = {"OK": _OK, "ERROR": _ERROR, ">": _PROMPT_EVENT}
# Final results with a code, by their first ten characters (case as sent).
_ERROR_KINDS = {"+CME ERROR": FinalKind.CME_ERROR, "+CMS ERROR": FinalKind.CMS_ERROR}


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
        chunks = self._chunks
        if chunks:
            new = (chunks[0] if len(chunks) == 1 else b"".join(chunks)).translate(_TO_LF)
            chunks.clear()
            tail = self._tail + new if self._tail else new
            cut = tail.rfind(b"\n")
            if cut >= 0:
                body = tail[:cut]
                tail = tail[cut + 1 :]
                self._tail = tail  # already, for pending_bytes if a line below fails
                clean = len(body.translate(None, _UNCLEAN)) == cut
                self._lines(body.decode("latin-1").split("\n"), clean, cut > self._max_line)
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
                self._lines([tail.decode("latin-1")], False, True)
            header = self._pending_header
            if header is not None:
                self._pending_header = None
                self._sds(header, header[len("+CTSDSR:") :].split(","), None, False)
            self._events.append(EndOfStream())

    def _lines(self, lines: list[str], clean: bool, long: bool) -> None:
        """Handle complete lines (without their endings), as latin-1 text.

        ``clean`` says that no line holds a control or non-ASCII character, so
        that none can be Garbage; ``long`` that a line may be longer than
        ``max_line``.  This loop runs for every line of the stream: the common
        lines are classified inline, the rare cases call out.
        """
        append = self._events.append
        max_line = self._max_line
        for raw in lines:
            if not raw:
                continue
            if raw[0] == ">":
                while raw[:2] == "> ":
                    append(_PROMPT_EVENT)
                    raw = raw[2:]
            if long and len(raw) > max_line:
                raise PeiProtocolError(
                    f"line longer than {max_line} bytes: {raw[:40].encode('latin-1')!r}..."
                )
            s = raw.strip(" \t")
            if not s:
                continue
            if not clean and (s[0] >= "\x80" or _CONTROL.search(s) is not None):
                rest = self._garbage(s)
                if rest is None:
                    continue
                s = rest
            pending = self._pending_header
            if pending is not None:
                if s[0] == ",":
                    self._header_continued(pending, s)
                    continue
                # The line after a header is its payload, unless the SDS is empty.
                self._pending_header = None
                if self._sds(pending, pending[len("+CTSDSR:") :].split(","), s, False):
                    continue
            if self._after_cmgs_echo and s != ">":
                self._after_cmgs_echo = False
                if _HEX.fullmatch(s) is not None:
                    append(Echo(s))
                    continue
            first = s[0]
            if first == "+":
                colon = s.find(":")
                if colon > 1:
                    prefix = s[:colon]
                    if prefix == "+CTSDSR":
                        self._sds_header(s)
                        continue
                    kind = _ERROR_KINDS.get(prefix[:10]) if len(prefix) >= 10 else None
                    if kind is None:
                        append(ResultLine(prefix.upper(), s))
                        continue
                else:
                    kind = _ERROR_KINDS.get(s[:10])
                    if kind is None:
                        append(ResultLine(None, s))
                        continue
                append(self._error_result(kind, s))
                continue
            event = _FIXED_LINES.get(s)
            if event is not None:
                append(event)
            elif (first == "A" or first == "a") and _ECHO.match(s) is not None:
                # Our own command echoed (ATE1).  After an echoed AT+CMGS the radio
                # also echoes the hex payload (ended by Ctrl-Z).
                self._after_cmgs_echo = s[:8].upper() == "AT+CMGS=" and not s.endswith("?")
                append(Echo(s))
            else:
                append(ResultLine(None, s))

    def _garbage(self, s: str) -> str | None:
        """Report a line with junk as Garbage; return clean text glued after the junk."""
        if self._pending_header is not None:
            raise PeiProtocolError(
                f"payload of {self._pending_header!r} is not hex: {s[:60].encode('latin-1')!r}"
            )
        self._after_cmgs_echo = False
        # Noise at connect is often glued to the radio's first real line
        # ("\xff\x00OK"): split off leading junk when clean text follows.
        junk = _LEADING_JUNK.match(s)
        rest = s[junk.end() :].strip(" \t") if junk is not None else ""
        if not rest or rest[0] >= "\x80" or _CONTROL.search(rest) is not None:
            self._events.append(Garbage(s.encode("latin-1")))
            return None
        self._events.append(Garbage(s[: len(s) - len(rest)].rstrip(" \t").encode("latin-1")))
        return rest

    def _header_continued(self, pending: str, text: str) -> None:
        """A ``+CTSDSR`` header continued on a line starting with "," (seen with some radios)."""
        pending += text
        self._pending_header = pending
        if len(pending) > self._max_line:
            raise PeiProtocolError(
                f"+CTSDSR header longer than {self._max_line} characters: {pending[:40]!r}..."
            )

    @staticmethod
    def _error_result(kind: FinalKind, text: str) -> FinalResult:
        colon = text.find(":")
        code_text = text[colon + 1 :].strip() if colon >= 0 else ""
        code = int(code_text) if code_text.isascii() and code_text.isdigit() else None
        return FinalResult(kind, code, text)

    def _sds_header(self, text: str) -> None:
        # One-line form "<6 or 7 header fields>, <hex>": the payload is the
        # extra field (a 7th field that is 0/1 without a blank is E2EE).
        n = text.count(",") + 1
        if n != 7 and n != 8:
            self._pending_header = text
            return
        parts = text[len("+CTSDSR:") :].split(",")
        inline = n == 8
        if n == 7:
            last = parts[6].strip()
            inline = last != "" and (parts[6][:1] == " " or last not in ("0", "1"))
        if inline:
            header = text[: text.rfind(",")]
            payload = parts.pop()
            self._sds(header, parts, payload, True)
        else:
            self._pending_header = text

    def _sds(self, header: str, parts: list[str], payload: str | None, inline: bool) -> bool:
        """Emit the SDS of ``header`` (its fields split on commas: ``parts``).

        ``payload`` is the hex from the header line when ``inline``, else the
        line after the header, or ``None`` at the end of the stream.  Returns
        False when that line was not used: a zero-length SDS has no payload.
        """
        try:
            fields = ctsdsr_header_fields(parts)
        except DecodeError as exc:
            raise PeiProtocolError(f"bad +CTSDSR header {header[:80]!r}: {exc}") from exc
        bits = fields[5]
        if bits == 0 and not inline:
            # A zero-length SDS has no payload line; the next line is something else.
            self._events.append(SdsIncoming(*fields, b"", "", header.strip()))
            return False
        if payload is None:
            raise PeiProtocolError(f"stream ended after {header!r} before its payload line")
        # Blanks inside the payload are dropped; the common payload has none.
        hx = payload if payload.isalnum() else "".join(payload.split())
        if hx:
            # bytes.fromhex accepts exactly the ASCII hex digits here: the
            # payload has no blanks left, and odd counts get a padding nibble.
            try:
                data = bytes.fromhex(hx + "0" if len(hx) % 2 else hx)
            except ValueError:
                raise PeiProtocolError(
                    f"payload of {header[:80]!r} is not hex: {payload[:60]!r}"
                ) from None
            data = data[: (bits + 7) // 8]
        elif bits > 0:
            raise PeiProtocolError(f"{header[:80]!r} announces {bits} bits but has no payload")
        else:
            data = b""
        self._events.append(SdsIncoming(*fields, data, hx, header.strip()))
        return True
