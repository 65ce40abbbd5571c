"""Location system SDUs: PI 0x03 simple location system, PI 0x83 over SDS-TL.

EN 300 392-2 cl. 29.5.5 / 29.5.6: the first octet after the PI (0x03) or after
the SDS-TL SDS-TRANSFER header (0x83) is the *location coding system*; the rest
is coded by it.  0x00 = NMEA 0183, i.e. ASCII sentences; 0x01 = RTCM SC-104;
0x80 = proprietary.  This is not LIP: LIP is PI 0x0A (``tetrakit.lip``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from tetrakit._bits import BitWriter
from tetrakit.errors import EncodeError
from tetrakit.sds._octets import check_tail, reader_at, take_tail
from tetrakit.sds.protocol_id import ProtocolId

__all__ = [
    "LocationCodingSystem",
    "LocationData",
    "SimpleLocation",
    "decode_location_sdu",
    "encode_location_sdu",
]


class LocationCodingSystem(IntEnum):
    """Location coding system (cl. 29.5.5; values as read by tetra-kit and osmo-tetra-sq5bpf)."""

    NMEA_0183 = 0x00
    RTCM_SC_104 = 0x01
    PROPRIETARY = 0x80


_SYSTEMS = {m.value: m for m in LocationCodingSystem}


@dataclass(frozen=True, slots=True)
class LocationData:
    """A location system SDU: coding system octet and the coded location.

    ``bits`` is the data's bit length when it does not end on an octet
    boundary, else ``None``.
    """

    coding_system: LocationCodingSystem | int
    data: bytes
    bits: int | None = None

    @classmethod
    def from_nmea(cls, sentences: str) -> LocationData:
        """NMEA 0183 sentences (ASCII) as a location SDU.

        Raises:
            EncodeError: when the text is not ASCII.
        """
        try:
            data = sentences.encode("ascii")
        except UnicodeEncodeError as exc:
            raise EncodeError(f"NMEA text must be ASCII (position {exc.start})",
                              field="nmea", value=sentences) from exc
        return cls(LocationCodingSystem.NMEA_0183, data)

    @property
    def nmea(self) -> str | None:
        """The NMEA 0183 text (non-ASCII octets shown as U+FFFD), or ``None``."""
        if self.coding_system != LocationCodingSystem.NMEA_0183:
            return None
        whole = len(self.data) if self.bits is None else self.bits >> 3
        return self.data[:whole].decode("ascii", errors="replace")

    @property
    def sentences(self) -> list[str]:
        """The NMEA sentences, split on line ends and ``$`` starts; empty otherwise."""
        text = self.nmea
        if not text:
            return []
        parts: list[str] = []
        for raw_line in text.replace("\r", "\n").split("\n"):
            pieces = raw_line.strip().split("$")
            if pieces[0]:  # text before the first "$" (not a sentence start)
                parts.append(pieces[0])
            parts.extend("$" + piece for piece in pieces[1:] if piece)
        return parts


def decode_location_sdu(data: bytes, start: int, bits: int) -> LocationData:
    """Decode a location SDU starting at octet ``start`` of a PDU of ``bits`` bits."""
    reader = reader_at(data, start, bits, "location_coding_system")
    system = reader.read(8, "location_coding_system")
    rest, rest_bits = take_tail(data, reader.position >> 3, bits)
    return LocationData(_SYSTEMS.get(system, system), rest, rest_bits)


def encode_location_sdu(location: LocationData) -> bytes:
    """The location SDU octets (coding system octet first)."""
    if not 0 <= location.coding_system <= 0xFF:
        raise EncodeError("must be 0-255", field="location_coding_system",
                          value=location.coding_system, width=8)
    check_tail(location.data, location.bits, "location_data")
    writer = BitWriter()
    writer.write(location.coding_system, 8, "location_coding_system")
    return writer.to_bytes() + location.data


@dataclass(frozen=True, slots=True)
class SimpleLocation:
    """Simple location system (cl. 29.5.5): PI 0x03, no SDS-TL header."""

    location: LocationData
    protocol_id: ProtocolId | int = ProtocolId.SIMPLE_LOCATION_SYSTEM
