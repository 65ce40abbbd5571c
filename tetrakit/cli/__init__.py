"""The ``tetrakit`` command line (one click group; see ``docs/cli.md``).

Each subcommand lives in a module of this package named for what it does and
is registered in :data:`_COMMAND_MODULES`.  Exit codes: 0 success, 1 a
:class:`~tetrakit.errors.TetrakitError` (one clear line, the traceback with
``-v``), 2 usage errors.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from tetrakit import __version__
from tetrakit.errors import TetrakitError

__all__ = ["cli", "main"]

# module name -> attribute holding the click command or group
_COMMAND_MODULES: tuple[tuple[str, str], ...] = (
    ("decode", "decode"),
    ("sim", "sim"),
    ("panel", "panel"),
    ("alarm", "alarm"),
    ("sds", "sds"),
    ("monitor", "monitor"),
    ("pei", "pei"),
)


@click.group()
@click.version_option(__version__, prog_name="tetrakit")
@click.option("-v", "--verbose", count=True, help="More logging; -vv for debug with frames.")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """TETRA PEI, SDS and LIP toolkit, alarm controller and simulator."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


for _module, _attr in _COMMAND_MODULES:
    cli.add_command(getattr(importlib.import_module(f"tetrakit.cli.{_module}"), _attr))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and map tetrakit errors to exit code 1."""
    verbose = "-v" in (argv or sys.argv[1:]) or "-vv" in (argv or sys.argv[1:])
    try:
        rc = cli.main(args=argv, prog_name="tetrakit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TetrakitError as exc:
        if verbose:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    # with standalone_mode=False click returns the code given to ctx.exit()
    sys.exit(rc if isinstance(rc, int) else 0)
