"""Every transcript of tests/vectors/pei_transcripts.md, parsed into the expected events.

The section numbers below are those of the vectors file.  Result lines are put
on the wire with CR LF, as radios send them.
"""

from __future__ import annotations

import pytest

from tetrakit.errors import ParameterError, PeiSyntaxError
from tetrakit.identities import Tsi
from tetrakit.pei import PeiEngine
from tetrakit.pei import commands as cmd
from tetrakit.pei.enums import (
    AiMode,
    AiService,
    CalledPartyIdentityType,
    DisconnectCause,
    GroupType,
    NumType,
    RegStat,
    SdsStatus,
    TxGrant,
)
from tetrakit.pei.events import (
    CallControl,
    CommandCompleted,
    CommandFailed,
    Echo,
    EndOfStream,
    FinalKind,
    FinalResult,
    RegistrationChanged,
    ResultLine,
    SdsAccepted,
    SdsIncoming,
    SdsSendStatus,
    UnknownUnsolicited,
    UnsolicitedResult,
)
from tetrakit.pei.results import (
    Cdtxc,
    CmgsSetResult,
    Cnum,
    Creg,
    Ctcc,
    Ctcr,
    Ctdgr,
    Ctgs,
    Cticn,
    Ctxg,
    GenericResult,
    Identification,
    parse_ctsdsr_header,
)

from .helpers import drain, receive_all

SSI = CalledPartyIdentityType.SSI
T4 = AiService.SDS_TYPE_4


def wire(*lines: str) -> bytes:
    return b"".join(line.encode("latin-1") + b"\r\n" for line in lines)


def sds(
    header: str,
    payload: str,
    bits: int,
    data: str,
    *,
    calling: int,
    called: int,
    ai: AiService = T4,
) -> SdsIncoming:
    return SdsIncoming(
        ai_service=ai,
        calling=Tsi(calling),
        calling_type=SSI,
        called=Tsi(called),
        called_type=SSI,
        bits=bits,
        e2ee=None,
        data=bytes.fromhex(data),
        hex=payload,
        header=header,
    )


# ---------------------------------------------------------------- §1 two-stage +CMGS


def test_s1_two_stage_cmgs_motorola_log() -> None:
    """§1: AT -> OK; AT+CMGS -> +CMGS: 0, OK; later +CMGS: 0,4,7; keep-alive AT -> OK."""
    eng = PeiEngine()
    s_at = eng.send(cmd.at(), 0.0)
    assert eng.data_to_send() == b"AT\r\n"
    eng.receive_data(wire("OK"), 0.1)
    assert drain(eng) == [CommandCompleted(s_at, cmd.at(), (), ())]

    send = cmd.cmgs(2269001, bytes.fromhex("82100007"), 32)
    s_sds = eng.send(send, 7.0)
    assert eng.data_to_send() == b"AT+CMGS=2269001,32\r\n82100007\x1a"
    eng.receive_data(wire("+CMGS: 0"), 8.0)
    assert drain(eng) == []
    # The intermediate +CMGS: 0 must never cause a second write (TetraLogic's bug).
    assert eng.data_to_send() == b""
    eng.receive_data(wire("OK"), 8.0)
    assert drain(eng) == [SdsAccepted(s_sds, send, ("+CMGS: 0",), (CmgsSetResult(0),), instance=0)]
    eng.receive_data(wire("+CMGS: 0,4,7"), 10.0)
    [status] = drain(eng)
    assert status == SdsSendStatus(0, SdsStatus.SENT, 7, "+CMGS: 0,4,7")
    assert status.sent and not status.failed
    assert eng.data_to_send() == b""

    s_ka = eng.send(cmd.at(), 20.0)
    eng.receive_data(wire("OK"), 20.0)
    assert drain(eng) == [CommandCompleted(s_ka, cmd.at(), (), ())]


# ---------------------------------------------------------------- §2 incoming SDS-TL text


def test_s2_text_sds_two_lines() -> None:
    h = "+CTSDSR: 12,23404,0,23401,0,112"
    p = "82040801476A61746A616A676A61"
    assert receive_all([wire(h, p)]) == [
        sds(h, p, 112, p, calling=23404, called=23401),
        EndOfStream(),
    ]


def test_s2_text_sds_header_and_payload_on_one_line() -> None:
    line = "+CTSDSR: 12,23404,0,23401,0,96, 82041D014164676A6D707477"
    p = "82041D014164676A6D707477"
    assert receive_all([wire(line)]) == [
        sds("+CTSDSR: 12,23404,0,23401,0,96", p, 96, p, calling=23404, called=23401),
        EndOfStream(),
    ]


