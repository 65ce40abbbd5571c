"""LIP requests, responses and acknowledgements (ETSI TS 100 392-18-1, cl. 6.2).

How far each layout is established (reference notes ``sds-lip.md`` §5.6):

* basic location parameters request/response and location reporting
  enable/disable request/response: the leading fields, the rest raw;
* immediate location report request: request/response, report type and the
  location information destination with the address types 0-4 decoded, from a
  public implementation that cites the spec (see the class); other address
  types and anything after the destination kept raw;
* location report acknowledgement: a leading-field layout marked
  [unverified], decoded tolerantly;
* add/modify trigger, remove trigger, report trigger, report basic location
  parameters, temporary control and backlog: only the PDU type, extension and
  request/response bit; the body is kept as raw bits
  (``LAYOUT_ESTABLISHED = False``);
* reserved PDU types and extensions: kept raw in :class:`ReservedLipPdu`.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from typing import ClassVar

from tetrakit.identities import Tsi
from tetrakit.lip.enums import AddressType, ReportType, RequestResponse, ResultCode
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
    "LocationDestination",
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
class LocationDestination:
    """Location information destination (cl. 6.3.43, Table 6.73): where reports should go.

    An address or identification type (4 bits, cl. 6.3.2, Table 6.32) and the
    address it announces.  Types 0-4 are decoded: 0 carries no address, 1 an
    SSI (24 bits), 2 an SSI and MNI (24 + 10-bit MCC + 14-bit MNC), 3 an IPv4
    address (32 bits), 4 an IPv6 address (128 bits).  For the other types
    (external subscriber number, names, reserved codes) only the type is
    decoded and the address stays in the enclosing PDU's ``trailing`` bits.

    Attributes:
        address_type: the type code; a plain ``int`` for reserved codes.
        ssi: for types 1 and 2.
        mcc: for type 2 (10 bits).
        mnc: for type 2 (14 bits).
        ip_address: for types 3 (IPv4) and 4 (IPv6).
    """

    address_type: AddressType | int
    ssi: int | None = None
    mcc: int | None = None
    mnc: int | None = None
    ip_address: IPv4Address | IPv6Address | None = None

    #: Address types whose address is decoded here.
    DECODED_TYPES: ClassVar[frozenset[int]] = frozenset(range(5))

    @property
    def address_decoded(self) -> bool:
        """True when the address is in these fields, False when it is in ``trailing``."""
        return self.address_type in self.DECODED_TYPES

    @property
    def tsi(self) -> Tsi | None:
        """The destination as a :class:`~tetrakit.identities.Tsi` for types 1 and 2."""
        if self.ssi is None:
            return None
        return Tsi(self.ssi, self.mcc, self.mnc)


@dataclass(frozen=True, slots=True)
class ImmediateLocationReportRequest:
    """IMMEDIATE LOCATION REPORT REQUEST (cl. 6.2.16, Table 6.16; PDU type 1, extension 1).

    Layout after the PDU type extension: request/response (1 bit, 0 =
    request), report type (2 bits, cl. 6.3.65, Table 6.95), then the optional
    location information destination (cl. 6.3.43, Table 6.73), then anything
    else, kept raw in ``trailing``.  The layout comes from a public
    implementation that cites TS 100 392-18-1 V1.6.1 cl. 6.2.16, not from the
    ETSI text itself; the destination is present whenever that
    implementation encodes the PDU, and is optional here.

    Decoding never fails on the body: fewer than 3 body bits leave
    ``request_response`` and ``report_type`` ``None`` with the body in
    ``trailing``; a destination whose address is cut short is left ``None``
    with its bits in ``trailing``.  Without a bit length, fewer than 8 zero
    bits after the report type are taken as padding, so a destination of type
    0 then reads as absent.
    """

    request_response: RequestResponse | int | None = RequestResponse.REQUEST
    report_type: ReportType | int | None = ReportType.SHORT_PREFERRED
    destination: LocationDestination | None = None
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
