"""PeiEngine: one command in flight, routing by state, timeouts, reset (EN 300 392-5 §6.11)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit.errors import (
    BusyError,
    CmsError,
    CommandError,
    NotRegisteredError,
    OutOfServiceError,
    ParameterError,
    PeiError,
    PeiProtocolError,
    PeiSyntaxError,
    PeiTimeoutError,
    PeiUsageError,
    SendFailedError,
    TransportError,
    UnsupportedCommandError,
)
from tetrakit.identities import Tsi
from tetrakit.pei import EngineState, PeiEngine
from tetrakit.pei import commands as cmd
from tetrakit.pei.enums import AiMode, SdsStatus
from tetrakit.pei.events import (
    CommandCompleted,
    CommandFailed,
    CommandTimedOut,
    EndOfStream,
    FinalKind,
    FinalResult,
    Garbage,
    ModeChanged,
    SdsAccepted,
    SdsIncoming,
    SdsSendStatus,
    StrayFinalResult,
    UnknownUnsolicited,
    UnsolicitedResult,
)
from tetrakit.pei.results import CmgsSetResult, Csq, UnparsedLine

from .helpers import drain, split_at

SDS = cmd.cmgs(1003, bytes.fromhex("82100002"), 32)


def test_two_stage_cmgs_states() -> None:
    eng = PeiEngine()
    assert eng.state is EngineState.IDLE
    s = eng.send(SDS, 0.0)
    assert eng.state is EngineState.BUSY and eng.in_flight == SDS
    assert eng.data_to_send() == b"AT+CMGS=1003,32\r\n82100002\x1a"
    eng.receive_data(b"+CMGS: 5\r\n", 0.1)
    assert drain(eng) == [] and eng.state is EngineState.BUSY
    eng.receive_data(b"OK\r\n", 0.2)
    [accepted] = drain(eng)
    assert accepted == SdsAccepted(s, SDS, ("+CMGS: 5",), (CmgsSetResult(5),), instance=5)
    assert isinstance(accepted, CommandCompleted)  # generic handlers see a completion
    assert eng.state is EngineState.IDLE and eng.data_to_send() == b""
    eng.receive_data(b"+CMGS: 5,5,9\r\n", 3.0)
    [failed] = drain(eng)
    assert failed == SdsSendStatus(5, SdsStatus.FAILED, 9, "+CMGS: 5,5,9")
    assert failed.failed
    assert eng.data_to_send() == b""  # never re-sent by the engine


def test_cmgs_status_arriving_while_next_cmgs_is_in_flight() -> None:
    eng = PeiEngine()
    s1 = eng.send(SDS, 0.0)
    eng.receive_data(b"+CMGS: 1\r\nOK\r\n", 0.1)
    second = cmd.cmgs(1004, b"\x80\x04", 16)
    s2 = eng.send(second, 0.2)
    # The status of the first SDS comes between the second AT+CMGS and its set result.
    eng.receive_data(b"+CMGS: 1,4\r\n+CMGS: 2\r\nOK\r\n", 0.5)
    assert drain(eng) == [
        SdsAccepted(s1, SDS, ("+CMGS: 1",), (CmgsSetResult(1),), instance=1),
        SdsSendStatus(1, SdsStatus.SENT, None, "+CMGS: 1,4"),
        SdsAccepted(s2, second, ("+CMGS: 2",), (CmgsSetResult(2),), instance=2),
    ]


def test_cmgs_ok_without_set_result() -> None:
    eng = PeiEngine()
    s = eng.send(SDS, 0.0)
    eng.receive_data(b"OK\r\n", 0.1)
    assert drain(eng) == [SdsAccepted(s, SDS, (), (), instance=None)]


def test_set_result_form_with_no_cmgs_in_flight_is_unknown() -> None:
    eng = PeiEngine()
    eng.receive_data(b"+CMGS: 4\r\n", 0.0)
    [ev] = drain(eng)
    assert isinstance(ev, UnknownUnsolicited) and "no AT+CMGS in flight" in ev.reason


def test_ctsdsr_between_command_and_ok_is_unsolicited() -> None:
    eng = PeiEngine()
    s = eng.send(cmd.csq(), 0.0)
    eng.receive_data(
        b"+CSQ: 20,99\r\n+CTSDSR: 12,2001,0,1001,0,32\r\n82100002\r\n+CTOM: 1\r\nOK\r\n", 0.3
    )
    incoming, mode, done = drain(eng)
    assert isinstance(incoming, SdsIncoming) and incoming.calling == Tsi(2001)
    assert incoming.data == b"\x82\x10\x00\x02"
    assert mode == ModeChanged(AiMode.DMO, "+CTOM: 1")
    assert done == CommandCompleted(s, cmd.csq(), ("+CSQ: 20,99",), (Csq(20, 99),))
    assert done.results[0].dbm == -73  # type: ignore[union-attr]


def test_unsolicited_kinds_with_no_command() -> None:
    eng = PeiEngine()
    eng.receive_data(b"+CSQ: 99,99\r\nhello\r\n+CREG: x\r\n+FOO: 1\r\nOK\r\n\x00\x01\r\n", 0.0)
    csq, text, bad, foo, stray, garbage = drain(eng)
    assert csq == UnsolicitedResult(Csq(99, 99), "+CSQ: 99,99")
    assert csq.result.dbm is None  # type: ignore[union-attr]
    assert text == UnknownUnsolicited("hello", "text line with no command in flight")
    assert isinstance(bad, UnknownUnsolicited) and "reg_stat" in bad.reason
    assert foo == UnknownUnsolicited("+FOO: 1", "no parser for +FOO")
    assert stray == StrayFinalResult(FinalResult(FinalKind.OK, None, "OK"))
    assert garbage == Garbage(b"\x00\x01")


def test_lines_with_other_prefixes_are_not_swallowed() -> None:
    eng = PeiEngine()
    eng.send(cmd.cnumf(), 0.0)
    eng.receive_data(b"+CREG: 2\r\n+CNUMF: 0,1001\r\nOK\r\n", 0.1)
    reg, done = drain(eng)
    assert reg.registration.stat == 2  # type: ignore[union-attr]
    assert isinstance(done, CommandCompleted) and done.lines == ("+CNUMF: 0,1001",)


def test_unparsable_response_line_is_kept_as_unparsed() -> None:
    eng = PeiEngine()
    eng.send(cmd.csq(), 0.0)
    eng.receive_data(b"+CSQ: strong\r\nOK\r\n", 0.1)
    [done] = drain(eng)
    assert isinstance(done, CommandCompleted)
    [r] = done.results
    assert isinstance(r, UnparsedLine) and r.line == "+CSQ: strong" and "rssi" in r.reason


@pytest.mark.parametrize(
    ("line", "cls", "code"),
    [
        (b"+CME ERROR: 0", SendFailedError, 0),
        (b"+CME ERROR: 31", SendFailedError, 31),
        (b"+CME ERROR: 30", OutOfServiceError, 30),
        (b"+CME ERROR: 4", UnsupportedCommandError, 4),
        (b"+CME ERROR: 35", PeiSyntaxError, 35),
        (b"+CME ERROR: 33", ParameterError, 33),
        (b"+CME ERROR: 34", ParameterError, 34),
        (b"+CME ERROR: 42", BusyError, 42),
        (b"+CME ERROR: 3", NotRegisteredError, 3),
        (b"+CME ERROR: 39", CommandError, 39),
        (b"+CMS ERROR: 330", CmsError, 330),
        (b"ERROR", CommandError, None),
    ],
)
def test_error_results_map_to_exceptions(
    line: bytes, cls: type[CommandError], code: int | None
) -> None:
    eng = PeiEngine()
    s = eng.send(SDS, 0.0)
    eng.receive_data(line + b"\r\n", 0.1)
    [ev] = drain(eng)
    assert isinstance(ev, CommandFailed) and ev.seq == s and ev.command == SDS
    assert type(ev.error) is cls
    assert ev.error.code == code and ev.error.command == "AT+CMGS=1003,32"


def test_queue_one_in_flight_in_order() -> None:
    eng = PeiEngine()
    a, b, c = cmd.at(), cmd.ate(False), cmd.ctsp(1, 3, 130)
    seqs = [eng.send(x, 0.0) for x in (a, b, c)]
    assert seqs == [1, 2, 3]
    assert eng.data_to_send() == b"AT\r\n"
    assert eng.queued == (b, c)
    eng.receive_data(b"OK\r\n", 0.1)
    # The next command is written as soon as the final result has arrived.
    assert eng.data_to_send() == b"ATE0\r\n"
    assert [e.seq for e in drain(eng)] == [1]  # type: ignore[union-attr]
    eng.receive_data(b"+CME ERROR: 35\r\nOK\r\n", 0.2)
    events = drain(eng)
    assert [type(e) for e in events] == [CommandFailed, CommandCompleted]
    assert eng.data_to_send() == b"AT+CTSP=1,3,130\r\n"
    assert eng.queued == ()


def test_timeout_with_fake_clock() -> None:
    eng = PeiEngine()
    s1 = eng.send(cmd.at(), 100.0)
    s2 = eng.send(cmd.csq(), 100.5)
    assert eng.deadline == 105.0
    eng.data_to_send()
    eng.poll(104.999)
    assert drain(eng) == []
    eng.receive_data(b"+CSQ: 1,1\r\n", 104.9)  # a stray line does not extend the deadline
    eng.poll(105.0)
    stray, ev = drain(eng)
    assert stray == UnsolicitedResult(Csq(1, 1), "+CSQ: 1,1")
    assert isinstance(ev, CommandTimedOut) and isinstance(ev, CommandFailed)
    assert ev.seq == s1 and isinstance(ev.error, PeiTimeoutError)
    assert "'AT': no final result within 5 s" in str(ev.error)
    # The next command is written at the time of the timeout and gets its own deadline.
    assert eng.data_to_send() == b"AT+CSQ?\r\n"
    assert eng.deadline == 110.0 and eng.in_flight == cmd.csq()
    eng.receive_data(b"+CSQ: 2,2\r\nOK\r\n", 106.0)
    [done] = drain(eng)
    assert isinstance(done, CommandCompleted) and done.seq == s2
    assert done.results == (Csq(2, 2),)
    eng.poll(1000.0)
    assert drain(eng) == [] and eng.deadline is None


def test_deadline_starts_when_the_command_is_written() -> None:
    eng = PeiEngine()
    eng.send(cmd.at(), 0.0)
    eng.send(cmd.atz(), 0.0)  # queued; ATZ has a 10 s timeout
    eng.receive_data(b"OK\r\n", 4.0)
    drain(eng)
    assert eng.deadline == 14.0


def test_custom_timeout_via_raw() -> None:
    eng = PeiEngine()
    eng.send(cmd.raw("AT+CNUMS?", timeout=0.5), 1.0)
    eng.poll(1.5)
    [ev] = drain(eng)
    assert isinstance(ev, CommandTimedOut)


def test_reset_fails_in_flight_and_queued_and_clears_buffers() -> None:
    eng = PeiEngine()
    s1 = eng.send(cmd.at(), 0.0)
    s2 = eng.send(cmd.csq(), 0.0)
    eng.receive_data(b"+CSQ: 1", 0.1)  # half a line, dropped by reset
    eng.reset()
    f1, f2 = drain(eng)
    assert (f1.seq, f2.seq) == (s1, s2)  # type: ignore[union-attr]
    assert isinstance(f1, CommandFailed) and type(f1.error) is PeiError
    assert "discarded by reset" in str(f1.error)
    assert eng.state is EngineState.IDLE and eng.data_to_send() == b""
    s3 = eng.send(cmd.at(), 1.0)
    assert eng.data_to_send() == b"AT\r\n"
    eng.receive_data(b",99\r\nOK\r\n", 1.1)
    ev = drain(eng)
    # Without the reset, "+CSQ: 1" and ",99" would have joined into one line.
    assert ev[-1].seq == s3 and ev[-1].lines == (",99",)  # type: ignore[union-attr]


def test_reset_with_given_error() -> None:
    eng = PeiEngine()
    eng.send(cmd.at(), 0.0)
    err = TransportError("port vanished")
    eng.reset(err)
    [ev] = drain(eng)
    assert isinstance(ev, CommandFailed) and ev.error is err


def test_protocol_error_needs_reset() -> None:
    eng = PeiEngine()
    eng.send(cmd.at(), 0.0)
    eng.receive_data(b"OK\r\n+CTSDSR: 12,1,0,2,0,16\r\nnot hex\r\n", 0.1)
    assert isinstance(eng.next_event(), CommandCompleted)
    with pytest.raises(PeiProtocolError, match="not hex"):
        eng.next_event()
    assert eng.state is EngineState.ERROR
    with pytest.raises(PeiProtocolError):
        eng.next_event()
    with pytest.raises(PeiUsageError, match="error"):
        eng.send(cmd.at(), 0.2)
    eng.reset()
    eng.send(cmd.at(), 0.3)
    eng.receive_data(b"OK\r\n", 0.4)
    assert isinstance(eng.next_event(), CommandCompleted)


def test_end_of_stream_fails_pending_commands() -> None:
    eng = PeiEngine()
    s1 = eng.send(cmd.at(), 0.0)
    s2 = eng.send(cmd.at(), 0.0)
    eng.receive_data(b"", 0.5)
    f1, f2, end = drain(eng)
    assert isinstance(f1, CommandFailed) and f1.seq == s1
    assert isinstance(f1.error, TransportError) and "stream ended" in str(f1.error)
    assert isinstance(f2, CommandFailed) and f2.seq == s2
    assert end == EndOfStream()
    assert eng.state is EngineState.CLOSED
    with pytest.raises(PeiUsageError):
        eng.send(cmd.at(), 1.0)
    with pytest.raises(PeiUsageError):
        eng.receive_data(b"OK\r\n", 1.0)
    eng.reset()
    assert eng.state is EngineState.IDLE
    eng.send(cmd.at(), 2.0)
    assert eng.data_to_send() == b"AT\r\n"


def test_echo_is_dropped() -> None:
    eng = PeiEngine()
    s = eng.send(cmd.ate(False), 0.0)
    eng.receive_data(b"ATE0\r\r\nOK\r\n", 0.1)
    assert drain(eng) == [CommandCompleted(s, cmd.ate(False), (), ())]


def test_gmi_bare_text_answer() -> None:
    eng = PeiEngine()
    eng.send(cmd.gmi(), 0.0)
    eng.receive_data(b"\r\nSEPURA\r\n\r\nOK\r\n", 0.1)
    [ev] = drain(eng)
    assert isinstance(ev, CommandCompleted)
    assert ev.results[0].text == "SEPURA"  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 1000), max_size=10),
    st.lists(st.integers(0, 2), min_size=1, max_size=6),
)
def test_engine_chunk_invariance(cuts: list[int], picks: list[int]) -> None:
    menu = [cmd.at(), SDS, cmd.cnumf()]
    stream = (
        b"OK\r\n+CTSDSR: 12,1,0,2,0,16\r\n8004\r\n+CMGS: 0\r\n+CMGS: 9,4,1\r\nOK\r\n"
        b"+CNUMF: 0,2620100108280651\r\n2,16777184\r\nERROR\r\n> OK\r\n+CME ERROR: 42\r\n"
        b"OK\r\nOK\r\n"
    )

    def run(chunks: list[bytes]) -> list[object]:
        eng = PeiEngine()
        for i, p in enumerate(picks):
            eng.send(menu[p], float(i))
        out: list[object] = []
        for chunk in chunks:
            eng.receive_data(chunk, 1.0)
            out += drain(eng)
        eng.receive_data(b"", 2.0)
        out += drain(eng)
        return [(type(e).__name__, getattr(e, "seq", None)) for e in out]

    assert run(split_at(stream, cuts)) == run([stream])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(min_size=1, max_size=48), max_size=8),
    st.lists(st.floats(0, 100), max_size=4),
)
def test_fuzz_engine_only_protocol_errors(chunks: list[bytes], polls: list[float]) -> None:
    eng = PeiEngine()
    eng.send(SDS, 0.0)
    eng.send(cmd.cnumf(), 0.0)
    try:
        for i, chunk in enumerate(chunks):
            eng.receive_data(chunk, float(i))
            drain(eng)
            for t in polls:
                eng.poll(t)
            drain(eng)
        eng.receive_data(b"", 50.0)
        drain(eng)
    except PeiProtocolError:
        assert eng.state is EngineState.ERROR