def test_s2_delivery_report() -> None:
    h = "+CTSDSR: 12,23404,0,23401,0,32"
    assert receive_all([wire(h, "82100002")]) == [
        sds(h, "82100002", 32, "82100002", calling=23404, called=23401),
        EndOfStream(),
    ]


# ---------------------------------------------------------------- §3 LIP and the nibble quirk

LIP_HEADER = "+CTSDSR: 12,2269001,0,9999,0,84"


@pytest.mark.parametrize(
    ("payload", "data"),
    [
        # Motorola: 22 hex digits (whole octets) for 84 bits; the header wins.
        ("0A112853A9FF4D4FFFE810", "0A112853A9FF4D4FFFE810"),
        ("0A0088BD4247F737FFE810", "0A0088BD4247F737FFE810"),
        ("0A00893E12472C51026810", "0A00893E12472C51026810"),
        ("0A0BA7D5B95BC50AFFE160", "0A0BA7D5B95BC50AFFE160"),
        ("0A06D0103EC61871000810", "0A06D0103EC61871000810"),
        # Sepura (N5UWU): 21 hex digits = ceil(84 / 4); padded with a zero nibble.
        ("0A0BA7D5B95BC50AFFE16", "0A0BA7D5B95BC50AFFE160"),
    ],
)
def test_s3_lip_short_reports(payload: str, data: str) -> None:
    [ev, end] = receive_all([wire(LIP_HEADER, payload)])
    assert ev == sds(LIP_HEADER, payload, 84, data, calling=2269001, called=9999)
    assert len(ev.data) == 11 and not ev.truncated
    assert end == EndOfStream()


def test_s3_lip_long_report_whole_octets() -> None:
    h = "+CTSDSR: 12,2269001,0,9999,0,104"
    p = "0A4E73DDA841F55809493CC081"
    [ev, _] = receive_all([wire(h, p)])
    assert ev == sds(h, p, 104, p, calling=2269001, called=9999)


def test_s3_padding_octet_beyond_header_is_dropped() -> None:
    # A radio padding to more than the header length: the header length wins.
    h = "+CTSDSR: 12,1,0,2,0,16"
    [ev, _] = receive_all([wire(h, "800400")])
    assert ev.data == b"\x80\x04" and ev.bits == 16 and ev.hex == "800400"


# ---------------------------------------------------------------- §4 call control


def test_s4_call_control_unsolicited() -> None:
    lines = [
        "+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0",
        "+CTICN: 1,0,0,4,1002,1,1,0,1,1,0,1000,1",
        "+CTICN: 1,0,0,5,23404,1,1,0,1,1,5,1000,0",
        "+CTXG: 1,3,0,0,3,09011638300023404",
        "+CDTXC: 1,0",
        "+CTCR: 1,13",
        "+CTCC: 1,1,1,0,0,1,1",
        "+CTGS: 1,09011638300000001",
        "+CTDGR: 2,1001,90116383,0",
    ]
    eng = PeiEngine()
    eng.receive_data(wire(*lines), 0.0)
    events = drain(eng)
    tsi_23404 = Tsi(23404, 901, 16383)
    tsi_1 = Tsi(1, 901, 16383)
    assert events == [
        CallControl(
            Cticn(
                1,
                0,
                AiService.TETRA_SPEECH,
                tsi_23404,
                tsi_1,
                tuple(lines[0].split(": ")[1].split(",")),
            ),
            lines[0],
        ),
        CallControl(
            Cticn(
                1,
                0,
                AiService.TETRA_SPEECH,
                Tsi(1002),
                Tsi(1000),
                tuple(lines[1].split(": ")[1].split(",")),
            ),
            lines[1],
        ),
        CallControl(
            Cticn(
                1,
                0,
                AiService.TETRA_SPEECH,
                Tsi(23404),
                Tsi(1000),
                tuple(lines[2].split(": ")[1].split(",")),
            ),
            lines[2],
        ),
        CallControl(Ctxg(1, TxGrant.GRANTED_TO_ANOTHER, 0, 0, tsi_23404), lines[3]),
        CallControl(Cdtxc(1, 0), lines[4]),
        CallControl(Ctcr(1, DisconnectCause.TIMER_EXPIRY), lines[5]),
        CallControl(Ctcc(1, ("1", "1", "1", "0", "0", "1", "1")), lines[6]),
        UnsolicitedResult(Ctgs(GroupType.SELECT, tsi_1), lines[7]),
        UnsolicitedResult(Ctdgr(2, 1001, "90116383", 0), lines[8]),
    ]


