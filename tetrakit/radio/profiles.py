"""Vendor init profiles: what a radio session sends after opening the PEI (pei.md §6, §7).

A profile is data: the ordered init steps, the ``AT+CTSP`` service profile
registrations that route SDS-TL text (PID 130), status (2,20), LIP (3,10)
and their answers to us, the keep-alive command and the ``AT+CTSDS``
settings used before each ``AT+CMGS``.  No profile sends ``ATZ``: some Sepura
codeplugs reboot the radio on it (pei.md §2, tetra-cli#2).

Registrations are volatile: a radio forgets them on every restart, so the
session sends the whole profile again after reconnecting or detecting a
reboot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from tetrakit.pei import commands
from tetrakit.pei.commands import Command

__all__ = [
    "PROFILES",
    "InitStep",
    "Registration",
    "StepKind",
    "VendorProfile",
    "get_profile",
]


class StepKind(Enum):
    """How the session treats an init step's outcome."""

    PROBE = "probe"
    """``AT`` until it is answered: retried on ``+CME ERROR: 35``/``ERROR`` (garbage left in
    the radio's input at connect) and on timeouts; init fails when it never answers."""
    SETTING = "setting"
    """A setting (``ATE0``, ``AT+CMEE=1``); an error is logged and init goes on."""
    QUERY = "query"
    """A query whose answer feeds the link health (``AT+CNUMF?``, ``AT+CSQ?`` ...);
    errors are tolerated (Sepura answers some with CME 34/35)."""
    REGISTER = "register"
    """An ``AT+CTSP`` registration; CME 38 (already registered) counts as success."""


@dataclass(frozen=True, slots=True)
class InitStep:
    """One init command and how to treat its outcome."""

    command: Command
    kind: StepKind


@dataclass(frozen=True, slots=True)
class Registration:
    """An ``AT+CTSP=<profile>,<layer1>,<layer2>`` service registration (pei.md §1.5).

    ``profile`` 1 routes to the TE (us) only, 2 to the MT and the TE.
    """

    profile: int
    layer1: int
    layer2: int
    what: str

    @property
    def command(self) -> Command:
        return commands.ctsp(self.profile, self.layer1, self.layer2)

    def matches(self, layer1: int, layer2: int | None) -> bool:
        """True when a ``+CTSP`` entry (any profile that reaches the TE) is this one."""
        return self.layer1 == layer1 and (layer2 is None or self.layer2 == layer2)


#: SDS-TL text + the reports answering our texts (PI 0x82), status, LIP
DEFAULT_REGISTRATIONS = (
    Registration(1, 3, 130, "SDS-TL text messaging and reports (PI 0x82)"),
    Registration(2, 2, 20, "status (also shown on the radio)"),
    Registration(1, 3, 10, "LIP location reports (PI 0x0A)"),
)


#: AT+CSQ? as keep-alive also keeps the signal strength current
_KEEPALIVE = commands.csq()
#: a short timeout: a silent radio is probed again and again
_PROBE_COMMAND = replace(commands.at(), timeout=3.0)


@dataclass(frozen=True, slots=True)
class VendorProfile:
    """Everything vendor specific about driving a radio's PEI.

    Attributes:
        name: ``generic``, ``motorola`` or ``sepura``.
        init: steps sent in order before any registration.
        registrations: ``AT+CTSP`` registrations sent after ``init``.
        queries: steps sent after the registrations (health information).
        keepalive: sent when the link was idle for the keep-alive interval;
            ``AT+CSQ?`` by default, so the signal strength stays current.
        probe: sent to find out whether a silent radio answers again.
        text_area / text_priority: the ``<area>``/``<access priority>`` of
            ``AT+CTSDS`` (0, 0 = area not defined, low priority [unverified]).
        check_registrations: verify registrations with ``AT+CTSP?`` now and
            then (a restarted radio has lost them); switched off by the
            session when the radio does not answer the query usefully.
    """

    name: str
    init: tuple[InitStep, ...]
    registrations: tuple[Registration, ...] = DEFAULT_REGISTRATIONS
    queries: tuple[InitStep, ...] = ()
    keepalive: Command = _KEEPALIVE
    probe: Command = _PROBE_COMMAND
    text_area: int = 0
    text_priority: int = 0
    check_registrations: bool = True

    def steps(self) -> tuple[InitStep, ...]:
        """All init steps in order: init, registrations, queries."""
        regs = tuple(InitStep(r.command, StepKind.REGISTER) for r in self.registrations)
        return self.init + regs + self.queries


def _step(command: Command, kind: StepKind) -> InitStep:
    return InitStep(command, kind)


_PROBE = _step(_PROBE_COMMAND, StepKind.PROBE)
_ECHO_OFF = _step(commands.ate(False), StepKind.SETTING)
_QUERIES = (
    _step(commands.ctom_query(), StepKind.QUERY),
    _step(commands.cnumf(), StepKind.QUERY),
    _step(commands.csq(), StepKind.QUERY),
    _step(commands.creg_query(), StepKind.QUERY),
)

GENERIC = VendorProfile(
    name="generic",
    init=(_PROBE, _ECHO_OFF, _step(commands.cmee(1), StepKind.SETTING)),
    queries=_QUERIES,
)

# Motorola: numeric CME errors by default; vendor identification answers
# (+GMI: MOTOROLA) are logged for support (pei.md §6).
MOTOROLA = VendorProfile(
    name="motorola",
    init=(
        _PROBE,
        _ECHO_OFF,
        _step(commands.gmi(), StepKind.QUERY),
        _step(commands.gmm(), StepKind.QUERY),
    ),
    queries=_QUERIES,
)

# Sepura: no ATZ, no AT+CMEE, no vendor-info queries (answered with CME 34/35 on
# an STP9040: tetra-cli#2); the first command after connect often gets CME 35,
# which the PROBE step absorbs.
SEPURA = VendorProfile(
    name="sepura",
    init=(_PROBE, _ECHO_OFF),
    queries=_QUERIES,
)

PROFILES: dict[str, VendorProfile] = {p.name: p for p in (GENERIC, MOTOROLA, SEPURA)}


def get_profile(name: str | VendorProfile) -> VendorProfile:
    """The profile called ``name`` (case-insensitive), or ``name`` itself if it is one.

    Raises:
        ValueError: for an unknown name (the message lists the known ones).
    """
    if isinstance(name, VendorProfile):
        return name
    try:
        return PROFILES[name.lower()]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown radio vendor profile {name!r} (known: {known})") from None
