"""A simulated world: network, PEI radios, team members and the fault timeline.

:class:`World` builds everything from a :class:`~firmware_sim.scenario.Scenario`
on one :class:`~firmware_sim.clock.Scheduler`.  With the default
:class:`~firmware_sim.clock.VirtualClock`, :meth:`World.advance` runs
everything due, so a ten-minute scenario runs in milliseconds; with a
scheduler driven by :mod:`firmware_sim.hosting` it runs in real time.  The
world itself does no I/O.

Randomness: every radio and member gets its own generator seeded from the
world seed and its ISSI, so adding a member does not change what the others do.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from firmware_sim.clock import Scheduler, VirtualClock
from firmware_sim.members import Fixed, Mobility, RandomWalk, TeamMember, Waypoints
from firmware_sim.network import Network
from firmware_sim.scenario import CallSpec, FaultSpec, MobilitySpec, Scenario, load_scenario
from firmware_sim.terminal import TerminalModel
from firmware_sim.worldlog import WorldLog

__all__ = ["World"]


def _rng(seed: int, what: str, issi: int) -> random.Random:
    # string seeds are hashed with SHA-512 by random.seed: stable across runs and platforms
    return random.Random(f"{seed}:{what}:{issi}")


def _mobility(spec: MobilitySpec | None, rng: random.Random) -> Mobility | None:
    if spec is None:
        return None
    if spec.kind == "fixed":
        return Fixed(spec.latitude, spec.longitude)
    if spec.kind == "waypoints":
        return Waypoints(list(spec.points), spec.speed_mps)
    return RandomWalk(spec.latitude, spec.longitude, spec.radius_m, spec.speed_mps, rng=rng)


class World:
    """Everything in one simulated scenario.

    Args:
        scenario: a :class:`Scenario`, or a built-in name / YAML path to load.
        seed: overrides the scenario's seed.
        clock: the scheduler to run on (default: a new :class:`VirtualClock`).
        log: the world log (default: a new in-memory one).
    """

    def __init__(
        self,
        scenario: Scenario | str = "hospital",
        *,
        seed: int | None = None,
        clock: Scheduler | None = None,
        log: WorldLog | None = None,
    ) -> None:
        if isinstance(scenario, str):
            scenario = load_scenario(scenario)
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.clock: Scheduler = clock if clock is not None else VirtualClock()
        self.log = log if log is not None else WorldLog()
        #: called with an ISSI whenever that radio has new output (set by hosts)
        self.output_listener: Callable[[int], None] | None = None
        net = scenario.network
        self.network = Network(net, self.clock, self.log, _rng(self.seed, "network", 0))
        for g in scenario.groups:
            self.network.add_group(g.gssi, g.name)
        self.terminals: dict[int, TerminalModel] = {}
        for r in scenario.radios:
            # the radio's own uplink rate: the scenario's, the profile's, else the network's
            rate = r.sds_rate if r.sds_rate is not None else r.profile.sds_rate
            term = TerminalModel(
                r.issi, r.profile, self.clock, self.network, log=self.log,
                rng=_rng(self.seed, "radio", r.issi), mcc=net.mcc, mnc=net.mnc,
                location_area=net.location_area, groups=r.groups, name=r.name,
                on_output=self._output_callback(r.issi),
                sds_rate=rate if rate is not None else net.rate_limit,
                position=scenario.site[:2] if scenario.site is not None else None,
                dmo_gateways=scenario.dmo_gateways,
            )
            term.set_power(r.powered)
            self.network.attach(term)
            for gssi in r.groups:
                self.network.join(gssi, r.issi)
            self.terminals[r.issi] = term
        self.members: dict[int, TeamMember] = {}
        for m in scenario.members:
            rng = _rng(self.seed, "member", m.issi)
            member = TeamMember(
                m.issi, self.network, m.behaviour, mobility=_mobility(m.mobility, rng),
                lip=m.lip, rng=rng, powered=m.powered, name=m.name,
            )
            self.network.attach(member)
            for gssi in m.groups:
                self.network.join(gssi, m.issi)
            self.members[m.issi] = member
        self.log.record(self.clock.now, "world_start", scenario=scenario.name, seed=self.seed,
                        radios=list(self.terminals), members=list(self.members))
        for member in self.members.values():
            member.start()
        for fault in scenario.faults:
            self.clock.call_at(self.clock.now + fault.at, self._fault_action(fault))
        for call in scenario.calls:
            self.clock.call_at(self.clock.now + call.at, self._call_action(call))

    def _call_action(self, call: CallSpec) -> Callable[[], None]:
        return lambda: self._start_call(call)

    def _start_call(self, call: CallSpec) -> None:
        self.network.start_group_call(call.caller, call.gssi, talk=call.talk)

    def _output_callback(self, issi: int) -> Callable[[], None]:
        def notify() -> None:
            if self.output_listener is not None:
                self.output_listener(issi)
        return notify

    # -- access ---------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Simulated seconds."""
        return self.clock.now

    def terminal(self, issi: int) -> TerminalModel:
        """The PEI radio ``issi``.

        Raises:
            KeyError: no PEI radio with that ISSI (the message lists the ones there are).
        """
        try:
            return self.terminals[issi]
        except KeyError:
            raise KeyError(
                f"no PEI radio {issi} in scenario {self.scenario.name!r}; "
                f"PEI radios: {', '.join(map(str, self.terminals)) or 'none'}"
            ) from None

    def member(self, issi: int) -> TeamMember:
        return self.members[issi]

    def advance(self, dt: float) -> int:
        """Run ``dt`` simulated seconds (virtual clock only); return how many callbacks ran."""
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("advance() needs a world on a VirtualClock")
        return self.clock.advance(dt)

    # -- faults --------------------------------------------------------------------------------
    def _fault_action(self, fault: FaultSpec) -> Callable[[], None]:
        return lambda: self.apply_fault(fault)

    def apply_fault(self, fault: FaultSpec) -> None:
        """Start ``fault`` now (and schedule its end when it has a duration)."""
        now = self.clock.now
        self.log.record(now, "fault", target=fault.target, kind=fault.kind,
                        duration=fault.duration)
        end: Callable[[], None] | None = None
        if fault.target in self.terminals:
            term = self.terminals[fault.target]
            link = term.shaper.faults
            if fault.kind == "reboot":
                term.reboot(fault.duration if fault.duration is not None
                            else term.profile.reboot_time)
            elif fault.kind == "busy":
                term.set_busy(fault.commands)
            elif fault.kind == "garbage":
                term.inject_garbage(fault.count)
            elif fault.kind == "noise":
                end = _setter(link, "garbage_probability", fault.probability, 0.0)
            elif fault.kind == "drop_bytes":
                end = _setter(link, "drop_probability", fault.probability, 0.0)
            elif fault.kind == "one_byte":
                end = _setter(link, "one_byte", True, False)
            elif fault.kind == "delay":
                end = _setter(link, "delay", fault.seconds, 0.0)
            elif fault.kind == "coverage_loss":
                term.set_coverage(False)
                end = _caller(term.set_coverage, True)
            elif fault.kind == "switch_off":
                term.set_power(False)
                end = _caller(term.set_power, True)
        else:
            member = self.members[fault.target]
            if fault.kind == "coverage_loss":
                member.set_coverage(False)
                end = _caller(member.set_coverage, True)
            elif fault.kind == "switch_off":
                member.set_power(False)
                end = _caller(member.set_power, True)
        if end is not None and fault.duration is not None:
            undo = end

            def finish() -> None:
                undo()
                self.log.record(self.clock.now, "fault_end", target=fault.target,
                                kind=fault.kind)

            self.clock.call_later(fault.duration, finish)


def _setter(obj: object, attr: str, value: object, restore: object) -> Callable[[], None]:
    """Set ``obj.attr`` to ``value`` now; return the function that sets it back."""
    setattr(obj, attr, value)
    return lambda: setattr(obj, attr, restore)


def _caller(fn: Callable[[bool], None], arg: bool) -> Callable[[], None]:
    return lambda: fn(arg)
