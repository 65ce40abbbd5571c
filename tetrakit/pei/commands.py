"""Typed builders of PEI commands (EN 300 392-5 §6.8-§6.14, V.25ter basics).

Each builder validates its arguments (``ValueError`` on bad ones) and returns a
:class:`Command`: the command line, the exact bytes to write, which
information-result prefixes belong to its response, and a default timeout.
Commands end in CR LF; both CR and CR LF are accepted by radios in the field,
and CR LF is what the ``AT+CMGS`` header needs before its payload anyway.

``AT+CMGS`` is written as header, CR LF, uppercase hex payload and Ctrl-Z in
ONE write (§6.13.2): radios answer ``+CME ERROR: 37`` if the payload does not
follow the header in time, and no real radio sends a ``>`` prompt to wait for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tetrakit.identities import Tsi, format_tsi, parse_identity
from tetrakit.pei.enums import (
    AccessPriority,
    AiMode,
    AiService,
    CalledPartyIdentityType,
    GroupType,
    ServiceLayer1,
    ServiceProfile,
)

__all__ = [
    "CMGS_TIMEOUT",
    "CTRL_Z",
    "DEFAULT_TIMEOUT",
    "EOL",
    "MAX_SDS_BITS",
    "Command",
    "at",
    "ate",
    "atz",
    "cbc",
    "cmee",
    "cmgs",
    "cnum",
    "cnumf",
    "creg_query",
    "creg_set",
    "csq",
    "ctgs",
    "ctgs_query",
    "ctom",
    "ctom_query",
    "ctsds",
    "ctsp",
    "ctsp_query",
    "gmi",
    "gmm",
    "gmr",
    "raw",
]

EOL = b"\r\n"
CTRL_Z = b"\x1a"
#: seconds to wait for the final result of an ordinary command
DEFAULT_TIMEOUT = 5.0
#: ``AT+CMGS`` waits for the radio to queue the SDS; allow more
CMGS_TIMEOUT = 10.0
#: ``ATZ`` may restart the radio's PEI
ATZ_TIMEOUT = 10.0
#: the largest SDS type-4 user data, in bits (§6.17.3: 0-2047 bits)
MAX_SDS_BITS = 2047


@dataclass(frozen=True, slots=True)
class Command:
    """One PEI command as the engine sends it.

    Attributes:
        line: the command line without line ending (for ``AT+CMGS`` the header).
        data: the exact bytes to write.
        response_prefixes: upper-case ``+NAME`` prefixes of information lines
            that answer this command; ``None`` accepts any line (raw commands).
            Bare text lines always belong to the command in flight.
        timeout: seconds to wait for the final result.
        sds_hex: for ``AT+CMGS`` the payload hex as written, else ``None``.
    """

    line: str
    data: bytes
    response_prefixes: tuple[str, ...] | None = ()
    timeout: float = DEFAULT_TIMEOUT
    sds_hex: str | None = None

    @property
    def is_cmgs(self) -> bool:
        """True for ``AT+CMGS=...`` with payload (the two-stage SDS send, §6.13.2)."""
        return self.sds_hex is not None

    def accepts(self, prefix: str | None) -> bool:
        """True if an information line with ``prefix`` belongs to this command's response."""
        if prefix is None or self.response_prefixes is None:
            return True
        return prefix in self.response_prefixes


def _simple(line: str, prefixes: tuple[str, ...] = (), timeout: float = DEFAULT_TIMEOUT) -> Command:
    return Command(line, line.encode("ascii") + EOL, prefixes, timeout)


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be {lo}-{hi}, not {value}")
    return value


def _identity_text(to: Tsi | int | str) -> str:
    tsi = to if isinstance(to, Tsi) else parse_identity(to)
    return format_tsi(tsi)


# --------------------------------------------------------------------------- V.25ter basics


def at() -> Command:
    """``AT``: attention, used as probe and keep-alive."""
    return _simple("AT")


def ate(echo: bool) -> Command:
    """``ATE1``/``ATE0``: command echo on or off (V.25ter)."""
    return _simple("ATE1" if echo else "ATE0")


def atz() -> Command:
    """``ATZ``: reset to defaults.  Some Sepura codeplugs reboot the radio on it."""
    return _simple("ATZ", timeout=ATZ_TIMEOUT)


