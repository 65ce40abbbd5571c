"""The ``panels:`` section of a simulator scenario: simulated button boxes and their timeline.

```yaml
panels:
  - id: panel-a            # the name the controller's inputs.buttonboxes use
    buttons: 4             # 1-255 (default 4)
    seed: 7                # noise generator (default: the scenario's seed)
    version: "1.0.0"       # firmware version in HELLO (default: the firmware's)
    timeline:              # seconds after the start of the simulation
      - {at: 5, press: 1}              # press button 1, release after 0.3 s
      - {at: 6, press: 2, hold: 2.0}   # keep it down 2 s (hold: null = stays down)
      - {at: 8, cut: 3}                # wire cut: FAULT OPEN
      - {at: 9, short: 3}              # FAULT SHORT
      - {at: 10, tamper: 4}            # housing opened: FAULT TAMPER
      - {at: 12, repair: 3}            # loop healthy again: CLEAR
      - {at: 20, hang: 5}              # silent 5 s (hang: null = for good)
      - {at: 30, noise: 3, rate: 0.5}  # noisy line for 3 s
      - {at: 40, reboot: true}         # firmware restart: HELLO
```

Errors are :class:`~tetrakit.errors.ConfigError` naming file, line and key path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from firmware_sim.buttonbox.panel import SimPanel
from firmware_sim.yamlcheck import Section, load_yaml

__all__ = ["ACTIONS", "PanelAction", "PanelSpec", "parse_panels", "parse_panels_text", "schedule"]

#: action key -> whether it names a button
ACTIONS = {
    "press": True,
    "release": True,
    "cut": True,
    "short": True,
    "tamper": True,
    "repair": True,
    "hang": False,
    "resume": False,
    "noise": False,
    "reboot": False,
}
_LOOP = {"cut": "OPEN", "short": "SHORT", "tamper": "TAMPER", "repair": "NORMAL"}


@dataclass(frozen=True, slots=True)
class PanelAction:
    """One step on a panel's timeline."""

    at: float
    action: str
    button: int | None = None
    seconds: float | None = None  # hang / noise duration (hang: None = for good)
    rate: float | None = None  # noise
    hold: float | None = 0.3  # press: seconds until release (None = stays down)


@dataclass(frozen=True, slots=True)
class PanelSpec:
    """A simulated panel of a scenario."""

    id: str
    buttons: int = 4
    seed: int = 0
    version: str | None = None
    timeline: tuple[PanelAction, ...] = ()


def _action(sec: Section, buttons: int) -> PanelAction:
    at = sec.number("at")
    keys = [k for k in sec.data if k in ACTIONS]
    if len(keys) != 1:
        raise sec.error(None, f"a timeline step has 'at' and exactly one of {', '.join(ACTIONS)}")
    action = keys[0]
    if ACTIONS[action]:
        button = sec.get(action, int)
        if not 1 <= button <= buttons:
            raise sec.error(action, f"the panel has buttons 1-{buttons}, not {button}")
        hold: float | None = 0.3
        if action == "press" and sec.has("hold"):
            hold = sec.get("hold", float, None)
            if hold is not None and hold <= 0:
                raise sec.error("hold", "must be a positive number of seconds (or null)")
        step = PanelAction(at, action, button, hold=hold)
    elif action == "hang":
        seconds = sec.get("hang", float, None)
        if seconds is not None and seconds <= 0:
            raise sec.error("hang", "must be a positive number of seconds (or null: for good)")
        step = PanelAction(at, action, seconds=seconds)
    elif action == "noise":
        seconds = sec.number("noise")
        rate = sec.get("rate", float, 0.5)
        if not 0.0 <= rate <= 1.0:
            raise sec.error("rate", f"must be between 0 and 1, got {rate}")
        step = PanelAction(at, action, seconds=seconds, rate=rate)
    else:  # resume, reboot
        if sec.get(action, bool) is not True:
            raise sec.error(action, "write 'true'")
        step = PanelAction(at, action)
    sec.done()
    return step


def parse_panels(root: Section, default_seed: int = 0) -> tuple[PanelSpec, ...]:
    """Read the ``panels`` list of a scenario's top level (absent = no panels)."""
    specs: list[PanelSpec] = []
    seen: set[str] = set()
    for psec in root.sections("panels"):
        panel_id = psec.get("id", str)
        if not panel_id or not all(c.isalnum() or c in "-_." for c in panel_id):
            raise psec.error("id", "must be letters, digits, '-', '_' or '.'")
        if panel_id in seen:
            raise psec.error("id", f"duplicate panel id {panel_id!r}")
        seen.add(panel_id)
        buttons = psec.get("buttons", int, 4)
        if not 1 <= buttons <= 255:
            raise psec.error("buttons", f"must be 1-255, got {buttons}")
        timeline = tuple(
            sorted((_action(s, buttons) for s in psec.sections("timeline")), key=lambda a: a.at)
        )
        specs.append(
            PanelSpec(
                id=panel_id,
                buttons=buttons,
                seed=psec.get("seed", int, default_seed),
                version=psec.get("version", str, None),
                timeline=timeline,
            )
        )
        psec.done()
    return tuple(specs)


def parse_panels_text(text: str, file: str = "<string>") -> tuple[PanelSpec, ...]:
    """The panels of a scenario file (other top-level keys are left to the simulator)."""
    src = load_yaml(text, file)
    root = src.root()
    return parse_panels(root, root.get("seed", int, 0))


def schedule(spec: PanelSpec, panel: SimPanel, start: float) -> None:
    """Put ``spec``'s timeline on ``panel``'s timers, relative to ``start``."""
    for step in spec.timeline:
        panel.at(start + step.at, _runner(panel, step))


def _runner(panel: SimPanel, step: PanelAction) -> Callable[[float], None]:
    def run(now: float) -> None:
        if step.action == "press":
            assert step.button is not None
            panel.press(step.button, now, hold=step.hold)
        elif step.action == "release":
            assert step.button is not None
            panel.release(step.button, now)
        elif step.action in _LOOP:
            assert step.button is not None
            panel.set_loop(step.button, _LOOP[step.action], now)
        elif step.action == "hang":
            panel.hang(now, step.seconds)
        elif step.action == "resume":
            panel.resume(now)
        elif step.action == "noise":
            panel.noise(now, step.seconds or 0.0, 0.5 if step.rate is None else step.rate)
        elif step.action == "reboot":
            panel.reboot(now)

    return run
