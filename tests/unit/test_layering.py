"""The sans-I/O rule (DESIGN.md, layer rule 1), checked on the import graph.

Codecs, the PEI engine and the alarm engine must not import serial, asyncio,
socket, threading or time.  Each module is imported in a fresh interpreter and
the forbidden modules it pulled in are reported.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tetrakit

FORBIDDEN = ("serial", "asyncio", "socket", "threading", "time", "selectors")

SANS_IO_PACKAGES = ("tetrakit.pei", "tetrakit.sds", "tetrakit.lip")
SANS_IO_MODULES = (
    "tetrakit._bits",
    "tetrakit.identities",
    "tetrakit.errors",
    "tetrakit.alarm.config",
    "tetrakit.alarm.engine",
    "tetrakit.alarm.message",
    "tetrakit.alarm.inputs.buttonbox_codec",
    "tetrakit.alarm.inputs.buttonbox_session",
    "tetrakit.alarm.supervision",
)


def _modules() -> list[str]:
    names = list(SANS_IO_MODULES)
    for pkg in SANS_IO_PACKAGES:
        try:
            mod = __import__(pkg, fromlist=["_"])
        except ImportError:
            continue
        names.append(pkg)
        names += [m.name for m in pkgutil.walk_packages(mod.__path__, pkg + ".")]
    return names


@pytest.mark.parametrize("module", _modules())
def test_no_io_imports(module: str) -> None:
    code = (
        "import sys\n"
        f"before = set(sys.modules)\n"
        f"import {module}\n"
        f"bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"


def test_package_found() -> None:
    assert tetrakit.__version__
