"""The radio session core is sans-I/O (DESIGN.md rule 1), like tetrakit.pei.

The core logs through :mod:`logging`, which itself imports ``threading``;
what ``import logging`` brings in is therefore not counted.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = ("serial", "asyncio", "socket", "threading", "time", "selectors")
CORE = (
    "tetrakit.radio",
    "tetrakit.radio.session",
    "tetrakit.radio.outbox",
    "tetrakit.radio.profiles",
    "tetrakit.radio.events",
)


@pytest.mark.parametrize("module", CORE)
def test_core_does_no_io(module: str) -> None:
    code = (
        "import sys\n"
        "import logging\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        f"bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"


def test_front_ends_load_on_demand() -> None:
    import tetrakit.radio as radio

    assert radio.AsyncRadio.__module__ == "tetrakit.radio.aio"
    assert radio.RadioClient.__module__ == "tetrakit.radio.client"
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = radio.Nothing  # type: ignore[attr-defined]
