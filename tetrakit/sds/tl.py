"""SDS-TL: the SDS transport layer (EN 300 392-2 cl. 29.4).

A protocol identifier with bit 7 set is followed by an SDS-TL header.  Its
first octet holds the 4-bit message type (Table 29.20) and flags; every field
of the common PDUs is octet aligned, including the storage/forward fields
(validity period 5 + forward address type 3 bits, then an address of whole
octets), so this module works on octets directly.  Only the user data may end
inside an octet.

PDUs:

* SDS-TRANSFER (Table 29.14): ``0000 | report request (2) | service selection
  (1) | storage (1)``, message reference, [storage fields], user data;
* SDS-REPORT (Table 29.12): ``0001 | ack required (1) | reserved (2) | storage
  (1)``, delivery status, message reference, [storage fields], [user data
  (unverified; kept raw)];
* SDS-ACK (Table 29.11): ``0010 | reserved (4)``, delivery status, message
  reference;
* message types 3-7 (reserved) and 8-15 (application defined) are kept raw.

Delivery status codes (Table 29.16) are an :class:`DeliveryStatus`; unknown
codes stay ints and are classified by range with :func:`delivery_class`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import TypeAlias

from tetrakit._bits import BitReader, BitWriter
from tetrakit.errors import EncodeError
from tetrakit.sds._build import slot_builder
from tetrakit.sds._octets import check_tail, reader_at, take_tail
from tetrakit.sds.concat import (
    ConcatenatedData,
    ConcatenatedPart,
    decode_concatenated,
    encode_concatenated,
)
from tetrakit.sds.location import LocationData, decode_location_sdu, encode_location_sdu
from tetrakit.sds.protocol_id import ProtocolId, protocol_id_name
from tetrakit.sds.text import TextContent, decode_text_sdu, encode_text_sdu
from tetrakit.sds.udh import UdhText, decode_udh_text, encode_udh_text

__all__ = [
    "DeliveryClass",
    "DeliveryReportRequest",
    "DeliveryStatus",
    "ForwardAddress",
    "ForwardAddressType",
    "MessageType",
    "RawUserData",
    "SdsAck",
    "SdsReport",
    "SdsTlOther",
    "SdsTransfer",
    "StorageForward",
    "TlPdu",
    "UserData",
    "decode_tl",
    "delivery_class",
    "delivery_status_name",
    "encode_tl",
    "validity_period_seconds",
]


class MessageType(IntEnum):
    """SDS-TL message type (Table 29.20); 3-7 reserved, 8-15 application defined."""

    SDS_TRANSFER = 0
    SDS_REPORT = 1
    SDS_ACK = 2


class DeliveryReportRequest(IntEnum):
    """Delivery report request of SDS-TRANSFER (Table 29.17)."""

    NONE = 0
    RECEIVED = 1
    CONSUMED = 2
    RECEIVED_AND_CONSUMED = 3


_DRR = tuple(DeliveryReportRequest)


class DeliveryStatus(IntEnum):
    """Delivery status (Table 29.16), names from the tables quoted in the reference notes."""

    RECEIPT_ACKNOWLEDGED_BY_DESTINATION = 0x00
    RECEIPT_REPORT_ACKNOWLEDGEMENT = 0x01
    CONSUMED_BY_DESTINATION = 0x02
    CONSUMED_REPORT_ACKNOWLEDGEMENT = 0x03
    FORWARDED_TO_EXTERNAL_NETWORK = 0x04
    SENT_TO_GROUP_ACKNOWLEDGEMENTS_PREVENTED = 0x05
    # listed by two public implementations, not by the standard text at hand
    CONCATENATION_PART_RECEIPT_ACKNOWLEDGED = 0x06
    CONGESTION_MESSAGE_STORED = 0x20
    MESSAGE_STORED = 0x21
    DESTINATION_NOT_REACHABLE_MESSAGE_STORED = 0x22
    NETWORK_OVERLOAD = 0x40
    SERVICE_PERMANENTLY_NOT_AVAILABLE = 0x41
    SERVICE_TEMPORARILY_NOT_AVAILABLE = 0x42
    SOURCE_NOT_AUTHORISED = 0x43
    DESTINATION_NOT_AUTHORISED = 0x44
    UNKNOWN_DESTINATION = 0x45
    UNKNOWN_FORWARD_ADDRESS = 0x46
    GROUP_ADDRESS_WITH_INDIVIDUAL_SERVICE = 0x47
    VALIDITY_PERIOD_EXPIRED_NOT_RECEIVED = 0x48
    VALIDITY_PERIOD_EXPIRED_NOT_CONSUMED = 0x49
    DELIVERY_FAILED = 0x4A
    DESTINATION_NOT_REGISTERED = 0x4B
    DESTINATION_QUEUE_FULL = 0x4C
    MESSAGE_TOO_LONG = 0x4D
    DESTINATION_DOES_NOT_SUPPORT_SDS_TL = 0x4E
    DESTINATION_HOST_NOT_CONNECTED = 0x4F
    PROTOCOL_NOT_SUPPORTED = 0x50
    DATA_CODING_SCHEME_NOT_SUPPORTED = 0x51
    DESTINATION_MEMORY_FULL_MESSAGE_DISCARDED = 0x52
    DESTINATION_NOT_ACCEPTING_SDS = 0x53
    # 0x54 and 0x5B-0x5F as ftl/tetra-pei lists them (one source); 0x55 is in
    # no source seen and decodes as a plain int
    CONCATENATED_MESSAGE_TOO_LONG = 0x54
    DESTINATION_ADMINISTRATIVELY_PROHIBITED = 0x56
    CANNOT_ROUTE_TO_EXTERNAL_NETWORK = 0x57
    UNKNOWN_EXTERNAL_SUBSCRIBER_NUMBER = 0x58
    NEGATIVE_REPORT_ACKNOWLEDGEMENT = 0x59
    DESTINATION_NOT_REACHABLE_DELIVERY_FAILED = 0x5A
    TEXT_DISTRIBUTION_ERROR = 0x5B
    CORRUPT_INFORMATION_ELEMENT = 0x5C
    NOT_ALL_CONCATENATION_PARTS_RECEIVED = 0x5D
    DESTINATION_ENGAGED_IN_ANOTHER_SERVICE_SWMI = 0x5E
    DESTINATION_ENGAGED_IN_ANOTHER_SERVICE_DESTINATION = 0x5F
    DESTINATION_MEMORY_FULL = 0x60
    DESTINATION_MEMORY_AVAILABLE = 0x61
    START_PENDING_MESSAGES = 0x62
    NO_PENDING_MESSAGES = 0x63
    STOP_SENDING = 0x80
    START_SENDING = 0x81


_STATUS = {m.value: m for m in DeliveryStatus}


class DeliveryClass(Enum):
    """The range of Table 29.16 a delivery status falls in."""

    SUCCESS = "success"  # 0x00-0x1F
    TEMPORARY_ERROR = "temporary_error"  # 0x20-0x3F, message stored by the SwMI
    FAILED = "failed"  # 0x40-0x5F, transfer failed
    FLOW_CONTROL = "flow_control"  # 0x60-0x7F
    END_TO_END_CONTROL = "end_to_end_control"  # 0x80-0xFF, end-to-end control / reserved


_CLASSES = (
    DeliveryClass.SUCCESS,
    DeliveryClass.TEMPORARY_ERROR,
    DeliveryClass.FAILED,
    DeliveryClass.FLOW_CONTROL,
)


def delivery_class(code: int) -> DeliveryClass:
    """Classify a delivery status by range (Table 29.16), known code or not.

    Raises:
        ValueError: when ``code`` is not 0-255.
    """
    if not 0 <= code <= 0xFF:
        raise ValueError(f"delivery status {code} is not an octet")
    return DeliveryClass.END_TO_END_CONTROL if code >= 0x80 else _CLASSES[code >> 5]


def delivery_status_name(code: int) -> str:
    """Readable name of a delivery status; unknown codes are named by their range."""
    member = _STATUS.get(code)
    if member is not None:
        return member.name.lower().replace("_", " ")
    return f"unknown {delivery_class(code).value.replace('_', ' ')} code 0x{code:02X}"


class ForwardAddressType(IntEnum):
    """Forward address type of the storage/forward fields (cl. 29.4.3.5); 4-6 reserved."""

    SNA = 0
    SSI = 1
    TSI = 2
    EXTERNAL_SUBSCRIBER_NUMBER = 3
    NONE = 7


_FWD = {m.value: m for m in ForwardAddressType}

# 4-bit digits of an external subscriber number.  0-9 are digits; what 10-15
# stand for is not in our sources [unverified], so they are shown as hex.
_DIGITS = "0123456789ABCDEF"


@dataclass(frozen=True, slots=True)
class ForwardAddress:
    """Forward address (cl. 29.4.3.5).

    Which fields are set depends on ``address_type``: ``ssi`` holds the 8-bit
    short number (SNA) or the 24-bit SSI; a TSI adds ``extension``, the 24-bit
    address extension (MCC 10 + MNC 14 bits) written after the SSI as in the
    CMCE calling party address [order unverified]; an external subscriber
    number is ``digits`` (one character per 4-bit digit).  Type NONE and the
    reserved types carry no address here.
    """

    address_type: ForwardAddressType | int
    ssi: int | None = None
    extension: int | None = None
    digits: str | None = None

    @property
    def mcc(self) -> int | None:
        return None if self.extension is None else self.extension >> 14

    @property
    def mnc(self) -> int | None:
        return None if self.extension is None else self.extension & 0x3FFF


@dataclass(frozen=True, slots=True)
class StorageForward:
    """Storage/forward control fields (cl. 29.4.3.5, 29.4.3.12).

    ``validity_period`` is the raw 5-bit value; :attr:`validity_seconds`
    gives the duration after Table 29.25 as one public implementation lists it
    (ftl/tetra-pei) [unverified].
    """

    validity_period: int
    forward_address: ForwardAddress

    @property
    def validity_seconds(self) -> int | None:
        """The validity period in seconds; 0 for none, ``None`` for infinite (31)."""
        return validity_period_seconds(self.validity_period)


# Table 29.25 (per ftl/tetra-pei, one source): (first code, last code, code
# subtracted, seconds per step)
_VALIDITY_STEPS = ((1, 6, 0, 10), (7, 10, 5, 60), (11, 16, 10, 600), (17, 21, 15, 3600),
                   (22, 24, 20, 6 * 3600), (25, 30, 24, 48 * 3600))


def validity_period_seconds(code: int) -> int | None:
    """Seconds of a 5-bit validity period code (Table 29.25 per one source, [unverified]).

    0 is "no validity period" (0 s), 31 infinite (``None``).

    Raises:
        ValueError: when ``code`` is not 0-31.
    """
    if not 0 <= code <= 31:
        raise ValueError(f"validity period {code} is not 0-31")
    if code == 0:
        return 0
    for first, last, offset, step in _VALIDITY_STEPS:
        if first <= code <= last:
            return (code - offset) * step
    return None  # 31: infinite


@dataclass(frozen=True, slots=True)
class RawUserData:
    """User data tetrakit does not interpret (an application-defined payload).

    ``bits`` is the bit length when it does not end on an octet, else ``None``;
    ``reason`` says why it is raw (not part of equality).
    """

    data: bytes
    bits: int | None = None
    reason: str = field(default="", compare=False)


UserData: TypeAlias = (TextContent | UdhText | LocationData | ConcatenatedPart | ConcatenatedData
                       | RawUserData)

_TEXT_TL = frozenset({ProtocolId.TEXT_MESSAGING, ProtocolId.IMMEDIATE_TEXT_MESSAGING})
_CONCAT_TL = frozenset(
    {ProtocolId.CONCATENATED_SDS_MESSAGE_TL, ProtocolId.MESSAGE_WITH_USER_DATA_HEADER}
)


def _mr(value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise EncodeError("must be 0-255", field="message_reference", value=value, width=8)


def _check_user_data(protocol_id: int, user_data: UserData, reserved_type: bool) -> None:
    """The user data class must be the one the PI's decoder produces."""
    if isinstance(user_data, TextContent):
        if protocol_id not in _TEXT_TL:
            raise EncodeError("a text SDU needs PI 0x82 or 0x89", field="protocol_id",
                              value=protocol_id)
    elif isinstance(user_data, LocationData):
        if protocol_id != ProtocolId.LOCATION_SYSTEM:
            raise EncodeError("a location SDU needs PI 0x83", field="protocol_id",
                              value=protocol_id)
    elif isinstance(user_data, UdhText):
        if protocol_id != ProtocolId.MESSAGE_WITH_USER_DATA_HEADER:
            raise EncodeError("a text with user data header needs PI 0x8A", field="protocol_id",
                              value=protocol_id)
    elif isinstance(user_data, ConcatenatedPart):
        if protocol_id != ProtocolId.CONCATENATED_SDS_MESSAGE_TL:
            raise EncodeError("a concatenated SDS part needs PI 0x8C", field="protocol_id",
                              value=protocol_id)
    elif isinstance(user_data, ConcatenatedData):
        # raw: what the decoder makes of an unknown concatenation PDU type
        # (0x8C); also accepted for 0x8A so that raw octets can be sent as is
        if protocol_id not in _CONCAT_TL:
            raise EncodeError("concatenated data needs PI 0x8A or 0x8C", field="protocol_id",
                              value=protocol_id)
        check_tail(user_data.data, user_data.bits, "concatenated_data")
    elif isinstance(user_data, RawUserData):
        if not reserved_type and (protocol_id in _TEXT_TL or protocol_id in _CONCAT_TL
                                  or protocol_id == ProtocolId.LOCATION_SYSTEM):
            raise EncodeError(f"PI 0x{protocol_id:02X} needs its SDU class, not raw data",
                              field="user_data", value=user_data)
        check_tail(user_data.data, user_data.bits, "user_data")
    else:
        raise EncodeError("not an SDS-TL user data class", field="user_data", value=user_data)
    if reserved_type and not isinstance(user_data, RawUserData):
        raise EncodeError("after a reserved forward address type only raw data can follow",
                          field="user_data", value=user_data)


