"""The JSON form of LIP PDUs, as printed by ``tetrakit decode --json``.

Keys follow the information element names of TS 100 392-18-1 in snake_case.
Raw codes keep the element's name (``horizontal_velocity``); values in units
get a unit suffix (``horizontal_velocity_kmh``, ``altitude_m``,
``direction_of_travel_extended_deg``); ``null`` means "not known".  Only the
fields a PDU has are present.

Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any

from tetrakit.lip.enums import (
    AddressType,
    ReasonForSending,
    ReportType,
    ResultCode,
    describe,
)
from tetrakit.lip.fields import (
    RawBits,
    direction_extended_deg,
    horizontal_uncertainty_m,
    position_error_m,
)
from tetrakit.lip.pdus import (
    LipPdu,
    Location,
    LongLocationReport,
    ReservedLipPdu,
    ShortLocationReport,
    Velocity,
)
from tetrakit.lip.requests import LocationDestination, ReportingEnableFlags

__all__ = ["to_dict"]

_NAMED: dict[str, type[IntEnum]] = {
    "report_type": ReportType,
    "result_code": ResultCode,
}


def _raw(bits: RawBits) -> dict[str, Any]:
    return {"bits": bits.bits, "hex": bits.hex}


def _additional(out: dict[str, Any], tad: int | None, extra: int | None) -> None:
    if tad is None or extra is None:
        return
    out["type_of_additional_data"] = int(tad)
    if tad:
        out["user_defined_data"] = extra
    else:
        out["reason_for_sending"] = extra
        out["reason_for_sending_name"] = describe(ReasonForSending, extra)


def _short(p: ShortLocationReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pdu": p.NAME,
        "pdu_type": 0,
        "time_elapsed": int(p.time_elapsed),
        "time_elapsed_s": p.time_elapsed_s,
        "longitude": p.longitude,
        "latitude": p.latitude,
        "position_error": int(p.position_error),
        "position_error_m": p.position_error_m,
        "horizontal_velocity": p.horizontal_velocity,
        "horizontal_velocity_kmh": p.horizontal_velocity_kmh,
        "horizontal_velocity_is_lower_bound": p.horizontal_velocity_is_lower_bound,
        "direction_of_travel": p.direction_of_travel,
        "direction_of_travel_deg": p.direction_of_travel_deg,
    }
    _additional(out, p.type_of_additional_data, p.additional_data)
    if p.trailing is not None:
        out["trailing"] = _raw(p.trailing)
    return out


def _location(out: dict[str, Any], loc: Location) -> None:
    out["location_shape"] = loc.shape
    if loc.longitude_raw is not None:
        out["longitude"] = loc.longitude
        out["latitude"] = loc.latitude
    if loc.horizontal_uncertainty is not None:
        out["horizontal_position_uncertainty_code"] = loc.horizontal_uncertainty
        out["horizontal_position_uncertainty_m"] = loc.horizontal_uncertainty_m
    for axis in ("half_major_axis", "half_minor_axis"):
        code = getattr(loc, axis)
        if code is not None:
            out[f"{axis}_code"] = code
            out[f"{axis}_m"] = horizontal_uncertainty_m(code)
    for angle in ("angle", "start_angle", "stop_angle"):
        code = getattr(loc, angle)
        if code is not None:
            out[f"{angle}_code"] = code
            out[f"{angle}_deg"] = direction_extended_deg(code)
    if loc.altitude is not None:
        out["altitude_type"] = None if loc.altitude_type is None else int(loc.altitude_type)
        out["altitude_code"] = loc.altitude
        out["altitude_m"] = loc.altitude_m
    if loc.altitude_accuracy is not None:
        out["altitude_accuracy_code"] = loc.altitude_accuracy
        out["altitude_accuracy_m"] = loc.altitude_accuracy_m
    for name in ("confidence_level", "inner_radius", "outer_radius"):
        value = getattr(loc, name)
        if value is not None:
            out[name] = value
    if loc.position_error is not None:
        out["position_error"] = int(loc.position_error)
        out["position_error_m"] = position_error_m(loc.position_error)


def _velocity(out: dict[str, Any], vel: Velocity) -> None:
    out["velocity_type"] = int(vel.velocity_type)
    if vel.horizontal_velocity is not None:
        out["horizontal_velocity"] = vel.horizontal_velocity
        out["horizontal_velocity_kmh"] = vel.horizontal_velocity_kmh
        out["horizontal_velocity_is_lower_bound"] = vel.horizontal_velocity_is_lower_bound
    for name in ("horizontal_velocity_uncertainty", "vertical_velocity",
                 "vertical_velocity_uncertainty", "direction_of_travel_extended_uncertainty"):
        value = getattr(vel, name)
        if value is not None:
            out[name] = value
    if vel.direction_of_travel_extended is not None:
        out["direction_of_travel_extended_code"] = vel.direction_of_travel_extended
        out["direction_of_travel_extended_deg"] = vel.direction_of_travel_extended_deg


def _long(p: LongLocationReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pdu": p.NAME,
        "pdu_type": 1,
        "pdu_type_extension": 3,
        "time_type": int(p.time_type),
    }
    if p.time_elapsed is not None:
        out["time_elapsed"] = int(p.time_elapsed)
        out["time_elapsed_s"] = p.time_elapsed_s
    if p.time_of_position is not None:
        out["time_of_position"] = dataclasses.asdict(p.time_of_position)
    if p.location is not None:
        _location(out, p.location)
    if p.velocity is not None:
        _velocity(out, p.velocity)
    if p.acknowledgement_request is not None:
        out["acknowledgement_request"] = p.acknowledgement_request
    _additional(out, p.type_of_additional_data, p.additional_data)
    out["complete"] = p.complete
    if p.trailing is not None:
        out["trailing"] = _raw(p.trailing)
    return out


def _destination(out: dict[str, Any], d: LocationDestination) -> None:
    out["destination_address_type"] = int(d.address_type)
    out["destination_address_type_name"] = describe(AddressType, d.address_type)
    out["destination_address_decoded"] = d.address_decoded
    if d.ssi is not None:
        out["destination_ssi"] = d.ssi
    if d.mcc is not None:
        out["destination_mcc"] = d.mcc
        out["destination_mnc"] = d.mnc
    if d.ip_address is not None:
        out["destination_ip_address"] = str(d.ip_address)


def _generic(p: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"pdu": p.NAME}
    if isinstance(p, ReservedLipPdu):
        out["pdu_type"] = p.pdu_type
        if p.extension is not None:
            out["pdu_type_extension"] = p.extension
    else:
        out["pdu_type"] = p.PDU_TYPE
        out["pdu_type_extension"] = p.EXTENSION
        if hasattr(p, "REQUEST_RESPONSE"):
            out["request_response"] = p.REQUEST_RESPONSE
        if hasattr(p, "LAYOUT_ESTABLISHED"):
            out["layout_established"] = p.LAYOUT_ESTABLISHED
    for field in dataclasses.fields(p):
        value = getattr(p, field.name)
        if value is None:
            continue
        if isinstance(value, RawBits):
            out[field.name] = _raw(value)
        elif isinstance(value, LocationDestination):
            _destination(out, value)
        elif isinstance(value, bool):
            out[field.name] = value
        else:
            out[field.name] = int(value)
            if field.name in _NAMED:
                out[f"{field.name}_name"] = describe(_NAMED[field.name], value)
    if isinstance(p, ReportingEnableFlags):
        out["reporting_enabled"] = p.reporting_enabled
        out["backlog_enabled"] = p.backlog_enabled
    return out


def to_dict(pdu: LipPdu) -> dict[str, Any]:
    """A JSON-ready dict of any LIP PDU (ints, floats, bools, strings, ``None``).

    Keys used wherever the field exists: ``pdu_type``, ``time_elapsed``,
    ``longitude``, ``latitude`` (degrees), ``position_error``,
    ``horizontal_velocity`` (code), ``horizontal_velocity_kmh`` (``None`` if
    not known) with ``horizontal_velocity_is_lower_bound`` (true for code 126,
    "more than 1 043 km/h", where the km/h figure is a lower bound),
    ``direction_of_travel``, ``type_of_additional_data``,
    ``reason_for_sending`` or ``user_defined_data``, ``location_shape``,
    ``time_type``, ``altitude_m``, ``velocity_type``,
    ``acknowledgement_request``, ``report_type`` (with ``report_type_name``),
    ``destination_address_type`` (with ``destination_address_type_name``),
    ``destination_ssi``, ``destination_mcc`` / ``destination_mnc``,
    ``destination_ip_address`` (text); ``pdu`` names the PDU.

    Raises:
        TypeError: when ``pdu`` is not a LIP PDU.
    """
    if isinstance(pdu, ShortLocationReport):
        return _short(pdu)
    if isinstance(pdu, LongLocationReport):
        return _long(pdu)
    if not dataclasses.is_dataclass(pdu) or not hasattr(pdu, "NAME"):
        raise TypeError(f"not a LIP PDU: {type(pdu).__name__}")
    return _generic(pdu)
