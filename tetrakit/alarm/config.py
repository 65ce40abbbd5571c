"""The alarm controller's configuration: YAML validated strictly into frozen dataclasses.

The file is composed into a YAML node tree first (``yaml.compose``), not just
``safe_load``-ed, so that every error can name the file, the line and the key
path of the offending node, e.g.::

    examples/hospital.yaml:42: alarm_types[0].escalation[1].after: must be a positive
    number of seconds

Unknown keys, duplicate keys, wrong types, bad values, duplicate ids and
references to undefined teams, buttons or alarm codes are all
:class:`~tetrakit.errors.ConfigError`.  Relative paths are relative to the
folder of the configuration file.  Every section but ``radios`` and
``alarm_types`` is optional; the defaults are those of ``docs/alarm.md``.

The sections ``test_alarms.schedule``/``answer_timeout``, ``supervision``,
``fault_alarm`` and ``http`` are consumed by the operations code, ``inputs`` by
the button-box code; they are parsed and validated here so that one
``tetrakit alarm check`` covers the whole file.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
import yaml.constructor
import yaml.nodes

from tetrakit.errors import ConfigError
from tetrakit.identities import MAX_SSI

__all__ = [
    "AlarmConfig",
    "AlarmType",
    "AnswerRule",
    "Answers",
    "Button",
    "ButtonBox",
    "EscalationLevel",
    "FaultAlarm",
    "GeoPoint",
    "HttpConfig",
    "Inputs",
    "Location",
    "Member",
    "Priority",
    "RadioConfig",
    "Site",
    "Supervision",
    "Targets",
    "Team",
    "TestAlarms",
    "load_config",
    "parse_config",
]

#: the longest path a unix-domain socket address can hold on Linux (sun_path minus the NUL)
_MAX_SOCKET_PATH = 107
#: the longest alarm id the check reserves room for: " #A99999" (the id is never cut)
_ID_ROOM = len(" #A99999")
#: the Call-Out display limit (alarm-domain.md §8); message.MAX_TEXT is the same number,
#: repeated here because message.py imports this module
_MAX_CALLOUT = 94


class Priority(enum.Enum):
    """Alarm priority: the send order and the SDS access priority of ``AT+CTSDS``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def access_priority(self) -> int:
        """The ``<access priority>`` field of ``AT+CTSDS`` (EN 300 392-5 §6.14.6).

        Low 0, medium 1, high 2.  [unverified] pei.md §1.2 marks the meaning of
        the values (0 low, 1 high, 2 emergency) as unverified, so this mapping
        is a best reading and lives in this one place.
        """
        return {"low": 0, "medium": 1, "high": 2}[self.value]

    @property
    def rank(self) -> int:
        """Send order: a smaller rank is sent first."""
        return {"high": 0, "medium": 1, "low": 2}[self.value]


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 position."""

    latitude: float
    longitude: float
    altitude: float | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """The site the controller serves."""

    name: str = "tetrakit"
    location: GeoPoint | None = None


@dataclass(frozen=True, slots=True)
class RadioConfig:
    """One PEI radio (``radios`` order = preference, the first is the primary)."""

    id: str
    port: str
    baudrate: int = 38400
    vendor: str = "generic"
    issi: int | None = None
    rtscts: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    """A team member's radio."""

    issi: int
    name: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Team:
    """A team: its talkgroups and its members' radios."""

    id: str
    name: str
    groups: tuple[int, ...] = ()
    members: tuple[Member, ...] = ()

    def member(self, issi: int) -> Member | None:
        """The member with this ISSI, or ``None``."""
        for m in self.members:
            if m.issi == issi:
                return m
        return None


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """Status values and reply texts that mean one answer."""

    statuses: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answers:
    """What counts as accept, reject and standby."""

    accept: AnswerRule = AnswerRule((0x8001,), ("JA", "OK"))
    reject: AnswerRule = AnswerRule((0x8002,), ("NEI",))
    standby: AnswerRule = AnswerRule((0x8003,), ("VENT",))

    def classify_status(self, value: int) -> str | None:
        """``"accept"``, ``"reject"``, ``"standby"`` or ``None`` for a status value."""
        for name in ("accept", "reject", "standby"):
            if value in getattr(self, name).statuses:
                return name
        return None

    def classify_text(self, text: str) -> str | None:
        """Classify a reply text by its first word (case-insensitive)."""
        words = text.strip().split()
        if not words:
            return None
        first = words[0].strip(".,!").upper()
        for name in ("accept", "reject", "standby"):
            if first in (t.upper() for t in getattr(self, name).texts):
                return name
        return None


@dataclass(frozen=True, slots=True)
class Targets:
    """Who gets a call-out: teams (members and talkgroups), groups and single radios."""

    teams: tuple[str, ...] = ()
    groups: tuple[int, ...] = ()
    issis: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.teams or self.groups or self.issis)


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    """A further set of targets, called after ``after`` seconds and/or when all rejected."""

    targets: Targets
    after: float | None = None
    when_all_rejected: bool = False


