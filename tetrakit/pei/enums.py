"""Value tables of EN 300 392-5 §6.17 (PEI parameter values) as ``IntEnum``.

Every table the PEI layer needs is here.  Values a radio may send that are not
in a table stay plain ``int`` (see :func:`coerce`): a radio from a newer
edition of the standard, or a vendor extension, must not make parsing fail.

Sources are the value tables quoted by open implementations that cite the
clause numbers (see the project's reference notes on the PEI); entries marked
[unverified] in a comment come from the standard as remembered, not from a
source that was read, and are kept tolerant for that reason.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar

__all__ = [
    "AccessPriority",
    "AiMode",
    "AiService",
    "CalledPartyIdentityType",
    "CallingPartyIdentityType",
    "CmeError",
    "DisconnectCause",
    "GroupType",
    "NumType",
    "RegStat",
    "SdsStatus",
    "ServiceLayer1",
    "ServiceProfile",
    "TxGrant",
    "coerce",
]

E = TypeVar("E", bound=IntEnum)


def coerce(enum_cls: type[E], value: int) -> E | int:
    """``enum_cls(value)`` when the value is in the table, else the plain ``int``."""
    # The member map lookup is several times faster than enum_cls(value) with
    # try/except, and this runs for every field of every incoming SDS header.
    member = enum_cls._value2member_map_.get(value)
    return member if member is not None else value  # type: ignore[return-value]


class AiService(IntEnum):
    """AI service, EN 300 392-5 §6.17.3."""

    TETRA_SPEECH = 0
    DATA_7_2_UNPROTECTED = 1
    DATA_4_8_LOW_INTERLEAVE_1 = 2
    DATA_4_8_LOW_INTERLEAVE_4 = 3
    DATA_4_8_LOW_INTERLEAVE_8 = 4
    DATA_2_4_HIGH_INTERLEAVE_1 = 5
    DATA_2_4_HIGH_INTERLEAVE_4 = 6
    DATA_2_4_HIGH_INTERLEAVE_8 = 7
    PACKET_DATA = 8
    SDS_TYPE_1 = 9
    SDS_TYPE_2 = 10
    SDS_TYPE_3 = 11
    SDS_TYPE_4 = 12
    STATUS = 13

    @property
    def is_sds(self) -> bool:
        """True for the SDS services (types 1-4 and status), the ones ``AT+CTSDS`` takes."""
        return self >= AiService.SDS_TYPE_1


class CalledPartyIdentityType(IntEnum):
    """Called party identity type, EN 300 392-5 §6.17.11."""

    SSI = 0
    TSI = 1
    SNA = 2
    PABX = 3
    PSTN = 4
    EXTENDED_TSI = 5


#: Calling party identity type, EN 300 392-5 §6.17.12: the same values as the called type.
CallingPartyIdentityType = CalledPartyIdentityType


class AiMode(IntEnum):
    """AI mode (``AT+CTOM``), EN 300 392-5 §6.17.4."""

    TMO = 0
    DMO = 1
    TMO_DUAL_WATCH_DMO = 2
    DMO_DUAL_WATCH_TMO = 3
    TMO_AND_DMO = 4
    GATEWAY = 5
    DMO_REPEATER = 6


class GroupType(IntEnum):
    """Group type (``AT+CTGS``), EN 300 392-5 §6.17.25."""

    NONE = 0
    SELECT = 1
    SCAN_PRIORITY_1 = 2
    SCAN_PRIORITY_2 = 3
    SCAN_PRIORITY_3 = 4
    SCAN_PRIORITY_4 = 5
    SCAN_PRIORITY_5 = 6
    SCAN_PRIORITY_6 = 7


class NumType(IntEnum):
    """Num type (``+CNUM``/``+CNUMF``), EN 300 392-5 §6.17.38."""

    INDIVIDUAL = 0
    GROUP = 1
    PSTN_GATEWAY = 2
    PABX_GATEWAY = 3
    SERVICE_CENTRE = 4
    SERVICE_CENTRE_E164 = 5
    INDIVIDUAL_EXTENDED_TSI = 6
    GROUP_EXTENDED_TSI = 7


class RegStat(IntEnum):
    """Registration state (``+CREG``), EN 300 392-5 §6.17.46."""

    SEARCHING = 0
    REGISTERED_HOME = 1
    NOT_REGISTERED = 2
    SYSTEM_REJECT = 3
    UNKNOWN = 4
    REGISTERED_VISITED = 5

    @property
    def registered(self) -> bool:
        """True when the MS is registered (home or visited network)."""
        return self in (RegStat.REGISTERED_HOME, RegStat.REGISTERED_VISITED)


class SdsStatus(IntEnum):
    """SDS status (``+CMGS`` unsolicited form), EN 300 392-5 §6.17.51."""

    INCOMING_UNREAD = 0
    INCOMING_READ = 1
    OUTGOING_UNSENT = 2
    OUTGOING_SENT = 3
    SENT = 4
    FAILED = 5


class ServiceProfile(IntEnum):
    """Service profile (``AT+CTSP``), EN 300 392-5 §6.14.

    1 = terminal equipment only, 2 = MT and TE are seen in public code; 0 = MT
    only is [unverified].
    """

    MT_ONLY = 0
    TE_ONLY = 1
    MT_AND_TE = 2


class ServiceLayer1(IntEnum):
    """Service layer 1 (``AT+CTSP``): which service is routed, EN 300 392-5 §6.14."""

    CC = 0
    MM = 1
    SDS = 2
    SDS_TL = 3


class TxGrant(IntEnum):
    """Transmission grant (``+CTXG``), EN 300 392-5 §6.17."""

    GRANTED = 0
    NOT_GRANTED = 1
    QUEUED = 2
    GRANTED_TO_ANOTHER = 3


class DisconnectCause(IntEnum):
    """Disconnect cause (``+CTCR``), EN 300 392-5 §6.17 (EN 300 392-2 §14.8.18).

    Only 13 (timer expiry) is confirmed by the reference notes; the other
    entries are [unverified] (the usual EN 300 392-2 table), which is harmless
    because unknown or differing values are reported as plain ints by
    :func:`coerce` and no logic depends on them.
    """

    NOT_DEFINED = 0
    USER_REQUESTED = 1
    CALLED_PARTY_BUSY = 2
    CALLED_PARTY_NOT_REACHABLE = 3
    CALLED_PARTY_NO_ENCRYPTION = 4
    CONGESTION = 5
    TRAFFIC_CASE_NOT_ALLOWED = 6
    INCOMPATIBLE_TRAFFIC_CASE = 7
    SERVICE_NOT_AVAILABLE = 8
    PRE_EMPTION = 9
    INVALID_CALL_IDENTIFIER = 10
    CALL_REJECTED = 11
    NO_IDLE_CC_ENTITY = 12
    TIMER_EXPIRY = 13
    SWMI_REQUESTED = 14
    ACKNOWLEDGED_SERVICE_NOT_COMPLETED = 15


class AccessPriority(IntEnum):
    """Access priority (``AT+CTSDS``) [unverified: only 0 = low is confirmed]."""

    LOW = 0
    HIGH = 1
    EMERGENCY = 2


class CmeError(IntEnum):
    """Extended error report codes (``+CME ERROR: <n>``), EN 300 392-5 §6.17.

    Codes 6-9, 19, 28-29 and 45 are reserved in the table; codes above 45 are
    not defined.  :meth:`lookup` returns the member for a defined code and the
    plain ``int`` otherwise, and :meth:`is_reserved` tells them apart.
    """

    UNABLE_TO_SEND_OVER_AIR = 0
    NO_RELIABLE_TE_LINK = 1
    PEI_LINK_IN_USE = 2
    NOT_IN_CURRENT_STATE = 3
    NOT_SUPPORTED = 4
    SIM_PIN_REQUIRED_FIRST = 5
    NO_SIM = 10
    SIM_PIN1_REQUIRED = 11
    SIM_PIN1_UNBLOCK_REQUIRED = 12
    SIM_ACCESS_FAILED = 13
    SIM_NOT_READY = 14
    SIM_NOT_RECOGNISED = 15
    WRONG_SIM_PIN = 16
    SIM_PIN2_REQUIRED = 17
    SIM_PIN2_UNBLOCK_REQUIRED = 18
    MESSAGE_STACK_FULL = 20
    MESSAGE_INDEX_DOES_NOT_EXIST = 21
    MESSAGE_INDEX_NO_MESSAGE = 22
    MESSAGE_STACK_ACCESS_FAILED = 23
    STATUS_TEXT_TOO_LONG = 24
    STATUS_TEXT_INVALID_CHARACTERS = 25
    DIAL_STRING_TOO_LONG = 26
    DIAL_STRING_INVALID_CHARACTERS = 27
    OUT_OF_SERVICE = 30
    NO_LAYER2_ACK = 31
    USER_DATA_DECODING_FAILED = 32
    PARAMETER_WRONG_TYPE = 33
    PARAMETER_OUT_OF_RANGE = 34
    SYNTAX_ERROR = 35
    USER_DATA_WITHOUT_CMGS = 36
    CMGS_USER_DATA_TIMEOUT = 37
    PID_ALREADY_REGISTERED = 38
    SDS_TL_TABLE_FULL = 39
    NOT_IN_DMO = 40
    TRANSMIT_INHIBIT = 41
    BUSY = 42
    NOT_IN_V_PLUS_D = 43
    UNKNOWN_PARAMETERS_HANDLED = 44

    @classmethod
    def lookup(cls, code: int) -> CmeError | int:
        """The member for a defined code, else the plain ``int`` (reserved/undefined)."""
        return coerce(cls, code)

    @staticmethod
    def is_reserved(code: int) -> bool:
        """True for codes the table reserves (6-9, 19, 28, 29, 45) or does not define (>45)."""
        return code < 0 or code in _CME_RESERVED or code > 45


_CME_RESERVED = frozenset({6, 7, 8, 9, 19, 28, 29, 45})