@dataclass(frozen=True, slots=True)
class SdsTransfer:
    """SDS-TRANSFER (EN 300 392-2 cl. 29.4.2.4, Table 29.14).

    ``service_selection`` is the "service selection / short form report" bit:
    on the uplink 1 = group or individual; whether it allows an individual
    recipient to answer with an SDS-SHORT-REPORT when set or when clear is
    unsettled (ftl/tetra-pei reads *clear* as "short form report allowed")
    [unverified].

    The header fields and the match of user data and PI are checked on
    construction (``EncodeError`` naming the field); decoders build instances
    without the check, from values that fit by construction.
    """

    protocol_id: ProtocolId | int
    message_reference: int
    user_data: UserData
    delivery_report_request: DeliveryReportRequest = DeliveryReportRequest.NONE
    service_selection: bool = False
    storage: StorageForward | None = None

    message_type = MessageType.SDS_TRANSFER

    def __post_init__(self) -> None:
        pi = self.protocol_id
        if not 0x80 <= pi <= 0xFE:
            raise EncodeError("an SDS-TL PI is 0x80-0xFE", field="protocol_id", value=pi)
        _mr(self.message_reference)
        drr = self.delivery_report_request
        if not 0 <= drr <= 3:
            raise EncodeError("must be 0-3", field="delivery_report_request", value=drr, width=2)
        reserved_type = (self.storage is not None
                         and self.storage.forward_address.address_type in (4, 5, 6))
        _check_user_data(pi, self.user_data, reserved_type)

    @property
    def text(self) -> str | None:
        """The text of a text message (this part's text for PI 0x8A), else ``None``."""
        ud = self.user_data
        return ud.text if isinstance(ud, TextContent | UdhText) else None