@dataclass(frozen=True, slots=True)
class AlarmType:
    """A predefined alarm: event label, priority, targets and the rules that follow it."""

    code: str
    label: str
    priority: Priority = Priority.HIGH
    targets: Targets = Targets()
    required_accepts: int = 1
    repeat_interval: float = 30.0
    group_repeats: int = 2
    group_repeat_spacing: float = 5.0
    escalation: tuple[EscalationLevel, ...] = ()
    answers: Answers | None = None
    test: bool = False
    expire_after: float = 900.0


@dataclass(frozen=True, slots=True)
class Location:
    """Where a button is: building, floor, unit, room and WGS84 coordinates."""

    building: str = ""
    floor: str = ""
    unit: str = ""
    room: str = ""
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    text: str = ""

    @property
    def point(self) -> GeoPoint | None:
        if self.latitude is None or self.longitude is None:
            return None
        return GeoPoint(self.latitude, self.longitude, self.altitude)


@dataclass(frozen=True, slots=True)
class Button:
    """A predefined alarm button: the alarm it raises and where it is."""

    id: str
    alarm: str
    location: Location = Location()


@dataclass(frozen=True, slots=True)
class TestAlarms:
    """Test alarms: where they go, their prefix, and (ops) their schedule."""

    target: Targets = Targets(issis=(1009,))
    prefix: str = "TEST"
    schedule: tuple[str, ...] = ()
    answer_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class ButtonBox:
    """(inputs) A button panel on a serial line and its button numbering."""

    id: str
    port: str
    baudrate: int = 115200
    lost_after: float = 3.0
    buttons: tuple[tuple[int, str], ...] = ()

    def button_id(self, number: int) -> str | None:
        """The controller button id bound to a panel button number."""
        return dict(self.buttons).get(number)


@dataclass(frozen=True, slots=True)
class Inputs:
    """(inputs) Alarm inputs other than the CLI and the HTTP API."""

    buttonboxes: tuple[ButtonBox, ...] = ()


@dataclass(frozen=True, slots=True)
class Supervision:
    """(ops) Radio link supervision."""

    interval: float = 10.0
    misses: int = 3


@dataclass(frozen=True, slots=True)
class FaultAlarm:
    """(ops) Where fault alarms go."""

    targets: Targets = Targets(issis=(1003,))
    webhook: str | None = None


@dataclass(frozen=True, slots=True)
class HttpConfig:
    """(ops) The HTTP API; ``listen`` ``None`` disables it."""

    listen: str | None = "127.0.0.1:8080"
    token: str | None = None
    token_file: Path | None = None


@dataclass(frozen=True, slots=True)
class AlarmConfig:
    """The whole validated configuration."""

    path: Path
    radios: tuple[RadioConfig, ...]
    alarm_types: tuple[AlarmType, ...]
    site: Site = Site()
    teams: tuple[Team, ...] = ()
    answers: Answers = Answers()
    buttons: tuple[Button, ...] = ()
    duplicate_window: float = 10.0
    journal: Path = Path("var/alarm-journal.sqlite3")
    control_socket: Path = Path("var/tetrakit-alarm.sock")
    test_alarms: TestAlarms = TestAlarms()
    inputs: Inputs = Inputs()
    supervision: Supervision = Supervision()
    fault_alarm: FaultAlarm = FaultAlarm()
    http: HttpConfig = HttpConfig()
    _index: dict[str, dict[str, object]] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        self._index.update(
            team={t.id: t for t in self.teams},
            alarm={a.code: a for a in self.alarm_types},
            button={b.id: b for b in self.buttons},
        )

    def team(self, team_id: str) -> Team:
        """The team with this id (KeyError if not defined)."""
        return self._index["team"][team_id]  # type: ignore[return-value]

    def alarm_type(self, code: str) -> AlarmType:
        """The alarm type with this code (KeyError if not defined)."""
        return self._index["alarm"][code]  # type: ignore[return-value]

    def button(self, button_id: str) -> Button:
        """The button with this id (KeyError if not defined)."""
        return self._index["button"][button_id]  # type: ignore[return-value]

    def answers_for(self, alarm_type: AlarmType) -> Answers:
        """The answers that apply to an alarm type (its override or the defaults)."""
        return alarm_type.answers or self.answers


# --------------------------------------------------------------------------- loading

_T = TypeVar("_T")
_NO_NODES: list[_Node] = []
_SCALAR = yaml.constructor.SafeConstructor()


