"""LIP requests, responses and acknowledgements (ETSI TS 100 392-18-1, cl. 6.2).

How far each layout is established (reference notes ``sds-lip.md`` §5.6):

* basic location parameters request/response and location reporting
  enable/disable request/response: the leading fields, the rest raw;
* immediate location report request and location report acknowledgement:
  a leading-field layout marked [unverified], decoded tolerantly;
* add/modify trigger, remove trigger, report trigger, report basic location
  parameters, temporary control and backlog: only the PDU type, extension and
  request/response bit; the body is kept as raw bits
  (``LAYOUT_ESTABLISHED = False``);
* reserved PDU types and extensions: kept raw in :class:`ReservedLipPdu`.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tetrakit.lip.enums import ReportType, ResultCode
from tetrakit.lip.fields import RawBits

__all__ = [
    "OPAQUE_PDUS",
    "AddModifyTriggerRequest",
    "AddModifyTriggerResponse",
    "BacklogRequest",
    "BacklogResponse",
    "BasicLocationParametersRequest",
    "BasicLocationParametersResponse",
    "ImmediateLocationReportRequest",
    "LocationReportAcknowledgement",
    "LocationReportingEnableDisableRequest",
    "LocationReportingEnableDisableResponse",
    "LocationReportingTemporaryControlRequest",
    "LocationReportingTemporaryControlResponse",
    "OpaqueBodyPdu",
    "RemoveTriggerRequest",
    "RemoveTriggerResponse",
    "ReportBasicLocationParametersRequest",
    "ReportBasicLocationParametersResponse",
    "ReportTriggerRequest",
    "ReportTriggerResponse",
    "ReportingEnableFlags",
    "ReservedLipPdu",
]

_NO_BITS = RawBits(0, 0)


# --- requests and responses with (partly) established layouts ----------------


@dataclass(frozen=True, slots=True)
class ImmediateLocationReportRequest:
    """IMMEDIATE LOCATION REPORT REQUEST (cl. 6.2, PDU type 1, extension 1).

    [unverified] Layout after the extension: request priority (2 bits) and
    report type (2 bits, Table 6.95), then optional elements kept in
    ``trailing``.  No public source gives this layout; it is decoded
    tolerantly: a body shorter than 4 bits leaves both fields ``None`` and
    keeps the body in ``trailing``.
    """

    request_priority: int | None = 0
    report_type: ReportType | int | None = ReportType.SHORT
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 1
    NAME: ClassVar[str] = "immediate_location_report_request"

    @property
    def position(self) -> None:
        """Requests carry no position."""
        return None


@dataclass(frozen=True, slots=True)
class LocationReportAcknowledgement:
    """LOCATION REPORT ACKNOWLEDGEMENT (cl. 6.2, PDU type 1, extension 4).

    [unverified] Layout after the extension: result code (8 bits), then
    optional elements kept in ``trailing``.  Decoded tolerantly: a body
    shorter than 8 bits leaves ``result_code`` ``None``, the body in ``trailing``.
    """

    result_code: ResultCode | int | None = ResultCode.SUCCESS
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 4
    NAME: ClassVar[str] = "location_report_acknowledgement"

    @property
    def position(self) -> None:
        """Acknowledgements carry no position."""
        return None


class ReportingEnableFlags:
    """Mixin: the 8-bit location reporting enable flags (bit 7 reporting, bit 6 backlog)."""

    __slots__ = ()
    reporting_enable_flags: int

    @property
    def reporting_enabled(self) -> bool:
        """Bit 7: location reporting enabled."""
        return bool(self.reporting_enable_flags & 0x80)

    @property
    def backlog_enabled(self) -> bool:
        """Bit 6: backlog recording enabled."""
        return bool(self.reporting_enable_flags & 0x40)

    @property
    def position(self) -> None:
        """These PDUs carry no position."""
        return None


@dataclass(frozen=True, slots=True)
class BasicLocationParametersRequest:
    """BASIC LOCATION PARAMETERS REQUEST (cl. 6.2, extension 5, request/response 0).

    Fields: acknowledgement request (1), minimum reporting interval (7 bits,
    raw code; shown elsewhere as tens of seconds [unverified]), report type (2,
    Table 6.95), then optional elements kept in ``trailing``.
    """

    acknowledgement_request: bool
    minimum_reporting_interval: int
    report_type: ReportType | int
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 5
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "basic_location_parameters_request"

    @property
    def position(self) -> None:
        """Requests carry no position."""
        return None


@dataclass(frozen=True, slots=True)
class BasicLocationParametersResponse(ReportingEnableFlags):
    """BASIC LOCATION PARAMETERS RESPONSE (cl. 6.2, extension 5, request/response 1).

    Fields: result code (8), location reporting enable flags (8), minimum
    reporting interval (7), report type (2), then optional elements kept in
    ``trailing``.
    """

    result_code: ResultCode | int
    reporting_enable_flags: int
    minimum_reporting_interval: int
    report_type: ReportType | int
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 5
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "basic_location_parameters_response"


@dataclass(frozen=True, slots=True)
class LocationReportingEnableDisableRequest(ReportingEnableFlags):
    """LOCATION REPORTING ENABLE/DISABLE REQUEST (cl. 6.2, extension 10, request/response 0).

    Fields: acknowledgement request (1), location reporting enable flags (8),
    then optional elements kept in ``trailing``.
    """

    acknowledgement_request: bool
    reporting_enable_flags: int
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 10
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "location_reporting_enable_disable_request"


@dataclass(frozen=True, slots=True)
class LocationReportingEnableDisableResponse(ReportingEnableFlags):
    """LOCATION REPORTING ENABLE/DISABLE RESPONSE (cl. 6.2, extension 10, request/response 1).

    Fields: location reporting enable flags (8), then the rest in ``trailing``
    (a result code may follow [unverified]).
    """

    reporting_enable_flags: int
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 10
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "location_reporting_enable_disable_response"


# --- requests and responses whose body layout is not established -------------


@dataclass(frozen=True, slots=True)
class OpaqueBodyPdu:
    """Base of the request/response PDUs whose body layout is not established.

    Attributes:
        body: every bit after the request/response bit, undecoded.
    """

    body: RawBits = _NO_BITS

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int]
    REQUEST_RESPONSE: ClassVar[int]
    NAME: ClassVar[str]
    #: False: only the PDU type, extension and request/response bit are
    #: decoded; the body is kept raw because no public source gives its layout.
    LAYOUT_ESTABLISHED: ClassVar[bool] = False

    @property
    def position(self) -> None:
        """These PDUs carry no decoded position."""
        return None


@dataclass(frozen=True, slots=True)
class AddModifyTriggerRequest(OpaqueBodyPdu):
    """ADD/MODIFY TRIGGER REQUEST (cl. 6.2, extension 6, request/response 0); body raw."""

    EXTENSION: ClassVar[int] = 6
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "add_modify_trigger_request"


@dataclass(frozen=True, slots=True)
class AddModifyTriggerResponse(OpaqueBodyPdu):
    """ADD/MODIFY TRIGGER RESPONSE (cl. 6.2, extension 6, request/response 1); body raw."""

    EXTENSION: ClassVar[int] = 6
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "add_modify_trigger_response"


@dataclass(frozen=True, slots=True)
class RemoveTriggerRequest(OpaqueBodyPdu):
    """REMOVE TRIGGER REQUEST (cl. 6.2, extension 7, request/response 0); body raw."""

    EXTENSION: ClassVar[int] = 7
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "remove_trigger_request"


@dataclass(frozen=True, slots=True)
class RemoveTriggerResponse(OpaqueBodyPdu):
    """REMOVE TRIGGER RESPONSE (cl. 6.2, extension 7, request/response 1); body raw."""

    EXTENSION: ClassVar[int] = 7
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "remove_trigger_response"


@dataclass(frozen=True, slots=True)
class ReportTriggerRequest(OpaqueBodyPdu):
    """REPORT TRIGGER REQUEST (cl. 6.2, extension 8, request/response 0); body raw."""

    EXTENSION: ClassVar[int] = 8
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "report_trigger_request"


@dataclass(frozen=True, slots=True)
class ReportTriggerResponse(OpaqueBodyPdu):
    """REPORT TRIGGER RESPONSE (cl. 6.2, extension 8, request/response 1); body raw."""

    EXTENSION: ClassVar[int] = 8
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "report_trigger_response"


@dataclass(frozen=True, slots=True)
class ReportBasicLocationParametersRequest(OpaqueBodyPdu):
    """REPORT BASIC LOCATION PARAMETERS REQUEST (cl. 6.2, extension 9, r/r 0); body raw."""

    EXTENSION: ClassVar[int] = 9
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "report_basic_location_parameters_request"


@dataclass(frozen=True, slots=True)
class ReportBasicLocationParametersResponse(OpaqueBodyPdu):
    """REPORT BASIC LOCATION PARAMETERS RESPONSE (cl. 6.2, extension 9, r/r 1); body raw."""

    EXTENSION: ClassVar[int] = 9
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "report_basic_location_parameters_response"


@dataclass(frozen=True, slots=True)
class LocationReportingTemporaryControlRequest(OpaqueBodyPdu):
    """LOCATION REPORTING TEMPORARY CONTROL REQUEST (cl. 6.2, extension 11, r/r 0); body raw."""

    EXTENSION: ClassVar[int] = 11
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "location_reporting_temporary_control_request"


@dataclass(frozen=True, slots=True)
class LocationReportingTemporaryControlResponse(OpaqueBodyPdu):
    """LOCATION REPORTING TEMPORARY CONTROL RESPONSE (cl. 6.2, extension 11, r/r 1); body raw."""

    EXTENSION: ClassVar[int] = 11
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "location_reporting_temporary_control_response"


@dataclass(frozen=True, slots=True)
class BacklogRequest(OpaqueBodyPdu):
    """BACKLOG REQUEST (cl. 6.2, extension 12, request/response 0); body raw."""

    EXTENSION: ClassVar[int] = 12
    REQUEST_RESPONSE: ClassVar[int] = 0
    NAME: ClassVar[str] = "backlog_request"


@dataclass(frozen=True, slots=True)
class BacklogResponse(OpaqueBodyPdu):
    """BACKLOG RESPONSE (cl. 6.2, extension 12, request/response 1); body raw."""

    EXTENSION: ClassVar[int] = 12
    REQUEST_RESPONSE: ClassVar[int] = 1
    NAME: ClassVar[str] = "backlog_response"


OPAQUE_PDUS: tuple[type[OpaqueBodyPdu], ...] = (
    AddModifyTriggerRequest, AddModifyTriggerResponse,
    RemoveTriggerRequest, RemoveTriggerResponse,
    ReportTriggerRequest, ReportTriggerResponse,
    ReportBasicLocationParametersRequest, ReportBasicLocationParametersResponse,
    LocationReportingTemporaryControlRequest, LocationReportingTemporaryControlResponse,
    BacklogRequest, BacklogResponse,
)


@dataclass(frozen=True, slots=True)
class ReservedLipPdu:
    """A PDU with a reserved PDU type (2, 3) or extension (0, 2, 13-15), kept raw.

    Attributes:
        pdu_type: the 2-bit PDU type.
        extension: the 4-bit extension for PDU type 1, else ``None``.
        body: every bit after the type (and extension).
    """

    pdu_type: int
    extension: int | None
    body: RawBits

    NAME: ClassVar[str] = "reserved"

    @property
    def position(self) -> None:
        """Reserved PDUs carry no decoded position."""
        return None
