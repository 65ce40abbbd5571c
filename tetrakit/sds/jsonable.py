"""The JSON form of SDS PDUs (used by ``tetrakit decode --json``).

Keys follow one vocabulary wherever a field exists: ``protocol_id``,
``message_type``, ``delivery_report_request``, ``service_selection``,
``storage``, ``message_reference``, ``ack_required``, ``delivery_status``,
``coding_scheme``, ``timestamp``, ``text``, ``status_value``,
``short_report_type``.  Codes are plain integers, with a ``*_name`` key next
to them for people; payload fields are flattened into the PDU's object.
Every object has a ``pdu`` key naming the PDU.

``timestamp`` is ``null`` or an object: the raw 24-bit value, its fields and
an ISO 8601 form without a year.  Texts with a user data header (PI 0x8A) add
``udh_length``, ``udh`` (the information elements) and ``concatenation``;
concatenated SDS parts add ``concatenation`` and the payload fields; both say
``layout`` and ``layout_basis`` (where the layout comes from).
"""

from __future__ import annotations

import importlib
from typing import Any

from tetrakit.sds._octets import tail_bits
from tetrakit.sds.codec import RawSds, is_lip_pdu
from tetrakit.sds.concat import (
    LAYOUT_BASIS,
    ConcatenatedData,
    ConcatenatedPart,
    ConcatenatedPayload,
    ConcatenatedSds,
)
from tetrakit.sds.location import LocationCodingSystem, LocationData, SimpleLocation
from tetrakit.sds.protocol_id import protocol_id_name
from tetrakit.sds.status import StatusPdu
from tetrakit.sds.text import SimpleText, TextContent, coding_scheme_name
from tetrakit.sds.timestamp import SdsTimestamp, TimeframeType
from tetrakit.sds.tl import (
    DeliveryReportRequest,
    ForwardAddressType,
    RawUserData,
    SdsAck,
    SdsReport,
    SdsTlOther,
    SdsTransfer,
    StorageForward,
    UserData,
    delivery_class,
    delivery_status_name,
)
from tetrakit.sds.types import UserDefinedData
from tetrakit.sds.udh import ConcatenationIe, InformationElementId, UdhText

__all__ = ["to_dict"]

def _name(enum_type: Any, value: int) -> str:
    try:
        return str(enum_type(value).name.lower())
    except ValueError:
        return f"reserved ({value})"


def _pi(pdu: Any) -> dict[str, Any]:
    pi = int(pdu.protocol_id)
    return {"protocol_id": pi, "protocol_name": protocol_id_name(pi)}