class _Node:
    """A YAML node with its key path, so that every error can say where it is."""

    __slots__ = ("file", "node", "path")

    def __init__(self, node: yaml.nodes.Node, path: str, file: str) -> None:
        self.node = node
        self.path = path
        self.file = file

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def error(self, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line, key_path=self.path or "(top)")

    def child(self, node: yaml.nodes.Node, key: str | int) -> _Node:
        if isinstance(key, int):
            return _Node(node, f"{self.path}[{key}]", self.file)
        return _Node(node, f"{self.path}.{key}" if self.path else key, self.file)

    # -- shapes
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def mapping(self, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> _Map:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"must be a mapping with keys {', '.join(allowed)}")
        entries: dict[str, _Node] = {}
        for knode, vnode in self.node.value:
            key = _SCALAR.construct_object(knode) if isinstance(knode, yaml.ScalarNode) else None
            key_s = str(key) if key is not None else "?"
            where = _Node(knode, f"{self.path}.{key_s}" if self.path else key_s, self.file)
            if not isinstance(knode, yaml.ScalarNode):
                raise where.error("keys must be plain names")
            if key_s not in allowed:
                raise where.error(f"unknown key (expected one of: {', '.join(allowed)})")
            if key_s in entries:
                raise where.error("duplicate key")
            entries[key_s] = self.child(vnode, key_s)
        for key in required:
            if key not in entries:
                raise self.error(f"missing required key {key!r}")
        return _Map(self, entries)

    def sequence(self) -> list[_Node]:
        if self.is_null():
            return []
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error("must be a list")
        return [self.child(n, i) for i, n in enumerate(self.node.value)]

    def scalar(self) -> object:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("must be a single value, not a list or mapping")
        try:
            return _SCALAR.construct_object(self.node)
        except yaml.YAMLError as exc:
            raise self.error(f"cannot read value: {exc}") from None

    # -- typed values
    def text(self, *, allow_empty: bool = False, latin1: bool = False) -> str:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error("must be a text")
        # plain YAML turns 312 into an int; a room number is still a text to us
        s = self.node.value if isinstance(value, int | float) else value
        if not s and not allow_empty:
            raise self.error("must not be empty")
        if latin1:
            try:
                s.encode("latin-1")
            except UnicodeEncodeError as exc:
                raise self.error(
                    f"character {s[exc.start]!r} cannot be shown on a radio (Latin-1 only)"
                ) from None
        return str(s)

    def ident(self) -> str:
        s = self.text()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", s):
            raise self.error(f"{s!r} is not a valid id (letters, digits, '_', '.', ':', '-')")
        return s

    def integer(self, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error("must be a whole number")
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            raise self.error(f"must be at most {maximum}, not {value}")
        return value

    def issi(self) -> int:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SSI:
            raise self.error(f"must be an ISSI/GSSI 1-{MAX_SSI}, not {value!r}")
        return value

    def number(self, *, positive: bool = False, what: str = "number") -> float:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"must be a {what}")
        if positive and not value > 0:
            raise self.error(f"must be a positive {what}")
        if not positive and value < 0:
            raise self.error(f"must not be negative ({what})")
        return float(value)

    def seconds(self, *, allow_zero: bool = False) -> float:
        value = self.scalar()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error("must be a number of seconds")
        if value < 0 or (value == 0 and not allow_zero):
            raise self.error(
                "must be a positive number of seconds"
                if not allow_zero
                else "must be a number of seconds >= 0"
            )
        return float(value)

    def boolean(self) -> bool:
        value = self.scalar()
        if not isinstance(value, bool):
            raise self.error("must be true or false")
        return value

    def choice(self, choices: tuple[str, ...]) -> str:
        s = self.text()
        if s not in choices:
            raise self.error(f"must be one of {', '.join(choices)}, not {s!r}")
        return s


class _Map:
    """The entries of a validated mapping node."""

    def __init__(self, owner: _Node, entries: dict[str, _Node]) -> None:
        self.owner = owner
        self.entries = entries

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __getitem__(self, key: str) -> _Node:
        return self.entries[key]

    def opt(self, key: str, conv: Callable[[_Node], _T], default: _T) -> _T:
        n = self.entries.get(key)
        if n is None or n.is_null():
            return default
        return conv(n)

    def items(self) -> Iterator[tuple[str, _Node]]:
        return iter(self.entries.items())


def _unique(items: list[tuple[_Node, str]], what: str) -> None:
    seen: dict[str, int] = {}
    for node, key in items:
        if key in seen:
            raise node.error(f"duplicate {what} {key!r} (first defined on line {seen[key]})")
        seen[key] = node.line


def _issi_list(n: _Node) -> tuple[int, ...]:
    return tuple(c.issi() for c in n.sequence())


def _geo(n: _Node) -> GeoPoint:
    m = n.mapping(("latitude", "longitude", "altitude"), ("latitude", "longitude"))
    return GeoPoint(
        latitude=_latitude(m["latitude"]),
        longitude=_longitude(m["longitude"]),
        altitude=m.opt("altitude", lambda c: c.number(what="number of metres"), None),
    )


def _latitude(n: _Node) -> float:
    v = n.scalar()
    if isinstance(v, bool) or not isinstance(v, int | float) or not -90 <= v <= 90:
        raise n.error(f"must be a latitude in degrees -90..90, not {v!r}")
    return float(v)