@dataclass(frozen=True, slots=True)
class SdsReport:
    """SDS-REPORT (cl. 29.4.2.2, Table 29.12).

    ``reserved`` keeps the two reserved bits and ``user_data`` any bits after
    the fixed fields (Table 29.12 allows user data [unverified]), so that a
    decoded report re-encodes to the same bits.
    """

    protocol_id: ProtocolId | int
    delivery_status: DeliveryStatus | int
    message_reference: int
    ack_required: bool = False
    storage: StorageForward | None = None
    user_data: RawUserData | None = None
    reserved: int = 0

    message_type = MessageType.SDS_REPORT

    @property
    def delivery_class(self) -> DeliveryClass:
        return delivery_class(self.delivery_status)


@dataclass(frozen=True, slots=True)
class SdsAck:
    """SDS-ACK (cl. 29.4.2.1, Table 29.11): acknowledges an SDS-REPORT with ack required.

    ``reserved`` keeps the four reserved bits and ``user_data`` any trailing
    bits (none are defined), for exact re-encoding.
    """

    protocol_id: ProtocolId | int
    delivery_status: DeliveryStatus | int
    message_reference: int
    user_data: RawUserData | None = None
    reserved: int = 0

    message_type = MessageType.SDS_ACK

    @property
    def delivery_class(self) -> DeliveryClass:
        return delivery_class(self.delivery_status)


