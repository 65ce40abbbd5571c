"""The union of every LIP PDU (ETSI TS 100 392-18-1, cl. 6.2) and where each lives.

Location reports and their parts are in :mod:`tetrakit.lip.reports`; requests,
responses and acknowledgements in :mod:`tetrakit.lip.requests`.
"""

from __future__ import annotations

from tetrakit.lip.reports import (
    SHAPE_FIELDS,
    VELOCITY_FIELDS,
    Location,
    LongLocationReport,
    Position,
    ShortLocationReport,
    TimeOfPosition,
    Velocity,
)
from tetrakit.lip.requests import (
    OPAQUE_PDUS,
    AddModifyTriggerRequest,
    AddModifyTriggerResponse,
    BacklogRequest,
    BacklogResponse,
    BasicLocationParametersRequest,
    BasicLocationParametersResponse,
    ImmediateLocationReportRequest,
    LocationDestination,
    LocationReportAcknowledgement,
    LocationReportingEnableDisableRequest,
    LocationReportingEnableDisableResponse,
    LocationReportingTemporaryControlRequest,
    LocationReportingTemporaryControlResponse,
    RemoveTriggerRequest,
    RemoveTriggerResponse,
    ReportBasicLocationParametersRequest,
    ReportBasicLocationParametersResponse,
    ReportTriggerRequest,
    ReportTriggerResponse,
    ReservedLipPdu,
)

__all__ = [
    "OPAQUE_PDUS",
    "SHAPE_FIELDS",
    "VELOCITY_FIELDS",
    "AddModifyTriggerRequest",
    "AddModifyTriggerResponse",
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
    "Position",
    "RemoveTriggerRequest",
    "RemoveTriggerResponse",
    "ReportBasicLocationParametersRequest",
    "ReportBasicLocationParametersResponse",
    "ReportTriggerRequest",
    "ReportTriggerResponse",
    "ReservedLipPdu",
    "ShortLocationReport",
    "TimeOfPosition",
    "Velocity",
]

LipPdu = (
    ShortLocationReport
    | LongLocationReport
    | ImmediateLocationReportRequest
    | LocationReportAcknowledgement
    | BasicLocationParametersRequest
    | BasicLocationParametersResponse
    | LocationReportingEnableDisableRequest
    | LocationReportingEnableDisableResponse
    | AddModifyTriggerRequest
    | AddModifyTriggerResponse
    | RemoveTriggerRequest
    | RemoveTriggerResponse
    | ReportTriggerRequest
    | ReportTriggerResponse
    | ReportBasicLocationParametersRequest
    | ReportBasicLocationParametersResponse
    | LocationReportingTemporaryControlRequest
    | LocationReportingTemporaryControlResponse
    | BacklogRequest
    | BacklogResponse
    | ReservedLipPdu
)
