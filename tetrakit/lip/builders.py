"""Builders for the LIP requests a program sends (ETSI TS 100 392-18-1, cl. 6.2).

A controller asks a radio where it is with :func:`immediate_location_request`
and sends the result with ``tetrakit.lip.to_sds``; the radio answers with a
short or long location report whose reason for sending is 32 ("response to an
immediate location request").

Pure: no I/O.
"""

from __future__ import annotations

from tetrakit.identities import MAX_SSI
from tetrakit.lip.enums import AddressType, ReportType, RequestResponse, ResultCode
from tetrakit.lip.pdus import (
    BasicLocationParametersRequest,
    ImmediateLocationReportRequest,
    LocationDestination,
    LocationReportAcknowledgement,
    LocationReportingEnableDisableRequest,
)

__all__ = [
    "basic_location_parameters_request",
    "immediate_location_request",
    "location_report_acknowledgement",
    "location_reporting_enable_disable_request",
]


def immediate_location_request(
    *, report_type: int = ReportType.SHORT_PREFERRED, destination_ssi: int | None = None
) -> ImmediateLocationReportRequest:
    """An IMMEDIATE LOCATION REPORT REQUEST (cl. 6.2.16) asking for ``report_type`` (Table 6.95).

    ``destination_ssi``, when given, is sent as the location information
    destination (cl. 6.3.43) with address type 1 (SSI): the terminal should
    send its report there.  Without it the destination is left out, and the
    terminal is expected to answer the requester [unverified: the source
    gives the layout, not this behaviour].

    Raises:
        ValueError: for a report type outside 0..3 or an SSI outside 0..16777215.
    """
    if not 0 <= report_type <= 3:
        raise ValueError(f"report type {report_type} is not 0..3")
    destination = None
    if destination_ssi is not None:
        if not 0 <= destination_ssi <= MAX_SSI:
            raise ValueError(f"destination SSI {destination_ssi} is not 0..{MAX_SSI}")
        destination = LocationDestination(AddressType.SSI, ssi=destination_ssi)
    return ImmediateLocationReportRequest(RequestResponse.REQUEST, ReportType(report_type),
                                          destination)


def location_report_acknowledgement(
    result_code: int = ResultCode.SUCCESS,
) -> LocationReportAcknowledgement:
    """A LOCATION REPORT ACKNOWLEDGEMENT for a report that asked for one.

    Raises:
        ValueError: for a result code outside 0..255.
    """
    if not 0 <= result_code <= 255:
        raise ValueError(f"result code {result_code} is not 0..255")
    return LocationReportAcknowledgement(result_code)


def basic_location_parameters_request(
    *, minimum_reporting_interval: int, report_type: int = ReportType.SHORT_PREFERRED,
    acknowledgement_request: bool = False,
) -> BasicLocationParametersRequest:
    """A BASIC LOCATION PARAMETERS REQUEST setting interval code and report type.

    ``minimum_reporting_interval`` is the raw 7-bit code.

    Raises:
        ValueError: for values outside their fields.
    """
    if not 0 <= minimum_reporting_interval <= 127:
        raise ValueError(f"minimum reporting interval {minimum_reporting_interval} is not 0..127")
    if not 0 <= report_type <= 3:
        raise ValueError(f"report type {report_type} is not 0..3")
    return BasicLocationParametersRequest(acknowledgement_request, minimum_reporting_interval,
                                          ReportType(report_type))


def location_reporting_enable_disable_request(
    *, enable: bool, backlog: bool = False, acknowledgement_request: bool = False
) -> LocationReportingEnableDisableRequest:
    """A LOCATION REPORTING ENABLE/DISABLE REQUEST (flags: bit 7 reporting, bit 6 backlog)."""
    flags = (0x80 if enable else 0) | (0x40 if backlog else 0)
    return LocationReportingEnableDisableRequest(acknowledgement_request, flags)
