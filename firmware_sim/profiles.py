"""Vendor profiles: how one make of radio speaks the PEI (EN 300 392-5).

A profile is data (one YAML file per vendor in ``firmware_sim/profiles/``),
in the spirit of a table of modem models with their quirks.  What the
profiles encode comes from ``reference/pei.md`` §6 and the transcripts in
``tests/vectors/pei_transcripts.md``:

* Motorola: CR LF, ``+GMI: MOTOROLA``, user data printed as whole octets even
  when the bit length is not a multiple of 8 (84-bit LIP printed as 22 hex
  digits), the unsolicited ``+CMGS: <inst>,4,<ref>`` about 2 s after the set
  result (svxlink PR #576 log).
* Sepura: ``ceil(bits / 4)`` hex digits (21 for an 84-bit LIP), ``ATZ``
  reboots the radio (tetra-cli#2), ``AT+CBC?`` answers ``+CME ERROR: 35`` and
  ``ATI`` ``+CME ERROR: 34`` on an STP9040.
* generic ETSI: the plain reading of the standard.

Values no source states (Sepura's identification strings, reboot time, the
generic profile's digit rule) are marked ``[unverified]`` in the YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from firmware_sim.yamlcheck import Section, load_yaml
from tetrakit.errors import ConfigError

__all__ = ["PROFILE_DIR", "VendorProfile", "available_profiles", "load_profile", "parse_profile"]

PROFILE_DIR = Path(__file__).parent / "profiles"

HEX_DIGIT_RULES = ("octets", "nibbles")
#: vendor commands a profile may enable (Motorola ``AT+GPSPOS?`` / ``AT+GCLI?``)
PROPRIETARY_COMMANDS = ("gpspos", "gcli")
ATZ_ACTIONS = ("reset", "reboot")


@dataclass(frozen=True, slots=True)
class VendorProfile:
    """How a make of radio answers on its PEI.

    Attributes:
        name: profile name (``generic``, ``motorola``, ``sepura``).
        manufacturer / model / revision: the ``AT+GMI`` / ``AT+GMM`` / ``AT+GMR`` texts.
        id_prefix: answer identification as ``+GMI: X`` (Motorola) rather than bare ``X``.
        line_ending: what ends every result line.
        echo: command echo after power-on (V.25ter default is on).
        hex_digits: ``octets`` prints whole octets of user data, ``nibbles``
            prints ``ceil(bits / 4)`` hex digits (odd counts possible).
        cmgs_status_delay: seconds from the ``+CMGS: <inst>`` set result to the
            earliest unsolicited ``+CMGS: <inst>,<status>,<ref>``.
        cmgs_data_timeout: seconds ``AT+CMGS=...`` waits for its user data
            before ``+CME ERROR: 37``.
        atz: ``reset`` restores defaults and answers ``OK``; ``reboot`` reboots silently.
        reboot_time: seconds a reboot keeps the radio silent.
        cmee: the ``AT+CMEE`` setting after power-on.
        errors: command line (upper case, exact) -> CME code answered instead.
        battery: charge in percent for ``+CBC``.
        rssi: ``+CSQ`` signal level (0-31) while registered.
        max_sds_bits: upper bound printed by ``AT+CMGS=?`` and enforced.
        ctsp_table_size: how many ``AT+CTSP`` registrations fit (then CME 39).
        sds_rate: SDS per second the radio itself puts on the air (its uplink);
            ``None`` = no limit of its own (the network's limit still applies).
        display_read_delay: seconds from showing an SDS-TL text the host did not
            take (no ``AT+CTSP`` for its PI) on the display to the "consumed"
            report, as a person reading it.
        proprietary: vendor commands the radio answers (:data:`PROPRIETARY_COMMANDS`);
            the others answer ``+CME ERROR: 4``.
    """

    name: str
    manufacturer: str = "ETSI"
    model: str = "TETRA-TERMINAL"
    revision: str = "1.0"
    id_prefix: bool = True
    line_ending: str = "\r\n"
    echo: bool = True
    hex_digits: str = "nibbles"
    cmgs_status_delay: float = 0.5
    cmgs_data_timeout: float = 5.0
    atz: str = "reset"
    reboot_time: float = 10.0
    cmee: int = 1
    errors: dict[str, int] = field(default_factory=dict)
    battery: int = 80
    rssi: int = 25
    max_sds_bits: int = 2047
    ctsp_table_size: int = 32
    sds_rate: float | None = None
    display_read_delay: float = 3.0
    proprietary: tuple[str, ...] = ()

    def hex_payload(self, data: bytes, bits: int) -> str:
        """User data as this radio prints it in a ``+CTSDSR`` body."""
        digits = (bits + 3) // 4 if self.hex_digits == "nibbles" else 2 * ((bits + 7) // 8)
        text = data.hex().upper()[:digits]
        return text.ljust(digits, "0")

    def with_changes(self, **changes: object) -> VendorProfile:
        """A copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _read_profile(sec: Section, name: str, base: VendorProfile | None) -> VendorProfile:
    d = base if base is not None else VendorProfile(name=name)
    errors_sec = sec.section("errors", optional=True)
    errors = dict(d.errors)
    if errors_sec is not None:
        for key in list(errors_sec.data):
            code = errors_sec.get(key, int)
            if not 0 <= code <= 255:
                raise errors_sec.error(key, f"CME code must be 0-255, got {code}")
            errors[key.strip().upper()] = code
        errors_sec.done()
    ending = sec.choice("line_ending", ("crlf", "cr", "lf"), _ending_name(d.line_ending))
    profile = VendorProfile(
        name=name,
        manufacturer=sec.get("manufacturer", str, d.manufacturer),
        model=sec.get("model", str, d.model),
        revision=sec.get("revision", str, d.revision),
        id_prefix=sec.get("id_prefix", bool, d.id_prefix),
        line_ending={"crlf": "\r\n", "cr": "\r", "lf": "\n"}[ending],
        echo=sec.get("echo", bool, d.echo),
        hex_digits=sec.choice("hex_digits", HEX_DIGIT_RULES, d.hex_digits),
        cmgs_status_delay=sec.number("cmgs_status_delay", d.cmgs_status_delay),
        cmgs_data_timeout=sec.number("cmgs_data_timeout", d.cmgs_data_timeout, minimum=0.01),
        atz=sec.choice("atz", ATZ_ACTIONS, d.atz),
        reboot_time=sec.number("reboot_time", d.reboot_time),
        cmee=sec.get("cmee", int, d.cmee),
        errors=errors,
        battery=sec.get("battery", int, d.battery),
        rssi=sec.get("rssi", int, d.rssi),
        max_sds_bits=sec.get("max_sds_bits", int, d.max_sds_bits),
        ctsp_table_size=sec.get("ctsp_table_size", int, d.ctsp_table_size),
        sds_rate=sec.get("sds_rate", float, d.sds_rate),
        display_read_delay=sec.number("display_read_delay", d.display_read_delay),
        proprietary=_proprietary(sec, d.proprietary),
    )
    if profile.cmee not in (0, 1, 2):
        raise sec.error("cmee", f"must be 0, 1 or 2, got {profile.cmee}")
    if not 0 <= profile.battery <= 100:
        raise sec.error("battery", f"must be 0-100, got {profile.battery}")
    if not 0 <= profile.rssi <= 31:
        raise sec.error("rssi", f"must be 0-31, got {profile.rssi}")
    if not 16 <= profile.max_sds_bits <= 2047:
        raise sec.error("max_sds_bits", f"must be 16-2047, got {profile.max_sds_bits}")
    if profile.ctsp_table_size < 1:
        raise sec.error("ctsp_table_size", "must be at least 1")
    if profile.sds_rate is not None and not profile.sds_rate > 0:
        raise sec.error("sds_rate", f"must be positive (SDS per second), got {profile.sds_rate}")
    return profile


def _proprietary(sec: Section, default: tuple[str, ...]) -> tuple[str, ...]:
    if not sec.has("proprietary"):
        return default
    names = []
    for path, item in sec.items("proprietary"):
        if item not in PROPRIETARY_COMMANDS:
            raise sec.source.error(
                path, f"must be one of {', '.join(PROPRIETARY_COMMANDS)}; got {item!r}")
        names.append(str(item))
    return tuple(names)


def _ending_name(ending: str) -> str:
    return {"\r\n": "crlf", "\r": "cr", "\n": "lf"}[ending]


def parse_profile(
    sec: Section, *, name: str | None = None, base: VendorProfile | None = None
) -> VendorProfile:
    """Read a profile mapping (a profile file, or overrides inside a scenario)."""
    pname = name if name is not None else sec.get("name", str)
    if name is not None and sec.has("name"):
        sec.get("name", str)
    sec.get("description", str, "")
    profile = _read_profile(sec, pname, base)
    sec.done()
    return profile


def available_profiles() -> list[str]:
    """Names of the profiles shipped in ``firmware_sim/profiles``."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


_CACHE: dict[str, VendorProfile] = {}


def load_profile(name_or_path: str | Path) -> VendorProfile:
    """Load a shipped profile by name, or a profile YAML file by path.

    Raises:
        ConfigError: the profile is unknown or its file is invalid.
    """
    key = str(name_or_path)
    if key in _CACHE:
        return _CACHE[key]
    path = Path(key)
    if path.suffix not in (".yaml", ".yml"):
        path = PROFILE_DIR / f"{key}.yaml"
        if not path.is_file():
            raise ConfigError(
                f"unknown radio profile {key!r}; shipped profiles: "
                f"{', '.join(available_profiles())}",
                key_path="profile",
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read profile: {exc.strerror}", file=str(path)) from exc
    profile = parse_profile(load_yaml(text, str(path)).root())
    _CACHE[key] = profile
    return profile

