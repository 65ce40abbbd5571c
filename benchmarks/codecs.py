"""Codec benchmarks: tetrakit's codecs against minimal hand-written code, same run.

Run with ``python benchmarks/codecs.py`` (about 10 s).  Each :class:`Case`
names our function, a baseline function and the input; the runner checks that
both give the same result, times them interleaved (so that load on the machine
hits both alike), and prints ns/op, the ratio ours/baseline and whether it is
within :data:`TARGET`.  The exit status is 0 when every case meets it.

The baselines are straight-line code for exactly the PDU being measured, with
no dispatch, validation or enum conversion, producing the same frozen
dataclasses as the codec (built through the slot descriptors, the fastest way
Python offers).  Producing the same objects is what makes the ratio measure
the codec rather than the data model; for reference the runner also prints a
decoder that returns a bare tuple, which shows what the frozen dataclasses
themselves cost.

To add a case (e.g. the LIP short location report) append a :class:`Case` to
:data:`CASES`.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tetrakit import lip, sds
from tetrakit.lip import ShortLocationReport
from tetrakit.sds import SdsTransfer, TextContent

TARGET = 1.3


@dataclass(frozen=True)
class Case:
    """One benchmark: ``ours(arg)`` against ``baseline(arg)``."""

    name: str
    ours: Callable[[Any], Any]
    baseline: Callable[[Any], Any]
    arg: Any


# --- SDS-TL text message (PI 0x82, vector T5) ---------------------------------

TEXT_PDU_BYTES = bytes.fromhex("82042A014272616E6E2069206176642E20332C20726F6D203132")

_new = object.__new__
_tc = TextContent.__dict__
_tr = SdsTransfer.__dict__
_tc_scheme, _tc_data, _tc_ts, _tc_bits = (
    _tc[n].__set__ for n in ("coding_scheme", "data", "timestamp", "bits"))
_tr_pi, _tr_mr, _tr_ud, _tr_drr, _tr_svc, _tr_sf = (
    _tr[n].__set__ for n in ("protocol_id", "message_reference", "user_data",
                             "delivery_report_request", "service_selection", "storage"))


def baseline_decode_text(data: bytes) -> str:
    """Hand-written: PI, flags octet, MR, coding octet, Latin-1 text -> the same objects."""
    content = _new(TextContent)
    _tc_scheme(content, data[3])
    _tc_data(content, data[4:])
    _tc_ts(content, None)
    _tc_bits(content, None)
    pdu = _new(SdsTransfer)
    _tr_pi(pdu, data[0])
    _tr_mr(pdu, data[2])
    _tr_ud(pdu, content)
    _tr_drr(pdu, (data[1] >> 2) & 3)
    _tr_svc(pdu, data[1] & 2 == 2)
    _tr_sf(pdu, None)
    return pdu.text or ""


def ours_decode_text(data: bytes) -> str:
    return sds.decode(data).text or ""


def baseline_decode_tuple(data: bytes) -> tuple[int, int, int, bool, int, str]:
    """Reference only: the same fields into a tuple, no dataclasses."""
    octet = data[1]
    return (data[0], data[2], (octet >> 2) & 3, octet & 2 == 2, data[3],
            data[4:].decode("latin-1"))


TEXT_PDU = sds.decode(TEXT_PDU_BYTES)


def baseline_encode_text(pdu: SdsTransfer) -> tuple[bytes, int]:
    """Hand-written: the four header octets and the text octets."""
    content = pdu.user_data
    assert isinstance(content, TextContent)
    out = bytes((pdu.protocol_id, (pdu.delivery_report_request << 2)
                 | (2 if pdu.service_selection else 0), pdu.message_reference,
                 content.coding_scheme)) + content.data
    return out, len(out) * 8


def ours_encode_text(pdu: SdsTransfer) -> tuple[bytes, int]:
    return sds.encode(pdu)


CASES: list[Case] = [
    Case("SDS-TL text decode (26 octets)", ours_decode_text, baseline_decode_text,
         TEXT_PDU_BYTES),
    Case("SDS-TL text encode (26 octets)", sds.encode, baseline_encode_text, TEXT_PDU),
]


# --- LIP short location report (76 bits, vector L4 without its PI) ------------

LIP_SHORT_BYTES = bytes.fromhex("0088BD4247F737FFE810")
LIP_SHORT_BITS = 76

_slr = ShortLocationReport.__dict__
(_slr_te, _slr_lon, _slr_lat, _slr_pe, _slr_hv, _slr_dir, _slr_tad, _slr_ad,
 _slr_trailing) = (_slr[n].__set__ for n in (
    "time_elapsed", "longitude_raw", "latitude_raw", "position_error", "horizontal_velocity",
    "direction_of_travel", "type_of_additional_data", "additional_data", "trailing"))


def baseline_decode_lip_short(data: bytes) -> ShortLocationReport:
    """Hand-written: one int, shifts and masks, two sign extensions -> the same dataclass."""
    v = int.from_bytes(data[:10], "big") >> 4
    lon = (v >> 47) & 0x1FFFFFF
    lat = (v >> 23) & 0xFFFFFF
    if lon >= 1 << 24:
        lon -= 1 << 25
    if lat >= 1 << 23:
        lat -= 1 << 24
    report = _new(ShortLocationReport)
    _slr_te(report, (v >> 72) & 3)
    _slr_lon(report, lon)
    _slr_lat(report, lat)
    _slr_pe(report, (v >> 20) & 7)
    _slr_hv(report, (v >> 13) & 0x7F)
    _slr_dir(report, (v >> 9) & 0xF)
    _slr_tad(report, (v >> 8) & 1)
    _slr_ad(report, v & 0xFF)
    _slr_trailing(report, None)
    return report


def ours_decode_lip_short(data: bytes) -> Any:
    return lip.decode(data, LIP_SHORT_BITS)


LIP_SHORT = lip.decode(LIP_SHORT_BYTES, LIP_SHORT_BITS)


def baseline_encode_lip_short(p: ShortLocationReport) -> tuple[bytes, int]:
    """Hand-written: the fields shifted into one int, padded to 10 octets."""
    v = ((p.time_elapsed << 72) | ((p.longitude_raw & 0x1FFFFFF) << 47)
         | ((p.latitude_raw & 0xFFFFFF) << 23) | (p.position_error << 20)
         | (p.horizontal_velocity << 13) | (p.direction_of_travel << 9)
         | (p.type_of_additional_data << 8) | p.additional_data)
    return (v << 4).to_bytes(10, "big"), 76


def ours_encode_lip_short(pdu: ShortLocationReport) -> tuple[bytes, int]:
    return lip.encode(pdu)


CASES += [
    Case("LIP short report decode (76 bits)", ours_decode_lip_short, baseline_decode_lip_short,
         LIP_SHORT_BYTES),
    Case("LIP short report encode (76 bits)", ours_encode_lip_short, baseline_encode_lip_short,
         LIP_SHORT),
]


# --- runner -------------------------------------------------------------------


def _per_op(fn: Callable[[Any], Any], arg: Any, number: int) -> float:
    timer = timeit.Timer(lambda: fn(arg))
    return timer.timeit(number) / number * 1e9


def measure(case: Case, *, rounds: int = 15, budget_s: float = 0.06) -> tuple[float, float]:
    """(ours ns/op, baseline ns/op): best of ``rounds`` interleaved rounds."""
    if case.ours(case.arg) != case.baseline(case.arg):
        raise AssertionError(f"{case.name}: ours and the baseline disagree")
    probe = _per_op(case.ours, case.arg, 1000)
    number = max(1000, int(budget_s * 1e9 / max(probe, 1.0)))
    ours = base = float("inf")
    for _ in range(rounds):
        ours = min(ours, _per_op(case.ours, case.arg, number))
        base = min(base, _per_op(case.baseline, case.arg, number))
    return ours, base


def run(cases: list[Case]) -> bool:
    """Time every case and print a table; True when all are within :data:`TARGET`."""
    print(f"{'case':<34} {'ours ns/op':>11} {'baseline':>10} {'ratio':>6}  target {TARGET}x")
    all_ok = True
    for case in cases:
        ours, base = measure(case)
        ratio = ours / base
        ok = ratio <= TARGET
        all_ok &= ok
        print(f"{case.name:<34} {ours:>11.0f} {base:>10.0f} {ratio:>6.2f}  "
              f"{'meets' if ok else 'MISSES'}")
    tuple_ns = min(_per_op(baseline_decode_tuple, TEXT_PDU_BYTES, 200_000) for _ in range(5))
    print(f"(reference: the text decode into a bare tuple takes {tuple_ns:.0f} ns/op; "
          "the difference to the baseline is the cost of the frozen dataclasses)")
    print("all cases within target" if all_ok else "NOT all cases within target")
    return all_ok


if __name__ == "__main__":
    sys.exit(0 if run(CASES) else 1)