def cmee(n: int) -> Command:
    """``AT+CMEE=<n>``: extended error reporting (0 off, 1 numeric, 2 verbose)."""
    return _simple(f"AT+CMEE={_check_int('n', n, 0, 2)}")


def gmi() -> Command:
    """``AT+GMI``: manufacturer; answered with ``+GMI: ...`` or bare text."""
    return _simple("AT+GMI", ("+GMI",))


def gmm() -> Command:
    """``AT+GMM``: model; answered with ``+GMM: ...`` or bare text."""
    return _simple("AT+GMM", ("+GMM",))


def gmr() -> Command:
    """``AT+GMR``: revision; answered with ``+GMR: ...`` or bare text."""
    return _simple("AT+GMR", ("+GMR",))


# --------------------------------------------------------------------------- SDS


def ctsds(
    ai_service: AiService | int,
    called_type: CalledPartyIdentityType | int,
    area: int | None = None,
    access_priority: AccessPriority | int | None = None,
    e2ee: bool | None = None,
) -> Command:
    """``AT+CTSDS=<AI service>,<called type>[,<area>][,<access priority>][,<E2EE>]`` (§6.14.6).

    Selects the service and addressing of the next ``AT+CMGS``.  When a later
    optional field is given, missing earlier ones are written as 0 (area not
    defined, low priority), the values every public client sends.

    Raises:
        ValueError: if ``ai_service`` is not an SDS service (9-13) or a value is
            out of range.
    """
    # Area is taken as 0-15 (a 4-bit area selection as in EN 300 392-2) [unverified];
    # every public client sends 0 = not defined.
    ai = _check_int("ai_service", ai_service, 0, 13)
    if not AiService(ai).is_sds:
        raise ValueError(f"ai_service must be an SDS service (9-13), not {ai}")
    fields = [str(ai), str(_check_int("called_type", called_type, 0, 5))]
    optional: list[int | None] = [
        None if area is None else _check_int("area", area, 0, 15),
        None if access_priority is None else _check_int("access_priority", access_priority, 0, 2),
        None if e2ee is None else int(bool(e2ee)),
    ]
    last = max((i for i, v in enumerate(optional) if v is not None), default=-1)
    fields += [str(v if v is not None else 0) for v in optional[: last + 1]]
    return _simple("AT+CTSDS=" + ",".join(fields))


