"""``tetrakit sds send`` and ``tetrakit sds status``: send an SDS through a radio's PEI.

``send`` sends an SDS-TL text message (PI 0x82, Latin-1 where possible, a
"received and consumed" report requested) and exits 0 once the radio reports
it sent over the air (``+CMGS: <instance>,4``), or with ``--wait-report``
once the recipient's delivery report arrives.  ``status`` sends a 16-bit
pre-coded status (AI service 13) and exits 0 once sent.  Anything else -
the radio refuses it, reports a failure, or the time runs out - exits 1 with
one line saying what happened.
"""

from __future__ import annotations

import time

import click

from tetrakit.cli.options import PortOptions, port_options, radio_client
from tetrakit.identities import Tsi, parse_identity
from tetrakit.radio import RadioClient, SdsHandle, SdsState
from tetrakit.sds import delivery_status_name

__all__ = ["sds"]

_PRIORITIES = {"low": 0, "high": 1, "emergency": 2}


def _identity(_ctx: click.Context, _param: click.Parameter, value: str) -> Tsi:
    try:
        return parse_identity(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _status_value(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    try:
        number = int(value, 0)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a number (write hex as 0x8001 or decimal as 32769)"
        ) from None
    if not 0 <= number <= 0xFFFF:
        raise click.BadParameter(f"{value} is not a 16-bit status value (0-0xFFFF)")
    return number


_to_option = click.option(
    "--to", "to", required=True, callback=_identity, metavar="ISSI",
    help="Recipient: ISSI, GSSI (with --group) or TSI.",
)
_group_option = click.option("--group", is_flag=True, help="The recipient is a group (GSSI).")
_timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
    help="Seconds to wait for the radio (and the report) before giving up.",
)
_priority_option = click.option(
    "--priority", type=click.Choice(tuple(_PRIORITIES)), default="low", show_default=True,
    help="Access priority for the radio.",
)


@click.group()
def sds() -> None:
    """Send SDS through a TETRA radio (text messages, status values)."""


def _finish(client: RadioClient, handle: SdsHandle, wanted: SdsState, deadline: float) -> str:
    """Wait for ``handle`` and turn its outcome into a message (or a ClickException)."""
    client.wait(handle, wanted, timeout=max(0.0, deadline - time.monotonic()))
    state = handle.state
    mr = handle.message_reference
    ref = "" if mr is None else f", message reference {mr}"
    if state is SdsState.DELIVERED:
        status = handle.delivery_status
        what = "" if status is None else f": {delivery_status_name(status)}"
        if handle.group:
            # a group has no single recipient: DELIVERED means the first member's
            # report arrived, so name the group and whose report that was
            first = next(iter(handle.reports), None)
            source = "" if first is None else f" (first report from {first})"
            return f"delivered to group {handle.to}{source}{ref}{what}"
        return f"delivered to {handle.to}{ref}{what}"
    if state is SdsState.SENT and wanted is SdsState.SENT:
        return f"sent to {'group ' if handle.group else ''}{handle.to}{ref}"
    if state in (SdsState.FAILED, SdsState.UNCONFIRMED):
        raise click.ClickException(f"SDS to {handle.to} {state.value}: {handle.error}")
    waits = {
        SdsState.QUEUED: "the radio link never became ready",
        SdsState.WRITING: "the radio did not answer AT+CMGS",
        SdsState.ACCEPTED: "the radio accepted it but did not report it sent",
        SdsState.SENT: f"sent, but no delivery report from {handle.to}",
    }
    health = client.health()
    detail = f" (link {health.state.value}: {health.last_error})" if health.last_error else ""
    raise click.ClickException(
        f"SDS to {handle.to}: {waits.get(state, state.value)} in time{detail}"
    )


@sds.command("send")
@port_options
@_to_option
@_group_option
@click.option("--wait-report", is_flag=True,
              help="Exit 0 only once the recipient's delivery report arrives (with --group: "
                   "the first member's report).")
@_timeout_option
@_priority_option
@click.option("--reference", type=click.IntRange(0, 255), default=None, metavar="N",
              help="SDS-TL message reference (default: chosen automatically).")
@click.argument("text")
def send(port_options: PortOptions, to: Tsi, group: bool, wait_report: bool, timeout: float,
         priority: str, reference: int | None, text: str) -> None:
    """Send TEXT as an SDS-TL text message (a delivery report is requested)."""
    deadline = time.monotonic() + timeout
    client = radio_client(port_options)
    try:
        client.open(timeout=timeout)
        handle = client.send_text(
            to, text, group=group, report=True, priority=_PRIORITIES[priority],
            message_reference=reference,
        )
        wanted = SdsState.DELIVERED if wait_report else SdsState.SENT
        click.echo(_finish(client, handle, wanted, deadline))
    finally:
        client.close()


@sds.command("status")
@port_options
@_to_option
@_group_option
@_timeout_option
@_priority_option
@click.argument("value", callback=_status_value)
def status(port_options: PortOptions, to: Tsi, group: bool, timeout: float, priority: str,
           value: int) -> None:
    """Send the 16-bit pre-coded status VALUE (0x8001 or 32769)."""
    deadline = time.monotonic() + timeout
    client = radio_client(port_options)
    try:
        client.open(timeout=timeout)
        handle = client.send_status(to, value, group=group, priority=_PRIORITIES[priority])
        click.echo(_finish(client, handle, SdsState.SENT, deadline))
    finally:
        client.close()