# ---------------------------------------------------------------- §5 identity, registration


def test_s5_cnumf_creg_gmm_gmi_as_responses() -> None:
    eng = PeiEngine()
    seqs = [eng.send(c, 0.0) for c in (cmd.cnumf(), cmd.creg_query(), cmd.gmm(), cmd.gmi())]
    assert eng.data_to_send() == b"AT+CNUMF?\r\n"
    replies = [
        "+CNUMF: 6,09011638300023401",
        "+CREG: 1,1,90109999",
        "+GMM: 54007,M83PF-----AN,88.2.0.0",
        "+GMI: MOTOROLA",
    ]
    written = []
    events = []
    for reply in replies:
        eng.receive_data(wire(reply, "OK"), 1.0)
        events += drain(eng)
        written.append(eng.data_to_send())
    assert written == [b"AT+CREG?\r\n", b"AT+GMM\r\n", b"AT+GMI\r\n", b""]
    assert [e.seq for e in events if isinstance(e, CommandCompleted)] == seqs
    assert [e.results for e in events if isinstance(e, CommandCompleted)] == [
        (Cnum(NumType.INDIVIDUAL_EXTENDED_TSI, "09011638300023401", Tsi(23401, 901, 16383)),),
        (Creg(RegStat.REGISTERED_HOME, 1, "90109999"),),
        (Identification("GMM", "54007,M83PF-----AN,88.2.0.0"),),
        (Identification("GMI", "MOTOROLA"),),
    ]


def test_s5_creg_unsolicited() -> None:
    eng = PeiEngine()
    eng.receive_data(wire("+CREG: 1,1,90109999"), 0.0)
    [ev] = drain(eng)
    assert ev == RegistrationChanged(
        Creg(RegStat.REGISTERED_HOME, 1, "90109999"), "+CREG: 1,1,90109999"
    )
    assert ev.registration.registered


def test_s5_p8gr_cnumf_with_continuation_and_blank_lines() -> None:
    eng = PeiEngine()
    s = eng.send(cmd.cnumf(), 0.0)
    # The page shows the echo, blank lines between entries, and a bare second entry.
    eng.receive_data(
        wire("AT+CNUMF?", "+CNUMF: 0,2620100108280651", "", "2,16777184", "", "OK"), 0.5
    )
    [ev] = drain(eng)
    assert ev == CommandCompleted(
        s,
        cmd.cnumf(),
        ("+CNUMF: 0,2620100108280651", "2,16777184"),
        (
            Cnum(NumType.INDIVIDUAL, "2620100108280651", Tsi(8280651, 262, 1001)),
            Cnum(NumType.PSTN_GATEWAY, "16777184", Tsi(16777184)),
        ),
    )


def test_s5_p8gr_cnums_raw_command() -> None:
    eng = PeiEngine()
    c = cmd.raw("AT+CNUMS?")
    s = eng.send(c, 0.0)
    eng.receive_data(
        wire(
            "AT+CNUMS?",
            "+CNUMS: 4",
            "",
            "1,2620100103100998 ,Gruppe 1",
            "",
            "1,2620100103102998 ,Gruppe 3",
            "OK",
        ),
        0.5,
    )
    [ev] = drain(eng)
    assert isinstance(ev, CommandCompleted) and ev.seq == s
    assert ev.results == (
        GenericResult("+CNUMS", ("4",)),
        GenericResult("+CNUMS", ("1", "2620100103100998", "Gruppe 1")),
        GenericResult("+CNUMS", ("1", "2620100103102998", "Gruppe 3")),
    )


def test_s5_p8gr_cxdcl_and_cpbs() -> None:
    eng = PeiEngine()
    c1 = cmd.raw("AT+CXDCL")
    c2 = cmd.raw("AT+CPBS?")
    eng.send(c1, 0.0)
    eng.send(c2, 0.0)
    stream = wire(
        "AT+CXDCL",
        "+CXDCL: 1,3206,301F,1,1",
        "",
        "+CXDCL: 2,3606,302F,1,1",
        "+CXDCL: 61,0,,1,0",
        "",
        "OK",
    )
    # Typographic quotes as the web page renders them (UTF-8 bytes on the line).
    stream += "+CPBS: „ME“,12,700\r\n\r\nOK\r\n".encode()
    eng.receive_data(stream, 0.5)
    e1, e2 = drain(eng)
    assert isinstance(e1, CommandCompleted) and e1.lines == (
        "+CXDCL: 1,3206,301F,1,1",
        "+CXDCL: 2,3606,302F,1,1",
        "+CXDCL: 61,0,,1,0",
    )
    assert e1.results[2] == GenericResult("+CXDCL", ("61", "0", "", "1", "0"))
    assert isinstance(e2, CommandCompleted) and len(e2.lines) == 1
    assert e2.lines[0].startswith("+CPBS: ") and e2.lines[0].endswith(",12,700")


