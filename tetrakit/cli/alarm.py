"""``tetrakit alarm``: run the alarm controller, trigger, cancel and watch alarms.

``run`` starts the daemon; ``trigger``, ``cancel`` and ``status`` talk to the
running daemon over its control socket (named in the configuration, reachable
only on this machine); ``check`` validates a configuration without running.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from pathlib import Path
from typing import Any

import click

from tetrakit.alarm.config import AlarmConfig, load_config

__all__ = ["alarm"]

_config_option = click.option(
    "-c",
    "--config",
    "config_path",
    envvar="TETRAKIT_ALARM_CONFIG",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The controller's configuration file (env TETRAKIT_ALARM_CONFIG).",
)


@click.group()
def alarm() -> None:
    """The hospital alarm controller: run it, trigger, cancel and watch alarms."""


@alarm.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def run(ctx: click.Context, config_path: Path) -> None:
    """Run the controller with CONFIG until SIGINT or SIGTERM."""
    from tetrakit.alarm.daemon import run_daemon

    verbose = (ctx.obj or {}).get("verbose", 0)
    # a daemon logs what it does by default (to stderr, i.e. journald)
    logging.getLogger("tetrakit").setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    logging.getLogger("firmware_sim").setLevel(logging.INFO if verbose else logging.WARNING)
    run_daemon(config_path)


@alarm.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False, path_type=Path))
def check(config_path: Path) -> None:
    """Validate CONFIG without running; print a summary (exit 1 with the error line)."""
    cfg = load_config(config_path)
    click.echo(_summary(config_path, cfg))


@alarm.command()
@_config_option
@click.argument("button", required=False)
@click.option("--type", "alarm_type", metavar="CODE", help="Alarm type code instead of a button.")
@click.option("--location", metavar="TEXT", help="Location text (with --type).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def trigger(config_path: Path, button: str | None, alarm_type: str | None, location: str | None,
            as_json: bool) -> None:
    """Raise an alarm by BUTTON id, or by --type CODE --location TEXT."""
    from tetrakit.alarm.control import request

    if button is None and alarm_type is None:
        raise click.UsageError("give a BUTTON, or --type CODE and --location TEXT")
    if button is not None and (alarm_type is not None or location is not None):
        # a button carries its own type and location; overriding them would make a
        # real press of that button a "duplicate" of this alarm and swallow it
        given = " and ".join(o for o, v in (("--type", alarm_type), ("--location", location))
                             if v is not None)
        raise click.UsageError(
            f"give either BUTTON ({button}) or --type CODE --location TEXT, not both "
            f"(remove {given})"
        )
    if button is None and not location:
        raise click.UsageError("--type needs --location TEXT")
    cfg = load_config(config_path)
    reply = request(cfg.control_socket, {
        "op": "trigger", "button": button, "type": alarm_type, "location": location,
        "source": "cli",
    })
    if as_json:
        click.echo(json.dumps({k: v for k, v in reply.items() if k != "ok"}))
    elif reply.get("duplicate"):
        click.echo(f"{reply['alarm_id']} duplicate press: already {reply['state']}")
    else:
        click.echo(f"{reply['alarm_id']} {reply['state']}")


@alarm.command()
@_config_option
@click.argument("alarm_id")
def cancel(config_path: Path, alarm_id: str) -> None:
    """Cancel ALARM_ID as a false alarm (everyone called gets a cancel message)."""
    from tetrakit.alarm.control import request

    cfg = load_config(config_path)
    reply = request(cfg.control_socket, {"op": "cancel", "alarm_id": alarm_id.upper(),
                                         "source": "cli"})
    click.echo(f"{reply['alarm_id']} {reply['state']}")


@alarm.command()
@_config_option
@click.argument("alarm_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def status(config_path: Path, alarm_id: str | None, as_json: bool) -> None:
    """Show open and recent alarms, or one ALARM_ID with recipients and timeline."""
    from tetrakit.alarm.control import request

    cfg = load_config(config_path)
    if alarm_id is not None:
        detail = request(cfg.control_socket, {"op": "detail", "alarm_id": alarm_id.upper()})
        alarm_d = detail["alarm"]
        if as_json:
            click.echo(json.dumps(alarm_d, ensure_ascii=False))
        else:
            click.echo(_format_detail(alarm_d))
        return
    listing = request(cfg.control_socket, {"op": "list"})
    health = request(cfg.control_socket, {"op": "health"})["health"]
    alarms = listing["alarms"]
    if as_json:
        click.echo(json.dumps({"health": health}, ensure_ascii=False))
        for a in alarms:
            click.echo(json.dumps(a, ensure_ascii=False))
        return
    radios = ", ".join(
        f"{r['id']} {'ok' if r['healthy'] else 'DOWN'}" for r in health.get("radios", [])
    )
    click.echo(f"radios: {radios or 'none'}; journal {health['journal']}; "
               f"{health['open_alarms']} open alarm(s); {health['queued_sds']} SDS queued")
    faults = health.get("faults", [])
    if faults:
        # a lost panel or a dead radio must be seen where people look first
        click.echo(f"ACTIVE FAULTS ({len(faults)}):")
        for f in faults:
            click.echo(f"    {f['kind']} {f['component']}: {f['detail']} "
                       f"(since {f['since']})")
    if not alarms:
        click.echo("no alarms")
    for a in alarms:
        click.echo(_format_summary(a))
        for r in a.get("recipients", []):
            click.echo("    " + _format_recipient(r))


# ---------------------------------------------------------------------- formatting


def _time(ts: float | None) -> str:
    if ts is None:
        return "-"
    return _dt.datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def _format_summary(a: dict[str, Any]) -> str:
    ended = f" ended {_time(a['ended_at'])}" if a.get("ended_at") else ""
    dup = f" ({a['duplicates']} repeated press)" if a.get("duplicates") else ""
    return (f"{a['id']:<6} {a['state']:<9} {a['type']:<12} {a['location'] or '-'}  "
            f"accepts {a['accepts']}/{a['required_accepts']}  "
            f"raised {_time(a['created_at'])}{ended}{dup}")


def _format_recipient(r: dict[str, Any]) -> str:
    who = f"group {r['issi']}" if r["group"] else str(r["issi"])
    name = " ".join(x for x in (r.get("name") or "", f"({r['role']})" if r.get("role") else "")
                    if x)
    answer = r.get("answer") or ("-" if not r["group"] else "")
    level = f" L{r['level']}" if r.get("level") else ""
    return (f"{who:<11} {name[:34]:<34} {r['delivery']:<14} {answer:<8} "
            f"calls {r['calls']}{level}")


def _format_position(p: dict[str, Any], name: str) -> str:
    """``2001 Kari  62.46479, 6.34512  3 s ago  31 m away`` (or that none was reported)."""
    head = f"{p['issi']:<11} {name[:24]:<24}"
    pos = p.get("position")
    if not pos:
        return f"{head} no position reported"
    where = f"{pos['latitude']:.5f}, {pos['longitude']:.5f}"
    distance = p.get("distance_m")
    away = "distance unknown (alarm has no coordinates)" if distance is None \
        else f"{distance:.0f} m away"
    return f"{head} {where}  {p['age_s']:.0f} s ago  {away}"


def _format_detail(a: dict[str, Any]) -> str:
    lines = [_format_summary(a), f"text: {a['text']}"]
    loc = a.get("location_detail") or {}
    if loc.get("latitude") is not None:
        lines.append(f"position: {loc['latitude']:.5f}, {loc['longitude']:.5f}")
    lines.append("recipients:")
    lines += ["  " + _format_recipient(r) for r in a.get("recipients", [])]
    positions = a.get("positions")
    if positions:
        names = {r["issi"]: r.get("name") or "" for r in a.get("recipients", [])}
        lines.append("positions:")
        lines += ["  " + _format_position(p, names.get(p["issi"], "")) for p in positions]
    lines.append("timeline:")
    for ev in a.get("timeline", []):
        extra = {k: v for k, v in ev.items() if k not in ("at", "kind") and v not in (None, "")}
        detail = " ".join(f"{k}={v}" for k, v in extra.items())
        lines.append(f"  {_time(ev['at'])} {ev['kind']:<16} {detail}")
    return "\n".join(lines)


def _summary(path: Path, cfg: AlarmConfig) -> str:
    members = sum(len(t.members) for t in cfg.teams)
    lines = [
        f"{path}: OK",
        f"  site: {cfg.site.name}",
        "  radios: " + ", ".join(f"{r.id} ({r.port}, {r.vendor})" for r in cfg.radios),
        f"  teams: {len(cfg.teams)} with {members} members: "
        + ", ".join(f"{t.id} ({len(t.members)})" for t in cfg.teams),
        "  alarm types: " + ", ".join(
            f"{a.code}{' [test]' if a.test else ''} ({a.priority.value})" for a in cfg.alarm_types
        ),
        f"  buttons: {len(cfg.buttons)}"
        + (": " + ", ".join(b.id for b in cfg.buttons) if cfg.buttons else ""),
        f"  journal: {cfg.journal}",
        f"  control socket: {cfg.control_socket}",
    ]
    if cfg.inputs.buttonboxes:
        lines.append("  button boxes: " + ", ".join(b.id for b in cfg.inputs.buttonboxes))
    if cfg.http.listen:
        lines.append(f"  http: {cfg.http.listen}")
    return "\n".join(lines)
