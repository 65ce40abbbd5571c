"""A simulated radio terminal: a sans-I/O PEI *server* (EN 300 392-5).

:class:`TerminalModel` takes the bytes a host writes (:meth:`~TerminalModel.receive_data`)
and produces the bytes the radio answers (:meth:`~TerminalModel.data_to_send`).
Everything that happens later (the unsolicited ``+CMGS`` status, an incoming
SDS, the end of a reboot) is a callback on the world's
:class:`~firmware_sim.clock.Scheduler`; the model itself never reads a clock
and does no I/O.

Commands understood (answers modelled on ``reference/pei.md`` §1 and the
transcripts in ``tests/vectors/pei_transcripts.md``):

``AT``, ``ATE0``/``ATE1``, ``ATZ``, ``AT&F``, ``ATI``, ``AT+GMI``, ``AT+GMM``,
``AT+GMR``, ``AT+CMEE``, ``AT+CSCS``, ``AT+CTSDS``, ``AT+CMGS``, ``AT+CTSP``,
``AT+CTOM`` (DMO modes list the DM gateways heard, ``+CTDGR``), ``AT+CTGS``
(attaches the radio to the group in the network), ``AT+CTSDC`` and ``ATD`` /
``ATH`` (group calls, signalling only: :mod:`firmware_sim.calls`),
``AT+CNUMF?``, ``AT+CNUM?``, ``AT+CSQ``, ``AT+CREG``, ``AT+CBC``, and the
Motorola proprietary ``AT+GPSPOS?`` / ``AT+GCLI?`` when the profile enables them.
Each in set (``=``), read (``?``) and test (``=?``) form where the standard has
it.  Unknown commands answer ``+CME ERROR: 4``, malformed ones ``35``,
out-of-range parameters ``34`` (``ERROR`` when ``AT+CMEE=0``).

``AT+CMGS=<called party>,<length in bits>`` switches to data mode: hex digits
until Ctrl-Z (0x1A) send, ESC (0x1B) cancels.  The data may come in the same
write or later; after ``cmgs_data_timeout`` the radio gives up with
``+CME ERROR: 37``.  Ctrl-Z outside data mode is ``+CME ERROR: 36``.  The
accepted SDS gets the set result ``+CMGS: <instance>`` and ``OK`` at once, and
the unsolicited ``+CMGS: <instance>,4,<ref>`` (sent) or ``,5,<ref>`` (failed)
when the network has sent it, never sooner than the profile's
``cmgs_status_delay``.  For SDS-TL the reference is the SDS-TL message
reference, else a counter of the radio's own.

Incoming SDS are printed as ``+CTSDSR: <AI>,<calling>,0,<called>,0,<bits>``
plus the hex line only when the host registered a matching service profile
with ``AT+CTSP`` (profile 1 or 2): layer 2 / 20 for status, layer 3 / <PI> for
type 4 with that protocol identifier, 24 / 25 for all PIs below / from 128
(accepted under layer 2 and 3, since sources disagree).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from firmware_sim import codec
from firmware_sim.air import AirSds, Reachability
from firmware_sim.calls import GroupCall
from firmware_sim.clock import Scheduler, Timer
from firmware_sim.faults import OutputShaper, garbage_bytes
from firmware_sim.network import DeliveryStatus
from firmware_sim.profiles import VendorProfile
from firmware_sim.worldlog import WorldLog
from tetrakit.identities import Tsi, format_tsi, parse_identity
from tetrakit.pei.enums import (
    AiService,
    CmeError,
    RegStat,
    SdsStatus,
    ServiceLayer1,
    ServiceProfile,
)

__all__ = ["CtspRegistration", "NetworkAccess", "TerminalModel"]

CTRL_Z = 0x1A
ESC = 0x1B
MAX_LINE = 1024

_INT = re.compile(r"^\s*-?\d+\s*$")

#: AI modes (``AT+CTOM``, §6.17.4) in which the radio works in DMO first: DMO,
#: DMO with dual watch of V+D, DMO repeater
DMO_MODES = (1, 3, 6)

#: ``+GPSPOS`` satellites in view, ``+GCLI`` carrier and Cx: no source gives them [unverified]
GPS_SATELLITES = 7
GCLI_CARRIER = 0xC8A
GCLI_CX = 30


def _dm(degrees: float, width: int) -> str:
    """Degrees as ``dd_mm.mmmm`` (``width`` digits of degrees), as ``+GPSPOS`` prints them."""
    whole = int(degrees)
    minutes = round((degrees - whole) * 60, 4)
    if minutes >= 60:
        whole, minutes = whole + 1, 0.0
    return f"{whole:0{width}d}_{minutes:07.4f}"


class NetworkAccess(Protocol):
    """What a terminal needs from the SwMI (:class:`~firmware_sim.network.Network`)."""

    def submit(self, sds: AirSds, on_sent: Callable[[bool], None] | None = None) -> AirSds: ...

    def is_group(self, ssi: int) -> bool: ...

    def start_group_call(
        self, caller: int, gssi: int, *, talk: float | None = None
    ) -> GroupCall | None: ...

    def release_call(self, call: GroupCall, cause: int) -> None: ...

    def join(self, gssi: int, issi: int) -> None: ...

    def leave(self, gssi: int, issi: int) -> None: ...


@dataclass(frozen=True, slots=True)
class CtspRegistration:
    """One ``AT+CTSP`` service profile registration."""

    profile: int
    layer1: int
    layer2: int

    def routes(self, sds: AirSds) -> bool:
        """True if this registration forwards ``sds`` to the TE."""
        if self.profile not in (ServiceProfile.TE_ONLY, ServiceProfile.MT_AND_TE):
            return False
        if sds.ai_service == AiService.STATUS:
            return self.layer1 == ServiceLayer1.SDS and self.layer2 == 20
        pi = sds.protocol_id
        if pi is not None:
            if self.layer1 == ServiceLayer1.SDS_TL and self.layer2 == pi:
                return True
            if self.layer1 in (ServiceLayer1.SDS, ServiceLayer1.SDS_TL) and \
                    self.layer2 in (24, 25):
                return (pi < 128) == (self.layer2 == 24)
            return False
        # SDS types 1-3: layer 2 with the AI service number [unverified]
        return self.layer1 == ServiceLayer1.SDS and self.layer2 == sds.ai_service


class _CmeError(Exception):
    def __init__(self, code: CmeError) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class _PendingCmgs:
    dest: int
    called_type: int
    bits: int
    ai_service: int
    timer: Timer
    data: bytearray


class TerminalModel:
    """One simulated radio with a PEI.

    Args:
        issi: the radio's own ISSI.
        profile: its vendor profile.
        scheduler: the world's scheduler.
        network: the SwMI (``None`` for a radio with no network at all).
        log: the world log.
        rng: seeded random source for this radio (garbage, dropped bytes).
        mcc / mnc / location_area: network identity for ``+CNUMF`` / ``+CREG``.
        groups: groups attached at power-on (``+CTGS?``).
        on_output: called whenever new output is ready (wakes a link).
        sds_rate: SDS per second the radio itself puts on the air (see
            :meth:`uplink_slot`); ``None`` = the profile's figure (which may be
            ``None``: no limit of its own).
        position: where the radio is (``AT+GPSPOS?``); ``None`` = no GPS fix.
        dmo_gateways: DM gateway addresses heard in DMO (``+CTDGR``).
    """

    def __init__(
        self,
        issi: int,
        profile: VendorProfile,
        scheduler: Scheduler,
        network: NetworkAccess | None = None,
        *,
        log: WorldLog | None = None,
        rng: random.Random | None = None,
        mcc: int = 901,
        mnc: int = 16383,
        location_area: int = 1,
        groups: tuple[int, ...] = (),
        name: str = "",
        on_output: Callable[[], None] | None = None,
        sds_rate: float | None = None,
        position: tuple[float, float] | None = None,
        dmo_gateways: tuple[int, ...] = (),
    ) -> None:
        #: addresses of the DM gateways the radio hears in DMO (``+CTDGR``)
        self.dmo_gateways = dmo_gateways
        #: (latitude, longitude) of the radio for ``AT+GPSPOS?``; ``None``: no GPS fix
        self.position = position
        rate = sds_rate if sds_rate is not None else profile.sds_rate
        if rate is not None and not rate > 0:
            raise ValueError(f"sds_rate must be positive, got {rate}")
        self._sds_rate = rate
        self._next_uplink = float("-inf")
        self._issi = issi
        self.name = name
        self.profile = profile
        self.scheduler = scheduler
        self.network = network
        self.log = log if log is not None else WorldLog()
        self.rng = rng if rng is not None else random.Random(issi)
        self.mcc, self.mnc, self.location_area = mcc, mnc, location_area
        self.power_on_groups = tuple(groups)
        self.on_output = on_output
        self._out = bytearray()
        self.shaper = OutputShaper(scheduler, self.rng, self._append_output)
        self.in_coverage = True
        self.powered = True
        self.booting = False
        self.busy_commands = 0
        self._instances = 0
        self._own_refs = 0
        self._boot_timer: Timer | None = None
        self._epoch = 0
        self._status_timers: list[Timer] = []
        self.commands_seen = 0
        self._power_on_state()

    # -- identity and state ---------------------------------------------------------------
    @property
    def issi(self) -> int:
        return self._issi

    @property
    def tsi(self) -> Tsi:
        return Tsi(self._issi, self.mcc, self.mnc)

    @property
    def registered(self) -> bool:
        """Registered on the network: powered, not rebooting, in coverage."""
        return self.powered and not self.booting and self.in_coverage

    def reachability(self) -> Reachability:
        if not self.powered or self.booting:
            return Reachability.NOT_REGISTERED
        if not self.in_coverage:
            return Reachability.UNREACHABLE
        return Reachability.OK

    # -- uplink rate ------------------------------------------------------------------------
    @property
    def sds_rate(self) -> float | None:
        """SDS per second this radio puts on the air (``None`` = no limit of its own)."""
        return self._sds_rate

    def min_duration(self, count: int) -> float:
        """The least time from this radio's first to its last uplink slot for ``count`` SDS.

        Uplink slots are exactly ``1/sds_rate`` apart, so ``count`` SDS given
        at once leave over ``(count - 1) / sds_rate`` seconds (0 without a rate).
        The network's own rate limit may add to it.
        """
        if count <= 1 or self._sds_rate is None:
            return 0.0
        return (count - 1) / self._sds_rate

    def uplink_slot(self) -> float:
        """When an SDS accepted now would be handed to the network."""
        return max(self.scheduler.now, self._next_uplink)

    def _uplink(self, sds: AirSds, on_sent: Callable[[bool], None] | None) -> None:
        """Hand ``sds`` to the network at this radio's next uplink slot.

        The radio keeps its own FIFO queue: slots are exactly ``1/sds_rate``
        apart whatever the network does; the network's rate limit and
        congestion then apply from the slot on.  An SDS still queued in the
        radio when it reboots or is switched off is lost with its memory.
        """
        network = self.network
        if network is None:
            if on_sent is not None:
                on_sent(False)
            return
        slot = self.uplink_slot()
        if self._sds_rate is not None:
            self._next_uplink = slot + 1.0 / self._sds_rate
        if slot <= self.scheduler.now:
            network.submit(sds, on_sent)
            return
        epoch = self._epoch

        def hand_over() -> None:
            if epoch == self._epoch and self.powered:
                network.submit(sds, on_sent)

        self._status_timers.append(self.scheduler.call_at(slot, hand_over))

    def _power_on_state(self) -> None:
        self.echo = self.profile.echo
        self.cmee = self.profile.cmee
        self.creg_mode = 0
        self.ctsds = (int(AiService.SDS_TYPE_4), 0, 0, 0, 0)
        self.ctsp: list[CtspRegistration] = []
        self.ctom = 0
        self.cscs = "8859-1"
        self.ctsdc = "0,0,0,1,1,0,1,1,0,0,0"
        self.ctgs: list[tuple[int, int]] = [(1, g) for g in self.power_on_groups[:1]]
        #: calls this radio shows, by CC instance (forgotten with its memory)
        self.calls: dict[int, GroupCall] = {}
        self._line = bytearray()
        self._pending: _PendingCmgs | None = None

    # -- byte interface ---------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Bytes written by the host."""
        if not self.powered or self.booting:
            return  # a rebooting or switched-off radio hears nothing
        for b in data:
            if self._pending is not None:
                self._data_byte(b)
            else:
                self._command_byte(b)

    def data_to_send(self, max_bytes: int | None = None) -> bytes:
        """Take up to ``max_bytes`` of pending output (one byte when that fault is on)."""
        n = len(self._out) if max_bytes is None else min(max_bytes, len(self._out))
        if self.shaper.faults.one_byte:
            n = min(n, 1)
        out = bytes(self._out[:n])
        del self._out[:n]
        return out

    @property
    def output_pending(self) -> int:
        """Bytes of output waiting to be read."""
        return len(self._out)

    def _append_output(self, data: bytes) -> None:
        self._out += data
        if self.on_output is not None:
            self.on_output()

    def _emit(self, text: str) -> None:
        if self.powered and not self.booting:
            self.shaper.push(text.encode("latin-1"))

    def _lines(self, *lines: str) -> None:
        le = self.profile.line_ending
        self._emit("".join(f"{le}{line}{le}" for line in lines))

    def _ok(self, *info: str) -> None:
        self._lines(*info, "OK")

    def _error(self, code: int) -> None:
        self._lines("ERROR" if self.cmee == 0 else f"+CME ERROR: {int(code)}")

    # -- command mode -------------------------------------------------------------------------
    def _command_byte(self, b: int) -> None:
        if self.echo:
            self._emit(chr(b))
        if b in (CTRL_Z, ESC):
            self._line.clear()
            if b == CTRL_Z:
                self._error(CmeError.USER_DATA_WITHOUT_CMGS)  # user data without AT+CMGS
            return
        if b in (0x0D, 0x0A):
            if self._line:
                line = bytes(self._line)
                self._line.clear()
                self._handle_line(line)
            return
        if b == 0x08 and self._line:  # backspace, V.25ter S5
            del self._line[-1]
            return
        if len(self._line) < MAX_LINE:
            self._line.append(b)
        else:
            self._line = bytearray(b"\xff")  # too long: answer 35 at the end of the line

    def _handle_line(self, raw: bytes) -> None:
        self.commands_seen += 1
        text = raw.decode("latin-1").strip()
        if not text:
            return
        if self.busy_commands > 0:
            self.busy_commands -= 1
            self._error(CmeError.BUSY)
            return
        upper = text.upper()
        if not upper.startswith("AT"):
            self._error(CmeError.SYNTAX_ERROR)  # garbage before the command: syntax error
            return
        code = self.profile.errors.get(upper)
        if code is not None:
            self._error(code)
            return
        try:
            self._dispatch(text[2:].strip(), upper[2:].strip())
        except _CmeError as exc:
            self._error(exc.code)

    def _dispatch(self, body: str, ubody: str) -> None:
        if ubody == "":
            self._ok()
            return
        if ubody[0] != "+":
            self._basic(ubody)
            return
        m = re.match(r"^\+([A-Z]+)(=\?|\?|=)?(.*)$", ubody)
        if m is None:
            raise _CmeError(CmeError.SYNTAX_ERROR)
        name, form, _ = m.groups()
        args = body[m.start(3):] if m.group(3) else ""
        handler = getattr(self, f"_cmd_{name.lower()}", None)
        if handler is None:
            raise _CmeError(CmeError.NOT_SUPPORTED)
        handler(form or "", args)

    def _basic(self, ubody: str) -> None:
        if ubody in ("E", "E0"):
            self.echo = False
            self._ok()
        elif ubody == "E1":
            self.echo = True
            self._ok()
        elif ubody in ("Z", "Z0", "&F", "&F0"):
            if self.profile.atz == "reboot" and ubody.startswith("Z"):
                self.reboot(self.profile.reboot_time, reason="ATZ")
                return
            self._reset_settings()
            self._ok()
        elif ubody in ("I", "I0"):
            p = self.profile
            self._ok(p.manufacturer, p.model, p.revision)
        elif ubody.startswith("D"):
            self._dial(ubody[1:].rstrip(";").strip())
        elif ubody in ("H", "H0"):
            self._hang_up()
        else:
            known_form = re.fullmatch(r"[A-Z&]\d*", ubody) is not None
            raise _CmeError(CmeError.NOT_SUPPORTED if known_form else CmeError.SYNTAX_ERROR)

    def _reset_settings(self) -> None:
        """ATZ / AT&F: back to the power-on settings; registrations stay [unverified]."""
        self.echo = self.profile.echo
        self.cmee = self.profile.cmee
        self.creg_mode = 0
        self.ctsds = (int(AiService.SDS_TYPE_4), 0, 0, 0, 0)

    # -- parameter helpers -----------------------------------------------------------------------
    @staticmethod
    def _ints(args: str, minimum: int, maximum: int) -> list[int]:
        parts = [p.strip() for p in args.split(",")] if args.strip() else []
        if not minimum <= len(parts) <= maximum:
            raise _CmeError(CmeError.SYNTAX_ERROR)
        out = []
        for p in parts:
            if not _INT.match(p):
                raise _CmeError(CmeError.SYNTAX_ERROR)
            out.append(int(p))
        return out

    @staticmethod
    def _check(value: int, lo: int, hi: int) -> None:
        if not lo <= value <= hi:
            raise _CmeError(CmeError.PARAMETER_OUT_OF_RANGE)

    def _identity(self, name: str, prefix: bool = True) -> None:
        p = self.profile
        text = {"GMI": p.manufacturer, "GMM": p.model, "GMR": p.revision}[name]
        self._ok(f"+{name}: {text}" if p.id_prefix and prefix else text)

    # -- +commands -----------------------------------------------------------------------------
    def _cmd_gmi(self, form: str, args: str) -> None:
        self._id_command("GMI", form)

    def _cmd_gmm(self, form: str, args: str) -> None:
        self._id_command("GMM", form)

    def _cmd_gmr(self, form: str, args: str) -> None:
        self._id_command("GMR", form)

    def _id_command(self, name: str, form: str) -> None:
        if form == "=?":
            self._ok()
        elif form in ("", "?"):
            self._identity(name)
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_cmee(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CMEE: (0-2)")
        elif form == "?":
            self._ok(f"+CMEE: {self.cmee}")
        elif form == "=":
            (n,) = self._ints(args, 1, 1)
            self._check(n, 0, 2)
            self.cmee = n
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_ctsds(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CTSDS: (9-13),(0-5),(0-15),(0-3),(0-1)")
        elif form == "?":
            self._ok("+CTSDS: " + ",".join(str(v) for v in self.ctsds))
        elif form == "=":
            vals = self._ints(args, 2, 5)
            ai, id_type = vals[0], vals[1]
            self._check(ai, 0, 13)
            if not AiService(ai).is_sds:  # circuit-mode services are not SDS
                raise _CmeError(CmeError.PARAMETER_OUT_OF_RANGE)
            # every type of §6.17.11 is accepted here; which ones the SwMI routes
            # is the network's business (firmware_sim.network refuses the others)
            self._check(id_type, 0, 5)
            rest = [*vals, 0, 0, 0][2:5]
            self._check(rest[0], 0, 15)
            self._check(rest[1], 0, 3)
            self._check(rest[2], 0, 1)
            self.ctsds = (ai, id_type, rest[0], rest[1], rest[2])
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_ctsp(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CTSP: (0-2),(0-3),(0-255)")
        elif form == "?":
            if not self.ctsp:
                self._ok()
            else:
                self._ok(*(f"+CTSP: {r.profile},{r.layer1},{r.layer2}" for r in self.ctsp))
        elif form == "=":
            vals = self._ints(args, 2, 5)
            profile, l1 = vals[0], vals[1]
            l2 = vals[2] if len(vals) > 2 else 0
            self._check(profile, 0, 2)
            self._check(l1, 0, 3)
            self._check(l2, 0, 255)
            for i, reg in enumerate(self.ctsp):
                if (reg.layer1, reg.layer2) == (l1, l2):
                    if reg.profile == profile:
                        raise _CmeError(CmeError.PID_ALREADY_REGISTERED)  # already registered
                    self.ctsp[i] = CtspRegistration(profile, l1, l2)
                    self._ok()
                    return
            if len(self.ctsp) >= self.profile.ctsp_table_size:
                raise _CmeError(CmeError.SDS_TL_TABLE_FULL)
            self.ctsp.append(CtspRegistration(profile, l1, l2))
            self.log.record(self.scheduler.now, "ctsp_registered", radio=self._issi,
                            profile=profile, layer1=l1, layer2=l2)
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_ctom(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CTOM: (0-6)")
        elif form == "?":
            self._ok(f"+CTOM: {self.ctom}")
        elif form == "=":
            (mode,) = self._ints(args, 1, 1)
            self._check(mode, 0, 6)
            self.ctom = mode
            self._ok()
            if mode in DMO_MODES:
                self._report_dmo_gateways()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_ctgs(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CTGS: (0-7),(0-16777215)")
        elif form == "?":
            if not self.ctgs:
                self._ok("+CTGS: 0")
            else:
                self._ok(*(f"+CTGS: {t},{format_tsi(Tsi(g, self.mcc, self.mnc))}"
                           for t, g in self.ctgs))
        elif form == "=":
            parts = [p.strip() for p in args.split(",")]
            if len(parts) == 1 and parts[0] == "0":
                self._attach_groups([])
                self._ok()
                return
            if len(parts) % 2:
                raise _CmeError(CmeError.SYNTAX_ERROR)
            new: list[tuple[int, int]] = []
            for t_text, g_text in zip(parts[::2], parts[1::2], strict=True):
                if not _INT.match(t_text):
                    raise _CmeError(CmeError.SYNTAX_ERROR)
                gtype = int(t_text)
                self._check(gtype, 0, 7)
                try:
                    gssi = parse_identity(g_text).ssi
                except ValueError:
                    raise _CmeError(CmeError.SYNTAX_ERROR) from None
                new.append((gtype, gssi))
            self._attach_groups(new)
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_ctsdc(self, form: str, args: str) -> None:
        """Circuit-mode call parameters: stored only, calls are not simulated."""
        if form == "=?":
            self._ok("+CTSDC: (0-8),(0-5),(0),(0-1),(0-1),(0-1),(0-3),(0-4),(0-1),(0-15),(0-1)")
        elif form == "?":
            self._ok(f"+CTSDC: {self.ctsdc}")
        elif form == "=":
            vals = self._ints(args, 1, 11)
            self._check(vals[0], 0, 8)
            self.ctsdc = ",".join(map(str, vals))
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_cscs(self, form: str, args: str) -> None:
        """TE character set (V.25ter / 27.007 style, sent by ftl/tetra-cli)."""
        sets = ("8859-1", "IRA", "UCS2")
        if form == "=?":
            self._ok("+CSCS: " + ",".join(f'"{c}"' for c in sets))
        elif form == "?":
            self._ok(f'+CSCS: "{self.cscs}"')
        elif form == "=":
            name = args.strip().strip('"').upper()
            if name not in sets:
                raise _CmeError(CmeError.PARAMETER_OUT_OF_RANGE)
            self.cscs = name
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _attach_groups(self, groups: list[tuple[int, int]]) -> None:
        """Group attachment (EN 300 392-5 §6.17.25): the SwMI routes group SDS accordingly.

        Groups of the scenario stay attached; only those selected here change.
        """
        old = {g for _, g in self.ctgs} - set(self.power_on_groups)
        new = {g for _, g in groups}
        if self.network is not None:
            for gssi in old - new:
                self.network.leave(gssi, self._issi)
            for gssi in new - old:
                self.network.join(gssi, self._issi)
        self.ctgs = groups

    def _cmd_cnumf(self, form: str, args: str) -> None:
        if form == "?":
            self._ok(f"+CNUMF: 6,{format_tsi(self.tsi)}")
        elif form == "=?":
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_cnum(self, form: str, args: str) -> None:
        if form == "?":
            self._ok(f"+CNUM: 0,{self._issi}")  # [unverified] exact form
        elif form == "=?":
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_csq(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CSQ: (0-31,99),(99)")
        elif form in ("", "?"):
            rssi = self.profile.rssi if self.registered else 99
            self._ok(f"+CSQ: {rssi},99")
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _creg_line(self) -> str:
        if self.registered:
            return (f"+CREG: {int(RegStat.REGISTERED_HOME)},{self.location_area},"
                    f"{self.mcc:03d}{self.mnc:05d}")
        # out of coverage the MS searches; the exact form while off is [unverified]
        stat = RegStat.SEARCHING if self.powered else RegStat.NOT_REGISTERED
        return f"+CREG: {int(stat)}"

    def _cmd_creg(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CREG: (0-1)")
        elif form == "?":
            self._ok(self._creg_line())
        elif form == "=":
            (n,) = self._ints(args, 1, 1)
            self._check(n, 0, 1)
            self.creg_mode = n
            self._ok()
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_cbc(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok("+CBC: (0-3),(0-100)")
        elif form in ("", "?"):
            self._ok(f"+CBC: 0,{self.profile.battery}")
        else:
            raise _CmeError(CmeError.SYNTAX_ERROR)

    def _cmd_cmgs(self, form: str, args: str) -> None:
        if form == "=?":
            self._ok(f"+CMGS: (0-16777215),(0-{self.profile.max_sds_bits})")
            return
        if form != "=":
            raise _CmeError(CmeError.SYNTAX_ERROR)
        parts = [p.strip() for p in args.split(",")]
        if len(parts) != 2 or not _INT.match(parts[1]):
            raise _CmeError(CmeError.SYNTAX_ERROR)
        called_type = self.ctsds[1]
        dest = self._called_party(parts[0], called_type)
        bits = int(parts[1])
        ai = self.ctsds[0]
        limits = {9: (16, 16), 10: (32, 32), 11: (64, 64), 13: (16, 16)}
        lo, hi = limits.get(ai, (8, self.profile.max_sds_bits))
        if not lo <= bits <= hi:
            raise _CmeError(CmeError.PARAMETER_OUT_OF_RANGE)
        timer = self.scheduler.call_later(self.profile.cmgs_data_timeout, self._cmgs_timeout)
        self._pending = _PendingCmgs(dest, called_type, bits, ai, timer, bytearray())

    @staticmethod
    def _called_party(text: str, called_type: int) -> int:
        """The called party of ``AT+CMGS`` as the number the network gets.

        SSI / TSI / extended TSI (types 0, 1, 5) are TETRA identities (the SSI
        part is what the SwMI routes); SNA, PABX and PSTN numbers (2-4) are
        plain digit strings passed on as they are.
        """
        try:
            if called_type in (0, 1, 5):
                return parse_identity(text).ssi
            digits = text.strip().strip('"')
            if not digits.isdigit() or len(digits) > 24:
                raise ValueError(text)
            return int(digits)
        except ValueError:
            raise _CmeError(CmeError.SYNTAX_ERROR) from None

    # -- data mode (AT+CMGS user data) -------------------------------------------------------
    def _data_byte(self, b: int) -> None:
        pending = self._pending
        assert pending is not None
        if self.echo and b not in (CTRL_Z, ESC):
            self._emit(chr(b))
        if b == ESC:
            pending.timer.cancel()
            self._pending = None
            self._ok()  # sending cancelled
        elif b == CTRL_Z:
            pending.timer.cancel()
            self._pending = None
            try:
                self._send(pending)
            except _CmeError as exc:
                self._error(exc.code)
        elif len(pending.data) < 2 * MAX_LINE:
            pending.data.append(b)

    def _cmgs_timeout(self) -> None:
        if self._pending is not None:
            self._pending = None
            self._error(CmeError.CMGS_USER_DATA_TIMEOUT)

    def _send(self, pending: _PendingCmgs) -> None:
        text = bytes(pending.data).decode("latin-1")
        digits = "".join(text.split())
        if not digits or not re.fullmatch(r"[0-9A-Fa-f]+", digits):
            raise _CmeError(CmeError.USER_DATA_DECODING_FAILED)
        need = (pending.bits + 3) // 4
        if len(digits) < need:
            raise _CmeError(CmeError.USER_DATA_DECODING_FAILED)  # fewer digits than the length says
        digits = digits[:need]
        payload = bytes.fromhex(digits + "0" * (len(digits) % 2))
        if not self.registered:
            raise _CmeError(CmeError.OUT_OF_SERVICE)  # MS out of service
        instance = self._instances
        self._instances = (self._instances + 1) % 256
        ref = codec.message_reference(pending.ai_service, payload, pending.bits)
        if ref is None:
            self._own_refs = (self._own_refs + 1) % 256
            ref = self._own_refs
        self._ok(f"+CMGS: {instance}")
        accepted = self.scheduler.now
        epoch = self._epoch
        sds = AirSds(self._issi, pending.dest, pending.ai_service, payload, pending.bits,
                     called_type=pending.called_type)

        def sent(ok: bool) -> None:
            status = SdsStatus.SENT if ok else SdsStatus.FAILED
            self._schedule_status(epoch, accepted, instance, status, ref)

        self._uplink(sds, sent)

    def _schedule_status(
        self, epoch: int, accepted: float, instance: int, status: SdsStatus, ref: int
    ) -> None:
        if epoch != self._epoch:
            return  # the radio rebooted since: the status is lost with its memory
        when = max(self.scheduler.now, accepted + self.profile.cmgs_status_delay)

        def emit() -> None:
            if epoch == self._epoch and self.powered and not self.booting:
                self._lines(f"+CMGS: {instance},{int(status)},{ref}")

        self._status_timers.append(self.scheduler.call_at(when, emit))
        now = self.scheduler.now  # timers due before now have run: forget them
        self._status_timers = [t for t in self._status_timers if not t.cancelled and t.when >= now]

    # -- from the network --------------------------------------------------------------------
    def deliver(self, sds: AirSds) -> None:
        """An SDS for this radio (or one of its groups) arrived over the air."""
        now = self.scheduler.now
        routed = any(reg.routes(sds) for reg in self.ctsp)
        self.log.record(now, "pei_indication" if routed else "pei_not_forwarded",
                        radio=self._issi, id=sds.sds_id, **{"from": sds.source}, to=sds.dest)
        if not routed:
            self._handle_in_mt(sds)
            return
        payload = self.profile.hex_payload(sds.payload, sds.bits)
        header = f"+CTSDSR: {sds.ai_service},{sds.source},0,{sds.dest},0,{sds.bits}"
        self._lines(header + self.profile.line_ending + payload)

    def _handle_in_mt(self, sds: AirSds) -> None:
        """An SDS the TE did not register for: the MT shows it and does the SDS-TL part.

        A text SDS-TL transfer addressed to this radio that asks for reports
        gets "received" at once and "consumed" ``display_read_delay`` seconds
        later (someone reads the display), as for a handheld.  When the TE has
        registered the PI with ``AT+CTSP`` the host gets it and the host
        reports instead (``tetrakit.radio`` does).  Which reports a real MT
        sends for a message it displays itself, and when, is [unverified]:
        EN 300 392-2 cl. 29 says the destination's SDS-TL reports, not which
        entity of a PEI radio does it.  Group transfers and non-text data get
        no report from the MT here.
        """
        if sds.dest != self._issi:
            return
        info = codec.transfer_info(sds)
        if info is None or info.text is None:
            return
        epoch = self._epoch
        if info.wants_received:
            self._mt_report(sds, info, DeliveryStatus.RECEIVED)
        if info.wants_consumed:
            def read() -> None:
                if epoch == self._epoch and self.registered:
                    self._mt_report(sds, info, DeliveryStatus.CONSUMED)

            self.scheduler.call_later(self.profile.display_read_delay, read)

    def _mt_report(self, sds: AirSds, info: codec.TransferInfo, status: int) -> None:
        payload, bits = codec.build_report(info.protocol_id, status, info.message_reference)
        report = AirSds(self._issi, sds.source, AiService.SDS_TYPE_4, payload, bits)
        self.log.record(self.scheduler.now, "report", **{"from": self._issi}, to=sds.source,
                        mr=info.message_reference, delivery_status=status,
                        status_name=codec.delivery_status_name(status), by="mt")
        self._uplink(report, None)

    def _report_dmo_gateways(self) -> None:
        """In DMO the radio lists the DM gateways it hears: ``+CTDGR: 2,<addr>,<MNI>,0``.

        Field order from EN 300 392-5 via TetraLogic (``<DM comm type>,<address>,
        <MNI>,<presence>``); the values 2 (via a DM gateway) and presence 0 are
        those of the transcript (§4) [unverified meaning].  Only the scenario's
        ``dmo_gateways`` are heard; DMO traffic itself is not simulated.
        """
        mni = f"{self.mcc:03d}{self.mnc:05d}"
        self._lines(*(f"+CTDGR: 2,{addr},{mni},0" for addr in self.dmo_gateways))

    # -- call control (EN 300 392-5 §6.15; signalling only) -----------------------------------
    def _tsi_text(self, ssi: int) -> str:
        return format_tsi(Tsi(ssi, self.mcc, self.mnc))

    def _free_cc_instance(self) -> int:
        cc = 1
        while cc in self.calls:
            cc += 1
        return cc

    def _cc_of(self, call: GroupCall) -> int | None:
        return next((cc for cc, c in self.calls.items() if c is call), None)

    def _dial(self, number: str) -> None:
        """``ATD<GSSI>``: a group call with the ``AT+CTSDC`` parameters.

        Answers ``OK`` and ``+CTCC: <cc>,<hook>,<simplex>,<AI service>,<E2EE>,
        <comms type>,<slots/codec>`` (the §4 transcript's field order); the
        radio does not request transmission (no speech is simulated), so the
        call ends ``call_hang_time`` later with ``+CTCR: <cc>,13``.  Only group
        calls are simulated: individual calls answer ``+CME ERROR: 4``.
        """
        if not number.isdigit() or len(number) > 17:
            raise _CmeError(CmeError.SYNTAX_ERROR)
        try:
            gssi = parse_identity(number).ssi
        except ValueError:
            raise _CmeError(CmeError.SYNTAX_ERROR) from None
        vals = [int(v) for v in self.ctsdc.split(",")] + [0] * 11
        ai, hook, simplex, e2ee, comms, slots = vals[0], *vals[3:8]
        if not self.registered:
            raise _CmeError(CmeError.OUT_OF_SERVICE)
        if ai != int(AiService.TETRA_SPEECH) or self.network is None or \
                not self.network.is_group(gssi):
            raise _CmeError(CmeError.NOT_SUPPORTED)  # only speech group calls are simulated
        call = self.network.start_group_call(self._issi, gssi)
        assert call is not None  # a group, checked above
        cc = self._free_cc_instance()
        self.calls[cc] = call
        self._ok()
        self._lines(f"+CTCC: {cc},{hook},{simplex},{ai},{e2ee},{comms},{slots}")

    def _hang_up(self) -> None:
        """``ATH``: release the calls this radio set up (cause 1, user requested)."""
        own = [c for c in self.calls.values() if c.caller == self._issi]
        self._ok()
        if self.network is not None:
            for call in own:
                self.network.release_call(call, 1)

    def call_setup(self, call: GroupCall, *, talking: bool) -> None:
        """An incoming group call: ``+CTICN``, and ``+CTXG`` when the caller talks.

        Field values as in the first ``+CTICN`` of the §4 transcript: call status
        0, AI service 0 (speech), calling party as extended TSI (type 5), hook 1,
        simplex 1, no E2EE, comms type 1 (point-to-multipoint), slots 1, called
        group as extended TSI, priority 0.  ``+CTXG: <cc>,3,0,0,3,<TSI>``: the
        transmission is granted to another (the caller); the TPI type 3 is the
        transcript's value [unverified].
        """
        if not self.registered:
            return
        cc = self._free_cc_instance()
        self.calls[cc] = call
        caller, group = self._tsi_text(call.caller), self._tsi_text(call.gssi)
        lines = [f"+CTICN: {cc},0,{int(AiService.TETRA_SPEECH)},5,{caller},1,1,0,1,1,5,{group},0"]
        if talking:
            lines.append(f"+CTXG: {cc},3,0,0,3,{caller}")
        self._lines(*lines)

    def call_tx_ceased(self, call: GroupCall) -> None:
        """The talking party let go of the PTT: ``+CDTXC: <cc>,0``."""
        cc = self._cc_of(call)
        if cc is not None and self.registered:
            self._lines(f"+CDTXC: {cc},0")

    def call_released(self, call: GroupCall, cause: int) -> None:
        """``+CTCR: <cc>,<disconnect cause>``; the CC instance is free again."""
        cc = self._cc_of(call)
        if cc is None:
            return
        del self.calls[cc]
        if self.registered:
            self._lines(f"+CTCR: {cc},{cause}")

    # -- Motorola proprietary (profile ``proprietary``) ----------------------------------------
    def _proprietary(self, name: str) -> None:
        if name not in self.profile.proprietary:
            raise _CmeError(CmeError.NOT_SUPPORTED)

    def _cmd_gpspos(self, form: str, args: str) -> None:
        """``AT+GPSPOS?`` -> ``+GPSPOS: hh:mm:ss,N: dd_mm.mmmm,E: ddd_mm.mmmm,<satellites>``.

        The form is ftl/tetra-pei's test vector (§6 of the transcripts).  The
        time is the simulated time of day (the world starts at 00:00:00 UTC);
        the position is the radio's (the scenario's ``site``).  Without a
        position the radio has no fix: ``+CME ERROR: 3`` [unverified].
        """
        self._proprietary("gpspos")
        if form != "?":
            raise _CmeError(CmeError.SYNTAX_ERROR)
        if self.position is None:
            raise _CmeError(CmeError.NOT_IN_CURRENT_STATE)
        lat, lon = self.position
        secs = int(self.scheduler.now) % 86400
        clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        self._ok(f"+GPSPOS: {clock},{ns}: {_dm(abs(lat), 2)},{ew}: {_dm(abs(lon), 3)},"
                 f"{GPS_SATELLITES}")

    def _cmd_gcli(self, form: str, args: str) -> None:
        """``AT+GCLI?`` -> ``+GCLI: <n>`` and n lines ``<LAC>,<carrier hex>,<rssi>,<Cx>``.

        The form is ftl/tetra-mess's (§6 of the transcripts); the list holds the
        serving cell (its location area), empty out of coverage.  Carrier number
        and Cx are made-up constants [unverified].
        """
        self._proprietary("gcli")
        if form != "?":
            raise _CmeError(CmeError.SYNTAX_ERROR)
        if not self.registered:
            self._ok("+GCLI: 0")
            return
        self._ok("+GCLI: 1", f"{self.location_area},{GCLI_CARRIER:X},{self.profile.rssi},"
                             f"{GCLI_CX}")

    # -- faults ------------------------------------------------------------------------------
    def reboot(self, duration: float, *, reason: str = "fault") -> None:
        """Go silent for ``duration`` s, then come back with power-on settings.

        Registrations (``AT+CTSP``) are lost, echo is back on, a pending
        ``AT+CMGS`` and not yet printed ``+CMGS`` statuses are gone.
        """
        if self._pending is not None:
            self._pending.timer.cancel()
        for t in self._status_timers:
            t.cancel()
        self._status_timers = []
        if self._boot_timer is not None:
            self._boot_timer.cancel()
        self.booting = True
        self._epoch += 1
        self._out.clear()
        self._power_on_state()  # its memory is gone from this moment
        self.log.record(self.scheduler.now, "radio_reboot", radio=self._issi, reason=reason,
                        duration=duration)
        self._boot_timer = self.scheduler.call_later(duration, self._boot_done)

    def _boot_done(self) -> None:
        self.booting = False
        self._power_on_state()
        self.log.record(self.scheduler.now, "radio_up", radio=self._issi)

    def set_power(self, on: bool) -> None:
        """Switch the radio off (it forgets everything, like a reboot) or on again."""
        if on == self.powered:
            return
        if not on:
            if self._pending is not None:
                self._pending.timer.cancel()
            for t in self._status_timers:
                t.cancel()
            self._status_timers = []
            self._epoch += 1
            self._out.clear()
            self._power_on_state()
        self.powered = on
        self.log.record(self.scheduler.now, "power", radio=self._issi, on=on)

    def set_coverage(self, in_coverage: bool) -> None:
        """Lose or regain network coverage; ``+CREG`` is reported when enabled."""
        if in_coverage == self.in_coverage:
            return
        self.in_coverage = in_coverage
        self.log.record(self.scheduler.now, "coverage", radio=self._issi, in_coverage=in_coverage)
        if self.creg_mode == 1:
            self._lines(self._creg_line())

    def set_busy(self, commands: int) -> None:
        """Answer the next ``commands`` commands with ``+CME ERROR: 42``."""
        self.busy_commands = commands

    def inject_garbage(self, count: int) -> bytes:
        """Put ``count`` bytes of line noise on the radio's output; return them."""
        noise = garbage_bytes(self.rng, count)
        if self.powered and not self.booting:
            self.shaper.inject(noise)
        return noise