def _longitude(n: _Node) -> float:
    v = n.scalar()
    if isinstance(v, bool) or not isinstance(v, int | float) or not -180 <= v <= 180:
        raise n.error(f"must be a longitude in degrees -180..180, not {v!r}")
    return float(v)


def _site(n: _Node) -> Site:
    m = n.mapping(("name", "location"))
    return Site(
        name=m.opt("name", lambda c: c.text(), "tetrakit"),
        location=m.opt("location", _geo, None),
    )


def _radio(n: _Node) -> RadioConfig:
    m = n.mapping(("id", "port", "baudrate", "vendor", "issi", "rtscts"), ("id", "port"))
    return RadioConfig(
        id=m["id"].ident(),
        port=m["port"].text(),
        baudrate=m.opt("baudrate", lambda c: c.integer(minimum=50, maximum=4_000_000), 38400),
        vendor=m.opt("vendor", lambda c: c.choice(("generic", "motorola", "sepura")), "generic"),
        issi=m.opt("issi", _Node.issi, None),
        rtscts=m.opt("rtscts", _Node.boolean, False),
    )


def _member(n: _Node) -> Member:
    m = n.mapping(("issi", "name", "role"), ("issi",))
    return Member(
        issi=m["issi"].issi(),
        name=m.opt("name", lambda c: c.text(allow_empty=True), ""),
        role=m.opt("role", lambda c: c.text(allow_empty=True), ""),
    )


def _team(n: _Node) -> Team:
    m = n.mapping(("id", "name", "groups", "members"), ("id",))
    tid = m["id"].ident()
    members: tuple[Member, ...] = ()
    if "members" in m:
        nodes = m["members"].sequence()
        members = tuple(_member(c) for c in nodes)
        _unique([(c, str(mem.issi)) for c, mem in zip(nodes, members, strict=True)], "member ISSI")
    return Team(
        id=tid,
        name=m.opt("name", lambda c: c.text(), tid),
        groups=m.opt("groups", _issi_list, ()),
        members=members,
    )


def _answer_rule(
    n: _Node, default: AnswerRule, where: list[tuple[object, _Node]]
) -> AnswerRule:
    """One answer's statuses and texts; ``where`` collects each given value with its node."""
    m = n.mapping(("statuses", "texts"))

    def statuses(c: _Node) -> tuple[int, ...]:
        out = []
        for s in c.sequence():
            v = s.integer(minimum=0, maximum=0xFFFF)
            where.append((v, s))
            out.append(v)
        return tuple(out)

    def texts(c: _Node) -> tuple[str, ...]:
        out = []
        for s in c.sequence():
            t = s.text()
            if " " in t.strip():
                raise s.error("a reply text is one word (it is matched on the first word)")
            where.append((t.strip().upper(), s))
            out.append(t.strip())
        return tuple(out)

    return AnswerRule(
        statuses=m.opt("statuses", statuses, default.statuses),
        texts=m.opt("texts", texts, default.texts),
    )


def _answers(n: _Node, base: Answers) -> Answers:
    m = n.mapping(("accept", "reject", "standby"))
    nodes: dict[str, list[tuple[object, _Node]]] = {"accept": [], "reject": [], "standby": []}

    def rule(name: str) -> AnswerRule:
        default: AnswerRule = getattr(base, name)
        return m.opt(name, lambda c: _answer_rule(c, default, nodes[name]), default)

    answers = Answers(accept=rule("accept"), reject=rule("reject"), standby=rule("standby"))
    # the first meaning of each value, with the node that gave it (None: a default)
    seen: dict[object, tuple[str, _Node | None]] = {}
    for name in ("accept", "reject", "standby"):
        r: AnswerRule = getattr(answers, name)
        given = dict(nodes[name])  # value -> its node in this file (absent: inherited)
        for v in (*r.statuses, *(t.upper() for t in r.texts)):
            node = given.get(v)
            if v in seen and seen[v][0] != name:
                shown = f"0x{v:04X}" if isinstance(v, int) else repr(v)
                # point at the value written in this file (a default has no line)
                at = node or seen[v][1] or n
                raise at.error(f"answer {shown} is both {seen[v][0]} and {name}")
            seen.setdefault(v, (name, node))
    return answers


def _targets(n: _Node, teams: dict[str, Team], *, allow_empty: bool = False) -> Targets:
    m = n.mapping(("teams", "groups", "issis"))
    team_ids: list[str] = []
    if "teams" in m:
        for c in m["teams"].sequence():
            tid = c.text()
            if tid not in teams:
                known = ", ".join(sorted(teams)) or "none defined"
                raise c.error(f"team {tid!r} is not defined (teams: {known})")
            team_ids.append(tid)
    t = Targets(
        teams=tuple(team_ids),
        groups=m.opt("groups", _issi_list, ()),
        issis=m.opt("issis", _issi_list, ()),
    )
    if t.empty and not allow_empty:
        raise n.error("names no one: give teams, groups or issis")
    return t


