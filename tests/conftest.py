"""Shared fixtures and options.

``--pei-port URL`` (or ``TETRAKIT_HIL_PORT``) points the end-to-end tests at a
real radio; tests marked ``hil`` are skipped without it.  Every end-to-end
test that talks to a radio takes its port from the ``pei_port`` fixture: the
real radio when given, else the port in ``TETRAKIT_TEST_PORT`` (e.g.
``tetrasim://hospital?issi=1003``), else a scripted peer on a pty.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_peer import PeiPort, open_pei_port

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


# Without a real radio or an explicit TETRAKIT_TEST_PORT, every end-to-end PEI
# test runs twice: against the scripted peer (exact bytes, fault injection) and
# against the simulator (a radio on a network, as a real one would be).
SIM_TEST_PORT = "tetrasim://hospital?issi=1003"


@pytest.fixture(params=["peer", "sim"])
def pei_port(request: pytest.FixtureRequest) -> Iterator[PeiPort]:
    """The radio for end-to-end PEI tests (real, ``TETRAKIT_TEST_PORT``, peer or simulator)."""
    value = request.config.getoption("--pei-port")
    explicit = bool(value) or bool(os.environ.get("TETRAKIT_TEST_PORT"))
    if request.param == "sim" and not explicit:
        from firmware_sim import registry

        registry.reset()
        os.environ["TETRAKIT_TEST_PORT"] = SIM_TEST_PORT
        try:
            with open_pei_port(None) as port:
                yield port
        finally:
            del os.environ["TETRAKIT_TEST_PORT"]
            registry.reset()
        return
    if request.param == "sim":
        pytest.skip("a real radio or TETRAKIT_TEST_PORT is given: one run is enough")
    with open_pei_port(str(value) if value else None) as port:
        yield port


@pytest.fixture
def vectors_dir() -> Path:
    return VECTORS
