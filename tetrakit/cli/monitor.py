"""``tetrakit monitor``: print every SDS the radio receives, one line each.

The radio is initialised with the vendor profile (which registers text,
status and LIP with ``AT+CTSP``), then each incoming SDS is decoded with
:mod:`tetrakit.sds` and printed as it arrives; with ``--json`` as one JSON
object per line (``from``, ``to``, ``ai_service``, ``bits``, ``hex`` and the
decoded fields).  Every line is flushed at once, so the output can be read
through a pipe.  Link state changes go to stderr.  The link is supervised
while monitoring: a radio that restarts is initialised again.
"""

from __future__ import annotations

import json
import sys
import time

import click

from tetrakit.cli.incoming import sds_json, sds_text
from tetrakit.cli.options import PortOptions, port_options, radio_client
from tetrakit.radio import LinkStateChanged, SdsReceived

__all__ = ["monitor"]


@click.command("monitor")
@port_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--count", type=click.IntRange(min=1), default=None,
              help="Exit after this many SDS.")
@click.option("--duration", type=click.FloatRange(min=0.1), default=None, metavar="S",
              help="Exit after S seconds.")
@click.option("--init-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for the radio to be ready.")
def monitor(port_options: PortOptions, as_json: bool, count: int | None,
            duration: float | None, init_timeout: float) -> None:
    """Print each SDS the radio receives (decoded), one line each."""
    client = radio_client(port_options)
    seen = 0
    try:
        client.open(timeout=init_timeout)
        click.echo(f"monitoring {port_options.port} (Ctrl-C to stop)", err=True)
        for event in client.events(timeout=duration):
            if isinstance(event, LinkStateChanged):
                click.echo(f"link {event.state.value}: {event.reason}", err=True)
                continue
            if not isinstance(event, SdsReceived):
                continue
            # the session's clock is monotonic; lines carry wall-clock time
            when = time.time()
            if as_json:
                line = json.dumps(sds_json(event.sds, event.pdu, event.decode_error, when),
                                  ensure_ascii=False)
            else:
                line = sds_text(event.sds, event.pdu, event.decode_error, when)
            click.echo(line)
            sys.stdout.flush()
            seen += 1
            if count is not None and seen >= count:
                break
    finally:
        client.close()
