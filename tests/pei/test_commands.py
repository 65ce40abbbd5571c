"""Exact bytes and argument checks of every PEI command builder (EN 300 392-5 §6.8-§6.14)."""

from __future__ import annotations

import pytest

from tetrakit.identities import Tsi
from tetrakit.pei import commands as cmd
from tetrakit.pei.enums import (
    AccessPriority,
    AiMode,
    AiService,
    CalledPartyIdentityType,
    GroupType,
    ServiceLayer1,
    ServiceProfile,
)


@pytest.mark.parametrize(
    ("command", "data", "prefixes"),
    [
        (cmd.at(), b"AT\r\n", ()),
        (cmd.ate(True), b"ATE1\r\n", ()),
        (cmd.ate(False), b"ATE0\r\n", ()),
        (cmd.atz(), b"ATZ\r\n", ()),
        (cmd.cmee(1), b"AT+CMEE=1\r\n", ()),
        (cmd.gmi(), b"AT+GMI\r\n", ("+GMI",)),
        (cmd.gmm(), b"AT+GMM\r\n", ("+GMM",)),
        (cmd.gmr(), b"AT+GMR\r\n", ("+GMR",)),
        (cmd.ctsds(AiService.SDS_TYPE_4, CalledPartyIdentityType.SSI), b"AT+CTSDS=12,0\r\n", ()),
        (cmd.ctsds(13, 0), b"AT+CTSDS=13,0\r\n", ()),
        (cmd.ctsds(12, 0, 0, 0, True), b"AT+CTSDS=12,0,0,0,1\r\n", ()),
        (cmd.ctsds(12, 1, area=3), b"AT+CTSDS=12,1,3\r\n", ()),
        (cmd.ctsds(12, 0, access_priority=AccessPriority.EMERGENCY), b"AT+CTSDS=12,0,0,2\r\n", ()),
        (cmd.ctsds(12, 0, e2ee=False), b"AT+CTSDS=12,0,0,0,0\r\n", ()),
        (cmd.ctsp(ServiceProfile.TE_ONLY, ServiceLayer1.SDS_TL, 130), b"AT+CTSP=1,3,130\r\n", ()),
        (cmd.ctsp(2, 2, 20), b"AT+CTSP=2,2,20\r\n", ()),
        (cmd.ctsp(2, 0), b"AT+CTSP=2,0\r\n", ()),
        (cmd.ctsp(1, 3, 10, AiMode.TMO), b"AT+CTSP=1,3,10,0\r\n", ()),
        (cmd.ctsp(1, 3, 10, link_id=2), b"AT+CTSP=1,3,10,,2\r\n", ()),
        (cmd.ctsp_query(), b"AT+CTSP?\r\n", ("+CTSP",)),
        (cmd.ctom(AiMode.TMO), b"AT+CTOM=0\r\n", ()),
        (cmd.ctom(6), b"AT+CTOM=6\r\n", ()),
        (cmd.ctom_query(), b"AT+CTOM?\r\n", ("+CTOM",)),
        (cmd.ctgs(GroupType.SELECT, 9100), b"AT+CTGS=1,9100\r\n", ()),
        (cmd.ctgs(1, Tsi(1, 901, 16383)), b"AT+CTGS=1,09011638300000001\r\n", ()),
        (cmd.ctgs(0), b"AT+CTGS=0\r\n", ()),
        (cmd.ctgs_query(), b"AT+CTGS?\r\n", ("+CTGS",)),
        (cmd.cnum(), b"AT+CNUM?\r\n", ("+CNUM",)),
        (cmd.cnumf(), b"AT+CNUMF?\r\n", ("+CNUMF",)),
        (cmd.csq(), b"AT+CSQ?\r\n", ("+CSQ",)),
        (cmd.creg_query(), b"AT+CREG?\r\n", ("+CREG",)),
        (cmd.creg_set(1), b"AT+CREG=1\r\n", ()),
        (cmd.cbc(), b"AT+CBC?\r\n", ("+CBC",)),
        (cmd.raw("AT+CNUMS?"), b"AT+CNUMS?\r\n", None),
        (cmd.raw("AT+GPSPOS?", ("+gpspos",)), b"AT+GPSPOS?\r\n", ("+GPSPOS",)),
    ],
)
def test_exact_bytes(command: cmd.Command, data: bytes, prefixes: tuple[str, ...] | None) -> None:
    assert command.data == data
    assert command.line.encode() + b"\r\n" == data
    assert command.response_prefixes == prefixes
    assert not command.is_cmgs


