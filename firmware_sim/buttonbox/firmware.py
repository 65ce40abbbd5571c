"""Load the panel firmware's pure modules from ``hw/buttonbox/firmware/``.

The simulated panel runs the very code that runs on the Pico: ``protocol.py``
(the protocol logic) and ``inputs.py`` (loop classification and debouncing).
``hw/`` is not a Python package (on the Pico these files sit at the root of the
flash), so they are loaded by path, computed from this file's place in the
checkout; an editable install keeps that layout.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["FIRMWARE_DIR", "load"]

FIRMWARE_DIR = Path(__file__).resolve().parents[2] / "hw" / "buttonbox" / "firmware"


def load(name: str) -> ModuleType:
    """Import ``hw/buttonbox/firmware/<name>.py`` once (as ``buttonbox_firmware.<name>``)."""
    key = f"buttonbox_firmware.{name}"
    module = sys.modules.get(key)
    if module is not None:
        return module
    path = FIRMWARE_DIR / f"{name}.py"
    if not path.is_file():
        raise ImportError(
            f"button box firmware module {path} not found: the simulated panel needs a "
            "source checkout of tetrakit (pip install -e .)"
        )
    spec = importlib.util.spec_from_file_location(key, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
