"""Scenarios: radios, groups, team members, faults on a timeline, network settings, seed.

A scenario is a YAML file, validated strictly: unknown keys, wrong types,
unknown references (a member in an undefined group, a fault on an unknown
ISSI) and out-of-range values raise :class:`tetrakit.errors.ConfigError`
naming the file, the line and the key path.  The format is documented in
``docs/simulator.md``; ``firmware_sim/scenarios/hospital.yaml`` is the
built-in default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from firmware_sim.buttonbox.scenario import PanelSpec, parse_panels
from firmware_sim.members import ANSWERS, Behaviour, LipSettings
from firmware_sim.network import NetworkConfig
from firmware_sim.profiles import VendorProfile, load_profile, parse_profile
from firmware_sim.yamlcheck import Section, load_yaml
from tetrakit.errors import ConfigError
from tetrakit.identities import MAX_SSI

__all__ = [
    "FAULT_KINDS",
    "SCENARIO_DIR",
    "CallSpec",
    "FaultSpec",
    "GroupSpec",
    "MemberSpec",
    "MobilitySpec",
    "RadioSpec",
    "Scenario",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
]

SCENARIO_DIR = Path(__file__).parent / "scenarios"

#: fault kind -> (applies to radios, applies to members)
FAULT_KINDS: dict[str, tuple[bool, bool]] = {
    "reboot": (True, False),
    "busy": (True, False),
    "garbage": (True, False),
    "noise": (True, False),
    "drop_bytes": (True, False),
    "one_byte": (True, False),
    "delay": (True, False),
    "coverage_loss": (True, True),
    "switch_off": (True, True),
}


@dataclass(frozen=True, slots=True)
class GroupSpec:
    gssi: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class RadioSpec:
    """A radio with a PEI (the controller's radios, a spare for the CLI).

    ``sds_rate``: SDS per second this radio puts on the air (its uplink);
    ``None`` = the profile's figure, else the network's ``rate_limit``.
    """

    issi: int
    profile: VendorProfile
    name: str = ""
    groups: tuple[int, ...] = ()
    powered: bool = True
    sds_rate: float | None = None


@dataclass(frozen=True, slots=True)
class MobilitySpec:
    """How a member moves: ``walk`` around a point, ``waypoints``, or ``fixed``."""

    kind: str
    latitude: float
    longitude: float
    radius_m: float = 60.0
    speed_mps: float = 1.2
    points: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class MemberSpec:
    """A handheld without PEI and the person carrying it."""

    issi: int
    behaviour: Behaviour
    name: str = ""
    groups: tuple[int, ...] = ()
    mobility: MobilitySpec | None = None
    lip: LipSettings | None = None
    powered: bool = True


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One fault on the timeline.

    Attributes:
        at: simulated second it starts.
        target: the ISSI it hits.
        kind: one of :data:`FAULT_KINDS`.
        duration: seconds it lasts (reboot: silent time; ``None`` = profile
            default for a reboot, for ever for the others).
        commands: ``busy``: how many commands get ``+CME ERROR: 42``.
        count: ``garbage``: how many noise bytes.
        probability: ``drop_bytes`` / ``noise``: per byte.
        seconds: ``delay``: how long bytes are held back.
    """

    at: float
    target: int
    kind: str
    duration: float | None = None
    commands: int = 1
    count: int = 16
    probability: float = 0.1
    seconds: float = 0.5


@dataclass(frozen=True, slots=True)
class CallSpec:
    """A group call on the timeline (signalling only, see :mod:`firmware_sim.calls`).

    Attributes:
        at: simulated second it is set up.
        caller: the calling ISSI (a member or a radio of the scenario).
        gssi: the called group.
        talk: seconds the caller holds the PTT from the set-up.
    """

    at: float
    caller: int
    gssi: int
    talk: float = 5.0


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario."""

    name: str
    seed: int = 0
    description: str = ""
    network: NetworkConfig = field(default_factory=NetworkConfig)
    groups: tuple[GroupSpec, ...] = ()
    radios: tuple[RadioSpec, ...] = ()
    members: tuple[MemberSpec, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    source: str = "<string>"
    #: simulated button boxes (``panels:``, see firmware_sim/buttonbox/scenario.py)
    panels: tuple[PanelSpec, ...] = ()
    #: group calls on the timeline (``calls:``)
    calls: tuple[CallSpec, ...] = ()
    #: (lat, lon, radius in metres) of the site, where the PEI radios are
    site: tuple[float, float, float] | None = None
    #: DM gateway addresses the radios hear in DMO (``+CTDGR``)
    dmo_gateways: tuple[int, ...] = ()

    def radio(self, issi: int) -> RadioSpec:
        for r in self.radios:
            if r.issi == issi:
                return r
        raise KeyError(issi)

    @property
    def pei_issis(self) -> list[int]:
        """ISSIs of the radios with a PEI, in file order."""
        return [r.issi for r in self.radios]


# -- reading ------------------------------------------------------------------------------------


def _ssi(sec: Section, key: str) -> int:
    value = sec.get(key, int)
    if not 1 <= value <= MAX_SSI:
        raise sec.error(key, f"an SSI is 1-{MAX_SSI}, got {value}")
    return value


def _range(sec: Section, key: str, default: tuple[float, float] | None
           ) -> tuple[float, float] | None:
    if not sec.has(key) or sec.data[key] is None:
        sec.get(key, object, None)
        return default
    value = sec.data[key]
    sec.get(key, object)
    if isinstance(value, int | float) and not isinstance(value, bool):
        lo = hi = float(value)
    elif (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        lo, hi = float(value[0]), float(value[1])
    else:
        raise sec.error(key, f"expected seconds or [low, high], got {value!r}")
    if not 0 <= lo <= hi:
        raise sec.error(key, f"need 0 <= low <= high, got {value!r}")
    return lo, hi


def _int_list(sec: Section, key: str) -> tuple[int, ...]:
    out = []
    for path, item in sec.items(key):
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= MAX_SSI:
            raise sec.source.error(path, f"expected an SSI 1-{MAX_SSI}, got {item!r}")
        out.append(item)
    return tuple(out)


def _network(sec: Section | None) -> NetworkConfig:
    if sec is None:
        return NetworkConfig()
    d = NetworkConfig()
    rate = sec.get("rate_limit", float, None)
    if rate is not None and rate <= 0:
        raise sec.error("rate_limit", f"must be positive (SDS per second), got {rate}")
    queue = sec.get("max_queue_delay", float, None)
    if queue is not None and queue < 0:
        raise sec.error("max_queue_delay", "must not be negative")
    store = sec.get("store_delay", float, None)
    if store is not None and store < 0:
        raise sec.error("store_delay", "must not be negative")
    mcc = sec.get("mcc", int, d.mcc)
    if not 0 <= mcc <= 1023:
        raise sec.error("mcc", f"must be 0-1023, got {mcc}")
    mnc = sec.get("mnc", int, d.mnc)
    if not 0 <= mnc <= 16383:
        raise sec.error("mnc", f"must be 0-16383, got {mnc}")
    cfg = NetworkConfig(
        mcc=mcc, mnc=mnc,
        location_area=sec.get("location_area", int, d.location_area),
        latency=sec.number("latency", d.latency),
        jitter=sec.number("jitter", d.jitter),
        rate_limit=rate, max_queue_delay=queue, store_delay=store,
        group_reports=sec.get("group_reports", bool, d.group_reports),
        call_hang_time=sec.number("call_hang_time", d.call_hang_time),
    )
    sec.done()
    return cfg


def _profile(sec: Section) -> VendorProfile:
    if not sec.has("profile"):
        sec.get("profile", str, "")
        return load_profile("generic")
    value = sec.data["profile"]
    if isinstance(value, str):
        sec.get("profile", str)
        try:
            path = value
            if value.endswith((".yaml", ".yml")) and not Path(value).is_absolute():
                path = str(Path(sec.source.file).parent / value)
            return load_profile(path)
        except ConfigError as exc:
            if exc.file:
                raise
            raise sec.error("profile", exc.reason) from None
    psec = sec.section("profile")
    assert psec is not None
    base = load_profile(psec.get("base", str, "generic"))
    return parse_profile(psec, name=base.name, base=base)


def _mobility(sec: Section | None, site: tuple[float, float, float] | None
              ) -> MobilitySpec | None:
    if sec is None:
        if site is None:
            return None
        return MobilitySpec("walk", site[0], site[1], radius_m=site[2])
    points: list[tuple[float, float]] = []
    for path, item in sec.items("waypoints"):
        if (not isinstance(item, list) or len(item) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)):
            raise sec.source.error(path, f"a waypoint is [lat, lon], got {item!r}")
        points.append((float(item[0]), float(item[1])))
    kind = sec.choice("move", ("walk", "waypoints", "fixed"), "waypoints" if points else "walk")
    lat = sec.get("lat", float, site[0] if site else None)
    lon = sec.get("lon", float, site[1] if site else None)
    if kind == "waypoints":
        if not points:
            raise sec.error("waypoints", "move: waypoints needs a list of [lat, lon]")
        lat = lat if lat is not None else points[0][0]
        lon = lon if lon is not None else points[0][1]
    if lat is None or lon is None:
        raise sec.error("lat", "a position needs lat and lon (or a site in the scenario)")
    if not -90 <= lat <= 90:
        raise sec.error("lat", f"must be -90..90, got {lat}")
    if not -180 <= lon <= 180:
        raise sec.error("lon", f"must be -180..180, got {lon}")
    spec = MobilitySpec(
        kind, lat, lon,
        radius_m=sec.number("radius", site[2] if site else 60.0),
        speed_mps=sec.number("speed", 1.2),
        points=tuple(points),
    )
    sec.done()
    return spec


def _lip(sec: Section, key: str, default: LipSettings | None) -> LipSettings | None:
    if sec.has(key) and sec.data[key] is False:
        sec.get(key, bool)
        return None
    lsec = sec.section(key, optional=True)
    if lsec is None:
        return default
    dest = _ssi(lsec, "destination") if (lsec.has("destination") or default is None) \
        else default.destination
    interval: float | None
    if lsec.has("interval") and lsec.data["interval"] is None:
        lsec.get("interval", float, None)
        interval = None
    else:
        interval = lsec.get("interval", float, default.interval if default else 60.0)
    if interval is not None and interval <= 0:
        raise lsec.error("interval", "must be positive seconds (or null for on request only)")
    report = lsec.choice("report", ("short", "long"),
                         "long" if default is not None and default.long else "short")
    lsec.done()
    return LipSettings(dest, interval, report == "long")


def _behaviour(sec: Section | None) -> Behaviour:
    if sec is None:
        return Behaviour()
    answer = sec.choice("answer", ANSWERS, "accept")
    after = _range(sec, "after", (10.0, 10.0))
    assert after is not None
    read_after = _range(sec, "read_after", None)
    via = sec.choice("via", ("status", "text"), "status")
    text = sec.get("text", str, None)
    if text is not None and not 1 <= len(text) <= 94:
        raise sec.error("text", "a reply text has 1-94 characters")
    sec.done()
    return Behaviour(answer, after, read_after, via, text)


def _fault(sec: Section, radios: set[int], members: set[int]) -> FaultSpec:
    kind = sec.choice("kind", tuple(FAULT_KINDS))
    target = _ssi(sec, "target")
    on_radio, on_member = FAULT_KINDS[kind]
    if target in radios and not on_radio:
        raise sec.error("target", f"{kind} applies to team members, {target} is a PEI radio")
    if target in members and not on_member:
        raise sec.error("target", f"{kind} applies to PEI radios, {target} is a team member")
    if target not in radios and target not in members:
        raise sec.error("target", f"{target} is not a radio or member of this scenario")
    duration = sec.get("duration", float, None)
    if duration is not None and duration < 0:
        raise sec.error("duration", "must not be negative")
    spec = FaultSpec(
        at=sec.number("at"), target=target, kind=kind, duration=duration,
        commands=sec.get("commands", int, 1), count=sec.get("bytes", int, 16),
        probability=sec.get("probability", float, 0.1), seconds=sec.number("seconds", 0.5),
    )
    if spec.commands < 1:
        raise sec.error("commands", "must be at least 1")
    if spec.count < 1:
        raise sec.error("bytes", "must be at least 1")
    if not 0 <= spec.probability <= 1:
        raise sec.error("probability", f"must be within 0..1, got {spec.probability}")
    sec.done()
    return spec


def parse_scenario(text: str, file: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text.

    Raises:
        ConfigError: naming file, line and key path of the first problem.
    """
    src = load_yaml(text, file)
    root = src.root()
    name = root.get("name", str, Path(file).stem)
    seed = root.get("seed", int, 0)
    description = root.get("description", str, "")
    network = _network(root.section("network", optional=True))
    site_sec = root.section("site", optional=True)
    site: tuple[float, float, float] | None = None
    if site_sec is not None:
        site = (site_sec.get("lat", float), site_sec.get("lon", float),
                site_sec.number("radius", 60.0))
        site_sec.done()
    default_lip = _lip(root, "lip", None)

    used: dict[int, str] = {}

    def claim(sec: Section, key: str, ssi: int, what: str) -> None:
        if ssi in used:
            raise sec.error(key, f"SSI {ssi} is already used by {used[ssi]}")
        used[ssi] = f"{what} at {sec.path}"

    groups = []
    for gsec in root.sections("groups"):
        g = GroupSpec(_ssi(gsec, "gssi"), gsec.get("name", str, ""))
        claim(gsec, "gssi", g.gssi, "group")
        gsec.done()
        groups.append(g)
    gssis = {g.gssi for g in groups}

    def check_groups(sec: Section) -> tuple[int, ...]:
        gs = _int_list(sec, "groups")
        for i, g in enumerate(gs):
            if g not in gssis:
                raise sec.source.error(f"{sec.path}.groups[{i}]",
                                       f"group {g} is not defined under groups:")
        return gs

    radios = []
    for rsec in root.sections("radios"):
        issi = _ssi(rsec, "issi")
        claim(rsec, "issi", issi, "radio")
        sds_rate = rsec.get("sds_rate", float, None)
        if sds_rate is not None and not sds_rate > 0:
            raise rsec.error("sds_rate", f"must be positive (SDS per second), got {sds_rate}")
        radios.append(RadioSpec(issi, _profile(rsec), rsec.get("name", str, ""),
                                check_groups(rsec), rsec.get("powered", bool, True),
                                sds_rate))
        rsec.done()

    members = []
    gap_faults = []
    for msec in root.sections("members"):
        issi = _ssi(msec, "issi")
        claim(msec, "issi", issi, "member")
        lip = _lip(msec, "lip", default_lip)
        spec = MemberSpec(
            issi=issi, behaviour=_behaviour(msec.section("behaviour", optional=True)),
            name=msec.get("name", str, ""), groups=check_groups(msec),
            mobility=_mobility(msec.section("position", optional=True), site), lip=lip,
            powered=msec.get("powered", bool, True),
        )
        for path, gap in msec.items("coverage_gaps"):
            if (not isinstance(gap, list) or len(gap) != 2 or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
                    for v in gap)):
                raise src.error(path, f"a coverage gap is [start, duration] seconds, got {gap!r}")
            gap_faults.append(FaultSpec(float(gap[0]), issi, "coverage_loss", float(gap[1])))
        msec.done()
        members.append(spec)

    radio_set, member_set = {r.issi for r in radios}, {m.issi for m in members}
    faults = [_fault(fsec, radio_set, member_set) for fsec in root.sections("faults")]
    faults.extend(gap_faults)
    for i, m in enumerate(members):
        if m.lip is not None and m.lip.destination not in used:
            raise src.error(f"members[{i}].lip.destination",
                            f"LIP destination {m.lip.destination} is not in this scenario")
    calls = []
    for csec in root.sections("calls"):
        caller = _ssi(csec, "from")
        if caller not in used or used[caller].startswith("group"):
            raise csec.error("from", f"{caller} is not a radio or member of this scenario")
        gssi = _ssi(csec, "to")
        if gssi not in gssis:
            raise csec.error("to", f"group {gssi} is not defined under groups:")
        calls.append(CallSpec(csec.number("at"), caller, gssi, csec.number("talk", 5.0)))
        csec.done()
    gateways = _int_list(root, "dmo_gateways")
    panels = parse_panels(root, seed)
    root.done()
    return Scenario(
        name=name, seed=seed, description=description, network=network,
        groups=tuple(groups), radios=tuple(radios), members=tuple(members),
        faults=tuple(sorted(faults, key=lambda f: f.at)), source=file, panels=panels,
        calls=tuple(sorted(calls, key=lambda c: c.at)), site=site, dmo_gateways=gateways,
    )


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``firmware_sim/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def resolve_scenario(name_or_path: str | Path) -> Path:
    """The file of a built-in scenario name, or the given path.

    Raises:
        ConfigError: no such built-in scenario or file.
    """
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or "/" in text:
        if not path.is_file():
            raise ConfigError("scenario file not found", file=text)
        return path
    builtin = SCENARIO_DIR / f"{text}.yaml"
    if not builtin.is_file():
        raise ConfigError(
            f"no built-in scenario {text!r} (built-in: {', '.join(builtin_scenarios())}); "
            "give a YAML file path instead", key_path="scenario",
        )
    return builtin


def load_scenario(name_or_path: str | Path = "hospital") -> Scenario:
    """Load a built-in scenario by name or a scenario YAML file.

    Raises:
        ConfigError: the scenario is unknown or invalid.
    """
    path = resolve_scenario(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read scenario: {exc.strerror}", file=str(path)) from exc
    return parse_scenario(text, str(path))
