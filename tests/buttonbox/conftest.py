"""Shared helpers: the panel firmware modules loaded the way the simulator loads them."""

from __future__ import annotations

from types import ModuleType

import pytest

from firmware_sim.buttonbox.firmware import load


@pytest.fixture(scope="session")
def fw() -> ModuleType:
    """hw/buttonbox/firmware/protocol.py, run under CPython."""
    return load("protocol")


@pytest.fixture(scope="session")
def fw_inputs() -> ModuleType:
    """hw/buttonbox/firmware/inputs.py, run under CPython."""
    return load("inputs")
