"""The simulator's use of tetrakit's SDS and LIP codecs, in one place.

The simulated radios and people decode and encode the same PDUs as real ones,
with ``tetrakit.sds`` (EN 300 392-2 cl. 29) and ``tetrakit.lip``
(TS 100 392-18-1); this module only adapts them to :class:`~firmware_sim.air.AirSds`
and to what the world log wants to say about an SDS.  Undecodable data is
never an error here: the network carries it and the log says ``"data"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firmware_sim.air import AirSds, AiService
from tetrakit import sds as sdsc
from tetrakit.errors import DecodeError

__all__ = [
    "TransferInfo",
    "build_report",
    "decode",
    "delivery_status_name",
    "describe",
    "is_location_request",
    "lip_report",
    "message_reference",
    "status_payload",
    "text_payload",
    "transfer_info",
]


def decode(sds: AirSds) -> Any | None:
    """The decoded PDU of a type-4 SDS or status, ``None`` when it does not decode."""
    try:
        if sds.ai_service == AiService.STATUS:
            return sdsc.decode_status(sds.payload[:2])
        if sds.ai_service == AiService.SDS_TYPE_4:
            return sdsc.decode(sds.payload, sds.bits)
    except DecodeError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class TransferInfo:
    """What the network and the members need from an SDS-TL SDS-TRANSFER."""

    protocol_id: int
    message_reference: int
    wants_received: bool
    wants_consumed: bool
    text: str | None


def transfer_info(sds: AirSds) -> TransferInfo | None:
    """The SDS-TL transfer header of ``sds``, or ``None`` if it is not a transfer."""
    pdu = decode(sds)
    if not isinstance(pdu, sdsc.SdsTransfer):
        return None
    drr = int(pdu.delivery_report_request)
    text = pdu.user_data.text if isinstance(pdu.user_data, sdsc.TextContent) else None
    return TransferInfo(int(pdu.protocol_id), pdu.message_reference, bool(drr & 1),
                        bool(drr & 2), text)


def message_reference(ai_service: int, payload: bytes, bits: int) -> int | None:
    """The SDS-TL message reference of an outgoing SDS (for ``+CMGS``), else ``None``."""
    pdu = decode(AirSds(0, 0, ai_service, payload, bits))
    if isinstance(pdu, sdsc.SdsTransfer | sdsc.SdsReport | sdsc.SdsAck):
        return pdu.message_reference
    return None


def build_report(protocol_id: int, delivery_status: int, mr: int) -> tuple[bytes, int]:
    """An SDS-REPORT (cl. 29.4.2.2) for message reference ``mr``, PI first, with its bits."""
    pdu = sdsc.sds_report(delivery_status=delivery_status, message_reference=mr,
                          protocol_id=protocol_id)
    return sdsc.encode(pdu)


def delivery_status_name(code: int) -> str:
    """Readable name of a delivery status (Table 29.16)."""
    return sdsc.delivery_status_name(code)


def text_payload(text: str, mr: int, *, report: int = 0) -> tuple[bytes, int]:
    """An SDS-TL text message (PI 0x82) with delivery report request ``report`` (0-3)."""
    return sdsc.encode(sdsc.text_message(text, message_reference=mr, report=report))


def status_payload(value: int) -> tuple[bytes, int]:
    """The two octets of a pre-coded status (AI service 13) and its 16 bits."""
    return sdsc.decode_status(value).to_bytes(), 16


def is_location_request(pdu: object) -> bool:
    """True for a LIP immediate location report request (TS 100 392-18-1 ext 1)."""
    from tetrakit.lip import ImmediateLocationReportRequest

    return isinstance(pdu, ImmediateLocationReportRequest)


def lip_report(
    latitude: float,
    longitude: float,
    *,
    speed_kmh: float | None,
    direction_deg: float | None,
    reason: int,
    long: bool = False,
) -> tuple[bytes, int]:
    """A short (or long) location report as SDS type-4 data with PI 0x0A."""
    from tetrakit import lip

    pdu: Any
    if long:
        pdu = lip.LongLocationReport.from_position(
            latitude, longitude, position_error=1, time_elapsed=0, speed_kmh=speed_kmh,
            direction_deg=direction_deg, reason=reason,
        )
    else:
        pdu = lip.ShortLocationReport.from_position(
            latitude, longitude, speed_kmh=speed_kmh, direction_deg=direction_deg,
            reason=reason,
        )
    data, bits = lip.to_sds(pdu)
    return bytes(data), int(bits)


def describe(sds: AirSds) -> dict[str, Any]:
    """Fields for the world log saying what an SDS is (kind, text, status, reference...)."""
    pdu = decode(sds)
    if sds.ai_service == AiService.STATUS:
        value = sds.status_value
        out: dict[str, Any] = {"kind": "status"}
        if value is not None:
            out["status"] = f"0x{value:04X}"
        if pdu is not None and pdu.is_short_report:
            out["kind"] = "short_report"
            out["mr"] = pdu.message_reference
        return out
    if isinstance(pdu, sdsc.SdsTransfer):
        out = {"kind": "transfer", "pi": int(pdu.protocol_id), "mr": pdu.message_reference,
               "report_request": int(pdu.delivery_report_request)}
        if isinstance(pdu.user_data, sdsc.TextContent):
            out["kind"] = "text"
            out["text"] = pdu.user_data.text
        return out
    if isinstance(pdu, sdsc.SdsReport):
        code = int(pdu.delivery_status)
        return {"kind": "report", "pi": int(pdu.protocol_id), "mr": pdu.message_reference,
                "delivery_status": code, "status_name": delivery_status_name(code)}
    if isinstance(pdu, sdsc.SimpleText):
        return {"kind": "text", "pi": int(pdu.protocol_id), "text": pdu.content.text}
    if pdu is not None and type(pdu).__module__.startswith("tetrakit.lip"):
        out = {"kind": "lip", "pdu": getattr(pdu, "NAME", type(pdu).__name__)}
        lat = getattr(pdu, "latitude", None)
        lon = getattr(pdu, "longitude", None)
        if isinstance(lat, float) and isinstance(lon, float):
            out["lat"] = round(lat, 6)
            out["lon"] = round(lon, 6)
        return out
    return {"kind": "data"}
