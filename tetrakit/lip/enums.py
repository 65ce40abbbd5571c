"""Wire codes of the Location Information Protocol (ETSI TS 100 392-18-1, cl. 6.3).

Every table here names the spec table it reproduces.  The spec text was not at
hand when this was written; the values come from the reference notes
(``sds-lip.md`` §5), which reconstruct the tables from several public sources.
Codes the notes mark as unverified are said to be so where they are defined.

Unknown and reserved codes are never an error: decoders keep them as plain
``int`` (see :func:`code_of` and :func:`describe`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar

__all__ = [
    "AddressType",
    "AltitudeType",
    "PduType",
    "PduTypeExtension",
    "PositionError",
    "ReasonForSending",
    "ReportType",
    "RequestResponse",
    "ResultCode",
    "TimeElapsed",
    "TimeType",
    "TypeOfAdditionalData",
    "VelocityType",
    "code_of",
    "code_table",
    "describe",
]


class PduType(IntEnum):
    """PDU type, 2 bits (Table 6.91).  Values 2 and 3 are reserved."""

    SHORT_LOCATION_REPORT = 0
    LOCATION_PROTOCOL_PDU_WITH_EXTENSION = 1


class PduTypeExtension(IntEnum):
    """PDU type extension, 4 bits (Table 6.92).  0, 2 and 13-15 are reserved.

    Extensions 5-12 are request/response pairs told apart by the 1-bit
    request/response field that follows the extension.
    """

    IMMEDIATE_LOCATION_REPORT_REQUEST = 1
    LONG_LOCATION_REPORT = 3
    LOCATION_REPORT_ACKNOWLEDGEMENT = 4
    BASIC_LOCATION_PARAMETERS = 5
    ADD_MODIFY_TRIGGER = 6
    REMOVE_TRIGGER = 7
    REPORT_TRIGGER = 8
    REPORT_BASIC_LOCATION_PARAMETERS = 9
    LOCATION_REPORTING_ENABLE_DISABLE = 10
    LOCATION_REPORTING_TEMPORARY_CONTROL = 11
    BACKLOG = 12


class RequestResponse(IntEnum):
    """Request/response selector, 1 bit, after the extension of paired PDUs."""

    REQUEST = 0
    RESPONSE = 1


class TimeElapsed(IntEnum):
    """Time elapsed since the position was determined, 2 bits (Table 6.111)."""

    LESS_THAN_5_S = 0
    LESS_THAN_5_MIN = 1
    LESS_THAN_30_MIN = 2
    NOT_KNOWN = 3


class TimeType(IntEnum):
    """Time type of the long location report's time data, 2 bits.  3 is reserved."""

    NONE = 0
    TIME_ELAPSED = 1
    TIME_OF_POSITION = 2


class PositionError(IntEnum):
    """Position error, 3 bits (Table 6.93): upper bound of the horizontal error."""

    LESS_THAN_2_M = 0
    LESS_THAN_20_M = 1
    LESS_THAN_200_M = 2
    LESS_THAN_2_KM = 3
    LESS_THAN_20_KM = 4
    UP_TO_200_KM = 5
    MORE_THAN_200_KM = 6
    NOT_KNOWN = 7


class TypeOfAdditionalData(IntEnum):
    """Type of additional data, 1 bit (Table 6.120): what the final octet holds."""

    REASON_FOR_SENDING = 0
    USER_DEFINED_DATA = 1


class VelocityType(IntEnum):
    """Velocity type, 3 bits (Table 6.123): which velocity fields follow."""

    NONE = 0
    HORIZONTAL = 1
    HORIZONTAL_WITH_UNCERTAINTY = 2
    HORIZONTAL_AND_VERTICAL = 3
    HORIZONTAL_AND_VERTICAL_WITH_UNCERTAINTY = 4
    HORIZONTAL_WITH_DIRECTION = 5
    HORIZONTAL_WITH_DIRECTION_AND_UNCERTAINTY = 6
    HORIZONTAL_VERTICAL_DIRECTION_WITH_UNCERTAINTY = 7


class ReasonForSending(IntEnum):
    """Reason for sending, 8 bits (Table 6.94).

    31, 33-128 and 131-255 are reserved.  32 is listed as reserved in one copy
    of the table and as "response to an immediate location request" by every
    other source and by radios in the field; the latter is used here.
    """

    SUBSCRIBER_UNIT_POWERED_ON = 0
    SUBSCRIBER_UNIT_POWERED_OFF = 1
    EMERGENCY_CONDITION_DETECTED = 2
    PUSH_TO_TALK_CONDITION_DETECTED = 3
    STATUS = 4
    TRANSMIT_INHIBIT_MODE_ON = 5
    TRANSMIT_INHIBIT_MODE_OFF = 6
    SYSTEM_ACCESS = 7
    DMO_ON = 8
    ENTER_SERVICE = 9
    SERVICE_LOSS = 10
    CELL_RESELECTION = 11
    LOW_BATTERY = 12
    CONNECTED_TO_CAR_KIT = 13
    DISCONNECTED_FROM_CAR_KIT = 14
    ASKS_FOR_TRANSFER_INITIALIZATION_CONFIGURATION = 15
    ARRIVAL_AT_DESTINATION = 16
    ARRIVAL_AT_DEFINED_LOCATION = 17
    APPROACHING_DEFINED_LOCATION = 18
    SDS_TYPE_1_ENTERED = 19
    USER_APPLICATION_INITIATED = 20
    LOST_ABILITY_TO_DETERMINE_LOCATION = 21
    REGAINED_ABILITY_TO_DETERMINE_LOCATION = 22
    LEAVING_POINT = 23
    AMBIENCE_LISTENING_CALL_DETECTED = 24
    START_OF_TEMPORARY_REPORTING = 25
    RETURN_TO_NORMAL_REPORTING = 26
    CALL_SETUP_TYPE_1_DETECTED = 27
    CALL_SETUP_TYPE_2_DETECTED = 28
    POSITIONING_DEVICE_ON = 29
    POSITIONING_DEVICE_OFF = 30
    RESPONSE_TO_IMMEDIATE_LOCATION_REQUEST = 32
    MAXIMUM_REPORTING_INTERVAL_EXCEEDED = 129
    MAXIMUM_REPORTING_DISTANCE_TRAVELLED = 130


