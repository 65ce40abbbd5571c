"""SDS-TL message reference allocation (EN 300 392-2 cl. 29.4.3.7).

The message reference is 8 bits, chosen by the sender and echoed in the
SDS-REPORT, SDS-ACK or SDS-SHORT-REPORT that answers the transfer.  Answers
are matched on (peer, reference), so a reference must not be reused towards a
peer while a transfer with it is still outstanding; once released it may be
used again.  References are handed out round-robin per destination, so a
released reference is the last to come back: a late duplicate report then
has the longest time to arrive before it could be confused with a new
message.
"""

from __future__ import annotations

from collections.abc import Hashable

from tetrakit.errors import TetrakitError

__all__ = ["MessageReferenceAllocator", "MessageReferencesExhaustedError"]

_COUNT = 256


class MessageReferencesExhaustedError(TetrakitError):
    """All 256 message references towards one destination are outstanding."""

    def __init__(self, destination: Hashable) -> None:
        self.destination = destination
        super().__init__(
            f"all 256 SDS-TL message references towards {destination} are outstanding; "
            "release some (answered or given up) before sending more"
        )


class MessageReferenceAllocator:
    """Hands out message references 0-255 per destination, never one still outstanding.

    Args:
        start: the first reference handed to each new destination.
    """

    __slots__ = ("_next", "_outstanding", "_start")

    def __init__(self, start: int = 0) -> None:
        if not 0 <= start < _COUNT:
            raise ValueError(f"start {start} is not a message reference (0-255)")
        self._start = start
        self._next: dict[Hashable, int] = {}
        self._outstanding: dict[Hashable, set[int]] = {}

    def allocate(self, destination: Hashable) -> int:
        """A reference towards ``destination`` that is not outstanding; it becomes outstanding.

        Raises:
            MessageReferencesExhaustedError: when all 256 are outstanding.
        """
        busy = self._outstanding.setdefault(destination, set())
        if len(busy) >= _COUNT:
            raise MessageReferencesExhaustedError(destination)
        ref = self._next.get(destination, self._start)
        while ref in busy:
            ref = (ref + 1) % _COUNT
        busy.add(ref)
        self._next[destination] = (ref + 1) % _COUNT
        return ref

    def release(self, destination: Hashable, reference: int) -> bool:
        """Mark ``reference`` towards ``destination`` as answered or given up.

        Returns:
            True if it was outstanding (a duplicate release returns False).
        """
        busy = self._outstanding.get(destination)
        if busy is None or reference not in busy:
            return False
        busy.remove(reference)
        return True

    def reserve(self, destination: Hashable, reference: int) -> None:
        """Mark a known reference outstanding (e.g. restored from a journal after a restart).

        Raises:
            ValueError: when it is not 0-255 or already outstanding.
        """
        if not 0 <= reference < _COUNT:
            raise ValueError(f"{reference} is not a message reference (0-255)")
        busy = self._outstanding.setdefault(destination, set())
        if reference in busy:
            raise ValueError(f"message reference {reference} towards {destination} "
                             "is already outstanding")
        busy.add(reference)
        self._next[destination] = (reference + 1) % _COUNT

    def is_outstanding(self, destination: Hashable, reference: int) -> bool:
        """True while ``reference`` towards ``destination`` awaits release."""
        return reference in self._outstanding.get(destination, ())

    def outstanding(self, destination: Hashable) -> frozenset[int]:
        """The references towards ``destination`` not yet released."""
        return frozenset(self._outstanding.get(destination, ()))
