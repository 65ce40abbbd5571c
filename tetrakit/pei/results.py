"""Typed parsers for PEI information and unsolicited result lines (EN 300 392-5 §6.11-§6.16).

Each result is a frozen dataclass.  :func:`parse_result` dispatches a whole
line (``+PREFIX: fields`` or bare text with a default prefix) to the parser of
its prefix.  Parsers raise only :class:`tetrakit.errors.DecodeError`, naming the
result and the field; the engine turns such a failure on an unsolicited line
into an ``UnknownUnsolicited`` event so that a daemon keeps running.

Tolerance rules (why): radios differ in spacing after commas, in whether a
parameter is present, and in the identity form (SSI or TSI); fields are
stripped, optional trailing fields may be missing, and identities go through
:func:`tetrakit.identities.parse_identity`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tetrakit.errors import DecodeError
from tetrakit.identities import Tsi, parse_identity
from tetrakit.pei.enums import (
    AiMode,
    AiService,
    CalledPartyIdentityType,
    DisconnectCause,
    GroupType,
    NumType,
    RegStat,
    SdsStatus,
    ServiceLayer1,
    ServiceProfile,
    TxGrant,
    coerce,
)

__all__ = [
    "Cbc",
    "Cdtxc",
    "CmgsSetResult",
    "CmgsStatus",
    "Cnum",
    "Creg",
    "Csq",
    "Ctcc",
    "Ctcr",
    "Ctdgr",
    "Ctgs",
    "Cticn",
    "Ctom",
    "CtsdsrFields",
    "CtsdsrHeader",
    "Ctsp",
    "Ctxg",
    "GenericResult",
    "Identification",
    "Result",
    "UnparsedLine",
    "ctsdsr_header_fields",
    "parse_cmgs",
    "parse_ctsdsr_header",
    "parse_result",
    "split_prefix",
]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class CmgsSetResult:
    """``+CMGS: <SDS instance>``: the set result of ``AT+CMGS`` (§6.13.2).

    It only says the MT accepted the SDS; the over-the-air result follows as
    :class:`CmgsStatus`.
    """

    instance: int


@dataclass(frozen=True, slots=True)
class CmgsStatus:
    """``+CMGS: <SDS instance>,<SDS status>[,<message reference>]``, unsolicited (§6.13.2).

    Status 4 = sent over the air (not "delivered"), 5 = transmission failed
    (§6.17.51).  For SDS-TL the message reference is the SDS-TL one.
    """

    instance: int
    status: SdsStatus | int
    message_reference: int | None


@dataclass(frozen=True, slots=True)
class CtsdsrHeader:
    """The header of an unsolicited ``+CTSDSR`` (§6.13.3), 3, 4, 6 or 7 fields.

    ``+CTSDSR: <AI service>,[<calling id>],[<calling type>],<called id>,<called type>,<length>
    [,<E2EE>]``.  The 3-field form is ``<AI service>,<calling id>,<length>`` and the
    4-field form ``<AI service>,<calling id>,<calling type>,<length>`` [unverified: the
    4-field layout follows one open implementation].
    """

    ai_service: AiService | int
    calling: Tsi | None
    calling_type: CalledPartyIdentityType | int | None
    called: Tsi | None
    called_type: CalledPartyIdentityType | int | None
    bits: int
    e2ee: bool | None


@dataclass(frozen=True, slots=True)
class Ctom:
    """``+CTOM: <AI mode>`` (§6.14.x, AI mode §6.17.4)."""

    mode: AiMode | int


@dataclass(frozen=True, slots=True)
class Creg:
    """``+CREG: <reg stat>[,<LA>][,<MNI>]`` (§6.17.46).

    Read and unsolicited forms look alike on TETRA radios (``+CREG: 1,1,90109999``
    = registered home, LA 1, MNI 90109999) [unverified against the standard
    text].  ``la`` and ``mni`` are kept as given (the MNI is MCC+MNC digits).
    """

    stat: RegStat | int
    la: int | None
    mni: str | None

    @property
    def registered(self) -> bool:
        """True when registered to the home or a visited network."""
        return self.stat in (RegStat.REGISTERED_HOME, RegStat.REGISTERED_VISITED)


@dataclass(frozen=True, slots=True)
class Csq:
    """``+CSQ: <rssi>,<ber>``; ``dbm`` is -113 + 2 * rssi, ``None`` for 99 (unknown)."""

    rssi: int
    ber: int | None

    @property
    def dbm(self) -> int | None:
        """Received signal strength in dBm, ``None`` when the radio does not know."""
        if self.rssi == 99:
            return None
        return -113 + 2 * self.rssi


@dataclass(frozen=True, slots=True)
class Cbc:
    """``+CBC: ...,<charge>``: battery; ``charge`` is the last field (percent)."""

    values: tuple[int, ...]

    @property
    def charge(self) -> int:
        """The battery charge, the last field of the result."""
        return self.values[-1]


@dataclass(frozen=True, slots=True)
class Cnum:
    """One ``+CNUM``/``+CNUMF`` entry: ``<num type>,<identity>[,<name>]`` (§6.17.38).

    A radio may follow the first line with bare ``<num type>,<identity>`` lines
    (e.g. ``+CNUMF: 0,2620100108280651`` then ``2,16777184``); each becomes one
    entry.  ``identity`` is ``None`` when the number is not a TETRA identity
    (e.g. a PSTN number), ``number`` keeps the text as given.
    """

    num_type: NumType | int
    number: str
    identity: Tsi | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Ctgs:
    """``+CTGS: <group type>,<called party identity>`` (§6.17.25)."""

    group_type: GroupType | int
    identity: Tsi | None


@dataclass(frozen=True, slots=True)
class Ctsp:
    """``+CTSP: <service profile>,<service layer1>[,<service layer2>][,<AI mode>]``."""

    profile: ServiceProfile | int
    layer1: ServiceLayer1 | int
    layer2: int | None
    extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Identification:
    """``+GMI``/``+GMM``/``+GMR`` answers (V.25ter), with or without the prefix.

    ``kind`` is ``"GMI"``, ``"GMM"`` or ``"GMR"``; ``text`` the answer as given.
    """

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Cticn:
    """``+CTICN``: incoming call (§6.15.x), for awareness.

    Fields: CC instance, call status, AI service, calling type, calling id,
    hook, simplex, E2EE, comms type, slots/codec, called type, called id,
    priority.  Trailing fields may be missing; ``fields`` keeps all as text.
    """

    cc_instance: int
    call_status: int | None
    ai_service: AiService | int | None
    calling: Tsi | None
    called: Tsi | None
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ctcc:
    """``+CTCC: <CC instance>,...``: call connected (§6.15.x), for awareness."""

    cc_instance: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ctcr:
    """``+CTCR: <CC instance>,<disconnect cause>``: call released (§6.15.x)."""

    cc_instance: int
    cause: DisconnectCause | int | None


@dataclass(frozen=True, slots=True)
class Ctxg:
    """``+CTXG: <CC inst>,<TxGrant>,<TxRqPrmsn>,<E2EE>[,<TPI type>,<TPI>]`` (§6.15.x)."""

    cc_instance: int
    grant: TxGrant | int | None
    request_permission: int | None
    e2ee: int | None
    tpi: Tsi | None


@dataclass(frozen=True, slots=True)
class Cdtxc:
    """``+CDTXC: <CC instance>,<TxRqPrmsn>``: down transmission ceased (§6.15.x)."""

    cc_instance: int
    request_permission: int | None


@dataclass(frozen=True, slots=True)
class Ctdgr:
    """``+CTDGR: <DM comm type>,<address>,<MNI>,<presence>``: visible DMO gateway/repeater."""

    comm_type: int
    address: int | None
    mni: str | None
    presence: int | None


@dataclass(frozen=True, slots=True)
class GenericResult:
    """A ``+PREFIX: ...`` line with no typed parser; ``fields`` split on commas."""

    prefix: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnparsedLine:
    """A response line that did not parse; ``reason`` says why."""

    line: str
    reason: str


Result = (
    CmgsSetResult
    | CmgsStatus
    | Ctom
    | Creg
    | Csq
    | Cbc
    | Cnum
    | Ctgs
    | Ctsp
    | Identification
    | Cticn
    | Ctcc
    | Ctcr
    | Ctxg
    | Cdtxc
    | Ctdgr
    | GenericResult
    | UnparsedLine
)


# --------------------------------------------------------------------------- helpers


def split_prefix(line: str) -> tuple[str | None, str]:
    """Split ``"+CSQ: 12,99"`` into ``("+CSQ", "12,99")``; bare text gives ``(None, line)``."""
    if line.startswith("+"):
        colon = line.find(":")
        if colon > 1:
            return line[:colon].upper(), line[colon + 1 :].strip()
    return None, line


def _fields(rest: str) -> list[str]:
    return [f.strip() for f in rest.split(",")]


def _int(text: str, what: str, field: str) -> int:
    t = text.strip()
    if not t or not t.isascii() or not t.isdigit():
        raise DecodeError(f"{what}: {field} is not a number: {text!r}", field=field)
    return int(t)


def _opt_int(fields: list[str], index: int, what: str, field: str) -> int | None:
    if index >= len(fields) or fields[index] == "":
        return None
    return _int(fields[index], what, field)


def _identity(text: str, what: str, field: str) -> Tsi | None:
    t = text.strip()
    if not t:
        return None
    try:
        return parse_identity(t)
    except ValueError as exc:
        raise DecodeError(f"{what}: {field}: {exc}", field=field) from exc


def _need(fields: list[str], n: int, what: str) -> None:
    if len(fields) < n or (n and fields[0] == ""):
        raise DecodeError(f"{what}: expected at least {n} fields, got {len(fields)}", field=what)


# --------------------------------------------------------------------------- parsers


def parse_cmgs(rest: str) -> CmgsSetResult | CmgsStatus:
    """``+CMGS`` fields: one field = set result, two or three = unsolicited status (§6.13.2)."""
    f = _fields(rest)
    if len(f) == 1:
        return CmgsSetResult(_int(f[0], "+CMGS", "sds_instance"))
    if len(f) in (2, 3):
        return CmgsStatus(
            instance=_int(f[0], "+CMGS", "sds_instance"),
            status=coerce(SdsStatus, _int(f[1], "+CMGS", "sds_status")),
            message_reference=_opt_int(f, 2, "+CMGS", "message_reference"),
        )
    raise DecodeError(f"+CMGS: expected 1 to 3 fields, got {len(f)}", field="+CMGS")


def parse_ctsdsr_header(rest: str) -> CtsdsrHeader:
    """The fields of a ``+CTSDSR`` header (§6.13.3): 3, 4, 6 or 7 of them."""
    return CtsdsrHeader(*ctsdsr_header_fields(rest.split(",")))


#: The fields of a ``+CTSDSR`` header in :class:`CtsdsrHeader` order.
CtsdsrFields = tuple[
    AiService | int,
    Tsi | None,
    CalledPartyIdentityType | int | None,
    Tsi | None,
    CalledPartyIdentityType | int | None,
    int,
    bool | None,
]


def ctsdsr_header_fields(parts: list[str]) -> CtsdsrFields:
    """:func:`parse_ctsdsr_header` on the header already split on commas, as a tuple (§6.13.3).

    ``parts`` are the comma-separated texts, blanks not yet stripped.  Raises
    :class:`~tetrakit.errors.DecodeError` like :func:`parse_ctsdsr_header`.  For
    the PEI receiver, which has split the line anyway and builds its
    ``SdsIncoming`` event straight from the fields (no intermediate object per
    SDS).
    """
    f = [p.strip() for p in parts]
    n = len(f)
    if n == 6 or n == 7:
        # Fast path for the usual header, run for every incoming SDS: all fields
        # plain decimal (the optional ones may be empty), identities as SSI or
        # TSI.  It gives the same result as the general code below, which
        # handles everything else and words the errors.
        digits = "".join(f)
        if digits.isdigit() and digits.isascii():
            if n == 6:
                ai_t, calling_t, ctype_t, called_t, dtype_t, bits_t = f
                e2ee_t = ""
            else:
                ai_t, calling_t, ctype_t, called_t, dtype_t, bits_t, e2ee_t = f
            if ai_t and bits_t and (e2ee_t == "" or e2ee_t == "0" or e2ee_t == "1"):
                try:
                    calling_id = (
                        None
                        if not calling_t
                        else Tsi(int(calling_t))
                        if len(calling_t) <= 8
                        else parse_identity(calling_t)
                    )
                    called_id = (
                        None
                        if not called_t
                        else Tsi(int(called_t))
                        if len(called_t) <= 8
                        else parse_identity(called_t)
                    )
                except ValueError:
                    pass  # not an identity: the general code says why
                else:
                    ai_n = int(ai_t)
                    types = _IDENTITY_TYPES
                    return (
                        _AI_SERVICES.get(ai_n, ai_n),
                        calling_id,
                        None if not ctype_t else types.get(int(ctype_t), int(ctype_t)),
                        called_id,
                        None if not dtype_t else types.get(int(dtype_t), int(dtype_t)),
                        int(bits_t),
                        None if not e2ee_t else e2ee_t == "1",
                    )
    w = "+CTSDSR"
    if n not in (3, 4, 6, 7):
        raise DecodeError(f"{w}: expected 3, 4, 6 or 7 fields, got {n}", field=w)
    ai = coerce(AiService, _int(f[0], w, "ai_service"))
    calling = _identity(f[1], w, "calling_party")
    calling_type: CalledPartyIdentityType | int | None = None
    called: Tsi | None = None
    called_type: CalledPartyIdentityType | int | None = None
    e2ee: bool | None = None
    if n == 3:
        bits = _int(f[2], w, "length")
    elif n == 4:
        calling_type = _opt_enum_type(f[2], w, "calling_type")
        bits = _int(f[3], w, "length")
    else:
        calling_type = _opt_enum_type(f[2], w, "calling_type")
        called = _identity(f[3], w, "called_party")
        called_type = _opt_enum_type(f[4], w, "called_type")
        bits = _int(f[5], w, "length")
        if n == 7 and f[6] != "":
            flag = _int(f[6], w, "e2ee")
            if flag > 1:
                raise DecodeError(f"{w}: e2ee must be 0 or 1, not {flag}", field="e2ee")
            e2ee = bool(flag)
    return ai, calling, calling_type, called, called_type, bits, e2ee


# The tables as plain dicts for the fast path above (same lookup as ``coerce``).
_AI_SERVICES: dict[int, AiService] = {m.value: m for m in AiService}
_IDENTITY_TYPES: dict[int, CalledPartyIdentityType] = {m.value: m for m in CalledPartyIdentityType}


def _opt_enum_type(text: str, what: str, field: str) -> CalledPartyIdentityType | int | None:
    if text == "":
        return None
    return coerce(CalledPartyIdentityType, _int(text, what, field))


def _parse_ctom(rest: str) -> Ctom:
    f = _fields(rest)
    _need(f, 1, "+CTOM")
    return Ctom(coerce(AiMode, _int(f[0], "+CTOM", "ai_mode")))


def _parse_creg(rest: str) -> Creg:
    f = _fields(rest)
    _need(f, 1, "+CREG")
    mni = f[2] if len(f) > 2 and f[2] else None
    if mni is not None and not (mni.isascii() and mni.isdigit()):
        raise DecodeError(f"+CREG: MNI is not a number: {mni!r}", field="mni")
    return Creg(
        stat=coerce(RegStat, _int(f[0], "+CREG", "reg_stat")),
        la=_opt_int(f, 1, "+CREG", "la"),
        mni=mni,
    )


def _parse_csq(rest: str) -> Csq:
    f = _fields(rest)
    _need(f, 1, "+CSQ")
    return Csq(rssi=_int(f[0], "+CSQ", "rssi"), ber=_opt_int(f, 1, "+CSQ", "ber"))


def _parse_cbc(rest: str) -> Cbc:
    f = _fields(rest)
    _need(f, 1, "+CBC")
    return Cbc(tuple(_int(x, "+CBC", "value") for x in f))


def _parse_cnum(rest: str, what: str = "+CNUM") -> Cnum:
    f = _fields(rest)
    _need(f, 2, what)
    number = f[1].strip('"')
    try:
        identity: Tsi | None = parse_identity(number) if number else None
    except ValueError:
        # PSTN/PABX numbers (num types 2, 3, 5) are not TETRA identities.
        identity = None
    name = ",".join(f[2:]).strip().strip('"') or None if len(f) > 2 else None
    return Cnum(coerce(NumType, _int(f[0], what, "num_type")), number, identity, name)


def _parse_ctgs(rest: str) -> Ctgs:
    f = _fields(rest)
    _need(f, 1, "+CTGS")
    ident = _identity(f[1], "+CTGS", "identity") if len(f) > 1 else None
    return Ctgs(coerce(GroupType, _int(f[0], "+CTGS", "group_type")), ident)


def _parse_ctsp(rest: str) -> Ctsp:
    f = _fields(rest)
    _need(f, 2, "+CTSP")
    return Ctsp(
        profile=coerce(ServiceProfile, _int(f[0], "+CTSP", "service_profile")),
        layer1=coerce(ServiceLayer1, _int(f[1], "+CTSP", "service_layer1")),
        layer2=_opt_int(f, 2, "+CTSP", "service_layer2"),
        extra=tuple(f[3:]),
    )


def _parse_cticn(rest: str) -> Cticn:
    f = _fields(rest)
    _need(f, 1, "+CTICN")
    ai = _opt_int(f, 2, "+CTICN", "ai_service")
    calling = _identity(f[4], "+CTICN", "calling_party") if len(f) > 4 else None
    called = _identity(f[11], "+CTICN", "called_party") if len(f) > 11 else None
    return Cticn(
        cc_instance=_int(f[0], "+CTICN", "cc_instance"),
        call_status=_opt_int(f, 1, "+CTICN", "call_status"),
        ai_service=None if ai is None else coerce(AiService, ai),
        calling=calling,
        called=called,
        fields=tuple(f),
    )


def _parse_ctcc(rest: str) -> Ctcc:
    f = _fields(rest)
    _need(f, 1, "+CTCC")
    return Ctcc(_int(f[0], "+CTCC", "cc_instance"), tuple(f))


def _parse_ctcr(rest: str) -> Ctcr:
    f = _fields(rest)
    _need(f, 1, "+CTCR")
    cause = _opt_int(f, 1, "+CTCR", "disconnect_cause")
    return Ctcr(
        _int(f[0], "+CTCR", "cc_instance"),
        None if cause is None else coerce(DisconnectCause, cause),
    )


def _parse_ctxg(rest: str) -> Ctxg:
    f = _fields(rest)
    _need(f, 1, "+CTXG")
    grant = _opt_int(f, 1, "+CTXG", "tx_grant")
    return Ctxg(
        cc_instance=_int(f[0], "+CTXG", "cc_instance"),
        grant=None if grant is None else coerce(TxGrant, grant),
        request_permission=_opt_int(f, 2, "+CTXG", "tx_request_permission"),
        e2ee=_opt_int(f, 3, "+CTXG", "e2ee"),
        tpi=_identity(f[5], "+CTXG", "tpi") if len(f) > 5 else None,
    )


def _parse_cdtxc(rest: str) -> Cdtxc:
    f = _fields(rest)
    _need(f, 1, "+CDTXC")
    return Cdtxc(_int(f[0], "+CDTXC", "cc_instance"), _opt_int(f, 1, "+CDTXC", "tx_rq_prmsn"))


def _parse_ctdgr(rest: str) -> Ctdgr:
    f = _fields(rest)
    _need(f, 1, "+CTDGR")
    mni = f[2] if len(f) > 2 and f[2] else None
    return Ctdgr(
        comm_type=_int(f[0], "+CTDGR", "dm_comm_type"),
        address=_opt_int(f, 1, "+CTDGR", "address"),
        mni=mni,
        presence=_opt_int(f, 3, "+CTDGR", "presence"),
    )


def _identification(kind: str) -> Callable[[str], Identification]:
    def parse(rest: str) -> Identification:
        return Identification(kind, rest.strip())

    return parse


_PARSERS: dict[str, Callable[[str], Result]] = {
    "+CMGS": parse_cmgs,
    "+CTOM": _parse_ctom,
    "+CREG": _parse_creg,
    "+CSQ": _parse_csq,
    "+CBC": _parse_cbc,
    "+CNUM": _parse_cnum,
    "+CNUMF": lambda rest: _parse_cnum(rest, "+CNUMF"),
    "+CTGS": _parse_ctgs,
    "+CTSP": _parse_ctsp,
    "+GMI": _identification("GMI"),
    "+GMM": _identification("GMM"),
    "+GMR": _identification("GMR"),
    "+CTICN": _parse_cticn,
    "+CTCC": _parse_ctcc,
    "+CTCR": _parse_ctcr,
    "+CTXG": _parse_ctxg,
    "+CDTXC": _parse_cdtxc,
    "+CTDGR": _parse_ctdgr,
}


def parse_result(line: str, default_prefix: str | None = None) -> Result:
    """Parse one information or unsolicited result line into its typed result.

    Args:
        line: the line without line ending, e.g. ``"+CSQ: 12,99"``.
        default_prefix: the prefix to assume for a bare line (a ``+GMI``
            answer without prefix, a ``+CNUMF`` continuation line).

    Returns:
        The typed result; a prefix without a parser gives :class:`GenericResult`.

    Raises:
        DecodeError: if the line has a known prefix but malformed fields.
    """
    prefix, rest = split_prefix(line)
    if prefix is None:
        if default_prefix is None:
            raise DecodeError(f"not a result line: {line[:60]!r}", field="prefix")
        prefix, rest = default_prefix.upper(), line.strip()
    parser = _PARSERS.get(prefix)
    if parser is None:
        return GenericResult(prefix, tuple(_fields(rest)) if rest else ())
    return parser(rest)
