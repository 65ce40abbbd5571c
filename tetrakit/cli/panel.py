"""``tetrakit panel``: act on a running simulated button box from another terminal.

A simulated panel (``tetrakit sim --buttonbox``, or a ``simpanel://`` port
opened by the alarm daemon) listens on a control socket; these commands send
it one request each and print the panel's state.  ``--panel ID`` picks the
panel; without it the only running one is used.  ``--socket PATH`` gives the
socket directly.  See ``docs/buttonbox.md``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import click

__all__ = ["panel"]


def _hosting() -> Any:
    # the simulator is optional and outside the typed package: imported by name
    try:
        return importlib.import_module("firmware_sim.buttonbox.hosting")
    except ImportError as exc:
        raise click.ClickException("the simulator package (firmware_sim) is not installed") from exc


def _socket(panel_id: str | None, socket_path: Path | None) -> Path:
    if socket_path is not None:
        return socket_path
    hosting = _hosting()
    if panel_id is not None:
        path: Path = hosting.control_path(panel_id)
        if not path.exists():
            raise click.ClickException(f"no simulated panel {panel_id!r} is running ({path})")
        return path
    found = sorted(Path(hosting.control_dir()).glob("tetrakit-panel-*.sock"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise click.ClickException(
            f"no simulated panel is running (no control socket in {hosting.control_dir()})"
        )
    names = ", ".join(p.name[len("tetrakit-panel-") : -len(".sock")] for p in found)
    raise click.ClickException(f"several simulated panels are running ({names}): use --panel ID")


def _send(ctx: click.Context, request: dict[str, Any]) -> dict[str, Any]:
    path = _socket(ctx.obj.get("panel"), ctx.obj.get("socket"))
    try:
        reply: dict[str, Any] = _hosting().send_command(path, request)
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from exc
    if not reply.get("ok"):
        raise click.ClickException(str(reply.get("error", "request refused")))
    return reply


def _show(ctx: click.Context, reply: dict[str, Any]) -> None:
    status = reply.get("status", {})
    if ctx.obj.get("json"):
        click.echo(json.dumps(status, sort_keys=True))
        return
    leds = " ".join(f"{b}:{m}" for b, m in status.get("leds", {}).items())
    loops = " ".join(f"{b}:{s}" for b, s in status.get("loops", {}).items())
    flags = [f for f in ("hung", "noise") if status.get(f)]
    click.echo(
        f"panel {status.get('panel')}  leds {leds}  loops {loops}  "
        f"pending {status.get('pending')}" + (f"  [{' '.join(flags)}]" if flags else "")
    )


@click.group("panel")
@click.option(
    "--panel", "panel_id", metavar="ID", help="Which simulated panel (default: the only one)."
)
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="The panel's control socket (default: found from --panel).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the panel state as JSON.")
@click.pass_context
def panel(
    ctx: click.Context, panel_id: str | None, socket_path: Path | None, as_json: bool
) -> None:
    """Press buttons and inject faults on a running simulated button box."""
    ctx.ensure_object(dict)
    ctx.obj.update(panel=panel_id, socket=socket_path, json=as_json)


BUTTON = click.argument("button", type=click.IntRange(1, 255))


@panel.command("press")
@BUTTON
@click.option(
    "--hold",
    type=click.FloatRange(min=0.05),
    default=0.3,
    show_default=True,
    help="Seconds until the button is released.",
)
@click.option("--keep", is_flag=True, help="Keep the button down (release with 'release').")
@click.pass_context
def press(ctx: click.Context, button: int, hold: float, keep: bool) -> None:
    """Press BUTTON (1-255)."""
    _show(ctx, _send(ctx, {"cmd": "press", "button": button, "hold": None if keep else hold}))


def _button_command(name: str, help_text: str) -> None:
    @panel.command(name, help=help_text)
    @BUTTON
    @click.pass_context
    def command(ctx: click.Context, button: int) -> None:
        _show(ctx, _send(ctx, {"cmd": name, "button": button}))


_button_command("release", "Release BUTTON.")
_button_command("cut", "Cut BUTTON's wire (FAULT OPEN).")
_button_command("short", "Short BUTTON's wire (FAULT SHORT).")
_button_command("tamper", "Open BUTTON's housing (FAULT TAMPER).")
_button_command("repair", "Make BUTTON's wire healthy again (CLEAR).")


@panel.command("hang")
@click.argument("seconds", type=click.FloatRange(min=0.01), required=False)
@click.pass_context
def hang(ctx: click.Context, seconds: float | None) -> None:
    """Stop the panel for SECONDS (default: until 'resume')."""
    _show(ctx, _send(ctx, {"cmd": "hang", "seconds": seconds}))


@panel.command("resume")
@click.pass_context
def resume(ctx: click.Context) -> None:
    """End a hang."""
    _show(ctx, _send(ctx, {"cmd": "resume"}))


@panel.command("noise")
@click.argument("seconds", type=click.FloatRange(min=0.01))
@click.option(
    "--rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Share of frames corrupted.",
)
@click.pass_context
def noise(ctx: click.Context, seconds: float, rate: float) -> None:
    """Make the line noisy for SECONDS."""
    _show(ctx, _send(ctx, {"cmd": "noise", "seconds": seconds, "rate": rate}))


@panel.command("reboot")
@click.pass_context
def reboot(ctx: click.Context) -> None:
    """Restart the panel's firmware (HELLO)."""
    _show(ctx, _send(ctx, {"cmd": "reboot"}))


@panel.command("status")
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show LEDs, loops and pending messages."""
    _show(ctx, _send(ctx, {"cmd": "status"}))
