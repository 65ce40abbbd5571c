"""PeiReceiver: tolerance, errors, chunk invariance and fuzz (EN 300 392-5 §6.11, §6.13.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit.errors import PeiProtocolError, PeiUsageError
from tetrakit.identities import Tsi
from tetrakit.pei import PeiReceiver
from tetrakit.pei.events import (
    Echo,
    EndOfStream,
    FinalKind,
    FinalResult,
    Garbage,
    Prompt,
    ResultLine,
    SdsIncoming,
)

from .helpers import receive_all, receive_outcome, split_at

OK = FinalResult(FinalKind.OK, None, "OK")
END = EndOfStream()


@pytest.mark.parametrize("eol", [b"\r\n", b"\r", b"\n", b"\n\r", b"\r\r\n"])
def test_line_endings(eol: bytes) -> None:
    stream = b"+CSQ: 20,99" + eol + b"OK" + eol
    assert receive_all([stream]) == [ResultLine("+CSQ", "+CSQ: 20,99"), OK, END]


def test_empty_lines_and_blanks_are_skipped() -> None:
    assert receive_all([b"\r\n\r\n  \r\n\tOK \r\n\n"]) == [OK, END]


def test_final_results() -> None:
    events = receive_all([b"ERROR\r\n+CME ERROR: 42\r\n+CMS ERROR: 500\r\n+CME ERROR: busy\r\n"])
    assert events == [
        FinalResult(FinalKind.ERROR, None, "ERROR"),
        FinalResult(FinalKind.CME_ERROR, 42, "+CME ERROR: 42"),
        FinalResult(FinalKind.CMS_ERROR, 500, "+CMS ERROR: 500"),
        FinalResult(FinalKind.CME_ERROR, None, "+CME ERROR: busy"),
        END,
    ]


def test_echo_of_commands() -> None:
    events = receive_all([b"ATE1\r\r\nOK\r\nat+csq?\r\r\n+CSQ: 10,99\r\n\r\nOK\r\n"])
    assert events == [Echo("ATE1"), OK, Echo("at+csq?"), ResultLine("+CSQ", "+CSQ: 10,99"), OK, END]


def test_echoed_cmgs_payload_is_echo_not_text() -> None:
    events = receive_all([b"AT+CMGS=1234,16\r\n8004\x1a\r\n+CMGS: 1\r\nOK\r\n"])
    assert events == [
        Echo("AT+CMGS=1234,16"),
        Echo("8004"),
        ResultLine("+CMGS", "+CMGS: 1"),
        OK,
        END,
    ]
    # Ctrl-Z also ends the line when the radio adds no line ending after it.
    events = receive_all([b"AT+CMGS=1234,16\r\n8004\x1a+CMGS: 1\r\nOK\r\n"])
    assert events == [
        Echo("AT+CMGS=1234,16"),
        Echo("8004"),
        ResultLine("+CMGS", "+CMGS: 1"),
        OK,
        END,
    ]


def test_hex_line_without_cmgs_echo_is_a_text_line() -> None:
    assert receive_all([b"8004\r\n"]) == [ResultLine(None, "8004"), END]


@pytest.mark.parametrize(
    "stream",
    [
        b"> +CMGS: 2\r\nOK\r\n",
        b">\r\n+CMGS: 2\r\nOK\r\n",
        b"> \r\n+CMGS: 2\r\nOK\r\n",
        b"\r\n> +CMGS: 2\r\n\r\nOK\r\n",
    ],
)
def test_stray_prompt(stream: bytes) -> None:
    assert receive_all([stream]) == [Prompt(), ResultLine("+CMGS", "+CMGS: 2"), OK, END]


def test_prompt_without_line_ending_is_reported_at_once() -> None:
    rx = PeiReceiver()
    rx.receive_data(b"AT+CMGS=1,16\r\n> ")
    assert rx.next_event() == Echo("AT+CMGS=1,16")
    assert rx.next_event() == Prompt()
    assert rx.next_event() is None
    rx.receive_data(b">")
    assert rx.next_event() is None  # a lone ">" might start a longer line
    rx.receive_data(b" ")
    assert rx.next_event() == Prompt()


def test_garbage_at_connect() -> None:
    events = receive_all(
        [b"\x00\xff\xfe\x13\x11\r\n\xff\x00 OK\r\nO\x00K\r\n\x80\x81\x82\r\nOK\r\n"]
    )
    assert events == [
        Garbage(b"\x00\xff\xfe\x13\x11"),
        # junk glued in front of the radio's first real line is split off
        Garbage(b"\xff\x00"),
        OK,
        Garbage(b"O\x00K"),
        Garbage(b"\x80\x81\x82"),
        OK,
        END,
    ]


def test_bare_text_starting_with_at_is_not_echo() -> None:
    events = receive_all([b"ATTEL\r\nAtlanta 1\r\nATD1234;\r\nATH\r\nAT&F\r\nAT\r\nati\r\n"])
    assert events == [
        ResultLine(None, "ATTEL"),
        ResultLine(None, "Atlanta 1"),
        Echo("ATD1234;"),
        Echo("ATH"),
        Echo("AT&F"),
        Echo("AT"),
        Echo("ati"),
        END,
    ]


def test_latin1_text_inside_a_line_is_text() -> None:
    events = receive_all(["+CNUMS: 1,9100,Hjertestans \xe6\xf8\xe5\r\n".encode("latin-1")])
    assert events == [ResultLine("+CNUMS", "+CNUMS: 1,9100,Hjertestans æøå"), END]


def test_unsolicited_between_command_lines() -> None:
    stream = (
        b"+CNUMF: 6,09011638300023401\r\n+CTSDSR: 12,1001,0,1003,0,16\r\n8004\r\n"
        b"+CMGS: 0,4,7\r\nOK\r\n"
    )
    events = receive_all([stream])
    assert [type(e).__name__ for e in events] == [
        "ResultLine",
        "SdsIncoming",
        "ResultLine",
        "FinalResult",
        "EndOfStream",
    ]


def test_ctsdsr_header_continued_on_a_comma_line() -> None:
    stream = b"+CTSDSR: 12,23404,0\r\n,23401,0,32\r\n82100002\r\n"
    [ev, end] = receive_all([stream])
    assert isinstance(ev, SdsIncoming)
    assert (ev.calling, ev.called, ev.bits, ev.data) == (
        Tsi(23404),
        Tsi(23401),
        32,
        b"\x82\x10\x00\x02",
    )
    assert ev.header == "+CTSDSR: 12,23404,0,23401,0,32"
    assert end == END


def test_ctsdsr_payload_after_blank_lines_and_with_spaces() -> None:
    [ev, _] = receive_all([b"+CTSDSR: 12,1,0,2,0,32\r\n\r\n\r\n8210 0002\r\n"])
    assert isinstance(ev, SdsIncoming) and ev.data == b"\x82\x10\x00\x02"
    assert ev.hex == "82100002"


def test_ctsdsr_seven_fields_with_e2ee_then_payload_line() -> None:
    [ev, _] = receive_all([b"+CTSDSR: 12,1,0,2,0,16,1\r\n8004\r\n"])
    assert isinstance(ev, SdsIncoming) and ev.e2ee is True and ev.data == b"\x80\x04"


def test_ctsdsr_empty_e2ee_field() -> None:
    [ev, _] = receive_all([b"+CTSDSR: 12,1,0,2,0,16,\r\n8004\r\n"])
    assert isinstance(ev, SdsIncoming) and ev.e2ee is None and ev.data == b"\x80\x04"


def test_ctsdsr_one_line_after_seven_fields() -> None:
    [ev, _] = receive_all([b"+CTSDSR: 12,1,0,2,0,16,0,8004\r\n"])
    assert isinstance(ev, SdsIncoming) and ev.e2ee is False and ev.data == b"\x80\x04"


def test_ctsdsr_zero_length_has_no_payload_line() -> None:
    events = receive_all([b"+CTSDSR: 12,1,0,2,0,0\r\nOK\r\n"])
    assert events[0] == SdsIncoming(
        ai_service=12,
        calling=Tsi(1),
        calling_type=0,
        called=Tsi(2),
        called_type=0,
        bits=0,
        e2ee=None,
        data=b"",
        hex="",
        header="+CTSDSR: 12,1,0,2,0,0",
    )
    assert events[1:] == [OK, END]


def test_truncated_payload_is_delivered_and_flagged() -> None:
    [ev, _] = receive_all([b"+CTSDSR: 12,1,0,2,0,84\r\n0A0BA7D5B95BC50AFF\r\n"])
    assert isinstance(ev, SdsIncoming) and ev.truncated and ev.bits == 84
    assert ev.data == bytes.fromhex("0A0BA7D5B95BC50AFF")


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (b"+CTSDSR: 12,1,0,2,0,16\r\nOK\r\n", "not hex"),
        (b"+CTSDSR: 12,1,0,2,0,16\r\n80\x0004\r\n", "not hex"),
        (b"+CTSDSR: 12,1,0,2,0,16\r\n", "before its payload"),
        (b"+CTSDSR: twelve,1,16\r\n8004\r\n", "bad +CTSDSR header"),
        (b"+CTSDSR: 12,1\r\n8004\r\n", "bad +CTSDSR header"),
        (b"+CTSDSR: 12,1,0,2,0,96, 82ZZ\r\n", "not hex"),
        (b"+CTSDSR: 12,1,0,2,0,16,1, 80G4\r\n", "not hex"),
        (b"+CTSDSR: 12,1,0,2,0,16,7,8004\r\n", "e2ee must be 0 or 1"),
    ],
)
def test_protocol_errors(stream: bytes, message: str) -> None:
    _events, error = receive_outcome([stream])
    assert error is not None and message in error


def test_overlong_line_is_an_error_also_while_incomplete() -> None:
    rx = PeiReceiver(max_line=64)
    rx.receive_data(b"OK\r\n" + b"A" * 65)
    assert rx.next_event() == OK
    with pytest.raises(PeiProtocolError, match="longer than 64"):
        rx.next_event()
    # It stays broken until reset().
    with pytest.raises(PeiProtocolError):
        rx.next_event()
    assert rx.broken
    rx.reset()
    rx.receive_data(b"OK\r\n")
    assert rx.next_event() == OK and not rx.broken


def test_endless_header_continuation_is_an_error() -> None:
    rx = PeiReceiver(max_line=64)
    rx.receive_data(b"+CTSDSR: 12,1\r\n" + b",0\r\n" * 40)
    with pytest.raises(PeiProtocolError, match="header longer than 64"):
        rx.next_event()


def test_events_before_an_error_are_delivered_first() -> None:
    events, error = receive_outcome([b"OK\r\n+CSQ: 1,2\r\n+CTSDSR: 12,1,0,2,0,16\r\nOK\r\n"])
    assert events == [OK, ResultLine("+CSQ", "+CSQ: 1,2")]
    assert error is not None


def test_data_after_eof_is_a_usage_error() -> None:
    rx = PeiReceiver()
    rx.receive_data(b"OK")
    rx.receive_data(b"")
    assert rx.next_event() == OK  # the unterminated last line counts at EOF
    assert rx.next_event() == END
    assert rx.next_event() is None
    rx.receive_data(b"")
    with pytest.raises(PeiUsageError):
        rx.receive_data(b"OK\r\n")


def test_pending_bytes() -> None:
    rx = PeiReceiver()
    rx.receive_data(b"OK\r\n+CS")
    assert rx.next_event() == OK
    assert rx.pending_bytes == 3


def test_max_line_must_be_sane() -> None:
    with pytest.raises(ValueError, match="max_line"):
        PeiReceiver(max_line=3)


# ---------------------------------------------------------------- chunk invariance

ATOMS = [
    b"OK\r\n",
    b"ERROR\r\n",
    b"+CME ERROR: 35\r\n",
    b"+CMS ERROR: 1\r\n",
    b"\r\n",
    b"\r",
    b"\n",
    b"> ",
    b">",
    b" ",
    b"AT+CMGS=1234,32\r\n82100002\x1a",
    b"ATE1\r",
    b"+CMGS: 0\r\n",
    b"+CMGS: 0,4,7\r\n",
    b"+CTSDSR: 12,23404,0,23401,0,32\r\n82100002\r\n",
    b"+CTSDSR: 12,23404,0,23401,0,96, 82041D014164676A6D707477\r\n",
    b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A0BA7D5B95BC50AFFE16\r\n",
    b"+CTSDSR: 12,23404,0\r\n,23401,0,32\r\n82100002\n",
    b"+CREG: 1,1,90109999\r",
    b"\x00\xff\x13",
    b"MOTOROLA\n",
    b"+CTXG: 1,3,0,0,3,09011638300023404\r\n",
    b"\x1a",
    b"+CTSDSR: 12,1,0,2,0,0\r\n",
]


@st.composite
def streams_and_cuts(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    parts = draw(st.lists(st.one_of(st.sampled_from(ATOMS), st.binary(max_size=6)), max_size=25))
    data = b"".join(parts)
    cuts = draw(st.lists(st.integers(0, max(len(data), 0)), max_size=20))
    return data, cuts


@settings(max_examples=300, deadline=None)
@given(streams_and_cuts())
def test_chunk_invariance(case: tuple[bytes, list[int]]) -> None:
    data, cuts = case
    whole = receive_outcome([data])
    assert receive_outcome(split_at(data, cuts)) == whole


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=20))
def test_chunk_invariance_one_byte_at_a_time(parts: list[bytes]) -> None:
    data = b"".join(parts)
    whole = receive_outcome([data])
    assert receive_outcome([data[i : i + 1] for i in range(len(data))]) == whole


# ---------------------------------------------------------------- fuzz


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=64), max_size=8))
def test_fuzz_only_protocol_errors(chunks: list[bytes]) -> None:
    rx = PeiReceiver(max_line=128)
    try:
        for chunk in [*chunks, b""]:
            rx.receive_data(chunk)
            while rx.next_event() is not None:
                pass
    except PeiProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ATOMS),
            st.binary(min_size=1, max_size=12),
            st.sampled_from([b"+CTSDSR: ", b",", b"12", b"+CMGS: ", b"\x1a"]),
        ),
        max_size=30,
    )
)
def test_fuzz_near_valid_streams(parts: list[bytes]) -> None:
    rx = PeiReceiver()
    try:
        for chunk in [*parts, b""]:
            rx.receive_data(chunk)
            while rx.next_event() is not None:
                pass
    except PeiProtocolError:
        pass