class ReportType(IntEnum):
    """Report type, 2 bits (cl. 6.3.65, Table 6.95): which report the terminal should send.

    Values and wording from a public implementation that cites
    TS 100 392-18-1 V1.6.1, agreeing with the reference notes; the terminal
    treats the choice as a preference.
    """

    LONG_PREFERRED_WITHOUT_TIME = 0
    LONG_PREFERRED_WITH_TIME_ELAPSED = 1
    LONG_PREFERRED_WITH_TIME_OF_POSITION = 2
    SHORT_PREFERRED = 3


class AddressType(IntEnum):
    """Address or identification type, 4 bits (cl. 6.3.2, Table 6.32).

    Leads the location information destination (cl. 6.3.43) and says which
    address follows.  5-7 and 13-15 are reserved.  Source: a public
    implementation citing TS 100 392-18-1 V1.6.1, not the ETSI text itself.
    """

    NO_IDENTIFICATION = 0
    SSI = 1
    SSI_AND_MNI = 2
    IPV4 = 3
    IPV6 = 4
    EXTERNAL_SUBSCRIBER_NUMBER = 8
    SSI_AND_EXTERNAL_SUBSCRIBER_NUMBER = 9
    SSI_MNI_AND_EXTERNAL_SUBSCRIBER_NUMBER = 10
    NAME_SERVER_TYPE_NAME = 11
    NAME_FREE_FORMAT = 12


class AltitudeType(IntEnum):
    """Altitude type, the first bit of the 12-bit location altitude."""

    ABOVE_WGS84_ELLIPSOID = 0
    USER_DEFINED_REFERENCE = 1


class ResultCode(IntEnum):
    """Result code, 8 bits.

    [unverified] From a single public source; unlisted codes stay plain ints.
    """

    SUCCESS = 0
    SYSTEM_FAILURE = 1
    UNSPECIFIED_ERROR = 2
    UNAUTHORIZED_APPLICATION = 3
    UNKNOWN_SUBSCRIBER = 4
    ABSENT_SUBSCRIBER = 5
    CONGESTION_IN_PROVIDER = 6
    CONGESTION_IN_MOBILE_NETWORK = 7
    UNSUPPORTED_VERSION = 8
    INSUFFICIENT_RESOURCE = 9
    SYNTAX_ERROR = 10
    PROTOCOL_ELEMENT_NOT_SUPPORTED = 11
    SERVICE_NOT_SUPPORTED = 12
    PROTOCOL_ELEMENT_VALUE_NOT_SUPPORTED = 13
    TYPE_OF_INFORMATION_NOT_CURRENTLY_AVAILABLE = 14
    REQUIRED_ACCURACY_NOT_ACHIEVED = 15
    REPORTING_WILL_STOP = 17
    TIME_EXPIRED = 18
    DISALLOWED_BY_LOCAL_REGULATIONS = 19
    NO_SUCH_REQUEST = 21
    USER_DISABLED_LOCATION_REPORT_SENDING = 22
    PARAMETER_VALUES_MODIFIED = 23
    ACCEPTED = 24
    ACCEPTED_SOME_TRIGGERS_OR_ACCURACIES_MODIFIED = 25
    TRIGGERS_NOT_SUPPORTED = 26
    REPORT_COMPLETE = 27
    POSITION_METHOD_FAILURE = 81
    INSUFFICIENT_GPS_SATELLITES = 200
    BAD_GPS_GEOMETRY = 201


_E = TypeVar("_E", bound=IntEnum)


def code_table(enum: type[_E], size: int) -> tuple[_E | int, ...]:
    """Lookup tuple ``code -> member or int`` for every code of a ``size``-code field.

    Decoders index this instead of calling the enum, which would raise on
    reserved codes and is several times slower.
    """
    members = {int(m): m for m in enum}
    return tuple(members.get(code, code) for code in range(size))


def code_of(enum: type[_E], code: int) -> _E | int:
    """``enum(code)`` when the code is defined, else the plain int."""
    try:
        return enum(code)
    except ValueError:
        return code


def describe(enum: type[IntEnum], code: int) -> str:
    """Lower-case name of a code, or ``reserved(n)`` when the table does not define it."""
    try:
        return enum(code).name.lower()
    except ValueError:
        return f"reserved({code})"
