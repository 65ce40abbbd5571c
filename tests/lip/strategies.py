"""Hypothesis strategies building every LIP PDU with in-range fields."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address
from typing import Any

from hypothesis import strategies as st

from tetrakit import lip
from tetrakit.lip.pdus import OPAQUE_PDUS, SHAPE_FIELDS, VELOCITY_FIELDS


def uint(width: int) -> st.SearchStrategy[int]:
    return st.integers(0, (1 << width) - 1)


def sint(width: int) -> st.SearchStrategy[int]:
    return st.integers(-(1 << (width - 1)), (1 << (width - 1)) - 1)


def raw_bits(min_bits: int = 0, max_bits: int = 64) -> st.SearchStrategy[lip.RawBits]:
    return st.integers(min_bits, max_bits).flatmap(
        lambda n: uint(n).map(lambda v: lip.RawBits(v, n)))


def trailing() -> st.SearchStrategy[lip.RawBits | None]:
    return st.none() | raw_bits(1, 40)


def short_reports() -> st.SearchStrategy[lip.ShortLocationReport]:
    return st.builds(
        lip.ShortLocationReport,
        time_elapsed=uint(2), longitude_raw=sint(25), latitude_raw=sint(24),
        position_error=uint(3), horizontal_velocity=uint(7), direction_of_travel=uint(4),
        type_of_additional_data=uint(1), additional_data=uint(8), trailing=trailing(),
    )


def _table(table: tuple[tuple[str, int, bool], ...]) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {name: (sint(width) if signed else uint(width)) for name, width, signed in table})


def locations(shape: int | None = None) -> st.SearchStrategy[lip.Location]:
    shapes = st.sampled_from(sorted(SHAPE_FIELDS)) if shape is None else st.just(shape)

    def build(s: int) -> st.SearchStrategy[lip.Location]:
        kw: st.SearchStrategy[dict[str, Any]] = _table(SHAPE_FIELDS[s])
        return kw.map(lambda d: lip.Location(s, **d))

    return shapes.flatmap(build)


def velocities(vtype: int | None = None) -> st.SearchStrategy[lip.Velocity]:
    types = st.integers(0, 7) if vtype is None else st.just(vtype)
    return types.flatmap(
        lambda t: _table(VELOCITY_FIELDS[t]).map(lambda d: lip.Velocity(t, **d)))


def times_of_position() -> st.SearchStrategy[lip.TimeOfPosition]:
    return st.builds(lip.TimeOfPosition, uint(5), uint(5), uint(6), uint(6))


@st.composite
def long_reports(draw: st.DrawFn, shape: int | None = None,
                 vtype: int | None = None) -> lip.LongLocationReport:
    time_type = draw(st.integers(0, 3))
    if time_type == 3:
        # reserved time type: nothing after it is decoded
        return lip.LongLocationReport(3, trailing=draw(trailing()))
    elapsed = draw(uint(2)) if time_type == 1 else None
    tpos = draw(times_of_position()) if time_type == 2 else None
    if shape is None and draw(st.integers(0, 9)) == 0:
        # reserved shape / shape extension: the rest is kept raw
        reserved = draw(st.integers(11, 15))
        return lip.LongLocationReport(time_type, elapsed, tpos, lip.Location(reserved),
                                      trailing=draw(trailing()))
    return lip.LongLocationReport(
        time_type, elapsed, tpos, draw(locations(shape)), draw(velocities(vtype)),
        draw(st.booleans()), draw(uint(1)), draw(uint(8)), draw(trailing()))


#: Address bits after each decoded address or identification type (Table 6.32).
ADDRESS_BITS = {0: 0, 1: 24, 2: 48, 3: 32, 4: 128}


def destinations() -> st.SearchStrategy[lip.LocationDestination]:
    """Destinations of every address type: 0-4 with their address, 5-15 type only."""
    d = lip.LocationDestination
    return st.one_of(
        st.just(d(0)),
        st.builds(d, st.just(1), uint(24)),
        st.builds(d, st.just(2), uint(24), uint(10), uint(14)),
        st.builds(d, st.just(3), ip_address=uint(32).map(IPv4Address)),
        st.builds(d, st.just(4), ip_address=uint(128).map(IPv6Address)),
        st.builds(d, st.integers(5, 15)),
    )


def _not_a_destination() -> st.SearchStrategy[lip.RawBits | None]:
    """Trailing bits that cannot be read as a destination: under 4 bits, or a cut address."""
    cut = st.integers(1, 4).flatmap(lambda t: st.integers(0, ADDRESS_BITS[t] - 1).flatmap(
        lambda k: uint(k).map(lambda v: lip.RawBits((t << k) | v, 4 + k))))
    return st.none() | raw_bits(1, 3) | cut


def immediate_requests() -> st.SearchStrategy[lip.ImmediateLocationReportRequest]:
    """Immediate location report requests in the form the decoder gives them."""
    cls = lip.ImmediateLocationReportRequest
    return st.one_of(
        st.builds(cls, uint(1), uint(2), destinations(), trailing()),
        st.builds(cls, uint(1), uint(2), st.none(), _not_a_destination()),
        st.builds(cls, st.none(), st.none(), st.none(), st.none() | raw_bits(1, 2)),
    )


def other_pdus() -> st.SearchStrategy[Any]:
    opaque = [st.builds(cls, raw_bits(0, 80)) for cls in OPAQUE_PDUS]
    return st.one_of(
        immediate_requests(),
        st.builds(lip.LocationReportAcknowledgement, uint(8), trailing()),
        st.builds(lip.LocationReportAcknowledgement, st.none(), st.none() | raw_bits(1, 7)),
        st.builds(lip.BasicLocationParametersRequest, st.booleans(), uint(7), uint(2),
                  trailing()),
        st.builds(lip.BasicLocationParametersResponse, uint(8), uint(8), uint(7), uint(2),
                  trailing()),
        st.builds(lip.LocationReportingEnableDisableRequest, st.booleans(), uint(8),
                  trailing()),
        st.builds(lip.LocationReportingEnableDisableResponse, uint(8), trailing()),
        st.builds(lip.ReservedLipPdu, st.integers(2, 3), st.none(), raw_bits(0, 80)),
        st.builds(lip.ReservedLipPdu, st.just(1), st.sampled_from([0, 2, 13, 14, 15]),
                  raw_bits(0, 80)),
        *opaque,
    )


def any_pdu() -> st.SearchStrategy[Any]:
    return st.one_of(short_reports(), long_reports(), other_pdus())