@dataclass(frozen=True, slots=True)
class SdsTlOther:
    """An SDS-TL PDU of a reserved (3-7) or application defined (8-15) message type.

    ``body`` holds the bits after the 4-bit message type, left aligned.
    """

    protocol_id: ProtocolId | int
    message_type: int
    body: RawUserData


TlPdu: TypeAlias = SdsTransfer | SdsReport | SdsAck | SdsTlOther

_build_transfer = slot_builder(SdsTransfer)

def _octet(value: int, name: str) -> None:
    if not 0 <= value <= 0xFF:
        raise EncodeError("must be 0-255", field=name, value=value, width=8)


# --- storage / forward ------------------------------------------------------


def _decode_storage(reader: BitReader) -> tuple[StorageForward, bool]:
    """Read the storage / forward control fields (validity 5 bits, address type 3 bits,
    then the forward address); return them and whether the address type is
    reserved (the rest then cannot be located)."""
    reader.peek(8, "validity_period")  # validity and address type share one octet
    validity = reader.read(5, "validity_period")
    code = reader.read(3, "forward_address_type")
    ftype = _FWD.get(code, code)
    if ftype == ForwardAddressType.SNA:
        address = ForwardAddress(ftype, ssi=reader.read(8, "forward_address"))
    elif ftype == ForwardAddressType.SSI:
        address = ForwardAddress(ftype, ssi=reader.read(24, "forward_address"))
    elif ftype == ForwardAddressType.TSI:
        reader.peek(48, "forward_address")
        ssi = reader.read(24, "forward_address")
        address = ForwardAddress(ftype, ssi=ssi, extension=reader.read(24, "forward_address"))
    elif ftype == ForwardAddressType.EXTERNAL_SUBSCRIBER_NUMBER:
        count = reader.read(8, "external_subscriber_number_length")
        # 4-bit digits, an odd count padded to an octet
        reader.peek(((count + 1) >> 1) * 8, "external_subscriber_number")
        digits = "".join(_DIGITS[reader.read(4, "external_subscriber_number")]
                         for _ in range(count))
        if count & 1:
            reader.skip(4, "external_subscriber_number")
        address = ForwardAddress(ftype, digits=digits)
    else:
        return StorageForward(validity, ForwardAddress(ftype)), ftype != 7
    return StorageForward(validity, address), False