def _escalation(n: _Node, teams: dict[str, Team]) -> EscalationLevel:
    m = n.mapping(("after", "when", "targets"), ("targets",))
    after = m.opt("after", lambda c: c.seconds(), None)
    when = m.opt("when", lambda c: c.choice(("all_rejected",)), None)
    if after is None and when is None:
        raise n.error("an escalation level needs 'after' (seconds) or 'when: all_rejected'")
    return EscalationLevel(
        targets=_targets(m["targets"], teams),
        after=after,
        when_all_rejected=when == "all_rejected",
    )


def _alarm_type(n: _Node, teams: dict[str, Team], answers: Answers) -> AlarmType:
    keys = (
        "code",
        "label",
        "priority",
        "targets",
        "required_accepts",
        "repeat_interval",
        "group_repeats",
        "group_repeat_spacing",
        "escalation",
        "answers",
        "test",
        "expire_after",
    )
    m = n.mapping(keys, ("code",))
    code = m["code"].ident()
    test = m.opt("test", _Node.boolean, False)
    if "targets" not in m and not test:
        raise n.error("missing required key 'targets' (only a test alarm type may omit it)")
    return AlarmType(
        code=code,
        label=m.opt("label", lambda c: c.text(latin1=True), code),
        priority=m.opt("priority", lambda c: Priority(c.choice(("high", "medium", "low"))),
                       Priority.HIGH),
        targets=m.opt("targets", lambda c: _targets(c, teams, allow_empty=test), Targets()),
        required_accepts=m.opt("required_accepts", lambda c: c.integer(minimum=1), 1),
        repeat_interval=m.opt("repeat_interval", lambda c: c.seconds(), 30.0),
        group_repeats=m.opt("group_repeats", lambda c: c.integer(minimum=0, maximum=20), 2),
        group_repeat_spacing=m.opt("group_repeat_spacing", lambda c: c.seconds(), 5.0),
        escalation=tuple(
            _escalation(c, teams) for c in m.opt("escalation", _Node.sequence, _NO_NODES)
        ),
        answers=m.opt("answers", lambda c: _answers(c, answers), None),
        test=test,
        expire_after=m.opt("expire_after", lambda c: c.seconds(), 900.0),
    )


def _location(n: _Node) -> Location:
    keys = ("building", "floor", "unit", "room", "latitude", "longitude", "altitude", "text")
    m = n.mapping(keys)

    def txt(c: _Node) -> str:
        return c.text(latin1=True)

    loc = Location(
        building=m.opt("building", txt, ""),
        floor=m.opt("floor", txt, ""),
        unit=m.opt("unit", txt, ""),
        room=m.opt("room", txt, ""),
        latitude=m.opt("latitude", _latitude, None),
        longitude=m.opt("longitude", _longitude, None),
        altitude=m.opt("altitude", lambda c: c.number(what="number of metres"), None),
        text=m.opt("text", txt, ""),
    )
    if (loc.latitude is None) != (loc.longitude is None):
        raise n.error("give both latitude and longitude, or neither")
    if not (loc.building or loc.floor or loc.unit or loc.room or loc.text):
        raise n.error("a button location needs at least one of building, floor, unit, room, text")
    return loc


def _button(n: _Node, alarm_codes: set[str]) -> Button:
    m = n.mapping(("id", "alarm", "location"), ("id", "alarm", "location"))
    alarm = m["alarm"].text()
    if alarm not in alarm_codes:
        raise m["alarm"].error(
            f"alarm type {alarm!r} is not defined (alarm_types: {', '.join(sorted(alarm_codes))})"
        )
    return Button(id=m["id"].ident(), alarm=alarm, location=_location(m["location"]))


def _path(n: _Node, base: Path) -> Path:
    p = Path(n.text())
    return p if p.is_absolute() else base / p


def _socket_path(n: _Node, base: Path) -> Path:
    p = _path(n, base)
    if len(str(p).encode()) > _MAX_SOCKET_PATH:
        raise n.error(
            f"socket path {str(p)!r} is longer than {_MAX_SOCKET_PATH} bytes, "
            "the limit of a unix-domain socket address"
        )
    return p


def _test_alarms(n: _Node, teams: dict[str, Team]) -> TestAlarms:
    m = n.mapping(("target", "prefix", "schedule", "answer_timeout"))

    def schedule(c: _Node) -> tuple[str, ...]:
        out = []
        for s in c.sequence():
            # read the raw text: unquoted 07:00 is a sexagesimal number in YAML 1.1
            raw = s.node.value if isinstance(s.node, yaml.ScalarNode) else None
            if not isinstance(raw, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw):
                raise s.error(f"must be a local time HH:MM (quoted), not {raw!r}")
            out.append(raw)
        return tuple(out)

    def prefix(c: _Node) -> str:
        s = c.text(latin1=True)
        # the prefix, a space, at least one character of label and the alarm id must fit
        if len(s) + 2 + _ID_ROOM > _MAX_CALLOUT:
            raise c.error(
                f"the test prefix is {len(s)} characters; a test call-out (prefix, label and "
                f"' #A99999') must fit in {_MAX_CALLOUT} characters"
            )
        return s

    return TestAlarms(
        target=m.opt("target", lambda c: _targets(c, teams), Targets(issis=(1009,))),
        prefix=m.opt("prefix", prefix, "TEST"),
        schedule=m.opt("schedule", schedule, ()),
        answer_timeout=m.opt("answer_timeout", lambda c: c.seconds(), 60.0),
    )


