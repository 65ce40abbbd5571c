"""Click options shared by every command that talks to a radio (defined once, here).

``-p/--port`` takes any pyserial URL (``/dev/ttyUSB0``, ``/dev/pts/4``,
``socket://host:port``, ``tetrasim://...``) and falls back to the
``TETRAKIT_PORT`` environment variable; ``-b/--baudrate`` to
``TETRAKIT_BAUDRATE``.  ``--trace FILE`` records both directions of the PEI
traffic as JSON lines (format: ``docs/trace.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from tetrakit.radio import PROFILES, RadioClient
from tetrakit.transport.port import DEFAULT_BAUDRATE

__all__ = ["PortOptions", "port_options", "radio_client"]

F = TypeVar("F", bound=Callable[..., Any])

#: init profile names accepted by ``--vendor``
_VENDORS = tuple(PROFILES)


@dataclass(frozen=True, slots=True)
class PortOptions:
    """The parsed shared options, handed to commands as one value."""

    port: str
    baudrate: int
    rtscts: bool
    vendor: str
    trace: Path | None


def port_options(func: F) -> F:
    """Add -p/--port, -b/--baudrate, --rtscts, --vendor and --trace to a command.

    The command receives them as one ``port_options: PortOptions`` argument.
    """

    decorators = [
        click.option(
            "-p",
            "--port",
            envvar="TETRAKIT_PORT",
            required=True,
            metavar="URL",
            help="Radio PEI port: device path or pyserial URL (env TETRAKIT_PORT).",
        ),
        click.option(
            "-b",
            "--baudrate",
            envvar="TETRAKIT_BAUDRATE",
            type=click.IntRange(300, 4_000_000),
            default=DEFAULT_BAUDRATE,
            show_default=True,
            help="Line speed set in the radio's codeplug (env TETRAKIT_BAUDRATE).",
        ),
        click.option(
            "--rtscts",
            is_flag=True,
            envvar="TETRAKIT_RTSCTS",
            help="Use RTS/CTS hardware flow control (env TETRAKIT_RTSCTS).",
        ),
        click.option(
            "--vendor",
            envvar="TETRAKIT_VENDOR",
            type=click.Choice(_VENDORS, case_sensitive=False),
            default="generic",
            show_default=True,
            help="Radio init profile (env TETRAKIT_VENDOR).",
        ),
        click.option(
            "--trace",
            type=click.Path(dir_okay=False, writable=True, path_type=Path),
            default=None,
            metavar="FILE",
            help="Record the PEI traffic (both directions, timestamped JSON lines) to FILE.",
        ),
    ]

    def wrapper(**kwargs: Any) -> Any:
        kwargs["port_options"] = PortOptions(
            port=kwargs.pop("port"),
            baudrate=kwargs.pop("baudrate"),
            rtscts=kwargs.pop("rtscts"),
            vendor=kwargs.pop("vendor").lower(),
            trace=kwargs.pop("trace"),
        )
        return func(**kwargs)

    functools.update_wrapper(wrapper, func)
    result: Any = wrapper
    for decorator in reversed(decorators):
        result = decorator(result)
    return result  # type: ignore[no-any-return]


def radio_client(
    options: PortOptions, *, message_reference_start: int | None = None
) -> RadioClient:
    """A not yet opened :class:`~tetrakit.radio.RadioClient` for the shared options."""
    return RadioClient(
        options.port,
        baudrate=options.baudrate,
        rtscts=options.rtscts,
        vendor=options.vendor,
        trace=options.trace,
        message_reference_start=message_reference_start,
    )