def _encode_storage(writer: BitWriter, storage: StorageForward) -> None:
    """Append the storage / forward control fields (cl. 29.4.3.x, 5 + 3 bits and the address)."""
    validity = storage.validity_period
    if not 0 <= validity <= 31:
        raise EncodeError("must be 0-31", field="validity_period", value=validity, width=5)
    address = storage.forward_address
    ftype = address.address_type
    if not 0 <= ftype <= 7:
        raise EncodeError("must be 0-7", field="forward_address_type", value=ftype, width=3)
    writer.write(validity, 5, "validity_period")
    writer.write(int(ftype), 3, "forward_address_type")
    if ftype == ForwardAddressType.SNA:
        if address.ssi is None or not 0 <= address.ssi <= 0xFF:
            raise EncodeError("SNA needs ssi 0-255", field="forward_address", value=address.ssi)
        writer.write(address.ssi, 8, "forward_address")
    elif ftype in (ForwardAddressType.SSI, ForwardAddressType.TSI):
        if address.ssi is None or not 0 <= address.ssi <= 0xFFFFFF:
            raise EncodeError("needs ssi 0-0xFFFFFF", field="forward_address", value=address.ssi)
        if ftype == ForwardAddressType.TSI:
            ext = address.extension
            if ext is None or not 0 <= ext <= 0xFFFFFF:
                raise EncodeError("TSI needs extension 0-0xFFFFFF", field="forward_address",
                                  value=ext)
        writer.write(address.ssi, 24, "forward_address")
        if ftype == ForwardAddressType.TSI:
            writer.write(address.extension or 0, 24, "forward_address")
    elif ftype == ForwardAddressType.EXTERNAL_SUBSCRIBER_NUMBER:
        digits = address.digits or ""
        if len(digits) > 255 or any(c not in _DIGITS for c in digits):
            raise EncodeError("up to 255 digits 0-9 or A-F", field="external_subscriber_number",
                              value=digits)
        writer.write(len(digits), 8, "external_subscriber_number_length")
        for digit in digits:
            writer.write(_DIGITS.index(digit), 4, "external_subscriber_number")
        if len(digits) & 1:
            writer.write(0, 4, "external_subscriber_number")  # pad to an octet


