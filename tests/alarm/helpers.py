"""Shared builders for the alarm controller tests."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec

from tetrakit.alarm.config import AlarmConfig, parse_config
from tetrakit.alarm.engine import Action, Record, SendSds

P = ParamSpec("P")

BASE_YAML = """\
radios:
  - {id: primary, port: "loop://", issi: 1001}
teams:
  - id: hjertestans
    name: Hjertestansteam
    groups: [9100]
    members:
      - {issi: 2001, name: "Kari Nordmann", role: Anestesilege}
      - {issi: 2002, name: "Ola Hansen"}
      - {issi: 2003, name: "Ingrid Solberg"}
  - id: traume
    groups: [9101]
    members:
      - {issi: 2101}
      - {issi: 2102}
alarm_types:
  - code: HJERTESTANS
    label: HJERTESTANS
    priority: high
    targets: {teams: [hjertestans]}
    required_accepts: 2
    repeat_interval: 30
    group_repeats: 2
    group_repeat_spacing: 5
    escalation:
      - after: 60
        targets: {teams: [traume]}
      - when: all_rejected
        targets: {issis: [2201]}
  - code: TILSYN
    label: "AKUTT TILSYN"
    priority: low
    targets: {issis: [2003]}
  - code: TEST
    label: TESTALARM
    priority: low
    test: true
buttons:
  - id: B3-312
    alarm: HJERTESTANS
    location: {building: B, floor: 3, unit: "Sengepost 3B", room: "312",
               latitude: 62.46452, longitude: 6.34512, altitude: 14}
  - id: A1-101
    alarm: TILSYN
    location: {building: A, floor: 1, room: "101"}
duplicate_window: 10
test_alarms:
  target: {issis: [1009]}
"""


def make_config(extra: str = "", *, base: Path | None = None, text: str = BASE_YAML) -> AlarmConfig:
    return parse_config(text + extra, file="test.yaml", base=base or Path("/nonexistent"))


def sends(actions: list[Action]) -> list[SendSds]:
    return [a for a in actions if isinstance(a, SendSds)]


def kinds(actions: list[Action]) -> list[str]:
    return [a.fact.kind for a in actions if isinstance(a, Record)]


def async_test(fn: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test function in a fresh event loop, with an overall time limit."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), 30))

    return wrapper