def test_cmgs_exact_bytes_one_write() -> None:
    c = cmd.cmgs(1234, bytes.fromhex("82100002"), 32)
    assert c.data == b"AT+CMGS=1234,32\r\n82100002\x1a"
    assert c.line == "AT+CMGS=1234,32" and c.sds_hex == "82100002" and c.is_cmgs
    assert c.response_prefixes == ("+CMGS",) and c.timeout == cmd.CMGS_TIMEOUT


@pytest.mark.parametrize(
    ("to", "data", "bits", "wire"),
    [
        # 84-bit LIP: ceil(84 / 4) = 21 nibbles, uppercase.
        (
            "2001",
            bytes.fromhex("0a0ba7d5b95bc50affe160"),
            84,
            b"AT+CMGS=2001,84\r\n0A0BA7D5B95BC50AFFE16\x1a",
        ),
        (Tsi(23404, 901, 16383), b"\x80\x04", 16, b"AT+CMGS=09011638300023404,16\r\n8004\x1a"),
        (9100, b"\x80", 1, b"AT+CMGS=9100,1\r\n8\x1a"),
        (16777215, bytes(256), 2047, b"AT+CMGS=16777215,2047\r\n" + b"0" * 512 + b"\x1a"),
    ],
)
def test_cmgs_lengths_and_identities(to: object, data: bytes, bits: int, wire: bytes) -> None:
    assert cmd.cmgs(to, data, bits).data == wire  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1234, b"\x80\x04", 0), "bits must be 1-2047"),
        ((1234, bytes(257), 2048), "bits must be 1-2047"),
        ((1234, b"\x80\x04\x00", 16), "need 2 octets"),
        ((1234, b"\x80", 16), "need 2 octets"),
        ((1234, "8004", 16), "data must be bytes"),
        (("12a4", b"\x80\x04", 16), "not a TETRA identity"),
        ((16777216, b"\x80\x04", 16), "SSI 16777216 out of range"),
        ((1234, b"\x80\x04", True), "bits must be an int"),
    ],
)
def test_cmgs_rejects_bad_arguments(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cmd.cmgs(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cmd.ctsds(0, 0), "SDS service"),
        (lambda: cmd.ctsds(14, 0), "ai_service must be 0-13"),
        (lambda: cmd.ctsds(12, 6), "called_type must be 0-5"),
        (lambda: cmd.ctsds(12, 0, access_priority=3), "access_priority must be 0-2"),
        (lambda: cmd.ctsds(12, 0, area=-1), "area must be 0-15"),
        (lambda: cmd.ctsp(3, 0), "profile must be 0-2"),
        (lambda: cmd.ctsp(1, 4), "layer1 must be 0-3"),
        (lambda: cmd.ctsp(1, 3, 256), "layer2 must be 0-255"),
        (lambda: cmd.ctsp(1, 3, ai_mode=0), "layer2 must be given"),
        (lambda: cmd.ctsp(1, 3, 10, 7), "ai_mode must be 0-6"),
        (lambda: cmd.ctom(7), "mode must be 0-6"),
        (lambda: cmd.ctom("0"), "mode must be an int"),
        (lambda: cmd.ctgs(8, 9100), "group_type must be 0-7"),
        (lambda: cmd.ctgs(1), "needs a group identity"),
        (lambda: cmd.cmee(3), "n must be 0-2"),
        (lambda: cmd.creg_set(-1), "n must be 0-2"),
        (lambda: cmd.raw("AT\r\nATZ"), "printable ASCII"),
        (lambda: cmd.raw("ATD1234ø"), "printable ASCII"),
        (lambda: cmd.raw("+CSQ?"), "start with AT"),
        (lambda: cmd.raw("AT", timeout=0), "timeout must be positive"),
    ],
)
def test_builders_validate(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_accepts() -> None:
    assert cmd.csq().accepts("+CSQ") and cmd.csq().accepts(None)
    assert not cmd.csq().accepts("+CREG")
    assert cmd.raw("AT+X").accepts("+ANYTHING")
    assert not cmd.at().accepts("+CSQ")