# --- decoding ---------------------------------------------------------------


def _user_data(protocol_id: int, data: bytes, pos: int, bits: int) -> UserData:
    if protocol_id in _TEXT_TL:
        return decode_text_sdu(data, pos, bits, timestamp_flag=True)
    if protocol_id == ProtocolId.LOCATION_SYSTEM:
        return decode_location_sdu(data, pos, bits)
    if protocol_id == ProtocolId.MESSAGE_WITH_USER_DATA_HEADER:
        return decode_udh_text(data, pos, bits)
    if protocol_id == ProtocolId.CONCATENATED_SDS_MESSAGE_TL:
        return decode_concatenated(data, pos, bits)
    rest, rest_bits = take_tail(data, pos, bits)
    return RawUserData(rest, rest_bits,
                       f"payload of PI 0x{protocol_id:02X} ({protocol_id_name(protocol_id)})")


def _trailing(data: bytes, pos: int, bits: int) -> RawUserData | None:
    if pos * 8 >= bits:
        return None
    rest, rest_bits = take_tail(data, pos, bits)
    return RawUserData(rest, rest_bits, "bits after the fixed fields")


def decode_tl(protocol_id: ProtocolId | int, data: bytes, bits: int) -> TlPdu:
    """Decode an SDS-TL PDU; ``data`` starts with the PI and holds ``bits`` bits.

    ``data`` must be trimmed to ``ceil(bits / 8)`` octets with the unused bits
    zero (as :func:`tetrakit.sds.decode` prepares it).

    Raises:
        DecodeError: when a field is cut short.
    """
    reader = reader_at(data, 1, bits, "message_type")
    mtype = reader.read(4, "message_type")
    if mtype == 0:
        drr = _DRR[reader.read(2, "delivery_report_request")]
        service_selection = reader.read_bool("service_selection")
        has_storage = reader.read_bool("storage_forward_control")
        reference = reader.read(8, "message_reference")
        storage = None
        if has_storage:
            storage, reserved_type = _decode_storage(reader)
            if reserved_type:
                rest, rest_bits = take_tail(data, reader.position >> 3, bits)
                user_data: UserData = RawUserData(
                    rest, rest_bits,
                    "forward address type is reserved: address length unknown, rest undecoded",
                )
                return _build_transfer(protocol_id, reference, user_data, drr,
                                       service_selection, storage)
        return _build_transfer(protocol_id, reference,
                               _user_data(protocol_id, data, reader.position >> 3, bits),
                               drr, service_selection, storage)
    if mtype == 1:
        ack_required = reader.read_bool("ack_required")
        reserved = reader.read(2, "reserved")
        has_storage = reader.read_bool("storage_forward_control")
        status = reader.read(8, "delivery_status")
        reference = reader.read(8, "message_reference")
        storage = None
        if has_storage:
            storage, _ = _decode_storage(reader)
        return SdsReport(protocol_id, _STATUS.get(status, status), reference, ack_required,
                         storage, _trailing(data, reader.position >> 3, bits), reserved)
    if mtype == 2:
        reserved = reader.read(4, "reserved")
        status = reader.read(8, "delivery_status")
        reference = reader.read(8, "message_reference")
        return SdsAck(protocol_id, _STATUS.get(status, status), reference,
                      _trailing(data, reader.position >> 3, bits), reserved)
    # reserved / application defined: keep the bits after the message type
    body, body_bits = reader.read_rest_bytes()
    return SdsTlOther(protocol_id, mtype,
                      RawUserData(body, body_bits if body_bits & 7 else None,
                                  "reserved or application defined SDS-TL message type"))


