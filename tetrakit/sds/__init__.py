"""SDS, SDS-TL and text messaging codecs (EN 300 392-2 cl. 14.8.52, 29).

Pure functions and frozen dataclasses; no I/O.  Type-4 user data (PI first,
as shown by the PEI) is decoded with :func:`decode` and encoded with
:func:`encode`; 16-bit pre-coded statuses with :func:`decode_status`;
:func:`to_dict` gives the JSON form.  LIP (PI 0x0A) is handed to
``tetrakit.lip``.  Long texts are split with :func:`split_text` (user data
header, PI 0x8A) and put back together with :class:`Reassembler`.
"""

from __future__ import annotations

from tetrakit.sds.codec import (
    RawSds,
    SdsPdu,
    decode,
    encode,
    sds_ack,
    sds_report,
    simple_text,
    text_message,
)
from tetrakit.sds.concat import (
    LAYOUT_BASIS,
    LAYOUT_NOT_ESTABLISHED,
    LAYOUT_ONE_PUBLIC_IMPLEMENTATION,
    LAYOUT_RAW,
    MAX_TEXT_LATIN1,
    ConcatenatedData,
    ConcatenatedPart,
    ConcatenatedSds,
)
from tetrakit.sds.jsonable import to_dict
from tetrakit.sds.location import LocationCodingSystem, LocationData, SimpleLocation
from tetrakit.sds.protocol_id import (
    COMPANY_PROTOCOL_IDS,
    ProtocolId,
    protocol_id_name,
    uses_sds_tl,
)
from tetrakit.sds.reassembly import IncompleteMessage, ReassembledPayload, Reassembler
from tetrakit.sds.refs import MessageReferenceAllocator, MessageReferencesExhaustedError
from tetrakit.sds.split import MAX_PARTS, split_payload, split_text
from tetrakit.sds.status import (
    ShortReport,
    ShortReportType,
    StatusKind,
    StatusPdu,
    decode_status,
    short_report_status,
)
from tetrakit.sds.text import CodingScheme, SimpleText, TextContent
from tetrakit.sds.timestamp import SdsTimestamp, TimeframeType
from tetrakit.sds.tl import (
    DeliveryClass,
    DeliveryReportRequest,
    DeliveryStatus,
    ForwardAddress,
    ForwardAddressType,
    MessageType,
    RawUserData,
    SdsAck,
    SdsReport,
    SdsTlOther,
    SdsTransfer,
    StorageForward,
    delivery_class,
    delivery_status_name,
    validity_period_seconds,
)
from tetrakit.sds.types import MAX_TYPE4_BITS, SdsType, UserDefinedData, decode_user_defined
from tetrakit.sds.udh import (
    ConcatenationIe,
    InformationElement,
    InformationElementId,
    UdhText,
    UserDataHeader,
)

__all__ = [
    "COMPANY_PROTOCOL_IDS",
    "LAYOUT_BASIS",
    "LAYOUT_NOT_ESTABLISHED",
    "LAYOUT_ONE_PUBLIC_IMPLEMENTATION",
    "LAYOUT_RAW",
    "MAX_PARTS",
    "MAX_TEXT_LATIN1",
    "MAX_TYPE4_BITS",
    "CodingScheme",
    "ConcatenatedData",
    "ConcatenatedPart",
    "ConcatenatedSds",
    "ConcatenationIe",
    "DeliveryClass",
    "DeliveryReportRequest",
    "DeliveryStatus",
    "ForwardAddress",
    "ForwardAddressType",
    "IncompleteMessage",
    "InformationElement",
    "InformationElementId",
    "LocationCodingSystem",
    "LocationData",
    "MessageReferenceAllocator",
    "MessageReferencesExhaustedError",
    "MessageType",
    "ProtocolId",
    "RawSds",
    "RawUserData",
    "ReassembledPayload",
    "Reassembler",
    "SdsAck",
    "SdsPdu",
    "SdsReport",
    "SdsTimestamp",
    "SdsTlOther",
    "SdsTransfer",
    "SdsType",
    "ShortReport",
    "ShortReportType",
    "SimpleLocation",
    "SimpleText",
    "StatusKind",
    "StatusPdu",
    "StorageForward",
    "TextContent",
    "TimeframeType",
    "UdhText",
    "UserDataHeader",
    "UserDefinedData",
    "decode",
    "decode_status",
    "decode_user_defined",
    "delivery_class",
    "delivery_status_name",
    "encode",
    "protocol_id_name",
    "sds_ack",
    "sds_report",
    "short_report_status",
    "simple_text",
    "split_payload",
    "split_text",
    "text_message",
    "to_dict",
    "uses_sds_tl",
    "validity_period_seconds",
]
