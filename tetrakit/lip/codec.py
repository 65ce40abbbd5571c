"""Decode and encode LIP PDUs (ETSI TS 100 392-18-1, cl. 6.2).

``decode(data, bits)`` takes the LIP payload *without* the SDS protocol
identifier 0x0A; ``bits`` (the PEI length minus the PI's 8 bits) wins when
given, so the padding nibble Motorola prints and the odd nibble count Sepura
prints decode alike.  ``to_sds`` / ``from_sds`` add and strip the PI.

The short location report has a hand-written shift-and-mask path: it is the
PDU radios send most, every few seconds per radio.  Everything else goes
through :class:`~tetrakit._bits.BitReader` / ``BitWriter``.

Pure: no I/O.  Decoding raises only :class:`~tetrakit.errors.DecodeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address
from typing import Any, cast

from tetrakit._bits import BitReader, BitWriter, check_bit_length, check_octets
from tetrakit.errors import DecodeError, EncodeError
from tetrakit.lip.enums import (
    AddressType,
    PositionError,
    ReportType,
    RequestResponse,
    ResultCode,
    TimeElapsed,
    TimeType,
    TypeOfAdditionalData,
    VelocityType,
    code_table,
)
from tetrakit.lip.fields import RawBits
from tetrakit.lip.pdus import (
    OPAQUE_PDUS,
    SHAPE_FIELDS,
    VELOCITY_FIELDS,
    BasicLocationParametersRequest,
    BasicLocationParametersResponse,
    ImmediateLocationReportRequest,
    LipPdu,
    Location,
    LocationDestination,
    LocationReportAcknowledgement,
    LocationReportingEnableDisableRequest,
    LocationReportingEnableDisableResponse,
    LongLocationReport,
    ReservedLipPdu,
    ShortLocationReport,
    TimeOfPosition,
    Velocity,
)
from tetrakit.lip.requests import OpaqueBodyPdu

__all__ = ["PROTOCOL_IDENTIFIER", "decode", "encode", "from_sds", "to_sds"]

#: SDS type-4 protocol identifier of LIP (EN 300 392-2 Table 29.21).
PROTOCOL_IDENTIFIER = 0x0A

SHORT_REPORT_BITS = 76

_TIME_ELAPSED = code_table(TimeElapsed, 4)
_POSITION_ERROR = code_table(PositionError, 8)
_TAD = code_table(TypeOfAdditionalData, 2)
_TIME_TYPE = code_table(TimeType, 4)
_VELOCITY_TYPE = code_table(VelocityType, 8)
_REPORT_TYPE = code_table(ReportType, 4)
_REQUEST_RESPONSE = code_table(RequestResponse, 2)
_ADDRESS_TYPE = code_table(AddressType, 16)
#: Address bits after the address or identification types decoded here
#: (cl. 6.3.2, Table 6.32): none, SSI, SSI + MNI (MCC 10 + MNC 14), IPv4, IPv6.
_ADDRESS_BITS = {0: 0, 1: 24, 2: 48, 3: 32, 4: 128}
_RESULT_CODE = code_table(ResultCode, 256)
_SHORT = ShortLocationReport
_new = object.__new__
# The slot descriptors' setters: the fastest way to fill a frozen slots
# dataclass (frozenness is enforced by __setattr__, which they bypass).
(_set_te, _set_lon, _set_lat, _set_pe, _set_hv, _set_dir, _set_tad, _set_ad, _set_trailing) = (
    ShortLocationReport.__dict__[name].__set__ for name in (
        "time_elapsed", "longitude_raw", "latitude_raw", "position_error",
        "horizontal_velocity", "direction_of_travel", "type_of_additional_data",
        "additional_data", "trailing"))


# --- decoding ----------------------------------------------------------------


def decode(data: bytes, bits: int | None = None) -> LipPdu:
    """Decode one LIP PDU (payload without the protocol identifier).

    Args:
        data: the octets; bits past ``bits`` are padding and ignored.
        bits: PDU length in bits (the PEI length minus 8).  Without it the
            length is ``8 * len(data)`` and fewer than 8 zero bits after the
            last decoded field are taken as padding.

    Returns:
        The PDU dataclass for the PDU type and extension.

    Raises:
        DecodeError: when the data is shorter than the PDU's mandatory fields
            or ``bits`` does not fit ``data``; names the field and bit offset.
        TypeError: when ``data`` is not bytes-like or ``bits`` not an int.
    """
    if type(data) is not bytes:
        data = check_octets(data)
    if bits is not None and type(bits) is not int:
        check_bit_length(bits)
    if (data[0] < 0x40 if (bits == 76 and len(data) >= 10) or (
            bits is None and len(data) == 10 and not data[9] & 0xF) else False):
        # Hot path: a short location report (PDU type 0, fixed 76 bits) with
        # nothing after it but padding, as radios send every few seconds.
        v = int.from_bytes(data[:10], "big") >> 4
        lon = (v >> 47) & 0x1FFFFFF
        if lon >= 0x1000000:
            lon -= 0x2000000
        lat = (v >> 23) & 0xFFFFFF
        if lat >= 0x800000:
            lat -= 0x1000000
        # Every field is masked to its width, so the constructor's range
        # check is skipped and the slots are set directly.
        report = _new(_SHORT)
        _set_te(report, _TIME_ELAPSED[(v >> 72) & 3])
        _set_lon(report, lon)
        _set_lat(report, lat)
        _set_pe(report, _POSITION_ERROR[(v >> 20) & 7])
        _set_hv(report, (v >> 13) & 0x7F)
        _set_dir(report, (v >> 9) & 0xF)
        _set_tad(report, _TAD[(v >> 8) & 1])
        _set_ad(report, v & 0xFF)
        _set_trailing(report, None)
        return report
    total = len(data) << 3
    padded = bits is None
    if bits is None:
        bits = total
    elif not 0 <= bits <= total:
        raise DecodeError(f"bit length {bits} does not fit {len(data)} octets",
                          field="length", bit_offset=0)
    return _decode_fields(BitReader(data, bits), padded)


def _trailing(r: BitReader, padded: bool) -> RawBits | None:
    value, n = r.read_rest()
    if n == 0 or (padded and n < 8 and value == 0):
        return None
    return RawBits(value, n)


def _body(r: BitReader) -> RawBits:
    value, n = r.read_rest()
    return RawBits(value, n)


def _decode_fields(r: BitReader, padded: bool) -> LipPdu:
    pdu_type = r.read(2, "pdu_type")
    if pdu_type == 0:
        return _decode_short(r, padded)
    if pdu_type != 1:
        return ReservedLipPdu(pdu_type, None, _body(r))
    ext = r.read(4, "pdu_type_extension")
    decoder = _BY_EXTENSION.get(ext)
    if decoder is not None:
        return decoder(r, padded)
    paired = _PAIRED_OPAQUE.get(ext)
    if paired is not None:
        return cast(LipPdu, paired[r.read(1, "request_response")](_body(r)))
    return ReservedLipPdu(1, ext, _body(r))


def _decode_short(r: BitReader, padded: bool) -> ShortLocationReport:
    # The hot path in decode() takes complete reports without extra bits;
    # this one handles truncated reports (the error names the field) and
    # reports followed by vendor bits.
    return ShortLocationReport(
        _TIME_ELAPSED[r.read(2, "time_elapsed")],
        r.read_signed(25, "longitude"),
        r.read_signed(24, "latitude"),
        _POSITION_ERROR[r.read(3, "position_error")],
        r.read(7, "horizontal_velocity"),
        r.read(4, "direction_of_travel"),
        _TAD[r.read(1, "type_of_additional_data")],
        r.read(8, "reason_for_sending"),
        _trailing(r, padded),
    )


def _read_table(r: BitReader, table: tuple[tuple[str, int, bool], ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, width, signed in table:
        out[name] = r.read_signed(width, name) if signed else r.read(width, name)
    return out


def _decode_long(r: BitReader, padded: bool) -> LongLocationReport:
    time_type = _TIME_TYPE[r.read(2, "time_type")]
    time_elapsed = None
    time_of_position = None
    if time_type == TimeType.TIME_ELAPSED:
        time_elapsed = _TIME_ELAPSED[r.read(2, "time_elapsed")]
    elif time_type == TimeType.TIME_OF_POSITION:
        time_of_position = TimeOfPosition(
            r.read(5, "day"), r.read(5, "hour"), r.read(6, "minute"), r.read(6, "second")
        )
    elif time_type != TimeType.NONE:
        # Reserved time type: its length is unknown, so nothing after it can be placed.
        return LongLocationReport(time_type, trailing=_nonempty(_body(r)))
    shape = r.read(4, "location_shape")
    fields = SHAPE_FIELDS.get(shape)
    if fields is None:
        # Reserved shape or shape extension: unknown length, keep the rest.
        return LongLocationReport(time_type, time_elapsed, time_of_position, Location(shape),
                                  trailing=_nonempty(_body(r)))
    location = Location(shape, **_read_table(r, fields))
    vtype = r.read(3, "velocity_type")
    velocity = Velocity(_VELOCITY_TYPE[vtype], **_read_table(r, VELOCITY_FIELDS[vtype]))
    ack = r.read(1, "acknowledgement_request") == 1
    tad = _TAD[r.read(1, "type_of_additional_data")]
    extra = r.read(8, "reason_for_sending")
    return LongLocationReport(time_type, time_elapsed, time_of_position, location, velocity,
                              ack, tad, extra, _trailing(r, padded))


def _nonempty(raw: RawBits) -> RawBits | None:
    return raw if raw.bits else None


def _decode_immediate_request(r: BitReader, padded: bool) -> ImmediateLocationReportRequest:
    # cl. 6.2.16, Table 6.16, as given by a public implementation that cites
    # V1.6.1 (not the ETSI text): tolerate a body too short for the fixed
    # fields by keeping it raw.
    if r.remaining < 3:
        return ImmediateLocationReportRequest(None, None, None, _nonempty(_body(r)))
    request_response = _REQUEST_RESPONSE[r.read(1, "request_response")]
    report_type = _REPORT_TYPE[r.read(2, "report_type")]
    destination, trailing = _decode_destination(r, padded)
    return ImmediateLocationReportRequest(request_response, report_type, destination, trailing)


def _decode_destination(
    r: BitReader, padded: bool
) -> tuple[LocationDestination | None, RawBits | None]:
    """Location information destination (cl. 6.3.43, Table 6.73), optional; then the rest."""
    n = r.remaining
    if n < 4 or (padded and n < 8 and r.peek(n, "padding") == 0):
        return None, _trailing(r, padded)
    code = r.peek(4, "address_type")
    width = _ADDRESS_BITS.get(code)
    if width is not None and n < 4 + width:
        # The announced address does not fit: whatever this is, it is not a
        # whole destination, so it is kept raw instead of failing the PDU.
        return None, _trailing(r, padded)
    address_type = _ADDRESS_TYPE[r.read(4, "address_type")]
    if code in (1, 2):
        ssi = r.read(24, "destination_ssi")
        if code == 1:
            destination = LocationDestination(address_type, ssi)
        else:
            destination = LocationDestination(address_type, ssi, r.read(10, "destination_mcc"),
                                              r.read(14, "destination_mnc"))
    elif code == 3:
        destination = LocationDestination(
            address_type, ip_address=IPv4Address(r.read(32, "destination_ipv4")))
    elif code == 4:
        destination = LocationDestination(
            address_type, ip_address=IPv6Address(r.read(128, "destination_ipv6")))
    else:
        # Type 0 has no address; for the others only the type is decoded
        # and the address stays in the trailing bits.
        destination = LocationDestination(address_type)
    return destination, _trailing(r, padded)


def _decode_ack(r: BitReader, padded: bool) -> LocationReportAcknowledgement:
    # [unverified] layout: tolerate a shorter body by keeping it raw.
    if r.remaining < 8:
        return LocationReportAcknowledgement(None, _nonempty(_body(r)))
    return LocationReportAcknowledgement(_RESULT_CODE[r.read(8, "result_code")],
                                         _trailing(r, padded))


def _decode_basic_parameters(r: BitReader, padded: bool) -> LipPdu:
    if r.read(1, "request_response"):
        return BasicLocationParametersResponse(
            _RESULT_CODE[r.read(8, "result_code")],
            r.read(8, "reporting_enable_flags"),
            r.read(7, "minimum_reporting_interval"),
            _REPORT_TYPE[r.read(2, "report_type")],
            _trailing(r, padded),
        )
    return BasicLocationParametersRequest(
        r.read(1, "acknowledgement_request") == 1,
        r.read(7, "minimum_reporting_interval"),
        _REPORT_TYPE[r.read(2, "report_type")],
        _trailing(r, padded),
    )


def _decode_enable_disable(r: BitReader, padded: bool) -> LipPdu:
    if r.read(1, "request_response"):
        return LocationReportingEnableDisableResponse(
            r.read(8, "reporting_enable_flags"), _trailing(r, padded)
        )
    return LocationReportingEnableDisableRequest(
        r.read(1, "acknowledgement_request") == 1,
        r.read(8, "reporting_enable_flags"),
        _trailing(r, padded),
    )


_BY_EXTENSION: dict[int, Callable[[BitReader, bool], LipPdu]] = {
    1: _decode_immediate_request,
    3: _decode_long,
    4: _decode_ack,
    5: _decode_basic_parameters,
    10: _decode_enable_disable,
}

_PAIRED_OPAQUE: dict[int, tuple[type[OpaqueBodyPdu], type[OpaqueBodyPdu]]] = {}
for _cls in OPAQUE_PDUS:
    _pair = _PAIRED_OPAQUE.setdefault(_cls.EXTENSION, (_cls, _cls))
    _PAIRED_OPAQUE[_cls.EXTENSION] = (
        (_cls, _pair[1]) if _cls.REQUEST_RESPONSE == 0 else (_pair[0], _cls)
    )


def from_sds(data: bytes, bits: int | None = None) -> LipPdu:
    """Decode SDS type-4 user data that starts with the protocol identifier 0x0A.

    ``bits`` includes the PI's 8 bits (the PEI ``+CTSDSR`` length).  Bit
    offsets in errors count from the PI.

    Raises:
        DecodeError: when the PI is not 0x0A or the LIP PDU does not decode.
        TypeError: when ``data`` is not bytes-like (hex text: ``bytes.fromhex``)
            or ``bits`` not an int.
    """
    data = check_octets(data)
    check_bit_length(bits)
    if not data:
        raise DecodeError("no data: a LIP PDU starts with protocol identifier 0x0A",
                          field="protocol_identifier", bit_offset=0)
    if data[0] != PROTOCOL_IDENTIFIER:
        raise DecodeError(f"protocol identifier 0x{data[0]:02X} is not LIP (0x0A)",
                          field="protocol_identifier", bit_offset=0)
    if bits is not None and not 8 <= bits <= len(data) * 8:
        raise DecodeError(f"bit length {bits} does not fit {len(data)} octets with the PI",
                          field="length", bit_offset=0)
    try:
        return decode(data[1:], None if bits is None else bits - 8)
    except DecodeError as exc:
        offset = None if exc.bit_offset is None else exc.bit_offset + 8
        raise DecodeError(exc.reason, field=exc.field, bit_offset=offset) from exc


# --- encoding ----------------------------------------------------------------


def encode(pdu: LipPdu) -> tuple[bytes, int]:
    """Encode a LIP PDU; return ``(octets, length in bits)`` without the PI.

    The octets are zero padded to whole octets; the length is exact.

    Raises:
        EncodeError: when a field does not fit its width or fields
            contradict each other (e.g. a shape's field missing).
        TypeError: when ``pdu`` is not a LIP PDU.
    """
    if type(pdu) is _SHORT:
        # Hot path.  Fields were range checked when the report was built.
        p = pdu
        v = ((p.time_elapsed << 72) | ((p.longitude_raw & 0x1FFFFFF) << 47)
             | ((p.latitude_raw & 0xFFFFFF) << 23) | (p.position_error << 20)
             | (p.horizontal_velocity << 13) | (p.direction_of_travel << 9)
             | (p.type_of_additional_data << 8) | p.additional_data)
        t = p.trailing
        if t is None:
            return (v << 4).to_bytes(10, "big"), SHORT_REPORT_BITS
        n = SHORT_REPORT_BITS + t.bits
        pad = -n % 8
        return (((v << t.bits) | t.value) << pad).to_bytes((n + pad) >> 3, "big"), n
    encoder = _ENCODERS.get(type(pdu))
    if encoder is None:
        raise TypeError(f"not a LIP PDU: {type(pdu).__name__}")
    return encoder(pdu)


def to_sds(pdu: LipPdu) -> tuple[bytes, int]:
    """Encode as SDS type-4 user data: ``(0x0A + octets, bits + 8)`` for ``AT+CMGS``."""
    data, bits = encode(pdu)
    return bytes((PROTOCOL_IDENTIFIER,)) + data, bits + 8


def _finish(w: BitWriter) -> tuple[bytes, int]:
    return w.to_bytes(), w.length


def _write_trailing(w: BitWriter, trailing: RawBits | None) -> None:
    if trailing is not None:
        w.write(trailing.value, trailing.bits, "trailing")


def _write_table(w: BitWriter, obj: Any, table: tuple[tuple[str, int, bool], ...],
                 what: str) -> None:
    for name, width, signed in table:
        value = getattr(obj, name)
        if value is None:
            raise EncodeError(f"required by {what}", field=name)
        if signed:
            w.write_signed(value, width, name)
        else:
            w.write(int(value), width, name)


def _require_absent(what: str, **values: object) -> None:
    for name, value in values.items():
        if value is not None:
            raise EncodeError(f"must be None: {what}", field=name, value=value)


def _encode_long(p: LongLocationReport) -> tuple[bytes, int]:
    w = BitWriter()
    w.write(1, 2, "pdu_type")
    w.write(3, 4, "pdu_type_extension")
    w.write(int(p.time_type), 2, "time_type")
    if p.time_type == TimeType.TIME_ELAPSED:
        if p.time_elapsed is None:
            raise EncodeError("required by time type 1", field="time_elapsed")
        w.write(int(p.time_elapsed), 2, "time_elapsed")
    elif p.time_type == TimeType.TIME_OF_POSITION:
        t = p.time_of_position
        if t is None:
            raise EncodeError("required by time type 2", field="time_of_position")
        w.write(t.day, 5, "day")
        w.write(t.hour, 5, "hour")
        w.write(t.minute, 6, "minute")
        w.write(t.second, 6, "second")
    elif p.time_type != TimeType.NONE:
        _require_absent("nothing follows a reserved time type but the trailing bits",
                        location=p.location, velocity=p.velocity,
                        acknowledgement_request=p.acknowledgement_request,
                        type_of_additional_data=p.type_of_additional_data,
                        additional_data=p.additional_data)
        _write_trailing(w, p.trailing)
        return _finish(w)
    if p.time_type != TimeType.TIME_ELAPSED and p.time_elapsed is not None:
        raise EncodeError("only with time type 1", field="time_elapsed", value=p.time_elapsed)
    if p.time_type != TimeType.TIME_OF_POSITION and p.time_of_position is not None:
        raise EncodeError("only with time type 2", field="time_of_position")
    loc = p.location
    if loc is None:
        raise EncodeError("required unless the time type is reserved", field="location")
    w.write(loc.shape, 4, "location_shape")
    fields = SHAPE_FIELDS.get(loc.shape)
    if fields is None:
        _require_absent("nothing follows a reserved location shape but the trailing bits",
                        velocity=p.velocity, acknowledgement_request=p.acknowledgement_request,
                        type_of_additional_data=p.type_of_additional_data,
                        additional_data=p.additional_data)
        _write_trailing(w, p.trailing)
        return _finish(w)
    _write_table(w, loc, fields, f"location shape {loc.shape}")
    vel = p.velocity
    if vel is None:
        raise EncodeError("required after a known location shape", field="velocity")
    vfields = VELOCITY_FIELDS.get(int(vel.velocity_type))
    if vfields is None:
        raise EncodeError("velocity type must be 0..7", field="velocity_type",
                          value=vel.velocity_type)
    w.write(int(vel.velocity_type), 3, "velocity_type")
    _write_table(w, vel, vfields, f"velocity type {vel.velocity_type}")
    if p.acknowledgement_request is None or p.type_of_additional_data is None \
            or p.additional_data is None:
        raise EncodeError("acknowledgement request, type of additional data and reason "
                          "for sending / user-defined data are mandatory", field="additional_data")
    w.write_bool(p.acknowledgement_request, "acknowledgement_request")
    w.write(int(p.type_of_additional_data), 1, "type_of_additional_data")
    w.write(p.additional_data, 8, "reason_for_sending")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _header(w: BitWriter, extension: int) -> None:
    w.write(1, 2, "pdu_type")
    w.write(extension, 4, "pdu_type_extension")


def _encode_immediate_request(p: ImmediateLocationReportRequest) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 1)
    if p.request_response is None or p.report_type is None:
        _require_absent("request/response, report type and destination need each other",
                        request_response=p.request_response, report_type=p.report_type,
                        destination=p.destination)
    else:
        w.write(int(p.request_response), 1, "request_response")
        w.write(int(p.report_type), 2, "report_type")
        if p.destination is not None:
            _write_destination(w, p.destination)
    _write_trailing(w, p.trailing)
    return _finish(w)


def _write_destination(w: BitWriter, d: LocationDestination) -> None:
    """Location information destination (cl. 6.3.43): address type, then its address."""
    code = int(d.address_type)
    w.write(code, 4, "address_type")
    if code in (1, 2):
        if d.ssi is None:
            raise EncodeError(f"required by address type {code}", field="destination_ssi")
        w.write(d.ssi, 24, "destination_ssi")
    else:
        _require_absent(f"address type {code} has no SSI", destination_ssi=d.ssi)
    if code == 2:
        if d.mcc is None or d.mnc is None:
            raise EncodeError("MCC and MNC are required by address type 2",
                              field="destination_mcc" if d.mcc is None else "destination_mnc")
        w.write(d.mcc, 10, "destination_mcc")
        w.write(d.mnc, 14, "destination_mnc")
    else:
        _require_absent(f"address type {code} has no MNI",
                        destination_mcc=d.mcc, destination_mnc=d.mnc)
    ip_kind = {3: IPv4Address, 4: IPv6Address}.get(code)
    if ip_kind is None:
        _require_absent(f"address type {code} has no IP address",
                        destination_ip_address=d.ip_address)
    elif not isinstance(d.ip_address, ip_kind):
        raise EncodeError(f"address type {code} needs an {ip_kind.__name__}",
                          field="destination_ip_address", value=d.ip_address)
    else:
        w.write(int(d.ip_address), 32 if code == 3 else 128, "destination_ip_address")


def _encode_ack(p: LocationReportAcknowledgement) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 4)
    if p.result_code is not None:
        w.write(int(p.result_code), 8, "result_code")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _encode_basic_request(p: BasicLocationParametersRequest) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 5)
    w.write(0, 1, "request_response")
    w.write_bool(p.acknowledgement_request, "acknowledgement_request")
    w.write(p.minimum_reporting_interval, 7, "minimum_reporting_interval")
    w.write(int(p.report_type), 2, "report_type")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _encode_basic_response(p: BasicLocationParametersResponse) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 5)
    w.write(1, 1, "request_response")
    w.write(int(p.result_code), 8, "result_code")
    w.write(p.reporting_enable_flags, 8, "reporting_enable_flags")
    w.write(p.minimum_reporting_interval, 7, "minimum_reporting_interval")
    w.write(int(p.report_type), 2, "report_type")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _encode_enable_request(p: LocationReportingEnableDisableRequest) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 10)
    w.write(0, 1, "request_response")
    w.write_bool(p.acknowledgement_request, "acknowledgement_request")
    w.write(p.reporting_enable_flags, 8, "reporting_enable_flags")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _encode_enable_response(p: LocationReportingEnableDisableResponse) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, 10)
    w.write(1, 1, "request_response")
    w.write(p.reporting_enable_flags, 8, "reporting_enable_flags")
    _write_trailing(w, p.trailing)
    return _finish(w)


def _encode_opaque(p: OpaqueBodyPdu) -> tuple[bytes, int]:
    w = BitWriter()
    _header(w, p.EXTENSION)
    w.write(p.REQUEST_RESPONSE, 1, "request_response")
    w.write(p.body.value, p.body.bits, "body")
    return _finish(w)


def _encode_reserved(p: ReservedLipPdu) -> tuple[bytes, int]:
    w = BitWriter()
    if p.pdu_type == 0 or (p.pdu_type == 1 and (p.extension is None
                                                or p.extension in _DEFINED_EXTENSIONS)):
        raise EncodeError("not a reserved PDU type / extension", field="pdu_type",
                          value=(p.pdu_type, p.extension))
    w.write(p.pdu_type, 2, "pdu_type")
    if p.pdu_type == 1:
        assert p.extension is not None
        w.write(p.extension, 4, "pdu_type_extension")
    elif p.extension is not None:
        raise EncodeError("only PDU type 1 has an extension", field="extension",
                          value=p.extension)
    w.write(p.body.value, p.body.bits, "body")
    return _finish(w)


_DEFINED_EXTENSIONS = frozenset({1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})

_ENCODERS: dict[type, Callable[[Any], tuple[bytes, int]]] = {
    LongLocationReport: _encode_long,
    ImmediateLocationReportRequest: _encode_immediate_request,
    LocationReportAcknowledgement: _encode_ack,
    BasicLocationParametersRequest: _encode_basic_request,
    BasicLocationParametersResponse: _encode_basic_response,
    LocationReportingEnableDisableRequest: _encode_enable_request,
    LocationReportingEnableDisableResponse: _encode_enable_response,
    ReservedLipPdu: _encode_reserved,
    **{cls: cast(Callable[[Any], tuple[bytes, int]], _encode_opaque) for cls in OPAQUE_PDUS},
}
