"""Shared fixtures and options.

``--pei-port URL`` (or ``TETRAKIT_HIL_PORT``) points the end-to-end tests at a
real radio; tests marked ``hil`` are skipped without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VECTORS = Path(__file__).parent / "vectors"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pei-port",
        default=os.environ.get("TETRAKIT_HIL_PORT"),
        help="pyserial URL of a real TETRA radio for hardware-in-the-loop tests",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--pei-port"):
        return
    skip = pytest.mark.skip(reason="needs --pei-port or TETRAKIT_HIL_PORT (a real radio)")
    for item in items:
        if "hil" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def hil_port(request: pytest.FixtureRequest) -> str | None:
    """The real radio's port URL when given, else None."""
    value = request.config.getoption("--pei-port")
    return str(value) if value else None


@pytest.fixture
def vectors_dir() -> Path:
    return VECTORS
