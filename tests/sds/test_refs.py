"""MessageReferenceAllocator: 0-255 per destination, never one still outstanding."""

from __future__ import annotations

import pytest

from tetrakit.identities import Tsi
from tetrakit.sds import MessageReferenceAllocator, MessageReferencesExhaustedError


def test_references_are_per_destination_and_round_robin() -> None:
    refs = MessageReferenceAllocator()
    assert [refs.allocate(2001) for _ in range(3)] == [0, 1, 2]
    assert refs.allocate(2002) == 0
    assert refs.outstanding(2001) == frozenset({0, 1, 2})
    assert refs.release(2001, 1) is True
    assert refs.release(2001, 1) is False  # duplicate release
    # a released reference is not handed out again at once
    assert refs.allocate(2001) == 3


def test_wraps_255_to_0_skipping_outstanding() -> None:
    refs = MessageReferenceAllocator(start=254)
    assert refs.allocate("a") == 254
    assert refs.allocate("a") == 255
    assert refs.allocate("a") == 0
    refs.release("a", 255)
    refs.release("a", 0)
    got = [refs.allocate("a") for _ in range(255)]
    assert 254 not in got  # still outstanding
    assert sorted(got) == [n for n in range(256) if n != 254]


def test_all_256_outstanding_is_a_clear_error() -> None:
    refs = MessageReferenceAllocator()
    dest = Tsi(2001)
    for _ in range(256):
        refs.allocate(dest)
    with pytest.raises(MessageReferencesExhaustedError) as info:
        refs.allocate(dest)
    assert "256" in str(info.value) and "2001" in str(info.value)
    refs.release(dest, 17)
    assert refs.allocate(dest) == 17
    # other destinations are unaffected
    assert refs.allocate(Tsi(2002)) == 0


def test_reserve_restored_reference() -> None:
    refs = MessageReferenceAllocator()
    refs.reserve(9100, 5)
    assert refs.is_outstanding(9100, 5)
    assert refs.allocate(9100) == 6
    with pytest.raises(ValueError):
        refs.reserve(9100, 5)
    with pytest.raises(ValueError):
        refs.reserve(9100, 300)
    with pytest.raises(ValueError):
        MessageReferenceAllocator(start=256)