def _timestamp(raw: int | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    ts = SdsTimestamp.from_raw(raw)
    frame = int(ts.timeframe_type)
    return {
        "raw": raw,
        "timeframe_type": frame,
        "timeframe_type_name": _name(TimeframeType, frame),
        "month": ts.month,
        "day": ts.day,
        "hour": ts.hour,
        "minute": ts.minute,
        "reserved": ts.reserved,
        "iso": ts.isoformat(),
        "plausible": ts.plausible,
    }


def _text(content: TextContent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "coding_scheme": int(content.coding_scheme),
        "coding_scheme_name": coding_scheme_name(int(content.coding_scheme)),
        "timestamp": _timestamp(content.timestamp),
        "text": content.text,
        "text_best_effort": content.best_effort,
    }
    if content.bits is not None:
        out["text_bits"] = content.bits
    return out


def _location(location: LocationData) -> dict[str, Any]:
    return {
        "location_coding_system": int(location.coding_system),
        "location_coding_system_name": _name(LocationCodingSystem, int(location.coding_system)),
        "nmea": location.nmea,
        "location_data": location.data.hex().upper(),
        "location_data_bits": tail_bits(location.data, location.bits),
    }


def _raw(prefix: str, data: bytes, bits: int | None) -> dict[str, Any]:
    return {prefix: data.hex().upper(), f"{prefix}_bits": tail_bits(data, bits)}


def _concatenation_ie(element: ConcatenationIe) -> dict[str, Any]:
    return {"reference": element.reference, "total": element.total,
            "sequence": element.sequence, "long_reference": element.long_reference}


def _udh_text(user_data: UdhText) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    for element in user_data.header.elements:
        iei = int(element.identifier)
        item: dict[str, Any] = {"iei": iei, "iei_name": _name(InformationElementId, iei)}
        if isinstance(element, ConcatenationIe):
            item.update(_concatenation_ie(element))
        else:
            item["data"] = element.data.hex().upper()
        elements.append(item)
    concat = user_data.concatenation
    return {
        **_text(user_data.content),
        "udh_length": len(user_data.header.to_bytes()) - 1,
        "udh": elements,
        "concatenation": None if concat is None else _concatenation_ie(concat),
        "layout": user_data.layout,
        "layout_basis": LAYOUT_BASIS,
    }


def _concatenated(payload: ConcatenatedPayload) -> dict[str, Any]:
    if isinstance(payload, ConcatenatedData):
        return {
            "layout": payload.layout,
            "layout_established": payload.layout_established,
            "reason": payload.reason,
            **_raw("user_data", payload.data, payload.bits),
        }
    pi = payload.payload_protocol_id
    return {
        "concatenation": {"reference": payload.reference,
                          "extended_reference": payload.extended_reference,
                          "total": payload.total, "sequence": payload.sequence},
        "payload_protocol_id": None if pi is None else int(pi),
        "payload_protocol_name": None if pi is None else protocol_id_name(int(pi)),
        **_raw("payload", payload.data, payload.bits),
        "layout": payload.layout,
        "layout_basis": LAYOUT_BASIS,
    }


def _user_data(user_data: UserData) -> dict[str, Any]:
    if isinstance(user_data, TextContent):
        return _text(user_data)
    if isinstance(user_data, UdhText):
        return _udh_text(user_data)
    if isinstance(user_data, LocationData):
        return _location(user_data)
    if isinstance(user_data, ConcatenatedPart | ConcatenatedData):
        return _concatenated(user_data)
    return {**_raw("user_data", user_data.data, user_data.bits), "reason": user_data.reason}


def _storage(storage: StorageForward | None) -> dict[str, Any]:
    if storage is None:
        return {"storage": 0}
    address = storage.forward_address
    ftype = int(address.address_type)
    fwd: dict[str, Any] = {"type": ftype, "type_name": _name(ForwardAddressType, ftype)}
    if address.ssi is not None:
        fwd["ssi"] = address.ssi
    if address.extension is not None:
        fwd.update(extension=address.extension, mcc=address.mcc, mnc=address.mnc)
    if address.digits is not None:
        fwd["digits"] = address.digits
    return {"storage": 1, "validity_period": storage.validity_period,
            "validity_period_seconds": storage.validity_seconds, "forward_address": fwd}


def _status_fields(code: int) -> dict[str, Any]:
    return {
        "delivery_status": code,
        "delivery_status_name": delivery_status_name(code),
        "delivery_class": delivery_class(code).value,
    }


def _trailing(user_data: RawUserData | None) -> dict[str, Any]:
    return {} if user_data is None else _raw("user_data", user_data.data, user_data.bits)


def to_dict(pdu: Any) -> dict[str, Any]:
    """The JSON-ready dict of any PDU ``tetrakit.sds`` (or ``tetrakit.lip``) decodes.

    Raises:
        TypeError: for an object that is not such a PDU.
    """
    if isinstance(pdu, SdsTransfer):
        drr = int(pdu.delivery_report_request)
        return {
            "pdu": "SDS-TRANSFER",
            **_pi(pdu),
            "message_type": 0,
            "delivery_report_request": drr,
            "delivery_report_request_name": DeliveryReportRequest(drr).name.lower(),
            "service_selection": int(pdu.service_selection),
            **_storage(pdu.storage),
            "message_reference": pdu.message_reference,
            **_user_data(pdu.user_data),
        }
    if isinstance(pdu, SdsReport):
        out = {
            "pdu": "SDS-REPORT",
            **_pi(pdu),
            "message_type": 1,
            "ack_required": int(pdu.ack_required),
            **_storage(pdu.storage),
            **_status_fields(int(pdu.delivery_status)),
            "message_reference": pdu.message_reference,
            **_trailing(pdu.user_data),
        }
        if pdu.reserved:
            out["reserved"] = pdu.reserved
        return out
    if isinstance(pdu, SdsAck):
        out = {
            "pdu": "SDS-ACK",
            **_pi(pdu),
            "message_type": 2,
            **_status_fields(int(pdu.delivery_status)),
            "message_reference": pdu.message_reference,
            **_trailing(pdu.user_data),
        }
        if pdu.reserved:
            out["reserved"] = pdu.reserved
        return out
    if isinstance(pdu, SdsTlOther):
        kind = "reserved" if pdu.message_type < 8 else "application defined"
        return {
            "pdu": f"SDS-TL message type {pdu.message_type} ({kind})",
            **_pi(pdu),
            "message_type": pdu.message_type,
            **_raw("body", pdu.body.data, pdu.body.bits),
        }
    if isinstance(pdu, SimpleText):
        return {"pdu": "SIMPLE-TEXT", **_pi(pdu), **_text(pdu.content)}
    if isinstance(pdu, SimpleLocation):
        return {"pdu": "SIMPLE-LOCATION", **_pi(pdu), **_location(pdu.location)}
    if isinstance(pdu, ConcatenatedSds):
        return {"pdu": "CONCATENATED-SDS", **_pi(pdu), **_concatenated(pdu.payload)}
    if isinstance(pdu, RawSds):
        return {"pdu": "RAW", **_pi(pdu), **_raw("user_data", pdu.data, pdu.bits),
                "reason": pdu.reason}
    if isinstance(pdu, StatusPdu):
        report = pdu.short_report
        return {
            "pdu": "STATUS",
            "status_value": pdu.value,
            "status_hex": f"{pdu.value:04X}",
            "status_kind": pdu.kind.value,
            "is_short_report": report is not None,
            "short_report_type": None if report is None else int(report.report_type),
            "short_report_type_name": None if report is None else report.report_type.name.lower(),
            "message_reference": None if report is None else report.message_reference,
        }
    if isinstance(pdu, UserDefinedData):
        return {"pdu": "USER-DEFINED-DATA", "sds_type": int(pdu.sds_type), "value": pdu.value,
                "bits": pdu.bits}
    if is_lip_pdu(pdu):
        result: dict[str, Any] = importlib.import_module("tetrakit.lip").to_dict(pdu)
        return result
    raise TypeError(f"not an SDS PDU: {type(pdu).__name__}")