# ---------------------------------------------------------------- §6 vendor extras


def test_s6_gpspos_and_talkgroup_lists() -> None:
    eng = PeiEngine()
    gps = cmd.raw("AT+GPSPOS?", ("+GPSPOS",))
    s = eng.send(gps, 0.0)
    eng.receive_data(wire("+GPSPOS: 12:34:56,N: 49_01.2345,E: 010_12.3456,5", "OK"), 0.1)
    [ev] = drain(eng)
    assert ev == CommandCompleted(
        s,
        gps,
        ("+GPSPOS: 12:34:56,N: 49_01.2345,E: 010_12.3456,5",),
        (GenericResult("+GPSPOS", ("12:34:56", "N: 49_01.2345", "E: 010_12.3456", "5")),),
    )
    rx = receive_all(
        [
            wire(
                "+CNUMS: (0),(1-2000),(1-2000)",
                "+CNUMD: (0,1,3),(1-10000),(1-10000)",
                "+CNUMD: 1,123456712341234,Test Group",
                "+CNUMS: 1,123456712341234,Test Group",
                "1,123456712341234,Test Group",
            )
        ]
    )
    assert rx == [
        ResultLine("+CNUMS", "+CNUMS: (0),(1-2000),(1-2000)"),
        ResultLine("+CNUMD", "+CNUMD: (0,1,3),(1-10000),(1-10000)"),
        ResultLine("+CNUMD", "+CNUMD: 1,123456712341234,Test Group"),
        ResultLine("+CNUMS", "+CNUMS: 1,123456712341234,Test Group"),
        ResultLine(None, "1,123456712341234,Test Group"),
        EndOfStream(),
    ]


# ---------------------------------------------------------------- §7 ftl SDS vectors

FTL_PAIRS = [
    ("+CTSDSR: 13,1234567,0,2345678,0,16", "8004"),
    ("+CTSDSR: 12,1234567,0,2345678,0,104", "0201746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,104", "0901746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,120", "82029C01746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,152", "82039C5101020301746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,144", "82029C81045A8F746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,192", "8A02C981045A8F050003C90201746573746D657373616765"),
    ("+CTSDSR: 12,1234567,0,2345678,0,32", "821000C9"),
    ("+CTSDSR: 12,1234567,0,2345678,0,32", "821800CA"),
    ("+CTSDSR: 12,1234567,0,2345678,0,32", "822001C9"),
    ("+CTSDSR: 13,1234567,0,2345678,0,16", "7ACA"),
]


def test_s7_ftl_pairs() -> None:
    stream = b"".join(wire(h, p) for h, p in FTL_PAIRS)
    events = receive_all([stream])
    expected = [
        sds(
            h,
            p,
            int(h.rsplit(",", 1)[1]),
            p,
            calling=1234567,
            called=2345678,
            ai=AiService(int(h.split(": ")[1].split(",")[0])),
        )
        for h, p in FTL_PAIRS
    ]
    assert events == [*expected, EndOfStream()]
    assert events[0].ai_service is AiService.STATUS


@pytest.mark.parametrize(
    ("header", "calling_type", "called", "called_type", "e2ee"),
    [
        ("+CTSDSR: 12,1234567,16", None, None, None, None),
        ("+CTSDSR: 12,1234567,0,16", SSI, None, None, None),
        ("+CTSDSR: 12,1234567,0,2345678,0,16", SSI, Tsi(2345678), SSI, None),
        ("+CTSDSR: 12,1234567,0,2345678,0,16,1", SSI, Tsi(2345678), SSI, True),
    ],
)
def test_s7_header_field_counts(
    header: str,
    calling_type: CalledPartyIdentityType | None,
    called: Tsi | None,
    called_type: CalledPartyIdentityType | None,
    e2ee: bool | None,
) -> None:
    h = parse_ctsdsr_header(header.split(": ", 1)[1])
    assert (h.ai_service, h.calling, h.bits) == (T4, Tsi(1234567), 16)
    assert (h.calling_type, h.called, h.called_type, h.e2ee) == (
        calling_type,
        called,
        called_type,
        e2ee,
    )
    [ev, _] = receive_all([wire(header, "8004")])
    assert isinstance(ev, SdsIncoming)
    assert (ev.calling, ev.called, ev.e2ee, ev.data) == (Tsi(1234567), called, e2ee, b"\x80\x04")


