"""Hypothesis strategies producing every SDS PDU class with valid field values."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tetrakit import sds

TL_SPECIAL = {0x82, 0x83, 0x89, 0x8A, 0x8C}
NON_TL_SPECIAL = {0x02, 0x03, 0x09, 0x0A, 0x0C}


@st.composite
def tails(draw: st.DrawFn, max_size: int = 40, min_size: int = 0) -> tuple[bytes, int | None]:
    """Octets plus a bit count that ends inside the last octet (or None), pad bits zero."""
    data = draw(st.binary(min_size=min_size, max_size=max_size))
    if not data or not draw(st.booleans()):
        return data, None
    bits = draw(st.integers(8 * (len(data) - 1) + 1, 8 * len(data) - 1))
    last = data[-1] & (0xFF << (8 - (bits & 7))) & 0xFF
    return data[:-1] + bytes((last,)), bits


@st.composite
def text_contents(draw: st.DrawFn, timestamp: bool = True) -> sds.TextContent:
    data, bits = draw(tails())
    ts = draw(st.none() | st.integers(0, 0xFFFFFF)) if timestamp else None
    return sds.TextContent(draw(st.integers(0, 127)), data, ts, bits)


@st.composite
def locations(draw: st.DrawFn) -> sds.LocationData:
    data, bits = draw(tails())
    return sds.LocationData(draw(st.integers(0, 255)), data, bits)


@st.composite
def raw_concatenated(draw: st.DrawFn) -> sds.ConcatenatedData:
    """Raw: the decoder keeps only unknown concatenation PDU types (top 3 bits not 0)."""
    data, bits = draw(tails(min_size=1).filter(
        lambda t: t[0][0] >> 5 != 0 and (t[1] is None or t[1] >= 8)))
    return sds.ConcatenatedData(data, bits)


@st.composite
def concatenated_parts(draw: st.DrawFn) -> sds.ConcatenatedPart:
    extended = draw(st.booleans())
    sequence = draw(st.integers(0, 255))
    data, bits = draw(tails())
    return sds.ConcatenatedPart(
        draw(st.integers(0, 0xFFF if extended else 0xF)), draw(st.integers(0, 255)), sequence,
        data, bits, draw(st.integers(0, 255)) if sequence == 1 else None, extended)


def concatenated() -> st.SearchStrategy[sds.ConcatenatedPart | sds.ConcatenatedData]:
    return concatenated_parts() | raw_concatenated()


@st.composite
def udh_elements(draw: st.DrawFn) -> sds.ConcatenationIe | sds.InformationElement:
    if draw(st.booleans()):
        long = draw(st.booleans())
        return sds.ConcatenationIe(draw(st.integers(0, 0xFFFF if long else 0xFF)),
                                   draw(st.integers(0, 255)), draw(st.integers(0, 255)), long)
    iei = draw(st.integers(0, 255))
    data = draw(st.binary(max_size=8).filter(
        lambda d: (iei, len(d)) not in ((0, 3), (8, 4))))
    return sds.InformationElement(iei, data)


@st.composite
def udh_texts(draw: st.DrawFn) -> sds.UdhText:
    elements = draw(st.lists(udh_elements(), max_size=4))
    return sds.UdhText(sds.UserDataHeader(tuple(elements)), draw(text_contents()))


@st.composite
def raw_user_data(draw: st.DrawFn, min_size: int = 0) -> sds.RawUserData:
    data, bits = draw(tails(min_size=min_size))
    return sds.RawUserData(data, bits)


@st.composite
def forward_addresses(draw: st.DrawFn) -> sds.ForwardAddress:
    kind = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7]))
    if kind == 0:
        return sds.ForwardAddress(kind, ssi=draw(st.integers(0, 255)))
    if kind == 1:
        return sds.ForwardAddress(kind, ssi=draw(st.integers(0, 0xFFFFFF)))
    if kind == 2:
        return sds.ForwardAddress(kind, ssi=draw(st.integers(0, 0xFFFFFF)),
                                  extension=draw(st.integers(0, 0xFFFFFF)))
    if kind == 3:
        return sds.ForwardAddress(kind, digits=draw(
            st.text(alphabet="0123456789ABCDEF", max_size=30)))
    return sds.ForwardAddress(kind)


@st.composite
def storages(draw: st.DrawFn) -> sds.StorageForward:
    return sds.StorageForward(draw(st.integers(0, 31)), draw(forward_addresses()))


@st.composite
def transfers(draw: st.DrawFn) -> sds.SdsTransfer:
    storage = draw(st.none() | storages())
    reserved_type = storage is not None and storage.forward_address.address_type in (4, 5, 6)
    kind = "raw" if reserved_type else draw(
        st.sampled_from(["text", "location", "udh", "concat", "raw"]))
    user_data: Any
    if kind == "text":
        pi, user_data = draw(st.sampled_from([0x82, 0x89])), draw(text_contents())
    elif kind == "location":
        pi, user_data = 0x83, draw(locations())
    elif kind == "udh":
        pi, user_data = 0x8A, draw(udh_texts())
    elif kind == "concat":
        pi, user_data = 0x8C, draw(concatenated())
    else:
        pis = st.integers(0x80, 0xFE)
        if not reserved_type:
            pis = pis.filter(lambda p: p not in TL_SPECIAL)
        pi, user_data = draw(pis), draw(raw_user_data())
    return sds.SdsTransfer(pi, draw(st.integers(0, 255)), user_data,
                           draw(st.integers(0, 3)), draw(st.booleans()), storage)


@st.composite
def reports(draw: st.DrawFn) -> sds.SdsReport:
    return sds.SdsReport(
        draw(st.integers(0x80, 0xFE)), draw(st.integers(0, 255)), draw(st.integers(0, 255)),
        draw(st.booleans()), draw(st.none() | storages()),
        draw(st.none() | raw_user_data(min_size=1)), draw(st.integers(0, 3)),
    )


@st.composite
def acks(draw: st.DrawFn) -> sds.SdsAck:
    return sds.SdsAck(draw(st.integers(0x80, 0xFE)), draw(st.integers(0, 255)),
                      draw(st.integers(0, 255)), draw(st.none() | raw_user_data(min_size=1)),
                      draw(st.integers(0, 15)))


@st.composite
def tl_others(draw: st.DrawFn) -> sds.SdsTlOther:
    return sds.SdsTlOther(draw(st.integers(0x80, 0xFE)), draw(st.integers(3, 15)),
                          draw(raw_user_data()))


@st.composite
def simple_texts(draw: st.DrawFn) -> sds.SimpleText:
    return sds.SimpleText(draw(st.sampled_from([0x02, 0x09])),
                          draw(text_contents(timestamp=False)))


@st.composite
def simple_locations(draw: st.DrawFn) -> sds.SimpleLocation:
    return sds.SimpleLocation(draw(locations()))


@st.composite
def concatenated_sds(draw: st.DrawFn) -> sds.ConcatenatedSds:
    return sds.ConcatenatedSds(draw(concatenated()))


@st.composite
def raw_sds(draw: st.DrawFn) -> sds.RawSds:
    pi = draw(st.integers(0, 0x7F).filter(lambda p: p not in NON_TL_SPECIAL) | st.just(0xFF))
    data, bits = draw(tails())
    return sds.RawSds(pi, data, bits)


PDU_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "SdsTransfer": transfers(),
    "SdsReport": reports(),
    "SdsAck": acks(),
    "SdsTlOther": tl_others(),
    "SimpleText": simple_texts(),
    "SimpleLocation": simple_locations(),
    "ConcatenatedSds": concatenated_sds(),
    "RawSds": raw_sds(),
}
