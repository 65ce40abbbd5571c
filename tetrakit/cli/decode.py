"""``tetrakit decode``: decode SDS type-4 user data or status values given as hex.

Each HEX argument (or, without arguments, each non-empty line of stdin that
does not start with ``#``) is one input: SDS type-4 user data with its
protocol identifier first, as printed by the radio after ``+CTSDSR``, or with
``--status`` a 16-bit pre-coded status (4 hex digits).  Output is a readable
rendering, or with ``--json`` one JSON object per input and line.

A bad input does not stop the others: its error goes to stderr as one line
naming the input (number and text), the field and the bit offset, and the
command exits 1 after all inputs were processed.

Rendering is one function per output format over the JSON form of a PDU, and
the PDU family (``sds``, ``status`` or ``lip``) is passed along, so that a
format that applies to one family only can be added next to the others.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import click

from tetrakit.decode import decode as decode_data
from tetrakit.decode import decode_status
from tetrakit.errors import DecodeError
from tetrakit.lip import LipPdu, to_geojson
from tetrakit.sds import to_dict
from tetrakit.sds.codec import is_lip_pdu

__all__ = ["decode", "render_geojson", "render_json", "render_text"]


def pdu_family(pdu: object) -> str:
    """``"lip"``, ``"status"`` or ``"sds"``."""
    if is_lip_pdu(pdu):
        return "lip"
    return "status" if type(pdu).__name__ == "StatusPdu" else "sds"


def _fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """``(key, shown value)`` pairs, a ``*_name`` key folded into its code's value."""
    out = []
    for key, value in data.items():
        if key.endswith("_name") and key[: -len("_name")] in data:
            continue  # shown next to its code
        shown = _value(value)
        name = data.get(f"{key}_name")
        if name is not None:
            shown += f" ({name})"
        out.append((key, shown))
    return out


def _value(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={shown}" for k, shown in _fields(value))
    if isinstance(value, list):
        # e.g. the information elements of a user data header
        return "; ".join(_value(item) for item in value) or "-"
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "-"
    return str(value)


def render_text(pdu: object, family: str) -> str:
    """A readable multi-line rendering: a headline, then one field per line."""
    data = to_dict(pdu)
    title = str(data.pop("pdu", type(pdu).__name__))
    if "protocol_id" in data:
        title += f"  PI 0x{data.pop('protocol_id'):02X}"
        name = data.pop("protocol_name", None)
        if name:
            title += f" ({name})"
    elif family == "lip":
        title += "  PI 0x0A (location information protocol)"
    lines = [title]
    fields = _fields(data)
    width = max((len(k) for k, _ in fields), default=0)
    lines.extend(f"  {key.ljust(width)}  {shown}" for key, shown in fields)
    return "\n".join(lines)


def render_json(pdu: object, family: str) -> str:
    """One JSON object on one line."""
    return json.dumps(to_dict(pdu), ensure_ascii=False, sort_keys=False)


def render_geojson(pdu: object, family: str) -> str:
    """One GeoJSON Feature on one line: the reported point for LIP reports.

    PDUs without a position (requests, texts, statuses) give a Feature with a
    ``null`` geometry and the JSON form as properties, so every input still
    yields one Feature.
    """
    if family == "lip":
        feature = to_geojson(cast(LipPdu, pdu))
    else:
        feature = {"type": "Feature", "geometry": None, "properties": to_dict(pdu)}
    return json.dumps(feature, ensure_ascii=False)


#: output format -> renderer(pdu, family)
RENDERERS: dict[str, Callable[[object, str], str]] = {
    "text": render_text,
    "json": render_json,
    "geojson": render_geojson,
}


def _inputs(hex_inputs: Iterable[str]) -> Iterator[str]:
    items = list(hex_inputs)
    if items:
        yield from items
        return
    for line in sys.stdin:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


@click.command("decode")
@click.option("--bits", type=click.IntRange(min=0), default=None,
              help="PEI length in bits (wins over the number of hex digits).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input and line.")
@click.option("--geojson", "as_geojson", is_flag=True,
              help="One GeoJSON Feature per input and line (the position of LIP reports).")
@click.option("--status", "as_status", is_flag=True,
              help="Inputs are 16-bit pre-coded status values (AI service 13).")
@click.argument("hex_inputs", nargs=-1, metavar="[HEX]...")
def decode(bits: int | None, as_json: bool, as_geojson: bool, as_status: bool,
           hex_inputs: tuple[str, ...]) -> None:
    """Decode SDS type-4 user data (protocol identifier first) or status values.

    Reads HEX arguments, or one input per line from stdin when none are given.
    """
    if as_json and as_geojson:
        raise click.UsageError("--json and --geojson exclude each other")
    as_json = as_json or as_geojson
    render = RENDERERS["geojson" if as_geojson else "json" if as_json else "text"]
    failed = 0
    first = True
    for number, text in enumerate(_inputs(hex_inputs), start=1):
        try:
            pdu: object = decode_status(text) if as_status else decode_data(text, bits)
        except DecodeError as exc:
            failed += 1
            click.echo(f"error: input {number} {text!r}: {exc}", err=True)
            continue
        if not as_json and not first:
            click.echo("")
        first = False
        click.echo(render(pdu, pdu_family(pdu)))
    if failed:
        click.get_current_context().exit(1)
