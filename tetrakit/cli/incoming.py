"""How ``tetrakit monitor`` and ``tetrakit pei replay`` print an incoming SDS.

One line per SDS: readable text, or a JSON object with the wire facts
(``from``, ``to``, ``ai_service``, ``bits``, ``hex``) and, merged in, the
decoded fields of :func:`tetrakit.sds.to_dict` (or ``error`` when the user
data did not decode).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tetrakit import sds
from tetrakit.errors import DecodeError
from tetrakit.pei.events import SdsIncoming

__all__ = ["sds_json", "sds_text"]


def _party(tsi: object) -> str | None:
    return None if tsi is None else str(tsi)


def sds_json(
    event: SdsIncoming, pdu: Any, error: DecodeError | None, when: float | None
) -> dict[str, Any]:
    """The JSON object for one incoming SDS (``when``: Unix time, or ``None``)."""
    out: dict[str, Any] = {}
    if pdu is not None:
        out.update(sds.to_dict(pdu))
    wire = {
        "time": None if when is None else _iso(when),
        "from": _party(event.calling),
        "to": _party(event.called),
        "ai_service": int(event.ai_service),
        "bits": event.bits,
        "hex": event.hex.upper(),
    }
    out = {**wire, **{k: v for k, v in out.items() if k not in wire}}
    if error is not None:
        out["error"] = str(error)
    return out


def sds_text(event: SdsIncoming, pdu: Any, error: DecodeError | None, when: float | None) -> str:
    """One readable line for an incoming SDS."""
    head = f"{_party(event.calling) or '?'} -> {_party(event.called) or '?'}"
    if when is not None:
        head = f"{_iso(when)} {head}"
    head += f" ai={int(event.ai_service)} bits={event.bits}"
    if error is not None:
        return f"{head} hex={event.hex.upper()} undecodable: {error}"
    if pdu is None:
        return f"{head} hex={event.hex.upper()}"
    return f"{head} {_summary(sds.to_dict(pdu))}"


def _summary(d: dict[str, Any]) -> str:
    kind = str(d.get("pdu", "?"))
    if "text" in d and d["text"] is not None:
        ref = d.get("message_reference")
        tail = f" (ref {ref})" if ref is not None else ""
        return f"{kind} text {d['text']!r}{tail}"
    if kind == "STATUS":
        if d.get("is_short_report"):
            return (f"SDS-SHORT-REPORT {d.get('short_report_type_name')} "
                    f"ref {d.get('message_reference')}")
        return f"STATUS 0x{d.get('status_hex')} ({d.get('status_kind')})"
    if kind == "SDS-REPORT":
        return f"SDS-REPORT ref {d.get('message_reference')}: {d.get('delivery_status_name')}"
    if "latitude" in d and "longitude" in d:
        return f"{kind} lat {d['latitude']:.6f} lon {d['longitude']:.6f}"
    return kind


def _iso(when: float) -> str:
    stamp = dt.datetime.fromtimestamp(when, tz=dt.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
