"""Codec tests against frames computed by hand (PROTOCOL.md §2-§4).

The frames in ``CASES`` are literals: their check values were worked out once,
bit by bit from the definition of CRC-16/CCITT-FALSE (one input bit at a time,
a formulation independent of both crcmod's table and ``reference_crc`` below),
and written down here.  ``hw/buttonbox/PROTOCOL.md`` §2 shows the worked
example ``PRESS,1,3`` -> ``7E1A`` byte by byte.
"""

from __future__ import annotations

import contextlib
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tetrakit.alarm.inputs.buttonbox_codec import (
    Ack,
    Clear,
    DropReason,
    Fault,
    FaultKind,
    Heartbeat,
    Hello,
    Led,
    LedMode,
    LineSplitter,
    Message,
    Ping,
    Press,
    Release,
    Status,
    crc16,
    decode,
    drop_reason,
    encode,
    seq_newer,
)
from tetrakit.errors import DecodeError


def reference_crc(data: bytes) -> int:
    """CRC-16/CCITT-FALSE bit by bit, straight from its definition."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def hand_frame(payload: str) -> bytes:
    """A frame with a correct check value (for tests of the fields, not of the check)."""
    return f"!{payload}*{reference_crc(payload.encode()):04X}\n".encode()


def test_check_value_of_123456789() -> None:
    assert crc16(b"123456789") == 0x29B1
    assert reference_crc(b"123456789") == 0x29B1


def test_firmware_crc_check_value(fw: ModuleType) -> None:
    assert fw.crc16(b"123456789") == 0x29B1


@given(st.binary(max_size=200))
def test_firmware_crc_agrees_with_crcmod(fw: ModuleType, data: bytes) -> None:
    assert fw.crc16(data) == crc16(data)


def test_known_frame_literal() -> None:
    # the worked example of PROTOCOL.md §2
    assert crc16(b"PRESS,1,3") == 0x7E1A
    assert encode(Press(1, 3)) == b"!PRESS,1,3*7E1A\n"
    assert decode(b"!PRESS,1,3*7E1A\n") == Press(1, 3)
    assert decode(b"!PRESS,1,4*0EFD\n") == Press(1, 4)


# (frame with its check value worked out by hand, message)
CASES: list[tuple[bytes, Message]] = [
    (b"!HELLO,0,1.0.0,8*026F\n", Hello(0, "1.0.0", 8)),
    (b"!PRESS,17,3*23B6\n", Press(17, 3)),
    (b"!RELEASE,18,3*42D3\n", Release(18, 3)),
    (b"!HB,65535,86400,0001*4AA1\n", Heartbeat(65535, 86400, 0x0001)),
    (b"!FAULT,42,2,OPEN*BEE3\n", Fault(42, 2, FaultKind.OPEN)),
    (b"!FAULT,43,2,SHORT*C48D\n", Fault(43, 2, FaultKind.SHORT)),
    (b"!FAULT,44,255,TAMPER*7C0B\n", Fault(44, 255, FaultKind.TAMPER)),
    (b"!CLEAR,45,2*F65A\n", Clear(45, 2)),
    (b"!ACK,17*2D2E\n", Ack(17)),
    (b"!LED,0,1,SLOW*6DE4\n", Led(0, 1, LedMode.SLOW)),
    (b"!LED,1,1,ON*6DD9\n", Led(1, 1, LedMode.ON)),
    (b"!LED,2,1,FAST*718C\n", Led(2, 1, LedMode.FAST)),
    (b"!LED,3,1,OFF*A543\n", Led(3, 1, LedMode.OFF)),
    (b"!PING,9*779A\n", Ping(9)),
]


@pytest.mark.parametrize(("frame", "msg"), CASES)
def test_hand_frames(frame: bytes, msg: Message) -> None:
    assert encode(msg) == frame
    assert decode(frame) == msg
    assert decode(frame[:-1]) == msg  # without LF
    assert decode(frame[:-1] + b"\r\n") == msg  # CR tolerated


@pytest.mark.parametrize(("frame", "msg"), CASES)
def test_reference_crc_gives_the_literal_check_values(frame: bytes, msg: Message) -> None:
    payload, check = frame[1:-1].split(b"*")
    assert f"{reference_crc(payload):04X}".encode() == check


@pytest.mark.parametrize(("frame", "msg"), CASES)
def test_firmware_frames_equal_host_frames(fw: ModuleType, frame: bytes, msg: Message) -> None:
    fields = frame[1:].split(b"*")[0].decode().split(",")
    assert fw.encode_frame(fields) == frame
    assert fw.split_frame(frame[:-1]) == fields


def test_heartbeat_status_bits() -> None:
    hb = decode(b"!HB,5,12,8013*0BB1\n")
    assert isinstance(hb, Heartbeat)
    assert hb.status == 0x8013
    # reserved bit 0x8000 is ignored
    assert hb.flags == Status.INPUT_FAULT | Status.PENDING | Status.WATCHDOG_RESET
    assert decode(b"!HB,5,12,0*40ED\n") == Heartbeat(5, 12, 0)  # 1-4 digits accepted


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (b"PRESS,1,3*1234", "frame"),  # no "!"
        (b"!PRESS,1,3", "frame"),  # no check
        (b"!PRESS,1,3*12", "frame"),  # short check
        (b"!PRESS,1,3*12345", "frame"),  # long check
        (b"!PRES\xc5,1,3*0000", "frame"),  # not ASCII
        (b"!PRESS,1!,3*0000", "frame"),
        (b"!" + b"A" * 70 + b"*0000", "frame"),  # too long
    ],
)
def test_framing_errors(line: bytes, field: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(line)
    assert info.value.field == field


def test_bad_check_value_names_both_values() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"!PRESS,1,4*7E1A\n")  # the check value of PRESS,1,3
    assert info.value.field == "check"
    assert "7E1A" in str(info.value) and "0EFD" in str(info.value)
    assert drop_reason(info.value) is DropReason.CHECK


def test_lowercase_check_is_rejected() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"!PRESS,1,3*7e1a\n")
    assert info.value.field == "check"
    with pytest.raises(DecodeError):
        decode(b"!PING,0*abcd")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("BEEP,1", "type"),
        ("PRESS,1", "fields"),
        ("PRESS,1,3,4", "fields"),
        ("PRESS,01,3", "seq"),  # leading zero
        ("PRESS,65536,3", "seq"),
        ("PRESS,-1,3", "seq"),
        ("PRESS, 1,3", "seq"),
        ("PRESS,1,0", "button"),
        ("PRESS,1,256", "button"),
        ("FAULT,1,2,CUT", "kind"),
        ("LED,1,2,BLINK", "mode"),
        ("HB,1,12,00001", "status"),
        ("HB,1,12,ff", "status"),
        ("HB,1,4294967296,0000", "uptime"),
        ("HELLO,0,,4", "version"),
        ("HELLO,0,1 0,4", "version"),
        ("HELLO,0,1.0,0", "buttons"),
        ("hello,0,1.0,4", "type"),
    ],
)
def test_field_errors_name_the_field(payload: str, field: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(hand_frame(payload))
    assert info.value.field == field
    assert drop_reason(info.value) is DropReason.SYNTAX


@given(st.binary(max_size=80))
def test_decode_raises_only_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(data)


messages = st.one_of(
    st.builds(
        Hello,
        st.integers(0, 65535),
        st.text("0123456789.abcXYZ_+-", min_size=1, max_size=16),
        st.integers(1, 255),
    ),
    st.builds(Press, st.integers(0, 65535), st.integers(1, 255)),
    st.builds(Release, st.integers(0, 65535), st.integers(1, 255)),
    st.builds(Heartbeat, st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(0, 0xFFFF)),
    st.builds(Fault, st.integers(0, 65535), st.integers(1, 255), st.sampled_from(FaultKind)),
    st.builds(Clear, st.integers(0, 65535), st.integers(1, 255)),
    st.builds(Ack, st.integers(0, 65535)),
    st.builds(Led, st.integers(0, 65535), st.integers(1, 255), st.sampled_from(LedMode)),
    st.builds(Ping, st.integers(0, 65535)),
)


@given(messages)
def test_round_trip(msg: Message) -> None:
    frame = encode(msg)
    assert len(frame) <= 64
    assert decode(frame) == msg


@given(messages, st.integers(1, 60), st.integers(0, 255))
def test_firmware_and_host_agree_on_corrupted_frames(
    fw: ModuleType, msg: Message, pos: int, value: int
) -> None:
    frame = bytearray(encode(msg)[:-1])
    frame[pos % len(frame)] = value
    try:
        host_ok = decode(bytes(frame)) is not None
    except DecodeError as exc:
        host_ok = exc.field not in ("frame", "check")
    # the firmware checks framing and check value only; both must agree on those
    assert (fw.split_frame(bytes(frame)) is not None) == host_ok


def test_encode_refuses_out_of_range() -> None:
    with pytest.raises(ValueError):
        encode(Press(65536, 1))
    with pytest.raises(ValueError):
        encode(Led(0, 0, LedMode.ON))


def test_seq_newer_wraps() -> None:
    assert seq_newer(1, 0)
    assert seq_newer(0, 65535)
    assert seq_newer(5, 65530)
    assert not seq_newer(65535, 0)
    assert not seq_newer(7, 7)


@given(st.lists(messages, max_size=8), st.data())
def test_line_splitter_chunking_does_not_matter(msgs: list[Message], data: st.DataObject) -> None:
    stream = b"".join(encode(m) for m in msgs)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    splitter = LineSplitter()
    lines: list[bytes] = []
    last = 0
    for cut in [*cuts, len(stream)]:
        lines += splitter.feed(stream[last:cut])
        last = cut
    assert [decode(line) for line in lines] == msgs


def test_line_splitter_skips_over_long_lines() -> None:
    splitter = LineSplitter()
    good = encode(Press(1, 1))
    assert splitter.feed(b"x" * 50) == []
    assert splitter.feed(b"y" * 50) == []  # over 64 without LF: discarded up to the LF
    assert splitter.feed(b"zzz\n" + good + b"\r\n\n") == [good[:-1]]
    assert splitter.oversize == 1
