"""The call-out text: event first, then location, then a short alarm id.

A TETRA Call-Out display shows at most 94 characters (alarm-domain.md §8, the
EDP / Call-Out text limit), so every text built here fits in 94 characters
and in Latin-1 (text coding scheme 1, EN 300 392-2 §29.5.4, so that æ, ø and å
show on every radio).  Example::

    HJERTESTANS B3 rom 312 Sengepost 3B #A17

When the whole does not fit, the location is shortened part by part (the
unit first, then the room word, then characters from the end), the label is
cut only if the location is already gone, and the alarm id is never cut: the
id is what ties an answer or a phone call back to the alarm.
"""

from __future__ import annotations

from tetrakit.alarm.config import Location

__all__ = ["CANCEL_PREFIX", "MAX_TEXT", "callout_text", "location_parts", "to_latin1"]

#: the Call-Out display limit in characters
MAX_TEXT = 94
#: put before the event of a cancel message (Norwegian "cancelled")
CANCEL_PREFIX = "AVLYST"


def to_latin1(text: str) -> str:
    """Make a text sendable as Latin-1: controls become spaces, others become ``?``."""
    out = []
    for ch in text:
        if ch in "\r\n\t" or (ord(ch) < 0x20) or 0x7F <= ord(ch) < 0xA0:
            out.append(" ")
        elif ord(ch) > 0xFF:
            out.append("?")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def location_parts(location: Location) -> list[str]:
    """The location as display parts, most important first.

    Building and floor make one short token (``B3``), then ``rom 312``, then the
    unit; a free ``text`` comes first when given.
    """
    parts: list[str] = []
    if location.text:
        parts.append(location.text)
    place = f"{location.building}{location.floor}"
    if place:
        parts.append(place)
    if location.room:
        parts.append(f"rom {location.room}")
    if location.unit:
        parts.append(location.unit)
    return [to_latin1(p) for p in parts if to_latin1(p)]


def callout_text(
    label: str,
    location: Location | str,
    alarm_id: str,
    *,
    prefix: str = "",
    limit: int = MAX_TEXT,
) -> str:
    """Build a call-out text of at most ``limit`` characters.

    Args:
        label: the event text (the alarm type's label).
        location: a button location, or a free location text.
        alarm_id: the short alarm id, written last as ``#A17`` and never cut.
        prefix: e.g. ``TEST`` or ``AVLYST``, written before the label.
        limit: the maximum length (94, the Call-Out display limit).
    """
    tail = f" #{alarm_id}"
    if len(tail) >= limit:
        raise ValueError(f"alarm id {alarm_id!r} does not fit in {limit} characters")
    head = to_latin1(f"{prefix} {label}" if prefix else label)
    parts = location_parts(location) if isinstance(location, Location) else [to_latin1(location)]
    parts = [p for p in parts if p]
    room = limit - len(tail)

    def joined(ps: list[str]) -> str:
        return " ".join([head, *ps])

    # drop the least important parts first, but keep at least the first one
    while len(parts) > 1 and len(joined(parts)) > room:
        parts.pop()
    body = joined(parts)
    if len(body) > room:
        # cut the remaining location at a word boundary when that keeps most of it
        cut = body[:room].rstrip()
        space = cut.rfind(" ")
        if space > len(head) and space >= room - 12:
            cut = cut[:space]
        body = cut.rstrip()
    return body + tail
