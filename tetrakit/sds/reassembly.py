"""Reassembly of long texts and concatenated payloads (EN 300 392-2 cl. 29.5.9, 29.5.14).

:class:`Reassembler` is sans-I/O: the caller passes each received PDU with
its sender and the current time of its own clock, and calls :meth:`expire`
now and then.  Parts may come in any order; a part received twice counts
once; a set that is not complete ``timeout`` seconds after its first part is
dropped by :meth:`expire` and returned, so that the caller can report it
("not all concatenation parts received", delivery status 0x5D).

A set is identified by sender, reference (and its width) and total number of
parts.  After a set completes its parts are remembered for ``timeout``
seconds, so that a late duplicate of one of them (an SDS-TL retransmission)
is ignored instead of opening a new set that could only expire; a part that
differs from the one remembered starts a new set, so a message that reuses
the reference is not lost.  The layouts read here come from one public
implementation ([unverified], see :mod:`tetrakit.sds.udh` and
:mod:`tetrakit.sds.concat`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from tetrakit.errors import DecodeError
from tetrakit.sds.codec import decode
from tetrakit.sds.concat import ConcatenatedData, ConcatenatedPart, ConcatenatedSds
from tetrakit.sds.protocol_id import ProtocolId
from tetrakit.sds.text import CODECS, SimpleText, TextContent
from tetrakit.sds.tl import SdsTransfer
from tetrakit.sds.udh import UdhText

__all__ = ["IncompleteMessage", "ReassembledPayload", "Reassembler"]


@dataclass(frozen=True, slots=True)
class IncompleteMessage:
    """A set of parts dropped by :meth:`Reassembler.expire` before it was complete.

    ``kind`` is ``"text"`` (PI 0x8A parts) or ``"payload"`` (concatenated SDS).
    """

    sender: Hashable
    reference: int
    total: int
    received: tuple[int, ...]
    first_seen: float
    kind: str

    @property
    def missing(self) -> tuple[int, ...]:
        """The sequence numbers never received."""
        got = set(self.received)
        return tuple(n for n in range(1, self.total + 1) if n not in got)


@dataclass(frozen=True, slots=True)
class ReassembledPayload:
    """A reassembled concatenated SDS payload: its PI and the data after it."""

    protocol_id: ProtocolId | int
    data: bytes
    bits: int | None = None

    def user_data(self) -> tuple[bytes, int]:
        """The type-4 user data, PI first, and its length in bits (as ``encode`` gives)."""
        size = len(self.data) * 8 if self.bits is None else self.bits
        return bytes((self.protocol_id,)) + self.data, 8 + size

    def decode(self) -> Any:
        """The payload decoded with :func:`tetrakit.sds.decode`.

        Raises:
            DecodeError: when the payload does not form a PDU.
        """
        return decode(*self.user_data())


@dataclass(slots=True)
class _Set:
    first_seen: float
    parts: dict[int, Any] = field(default_factory=dict)


# (kind, sender, reference width in bits, reference, total)
_Key = tuple[str, Hashable, int, int, int]


class Reassembler:
    """Collects the parts of long texts (PI 0x8A) and concatenated SDS (0x8C / 0x0C).

    Args:
        timeout: seconds after its first part an incomplete set is dropped by
            :meth:`expire` (and after completion a set's late duplicates are
            ignored).
    """

    __slots__ = ("_done", "_sets", "timeout")

    def __init__(self, timeout: float = 60.0) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout {timeout} must be positive")
        self.timeout = timeout
        self._sets: dict[_Key, _Set] = {}
        # completed sets, kept ``timeout`` seconds to recognise late duplicates
        self._done: dict[_Key, tuple[float, dict[int, Any]]] = {}

    @property
    def pending(self) -> int:
        """The number of incomplete sets held."""
        return len(self._sets)

    def feed(self, sender: Hashable, pdu: Any, now: float) -> str | None:
        """Take a received text PDU; return a complete text, or ``None`` while parts are missing.

        Plain texts (PI 0x82 / 0x89, simple text) and 0x8A texts without a
        concatenation element are complete at once.

        Raises:
            TypeError: for a PDU that carries no text.
            DecodeError: for a concatenation element whose total or sequence
                number is impossible (0, or sequence above total).
        """
        if isinstance(pdu, SimpleText):
            return pdu.text
        user_data = pdu.user_data if isinstance(pdu, SdsTransfer) else None
        if isinstance(user_data, TextContent):
            return user_data.text
        if isinstance(user_data, ConcatenatedData):
            raise DecodeError(f"cannot reassemble a raw part ({user_data.reason})",
                              field="udh")
        if not isinstance(user_data, UdhText):
            raise TypeError(f"not a text PDU: {type(pdu).__name__}")
        concat = user_data.concatenation
        if concat is None:
            return user_data.text
        key: _Key = ("text", sender, 16 if concat.long_reference else 8, concat.reference,
                     concat.total)
        parts = self._add(key, concat.total, concat.sequence, user_data.content, now)
        return None if parts is None else _join_text(parts)

    def feed_payload(self, sender: Hashable, pdu: Any, now: float) -> ReassembledPayload | None:
        """Take a concatenated SDS part (PI 0x8C or 0x0C); return the payload once complete.

        Raises:
            TypeError: for a PDU that is not a concatenated SDS message.
            DecodeError: for a part of an unknown concatenation PDU type (kept
                raw by the decoder) or an impossible total or sequence number.
        """
        part = pdu.payload if isinstance(pdu, ConcatenatedSds) else (
            pdu.user_data if isinstance(pdu, SdsTransfer) else None)
        if isinstance(part, ConcatenatedData):
            # the right PDU from the radio, but a part tetrakit could not read
            raise DecodeError(f"cannot reassemble a raw part ({part.reason})",
                              field="concatenation_control")
        if not isinstance(part, ConcatenatedPart):
            raise TypeError(f"not a concatenated SDS part: {type(pdu).__name__}")
        key: _Key = ("payload", sender, 12 if part.extended_reference else 4, part.reference,
                     part.total)
        parts = self._add(key, part.total, part.sequence, part, now)
        return None if parts is None else _join_payload(parts)

    def expire(self, now: float) -> list[IncompleteMessage]:
        """Drop the sets whose first part came ``timeout`` seconds or more before ``now``.

        Returns:
            The dropped sets, oldest first.
        """
        limit = now - self.timeout
        stale = [(key, entry) for key, entry in self._sets.items() if entry.first_seen <= limit]
        for key, _ in stale:
            del self._sets[key]
        self._done = {key: done for key, done in self._done.items() if done[0] > limit}
        stale.sort(key=lambda item: item[1].first_seen)
        return [
            IncompleteMessage(key[1], key[3], key[4], tuple(sorted(entry.parts)),
                              entry.first_seen, key[0])
            for key, entry in stale
        ]

    def _add(self, key: _Key, total: int, sequence: int, part: Any,
             now: float) -> list[Any] | None:
        """Store a part; return all parts in order once the set is complete."""
        if total == 0:
            raise DecodeError("a concatenated message has at least 1 part, got total 0",
                              field="total_parts")
        if not 1 <= sequence <= total:
            raise DecodeError(f"sequence number {sequence} is not 1-{total}",
                              field="sequence_number")
        if total == 1:
            return [part]
        done = self._done.get(key)
        if done is not None:
            done_at, done_parts = done
            if now - done_at < self.timeout and done_parts.get(sequence) == part:
                return None  # a late duplicate of a set already delivered
            # a different part under the same key: a new message reusing the reference
            del self._done[key]
        entry = self._sets.get(key)
        if entry is None:
            entry = self._sets[key] = _Set(now)
        entry.parts.setdefault(sequence, part)  # a duplicate counts once
        if len(entry.parts) < total:
            return None
        del self._sets[key]
        self._done[key] = (now, entry.parts)
        return [entry.parts[n] for n in range(1, total + 1)]


def _join_text(parts: list[TextContent]) -> str:
    scheme = parts[0].coding_scheme
    if scheme in CODECS and all(p.coding_scheme == scheme and p.bits is None for p in parts):
        # join the octets first: a UCS-2 surrogate pair may straddle two parts
        return TextContent(scheme, b"".join(p.data for p in parts)).text
    return "".join(p.text for p in parts)


def _join_payload(parts: list[ConcatenatedPart]) -> ReassembledPayload:
    pi = parts[0].payload_protocol_id
    assert pi is not None  # part 1 always carries it (ConcatenatedPart checks)
    body = b"".join(p.data for p in parts[:-1])
    last = parts[-1]
    if any(p.bits is not None for p in parts[:-1]):
        raise DecodeError("only the last part of a concatenated SDS may end inside an octet",
                          field="concatenated_data")
    return ReassembledPayload(pi, body + last.data,
                              None if last.bits is None else 8 * len(body) + last.bits)