def _buttonbox(n: _Node, base: Path, button_ids: set[str]) -> ButtonBox:
    m = n.mapping(("id", "port", "baudrate", "lost_after", "buttons"), ("id", "port", "buttons"))
    bnode = m["buttons"]
    if not isinstance(bnode.node, yaml.MappingNode):
        raise bnode.error("must be a mapping of panel button number -> button id")
    pairs: list[tuple[int, str]] = []
    for knode, vnode in bnode.node.value:
        key = bnode.child(knode, str(getattr(knode, "value", "?")))
        number = key.integer(minimum=1, maximum=255)
        if any(number == p for p, _ in pairs):
            raise key.error("duplicate panel button number")
        c = bnode.child(vnode, number)
        bid = c.text()
        if bid not in button_ids:
            raise c.error(f"button {bid!r} is not defined in buttons")
        pairs.append((number, bid))
    port = m["port"].text()
    if "://" not in port and not port.startswith("/"):
        port = str(base / port)
    return ButtonBox(
        id=m["id"].ident(),
        port=port,
        baudrate=m.opt("baudrate", lambda c: c.integer(minimum=50, maximum=4_000_000), 115200),
        lost_after=m.opt("lost_after", lambda c: c.seconds(), 3.0),
        buttons=tuple(sorted(pairs)),
    )


def _inputs(n: _Node, base: Path, button_ids: set[str]) -> Inputs:
    m = n.mapping(("buttonboxes",))
    boxes_n = m.opt("buttonboxes", _Node.sequence, _NO_NODES)
    boxes = tuple(_buttonbox(c, base, button_ids) for c in boxes_n)
    _unique([(c, b.id) for c, b in zip(boxes_n, boxes, strict=True)], "button box id")
    return Inputs(buttonboxes=boxes)


def _supervision(n: _Node) -> Supervision:
    m = n.mapping(("interval", "misses"))
    return Supervision(
        interval=m.opt("interval", lambda c: c.seconds(), 10.0),
        misses=m.opt("misses", lambda c: c.integer(minimum=1), 3),
    )


def _fault_alarm(n: _Node, teams: dict[str, Team]) -> FaultAlarm:
    m = n.mapping(("targets", "webhook"))

    def url(c: _Node) -> str:
        s = c.text()
        if not re.match(r"https?://[^\s/]+", s):
            raise c.error(f"must be an http:// or https:// URL, not {s!r}")
        return s

    return FaultAlarm(
        targets=m.opt("targets", lambda c: _targets(c, teams), Targets(issis=(1003,))),
        webhook=m.opt("webhook", url, None),
    )


