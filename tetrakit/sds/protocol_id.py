"""SDS type-4 protocol identifiers (EN 300 392-2 cl. 29.4.3.9, Table 29.21).

The first octet of SDS type-4 user data names the application protocol.  Bit 7
tells whether the protocol uses SDS-TL (an SDS-TL header follows the PI) or
not.  Values outside :class:`ProtocolId` are kept as plain ints: company PIs
registered at ETSI get a holder name from :data:`COMPANY_PROTOCOL_IDS`, and
everything else is classified by the range it falls in.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "COMPANY_PROTOCOL_IDS",
    "ProtocolId",
    "protocol_id_name",
    "protocol_id_range",
    "to_protocol_id",
    "uses_sds_tl",
]


class ProtocolId(IntEnum):
    """Standardised protocol identifiers (Table 29.21)."""

    RESERVED = 0x00
    OTAK = 0x01
    SIMPLE_TEXT_MESSAGING = 0x02
    SIMPLE_LOCATION_SYSTEM = 0x03
    WIRELESS_DATAGRAM_PROTOCOL = 0x04
    WIRELESS_CONTROL_MESSAGE_PROTOCOL = 0x05
    MANAGED_DMO = 0x06
    PIN_AUTHENTICATION = 0x07
    END_TO_END_ENCRYPTED_MESSAGE = 0x08
    SIMPLE_IMMEDIATE_TEXT_MESSAGING = 0x09
    LOCATION_INFORMATION_PROTOCOL = 0x0A
    NET_ASSIST_PROTOCOL = 0x0B
    CONCATENATED_SDS_MESSAGE = 0x0C
    DOTAM = 0x0D
    SIMPLE_AGNSS_SERVICE = 0x0E
    # 0x7F and 0xFF are "reserved for extension": a further PI octet would
    # follow, a structure no public source shows in use [unverified].
    EXTENSION = 0x7F
    TEXT_MESSAGING = 0x82
    LOCATION_SYSTEM = 0x83
    WIRELESS_DATAGRAM_PROTOCOL_TL = 0x84
    WIRELESS_CONTROL_MESSAGE_PROTOCOL_TL = 0x85
    MANAGED_DMO_TL = 0x86
    END_TO_END_ENCRYPTED_MESSAGE_TL = 0x88
    IMMEDIATE_TEXT_MESSAGING = 0x89
    MESSAGE_WITH_USER_DATA_HEADER = 0x8A
    CONCATENATED_SDS_MESSAGE_TL = 0x8C
    AGNSS_SERVICE = 0x8D
    EXTENSION_TL = 0xFF


#: Company PIs registered at ETSI (list copied into osmo-tetra-sq5bpf
#: ``tetra_sds.h``; the age of that list is unknown, so the names are
#: indicative).  Vendors also use these octets for their own payloads.
COMPANY_PROTOCOL_IDS: dict[int, str] = {
    0x40: "Teltronic",
    0x41: "Nokia",
    0x42: "Thales",
    0x43: "Tetra MoU",
    0x44: "R&S Bick Mobilfunk",
    0x45: "R&S Bick Mobilfunk",
    0x46: "EADS Secure Networks",
    0x47: "Thales UK",
    0x49: "Thorcom Systems",
    0x4A: "PMR-R&D GmbH",
    0x50: "Rheinmetall Defence",
    0xC0: "Teltronic",
    0xC1: "Tetra MoU",
    0xC2: "EADS Secure Networks",
    # Held by the TETRA Association; often assumed to carry the TCCA Call-Out
    # application, which no public source confirms [unverified].
    0xC3: "Tetra Association (TCCA)",
    0xC4: "Airwave Solutions",
    0xC5: "Airwave Solutions",
    0xC6: "APD Communications",
    0xC8: "Sepura",
    0xC9: "Sepura",
    0xD0: "Rheinmetall Defence",
    0xD2: "Sepura",
    0xDC: "Motorola",
    0xDD: "Motorola",
    0xDE: "Motorola",
    0xDF: "Motorola",
    0xE0: "Motorola",
    0xE1: "Terrafix",
    0xE2: "Terrafix",
    0xE3: "Terrafix",
    0xE6: "Motorola",
    0xEC: "Sepura plc",
    0xED: "3tc Software",
    0xEE: "3tc Software",
    0xF0: "Motorola",
    0xF4: "Thorcom",
    0xFA: "Thales UK",
}

_BY_VALUE: dict[int, ProtocolId] = {m.value: m for m in ProtocolId}


def to_protocol_id(value: int) -> ProtocolId | int:
    """``value`` as a :class:`ProtocolId` when standardised, else the plain int."""
    return _BY_VALUE.get(value, value)


def uses_sds_tl(value: int) -> bool:
    """True when an SDS-TL header follows the PI (bit 7 set; Table 29.21 structure)."""
    return value >= 0x80


def protocol_id_range(value: int) -> str:
    """The range of Table 29.21 a PI value falls in."""
    low = value & 0x7F
    tl = " with SDS-TL" if value & 0x80 else " without SDS-TL"
    if low == 0x7F:
        return "reserved for extension"
    if low <= 0x3F:
        return "standardised" + tl
    return "user/vendor application" + tl


def protocol_id_name(value: int) -> str:
    """A human-readable name: the standard name, the registered holder, or the range."""
    member = _BY_VALUE.get(value)
    if member is not None:
        return member.name.lower().replace("_", " ")
    holder = COMPANY_PROTOCOL_IDS.get(value)
    if holder is not None:
        return f"company PI of {holder}"
    return protocol_id_range(value)
