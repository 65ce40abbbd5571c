"""Location Information Protocol, ETSI TS 100 392-18-1: every PDU, field codecs, GeoJSON.

LIP rides in SDS type-4 with protocol identifier 0x0A and no SDS-TL header.
:func:`decode` / :func:`encode` work on the LIP payload without the PI;
:func:`from_sds` / :func:`to_sds` with it.  PDUs are frozen dataclasses that
keep the raw wire codes; properties and :func:`to_dict` give degrees, km/h and
metres.

Layer rule (DESIGN.md): this package is pure.  It imports nothing from
``serial``, ``asyncio``, ``socket``, ``threading`` or ``time``; bytes go in,
dataclasses come out.
"""

from __future__ import annotations

from tetrakit.lip.builders import (
    basic_location_parameters_request,
    immediate_location_request,
    location_report_acknowledgement,
    location_reporting_enable_disable_request,
)
from tetrakit.lip.codec import PROTOCOL_IDENTIFIER, decode, encode, from_sds, to_sds
from tetrakit.lip.enums import (
    AddressType,
    AltitudeType,
    PduType,
    PduTypeExtension,
    PositionError,
    ReasonForSending,
    ReportType,
    RequestResponse,
    ResultCode,
    TimeElapsed,
    TimeType,
    TypeOfAdditionalData,
    VelocityType,
)
from tetrakit.lip.fields import RawBits
from tetrakit.lip.geo import EARTH_MEAN_RADIUS_M, distance_m, to_geojson
from tetrakit.lip.jsonform import to_dict
from tetrakit.lip.pdus import (
    AddModifyTriggerRequest,
    AddModifyTriggerResponse,
    BacklogRequest,
    BacklogResponse,
    BasicLocationParametersRequest,
    BasicLocationParametersResponse,
    ImmediateLocationReportRequest,
    LipPdu,
    Location,
    LocationDestination,
    LocationReportAcknowledgement,
    LocationReportingEnableDisableRequest,
    LocationReportingEnableDisableResponse,
    LocationReportingTemporaryControlRequest,
    LocationReportingTemporaryControlResponse,
    LongLocationReport,
    Position,
    RemoveTriggerRequest,
    RemoveTriggerResponse,
    ReportBasicLocationParametersRequest,
    ReportBasicLocationParametersResponse,
    ReportTriggerRequest,
    ReportTriggerResponse,
    ReservedLipPdu,
    ShortLocationReport,
    TimeOfPosition,
    Velocity,
)

__all__ = [
    "EARTH_MEAN_RADIUS_M",
    "PROTOCOL_IDENTIFIER",
    "AddModifyTriggerRequest",
    "AddModifyTriggerResponse",
    "AddressType",
    "AltitudeType",
    "BacklogRequest",
    "BacklogResponse",
    "BasicLocationParametersRequest",
    "BasicLocationParametersResponse",
    "ImmediateLocationReportRequest",
    "LipPdu",
    "Location",
    "LocationDestination",
    "LocationReportAcknowledgement",
    "LocationReportingEnableDisableRequest",
    "LocationReportingEnableDisableResponse",
    "LocationReportingTemporaryControlRequest",
    "LocationReportingTemporaryControlResponse",
    "LongLocationReport",
    "PduType",
    "PduTypeExtension",
    "Position",
    "PositionError",
    "RawBits",
    "ReasonForSending",
    "RemoveTriggerRequest",
    "RemoveTriggerResponse",
    "ReportBasicLocationParametersRequest",
    "ReportBasicLocationParametersResponse",
    "ReportTriggerRequest",
    "ReportTriggerResponse",
    "ReportType",
    "RequestResponse",
    "ReservedLipPdu",
    "ResultCode",
    "ShortLocationReport",
    "TimeElapsed",
    "TimeOfPosition",
    "TimeType",
    "TypeOfAdditionalData",
    "Velocity",
    "VelocityType",
    "basic_location_parameters_request",
    "decode",
    "distance_m",
    "encode",
    "from_sds",
    "immediate_location_request",
    "location_report_acknowledgement",
    "location_reporting_enable_disable_request",
    "to_dict",
    "to_geojson",
    "to_sds",
]