def _http(n: _Node, base: Path) -> HttpConfig:
    m = n.mapping(("listen", "token", "token_file"))

    def listen(c: _Node) -> str:
        s = c.text()
        host, sep, port = s.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise c.error(f"must be HOST:PORT, e.g. 127.0.0.1:8080, not {s!r}")
        return s

    def token_file(c: _Node) -> Path:
        # read now, so 'check' and a SIGHUP reload refuse a token the API could not use
        # (a reload must not take the running API down over it)
        p = _path(c, base)
        try:
            token = p.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise c.error(f"cannot read the token file {p}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise c.error(f"the token file {p} is not UTF-8 text") from None
        if not token:
            raise c.error(f"the token file {p} is empty")
        return p

    cfg = HttpConfig(
        listen=listen(m["listen"]) if "listen" in m and not m["listen"].is_null()
        else (None if "listen" in m else "127.0.0.1:8080"),
        token=m.opt("token", lambda c: c.text(), None),
        token_file=m.opt("token_file", token_file, None),
    )
    if cfg.token is not None and cfg.token_file is not None:
        raise n.error("give token or token_file, not both")
    if (cfg.listen is not None and cfg.token is None and cfg.token_file is None
            and not _is_loopback(cfg.listen.rpartition(":")[0])):
        # alarm-domain.md §7: an API reachable from the network must not run open
        raise m["listen"].error(
            f"http.listen {cfg.listen!r} is reachable from the network: give http.token or "
            "http.token_file, or listen on 127.0.0.1"
        )
    return cfg


def _is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or ``localhost`` (a name other than that counts as not)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- whole-file checks
#
# Rules that tie sections together; they run once every section is valid on its own.


def _find(n: _Node, key: str) -> _Node | None:
    """The value node of ``key`` in an already validated mapping node, or ``None``."""
    if isinstance(n.node, yaml.MappingNode):
        for knode, vnode in n.node.value:
            if isinstance(knode, yaml.ScalarNode) and str(knode.value) == key:
                return n.child(vnode, key)
    return None


def _items(n: _Node | None) -> list[_Node]:
    return n.sequence() if n is not None else []


def _check_identities(radios_n: list[_Node], radios: tuple[RadioConfig, ...],
                      teams_n: list[_Node], teams: tuple[Team, ...]) -> None:
    """A radio's own ISSI is no team member's ISSI nor a GSSI; a GSSI is no member's ISSI.

    Either clash would make the controller call itself, or take its own
    messages (or a talkgroup's) for a member's answer.
    """
    members: dict[int, str] = {}
    for t in teams:
        for mem in t.members:
            members.setdefault(mem.issi, f"a member of team {t.id!r}")
    groups: dict[int, str] = {}
    for t in teams:
        for g in t.groups:
            groups.setdefault(g, f"a talkgroup (GSSI) of team {t.id!r}")
    for rn, radio in zip(radios_n, radios, strict=True):
        if radio.issi is None:
            continue
        clash = members.get(radio.issi) or groups.get(radio.issi)
        if clash is not None:
            at = _find(rn, "issi") or rn
            raise at.error(f"radio {radio.id!r} has ISSI {radio.issi}, which is also {clash}")
    for tn, t in zip(teams_n, teams, strict=True):
        for gn, g in zip(_items(_find(tn, "groups")), t.groups, strict=True):
            if g in members:
                raise gn.error(f"GSSI {g} of team {t.id!r} is also the ISSI of {members[g]}")


def _check_alarm_type(n: _Node, at: AlarmType, teams: dict[str, Team], prefix: str) -> None:
    """The call-out of ``at`` can be shown, and its ``required_accepts`` can be reached."""
    event = f"{prefix} {at.label}" if at.test else at.label
    if len(event) + _ID_ROOM > _MAX_CALLOUT:
        at_node = _find(n, "label") or _find(n, "code") or n
        what = f"test prefix {prefix!r} + label {at.label!r}" if at.test else "the label"
        raise at_node.error(
            f"{what} is {len(event)} characters; with the alarm id (' #A99999') the "
            f"call-out would exceed {_MAX_CALLOUT} characters: shorten it to at most "
            f"{_MAX_CALLOUT - _ID_ROOM}"
        )
    if at.test:
        return  # a test alarm needs one receipt, not accepts (engine: required 1)
    levels = [at.targets, *(lvl.targets for lvl in at.escalation)]
    people: set[int] = set()
    for targets in levels:
        people.update(targets.issis)
        for tid in targets.teams:
            people.update(m.issi for m in teams[tid].members)
        for g in targets.groups:
            owners = [t for t in teams.values() if g in t.groups]
            if not owners:
                return  # a talkgroup of no team: its size is unknown, nothing to check
            for t in owners:  # answers via a team's talkgroup count from its members only
                people.update(m.issi for m in t.members)
    if at.required_accepts > len(people):
        rn = _find(n, "required_accepts") or n
        raise rn.error(
            f"needs {at.required_accepts} accepts, but the targets and escalation levels of "
            f"{at.code!r} reach only {len(people)} radio(s) that can answer: it could never "
            "be resolved"
        )


_TOP_KEYS = (
    "site",
    "radios",
    "teams",
    "answers",
    "alarm_types",
    "buttons",
    "duplicate_window",
    "journal",
    "control_socket",
    "test_alarms",
    "inputs",
    "supervision",
    "fault_alarm",
    "http",
)


def _syntax_path(text: str) -> str:
    """The key path the YAML parser had reached when it met a syntax error (best effort).

    There is no node tree to point into, so the parser's events are replayed
    and the path of the last key or item it started is kept.
    """
    # one frame per open container: [is_mapping, current key or index, expecting a key]
    frames: list[list[Any]] = []
    path = "(top)"

    def here() -> str:
        out = ""
        for is_map, at, _ in frames:
            if is_map and at is not None:
                out = f"{out}.{at}" if out else str(at)
            elif not is_map and at >= 0:
                out = f"{out}[{at}]"
        return out or "(top)"

    def value_starts() -> None:
        if frames and not frames[-1][0]:
            frames[-1][1] += 1

    def value_done() -> None:
        if frames and frames[-1][0]:
            frames[-1][2] = True

    try:
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.ScalarEvent):
                if frames and frames[-1][0] and frames[-1][2]:
                    frames[-1][1], frames[-1][2] = ev.value, False
                else:
                    value_starts()
                    value_done()
            elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if frames and frames[-1][0] and frames[-1][2]:
                    frames[-1][2] = False  # a complex key: keep the previous key's path
                else:
                    value_starts()
                frames.append([isinstance(ev, yaml.MappingStartEvent),
                               None if isinstance(ev, yaml.MappingStartEvent) else -1, True])
            elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frames.pop()
                value_done()
            path = here()
    except yaml.YAMLError:
        return path
    return path