def cmgs(to: Tsi | int | str, data: bytes, bits: int) -> Command:
    """``AT+CMGS=<called party>,<bits>`` CR LF ``<hex>`` Ctrl-Z, in one write (§6.13.2).

    The hex is uppercase, ``ceil(bits / 4)`` nibbles; the length is written in
    plain decimal.  A bare SSI is written in decimal, a TSI as 17 digits.

    Args:
        to: the called party (SSI/ISSI/GSSI or TSI).
        data: the user data octets (for type 4 starting with the protocol identifier).
        bits: the user data length in bits, 1-2047; ``data`` must hold exactly
            ``ceil(bits / 8)`` octets.

    Raises:
        ValueError: on a bad identity, length, or a ``data`` size not matching ``bits``.
    """
    if not isinstance(data, bytes | bytearray):
        raise ValueError(f"data must be bytes, not {type(data).__name__}")
    _check_int("bits", bits, 1, MAX_SDS_BITS)
    if len(data) != (bits + 7) // 8:
        raise ValueError(f"{bits} bits need {(bits + 7) // 8} octets of data, got {len(data)}")
    called = _identity_text(to)
    hex_text = bytes(data).hex().upper()[: (bits + 3) // 4]
    line = f"AT+CMGS={called},{bits}"
    wire = line.encode("ascii") + EOL + hex_text.encode("ascii") + CTRL_Z
    return Command(line, wire, ("+CMGS",), CMGS_TIMEOUT, hex_text)


# --------------------------------------------------------------------------- routing, mode, groups


def ctsp(
    profile: ServiceProfile | int,
    layer1: ServiceLayer1 | int,
    layer2: int | None = None,
    ai_mode: AiMode | int | None = None,
    link_id: int | None = None,
) -> Command:
    """``AT+CTSP=<profile>,<layer1>[,<layer2>][,<AI mode>][,<link id>]``: route a service.

    E.g. ``ctsp(1, 3, 130)`` routes SDS-TL text (PID 0x82) to the TE.  When
    ``link_id`` is given without ``ai_mode``, the AI mode field is left empty.

    Raises:
        ValueError: on out-of-range values.
    """
    fields = [
        str(_check_int("profile", profile, 0, 2)),
        str(_check_int("layer1", layer1, 0, 3)),
    ]
    if layer2 is not None:
        fields.append(str(_check_int("layer2", layer2, 0, 255)))
    if ai_mode is not None or link_id is not None:
        if layer2 is None:
            raise ValueError("layer2 must be given when ai_mode or link_id is")
        fields.append("" if ai_mode is None else str(_check_int("ai_mode", ai_mode, 0, 6)))
    if link_id is not None:
        fields.append(str(_check_int("link_id", link_id, 0, 255)))
    return _simple("AT+CTSP=" + ",".join(fields))


def ctsp_query() -> Command:
    """``AT+CTSP?``: the current service profile registrations."""
    return _simple("AT+CTSP?", ("+CTSP",))


def ctom(mode: AiMode | int) -> Command:
    """``AT+CTOM=<AI mode>`` (§6.17.4).  Changing mode can drop routings: re-send CTSP after."""
    return _simple(f"AT+CTOM={_check_int('mode', mode, 0, 6)}")


def ctom_query() -> Command:
    """``AT+CTOM?`` -> ``+CTOM: <AI mode>``."""
    return _simple("AT+CTOM?", ("+CTOM",))


def ctgs(group_type: GroupType | int, identity: Tsi | int | str | None = None) -> Command:
    """``AT+CTGS=<group type>[,<called party identity>]`` (§6.17.25).

    ``identity`` may be omitted only for group type 0 (none / detach).

    Raises:
        ValueError: on a bad group type or identity.
    """
    gt = _check_int("group_type", group_type, 0, 7)
    if identity is None:
        if gt != GroupType.NONE:
            raise ValueError(f"group type {gt} needs a group identity")
        return _simple(f"AT+CTGS={gt}")
    return _simple(f"AT+CTGS={gt},{_identity_text(identity)}")


def ctgs_query() -> Command:
    """``AT+CTGS?`` -> ``+CTGS: <group type>,<GTSI>``."""
    return _simple("AT+CTGS?", ("+CTGS",))


# --------------------------------------------------------------------------- status queries


def cnum() -> Command:
    """``AT+CNUM?``: own numbers (possibly several lines)."""
    return _simple("AT+CNUM?", ("+CNUM",))


def cnumf() -> Command:
    """``AT+CNUMF?``: own fixed numbers, e.g. ``+CNUMF: 6,09011638300023401``."""
    return _simple("AT+CNUMF?", ("+CNUMF",))


def csq() -> Command:
    """``AT+CSQ?`` -> ``+CSQ: <rssi>,<ber>`` (dBm = -113 + 2 rssi; 99 unknown)."""
    return _simple("AT+CSQ?", ("+CSQ",))


def creg_query() -> Command:
    """``AT+CREG?`` -> ``+CREG: <reg stat>,<LA>,<MNI>`` (§6.17.46)."""
    return _simple("AT+CREG?", ("+CREG",))


def creg_set(n: int) -> Command:
    """``AT+CREG=<n>``: unsolicited registration reports off (0) or on (1, 2) [unverified: 0-2]."""
    return _simple(f"AT+CREG={_check_int('n', n, 0, 2)}")


def cbc() -> Command:
    """``AT+CBC?`` -> ``+CBC: ...,<charge>`` (some Sepura answer ``+CME ERROR: 35``)."""
    return _simple("AT+CBC?", ("+CBC",))


def raw(
    line: str,
    response_prefixes: tuple[str, ...] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Command:
    """Any other command line, e.g. ``raw("AT+CNUMS?")``.

    By default every information line received before the final result belongs
    to its response (except the results that are always unsolicited).

    Raises:
        ValueError: if the line is not printable ASCII or does not start with ``AT``.
    """
    if not line.isascii() or not line.isprintable():
        raise ValueError(f"command line must be printable ASCII: {line!r}")
    if line[:2].upper() != "AT":
        raise ValueError(f"command line must start with AT: {line!r}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout}")
    prefixes = None if response_prefixes is None else tuple(p.upper() for p in response_prefixes)
    return Command(line, line.encode("ascii") + EOL, prefixes, timeout)
