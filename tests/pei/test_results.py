"""Typed result parsers and the §6.17 value tables (EN 300 392-5)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit.errors import DecodeError
from tetrakit.identities import Tsi
from tetrakit.pei.enums import (
    AiMode,
    AiService,
    CmeError,
    NumType,
    RegStat,
    SdsStatus,
    ServiceLayer1,
    ServiceProfile,
    coerce,
)
from tetrakit.pei.results import (
    Cbc,
    CmgsSetResult,
    CmgsStatus,
    Cnum,
    Creg,
    Csq,
    Ctgs,
    Ctom,
    Ctsp,
    GenericResult,
    Identification,
    parse_result,
    split_prefix,
)


@pytest.mark.parametrize(
    ("line", "default", "expected"),
    [
        ("+CMGS: 0", None, CmgsSetResult(0)),
        ("+CMGS: 0,4,7", None, CmgsStatus(0, SdsStatus.SENT, 7)),
        ("+CMGS: 12, 5", None, CmgsStatus(12, SdsStatus.FAILED, None)),
        ("+CMGS: 1,9,3", None, CmgsStatus(1, 9, 3)),
        ("+CTOM: 0", None, Ctom(AiMode.TMO)),
        ("+CTOM: 9", None, Ctom(9)),
        ("+CREG: 1,1,90109999", None, Creg(RegStat.REGISTERED_HOME, 1, "90109999")),
        ("+CREG: 2", None, Creg(RegStat.NOT_REGISTERED, None, None)),
        ("+CREG: 5,,", None, Creg(RegStat.REGISTERED_VISITED, None, None)),
        ("+CSQ: 0,99", None, Csq(0, 99)),
        ("+CSQ: 31", None, Csq(31, None)),
        ("+CBC: 0,85", None, Cbc((0, 85))),
        ("+CNUM: 0,1003", None, Cnum(NumType.INDIVIDUAL, "1003", Tsi(1003))),
        (
            '+CNUM: 2,"+4712345678",Switch',
            None,
            Cnum(NumType.PSTN_GATEWAY, "+4712345678", None, "Switch"),
        ),
        ("1,9100,Hjertestans", "+CNUM", Cnum(NumType.GROUP, "9100", Tsi(9100), "Hjertestans")),
        ("+CTGS: 1,09011638300000001", None, Ctgs(1, Tsi(1, 901, 16383))),
        ("+CTSP: 1,3,130", None, Ctsp(ServiceProfile.TE_ONLY, ServiceLayer1.SDS_TL, 130)),
        ("+CTSP: 2,0", None, Ctsp(ServiceProfile.MT_AND_TE, ServiceLayer1.CC, None)),
        ("+GMI: MOTOROLA", None, Identification("GMI", "MOTOROLA")),
        ("MOTOROLA SOLUTIONS", "+GMI", Identification("GMI", "MOTOROLA SOLUTIONS")),
        ("+GMR: R23.0.5", None, Identification("GMR", "R23.0.5")),
        ('+CCLK: "26/11/26,12:00:00"', None, GenericResult("+CCLK", ('"26/11/26', '12:00:00"'))),
        ("+CLVL:", None, GenericResult("+CLVL", ())),
    ],
)
def test_parse_result(line: str, default: str | None, expected: object) -> None:
    assert parse_result(line, default) == expected


def test_csq_dbm() -> None:
    assert [Csq(r, 99).dbm for r in (0, 1, 20, 31, 99)] == [-113, -111, -73, -51, None]


def test_cbc_charge_and_creg_registered() -> None:
    assert Cbc((1, 60)).charge == 60
    assert Creg(RegStat.REGISTERED_VISITED, None, None).registered
    assert not Creg(RegStat.SEARCHING, None, None).registered


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("+CMGS: x", "sds_instance"),
        ("+CMGS: 1,2,3,4", "+CMGS"),
        ("+CREG: 1,1,90X", "mni"),
        ("+CSQ: ", "+CSQ"),
        ("+CTOM: -1", "ai_mode"),
        ("+CNUM: 0", "+CNUM"),
        ("+CTGS: 1,123456789", "identity"),
        ("+CTXG: a", "cc_instance"),
        ("+CTCR: 1,x", "disconnect_cause"),
        ("+CTICN: 1,0,0,5,12345678901,1", "calling_party"),
    ],
)
def test_malformed_results_raise_decode_error(line: str, field: str) -> None:
    with pytest.raises(DecodeError) as info:
        parse_result(line)
    assert info.value.field == field


def test_bare_line_without_default_is_an_error() -> None:
    with pytest.raises(DecodeError, match="not a result line"):
        parse_result("hello")


def test_split_prefix() -> None:
    assert split_prefix("+csq: 1,2") == ("+CSQ", "1,2")
    assert split_prefix("+:x") == (None, "+:x")
    assert split_prefix("MOTOROLA") == (None, "MOTOROLA")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "+CMGS",
            "+CTOM",
            "+CREG",
            "+CSQ",
            "+CBC",
            "+CNUM",
            "+CNUMF",
            "+CTGS",
            "+CTSP",
            "+GMI",
            "+CTICN",
            "+CTCC",
            "+CTCR",
            "+CTXG",
            "+CDTXC",
            "+CTDGR",
            "+XYZ",
        ]
    ),
    st.text(max_size=40),
)
def test_parsers_raise_only_decode_error(prefix: str, rest: str) -> None:
    with contextlib.suppress(DecodeError):
        parse_result(f"{prefix}: {rest}")


# ---------------------------------------------------------------- enums


def test_enum_tables() -> None:
    assert AiService(12) is AiService.SDS_TYPE_4 and AiService.STATUS == 13
    assert [s for s in AiService if s.is_sds] == [9, 10, 11, 12, 13]
    assert SdsStatus.SENT == 4 and SdsStatus.FAILED == 5
    assert RegStat.REGISTERED_VISITED.registered and not RegStat.SEARCHING.registered
    assert len(AiMode) == 7 and len(NumType) == 8
    assert coerce(AiMode, 6) is AiMode.DMO_REPEATER and coerce(AiMode, 7) == 7


def test_cme_table_and_reserved_codes() -> None:
    defined = {m.value for m in CmeError}
    reserved = {6, 7, 8, 9, 19, 28, 29, 45}
    assert defined | reserved == set(range(46))
    assert not defined & reserved
    assert CmeError.lookup(35) is CmeError.SYNTAX_ERROR
    assert CmeError.lookup(7) == 7 and not isinstance(CmeError.lookup(7), CmeError)
    assert all(CmeError.is_reserved(c) for c in (*reserved, 46, 999, -1))
    assert not any(CmeError.is_reserved(c) for c in defined)


# --- the +CTSDSR header fast path agrees with the field-by-field reading --------


def _reference_ctsdsr(parts: list[str]) -> tuple[object, ...]:
    """EN 300 392-5 §6.13.3 read field by field, independently of the parser's fast path."""
    from tetrakit.errors import DecodeError
    from tetrakit.identities import parse_identity
    from tetrakit.pei.enums import AiService, CalledPartyIdentityType, coerce

    f = [p.strip() for p in parts]

    def number(text: str) -> int:
        if not text.isdigit() or not text.isascii():
            raise DecodeError("not a number")
        return int(text)

    def identity(text: str) -> object:
        if text == "":
            return None
        try:
            return parse_identity(text)
        except ValueError as exc:
            raise DecodeError("not an identity") from exc

    def kind(text: str) -> object:
        return None if text == "" else coerce(CalledPartyIdentityType, number(text))

    e2ee = None
    if len(f) == 7 and f[6] != "":
        flag = number(f[6])
        if flag > 1:
            raise DecodeError("e2ee")
        e2ee = bool(flag)
    return (coerce(AiService, number(f[0])), identity(f[1]), kind(f[2]), identity(f[3]),
            kind(f[4]), number(f[5]), e2ee)


_FIELD = st.one_of(
    st.just(""),
    st.from_regex(r"[0-9]{1,8}", fullmatch=True),
    st.from_regex(r"[0-9]{9,18}", fullmatch=True),
    st.sampled_from(["12", "13", "0", "1", "2", "9", " 12", "x", "1a"]),
)


@given(st.lists(_FIELD, min_size=6, max_size=7))
def test_ctsdsr_fast_path_matches_reference(parts: list[str]) -> None:
    from tetrakit.errors import DecodeError
    from tetrakit.pei.results import ctsdsr_header_fields

    try:
        expected = _reference_ctsdsr(parts)
    except DecodeError:
        with pytest.raises(DecodeError):
            ctsdsr_header_fields(parts)
        return
    got = ctsdsr_header_fields(parts)
    assert got == expected
    # enum members stay members and unknown codes stay plain ints, on both paths
    assert [type(x) for x in got] == [type(x) for x in expected]