def parse_config(text: str, *, file: str = "<string>", base: Path | None = None) -> AlarmConfig:
    """Validate a configuration given as YAML text.

    Args:
        text: the YAML document.
        file: the name used in error messages.
        base: the folder relative paths are resolved against (default: the current folder).

    Raises:
        ConfigError: naming file, line and key path of the first problem found.
    """
    base = base if base is not None else Path.cwd()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"YAML syntax error: {problem}", file=file, line=line, key_path=_syntax_path(text)
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML syntax error: {exc}", file=file) from None
    if root is None:
        raise ConfigError("the file is empty", file=file, line=1, key_path="(top)")
    top = _Node(root, "", file).mapping(_TOP_KEYS, ("radios", "alarm_types"))

    radios_n = top["radios"].sequence()
    if not radios_n:
        raise top["radios"].error("at least one radio is needed")
    radios = tuple(_radio(c) for c in radios_n)
    _unique([(c, r.id) for c, r in zip(radios_n, radios, strict=True)], "radio id")

    teams_n = top.opt("teams", _Node.sequence, _NO_NODES)
    team_list = tuple(_team(c) for c in teams_n)
    _unique([(c, t.id) for c, t in zip(teams_n, team_list, strict=True)], "team id")
    teams = {t.id: t for t in team_list}

    answers = top.opt("answers", lambda c: _answers(c, Answers()), Answers())

    types_n = top["alarm_types"].sequence()
    if not types_n:
        raise top["alarm_types"].error("at least one alarm type is needed")
    alarm_types = tuple(_alarm_type(c, teams, answers) for c in types_n)
    _unique([(c, a.code) for c, a in zip(types_n, alarm_types, strict=True)], "alarm code")
    codes = {a.code for a in alarm_types}
    _check_identities(radios_n, radios, teams_n, team_list)

    buttons_n = top.opt("buttons", _Node.sequence, _NO_NODES)
    buttons = tuple(_button(c, codes) for c in buttons_n)
    _unique([(c, b.id) for c, b in zip(buttons_n, buttons, strict=True)], "button id")
    button_ids = {b.id for b in buttons}

    test_alarms = top.opt("test_alarms", lambda c: _test_alarms(c, teams), TestAlarms())
    for c, at in zip(types_n, alarm_types, strict=True):
        _check_alarm_type(c, at, teams, test_alarms.prefix)

    return AlarmConfig(
        path=Path(file),
        site=top.opt("site", _site, Site()),
        radios=radios,
        teams=team_list,
        answers=answers,
        alarm_types=alarm_types,
        buttons=buttons,
        duplicate_window=top.opt(
            "duplicate_window", lambda c: c.seconds(allow_zero=True), 10.0
        ),
        journal=top.opt("journal", lambda c: _path(c, base), base / "var/alarm-journal.sqlite3"),
        control_socket=top.opt(
            "control_socket", lambda c: _socket_path(c, base), base / "var/tetrakit-alarm.sock"
        ),
        test_alarms=test_alarms,
        inputs=top.opt("inputs", lambda c: _inputs(c, base, button_ids), Inputs()),
        supervision=top.opt("supervision", _supervision, Supervision()),
        fault_alarm=top.opt("fault_alarm", lambda c: _fault_alarm(c, teams), FaultAlarm()),
        http=top.opt("http", lambda c: _http(c, base), HttpConfig()),
    )


def load_config(path: str | Path) -> AlarmConfig:
    """Read and validate a configuration file.

    Raises:
        ConfigError: the file cannot be read or is invalid (file, line and key path named).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", file=str(p)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc, str(p)) from None
    return parse_config(text, file=str(p), base=p.resolve().parent)


def _not_utf8(data: bytes, exc: UnicodeDecodeError, file: str) -> ConfigError:
    """Name the line and, when the rest of the file is readable YAML, the key path."""
    line = data[: exc.start].count(b"\n") + 1
    bad = data[exc.start : exc.end].hex(" ")
    message = f"not UTF-8 text: byte(s) {bad} at byte {exc.start} ({exc.reason})"
    index = len(data[: exc.start].decode("utf-8"))  # characters before the bad byte
    key_path = ""
    try:
        root = yaml.compose(data.decode("utf-8", errors="replace"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    if root is not None:
        key_path = _path_at(_Node(root, "", file), index) or "(top)"
    return ConfigError(message, file=file, line=line, key_path=key_path)


def _path_at(n: _Node, index: int) -> str | None:
    """The key path of the innermost node that spans character ``index``."""
    if not n.node.start_mark.index <= index < n.node.end_mark.index:
        return None
    children: list[_Node] = []
    if isinstance(n.node, yaml.MappingNode):
        for knode, vnode in n.node.value:
            key = str(getattr(knode, "value", "?"))
            children += [n.child(knode, key), n.child(vnode, key)]
    elif isinstance(n.node, yaml.SequenceNode):
        children = [n.child(c, i) for i, c in enumerate(n.node.value)]
    for c in children:
        found = _path_at(c, index)
        if found is not None:
            return found
    return n.path or None