# --- encoding ---------------------------------------------------------------


def _encode_user_data(user_data: UserData) -> bytes:
    # SdsTransfer checked on construction that the class matches the PI
    if isinstance(user_data, TextContent):
        return encode_text_sdu(user_data)
    if isinstance(user_data, LocationData):
        return encode_location_sdu(user_data)
    if isinstance(user_data, UdhText):
        return encode_udh_text(user_data)
    if isinstance(user_data, ConcatenatedPart | ConcatenatedData):
        return encode_concatenated(user_data)
    return user_data.data


def _check_pi(protocol_id: int) -> None:
    if not 0x80 <= protocol_id <= 0xFF:
        raise EncodeError("an SDS-TL PI is 0x80-0xFF", field="protocol_id", value=protocol_id)


def _tail(user_data: RawUserData | None) -> bytes:
    if user_data is None:
        return b""
    check_tail(user_data.data, user_data.bits, "user_data")
    return user_data.data


def encode_tl(pdu: TlPdu) -> bytes:
    """The octets of an SDS-TL PDU, PI included (the last octet may be partly used).

    Raises:
        EncodeError: when a field does not fit or the user data does not match the PI.
    """
    pi = pdu.protocol_id
    _check_pi(pi)
    writer = BitWriter()
    writer.write(pi, 8, "protocol_id")
    if isinstance(pdu, SdsTransfer):
        # the header fields and the user data class were checked on construction
        writer.write(MessageType.SDS_TRANSFER, 4, "message_type")
        writer.write(pdu.delivery_report_request, 2, "delivery_report_request")
        writer.write_bool(pdu.service_selection, "service_selection")
        writer.write_bool(pdu.storage is not None, "storage_forward_control")
        writer.write(pdu.message_reference, 8, "message_reference")
        if pdu.storage is not None:
            _encode_storage(writer, pdu.storage)
        return writer.to_bytes() + _encode_user_data(pdu.user_data)
    if isinstance(pdu, SdsReport):
        _mr(pdu.message_reference)
        _octet(pdu.delivery_status, "delivery_status")
        if not 0 <= pdu.reserved <= 3:
            raise EncodeError("must be 0-3", field="reserved", value=pdu.reserved, width=2)
        writer.write(MessageType.SDS_REPORT, 4, "message_type")
        writer.write_bool(pdu.ack_required, "ack_required")
        writer.write(pdu.reserved, 2, "reserved")
        writer.write_bool(pdu.storage is not None, "storage_forward_control")
        writer.write(pdu.delivery_status, 8, "delivery_status")
        writer.write(pdu.message_reference, 8, "message_reference")
        if pdu.storage is not None:
            _encode_storage(writer, pdu.storage)
        return writer.to_bytes() + _tail(pdu.user_data)
    if isinstance(pdu, SdsAck):
        _mr(pdu.message_reference)
        _octet(pdu.delivery_status, "delivery_status")
        if not 0 <= pdu.reserved <= 15:
            raise EncodeError("must be 0-15", field="reserved", value=pdu.reserved, width=4)
        writer.write(MessageType.SDS_ACK, 4, "message_type")
        writer.write(pdu.reserved, 4, "reserved")
        writer.write(pdu.delivery_status, 8, "delivery_status")
        writer.write(pdu.message_reference, 8, "message_reference")
        return writer.to_bytes() + _tail(pdu.user_data)
    mtype = pdu.message_type
    if not 3 <= mtype <= 15:
        raise EncodeError("SdsTlOther is for message types 3-15", field="message_type",
                          value=mtype, width=4)
    body = pdu.body
    check_tail(body.data, body.bits, "body")
    nbits = len(body.data) * 8 if body.bits is None else body.bits
    writer.write(mtype, 4, "message_type")
    writer.write_bits(int.from_bytes(body.data, "big") >> (len(body.data) * 8 - nbits), nbits,
                      "body")
    return writer.to_bytes()