# ---------------------------------------------------------------- §8 host->radio sequences


def test_s8_status_send_sequence_exact_bytes() -> None:
    seq = [
        cmd.atz(),
        cmd.ate(False),
        cmd.ctsp(2, 2, 20),
        cmd.ctsds(13, 0),
        cmd.cmgs(1234, bytes.fromhex("8004"), 16),
    ]
    assert b"".join(c.data for c in seq) == (
        b"ATZ\r\nATE0\r\nAT+CTSP=2,2,20\r\nAT+CTSDS=13,0\r\nAT+CMGS=1234,16\r\n8004\x1a"
    )


def test_s8_text_send_sequence_exact_bytes() -> None:
    assert cmd.raw("AT+CSCS=8859-1").data == b"AT+CSCS=8859-1\r\n"
    assert cmd.ctsds(12, 0, 0, 0, True).data == b"AT+CTSDS=12,0,0,0,1\r\n"
    assert cmd.raw("AT+CMGS=?").data == b"AT+CMGS=?\r\n"
    # TetraLogic writes the length as %03d ("032"); we write plain %d like ftl.
    assert cmd.cmgs(1234, bytes.fromhex("821000C9"), 32).data == (
        b"AT+CMGS=1234,32\r\n821000C9\x1a"
    )
    assert cmd.ctsp(1, 3, 130).data == b"AT+CTSP=1,3,130\r\n"
    assert cmd.cmgs(4711, bytes.fromhex("800B"), 16).data == b"AT+CMGS=4711,16\r\n800B\x1a"


def test_s8_echoed_send_sequence_with_ate1() -> None:
    """A radio with echo on returns our whole write, payload and Ctrl-Z included."""
    eng = PeiEngine()
    c = cmd.cmgs(1234, bytes.fromhex("8004"), 16)
    s = eng.send(c, 0.0)
    echo = eng.data_to_send()
    assert receive_all([echo]) == [Echo("AT+CMGS=1234,16"), Echo("8004"), EndOfStream()]
    eng.receive_data(echo + b"\r\n+CMGS: 3\r\n\r\nOK\r\n", 0.2)
    assert drain(eng) == [SdsAccepted(s, c, ("+CMGS: 3",), (CmgsSetResult(3),), instance=3)]


def test_s8_azart_glued_results_do_not_break_the_stream() -> None:
    """Two results glued without CR LF (Azart) cannot be split; they surface as unknown."""
    eng = PeiEngine()
    eng.receive_data(b"+CTTCT:1+CTSDSR:12,1033,0,3130,0,648204010574657374\r\nOK\r\n", 0.0)
    [unknown, stray] = drain(eng)
    assert isinstance(unknown, UnknownUnsolicited) and unknown.line.startswith("+CTTCT:1")
    assert stray.result == FinalResult(FinalKind.OK, None, "OK")


# ---------------------------------------------------------------- §9 errors in the wild


def test_s9_sepura_cme_errors() -> None:
    eng = PeiEngine()
    s1 = eng.send(cmd.cbc(), 0.0)
    s2 = eng.send(cmd.raw("ATI"), 0.0)
    eng.receive_data(wire("+CME ERROR: 35"), 0.1)
    eng.receive_data(wire("+CME ERROR: 34"), 0.2)
    e1, e2 = drain(eng)
    assert isinstance(e1, CommandFailed) and e1.seq == s1
    assert isinstance(e1.error, PeiSyntaxError) and e1.error.code == 35
    assert isinstance(e2, CommandFailed) and e2.seq == s2
    assert isinstance(e2.error, ParameterError) and e2.error.code == 34
    assert "parameter out of range" in str(e2.error)


def test_mode_query_result() -> None:
    eng = PeiEngine()
    s = eng.send(cmd.ctom_query(), 0.0)
    eng.receive_data(wire("+CTOM: 0", "OK"), 0.1)
    [ev] = drain(eng)
    assert isinstance(ev, CommandCompleted) and ev.seq == s
    assert ev.results[0].mode is AiMode.TMO  # type: ignore[union-attr]
