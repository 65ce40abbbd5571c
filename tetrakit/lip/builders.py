"""Builders for the LIP requests a program sends (ETSI TS 100 392-18-1, cl. 6.2).

A controller asks a radio where it is with :func:`immediate_location_request`
and sends the result with ``tetrakit.lip.to_sds``; the radio answers with a
short or long location report whose reason for sending is 32 ("response to an
immediate location request").

Pure: no I/O.
"""

from __future__ import annotations

from tetrakit.lip.enums import ReportType, ResultCode
from tetrakit.lip.pdus import (
    BasicLocationParametersRequest,
    ImmediateLocationReportRequest,
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
    *, report_type: int = ReportType.SHORT, request_priority: int = 0
) -> ImmediateLocationReportRequest:
    """An IMMEDIATE LOCATION REPORT REQUEST asking for ``report_type`` (Table 6.95).

    ``request_priority`` is the 2-bit priority code (0 = normal) [unverified
    layout, see :class:`~tetrakit.lip.requests.ImmediateLocationReportRequest`].

    Raises:
        ValueError: for a report type or priority outside 0..3.
    """
    if not 0 <= report_type <= 3:
        raise ValueError(f"report type {report_type} is not 0..3")
    if not 0 <= request_priority <= 3:
        raise ValueError(f"request priority {request_priority} is not 0..3")
    return ImmediateLocationReportRequest(request_priority, ReportType(report_type))


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
    *, minimum_reporting_interval: int, report_type: int = ReportType.SHORT,
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
