"""The benchmark's recorded PEI stream: deterministic, real radio output, stored intact."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tetrakit.pei import FinalResult, PeiReceiver, SdsIncoming

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _events(data: bytes) -> list[object]:
    rx = PeiReceiver()
    rx.receive_data(data)
    rx.receive_data(b"")
    events = []
    while (event := rx.next_event()) is not None:
        events.append(event)
    return events


def test_recorder_is_deterministic_and_records_the_hospital_traffic() -> None:
    pytest.importorskip("firmware_sim")
    recorder = _module("record_pei_stream")
    first = recorder.record(0.2, seed=7)
    assert first == recorder.record(0.2, seed=7)
    assert first != recorder.record(0.2, seed=8)
    # init answers, the group call-out's two-stage +CMGS, reports and LIP from members
    assert b"+CNUMF: " in first and b"+CTSP: 1,3,130" in first
    assert b"\r\n+CMGS: 0\r\n" in first and b"\r\n+CMGS: 0,4,0\r\n" in first
    assert b"+CTSDSR: 12,2001,0,1001,0,32\r\n82100" in first
    assert b",84\r\n0A" in first


def test_stored_recording_is_a_long_radio_stream() -> None:
    recording = BENCHMARKS / "data" / "hospital_radio_1001.pei.gz"
    assert recording.stat().st_size < 2_000_000
    data = gzip.decompress(recording.read_bytes())
    assert len(data) > 1_000_000
    assert data.startswith(b"AT\r")  # the radio echoes until ATE0
    events = _events(data[: data.index(b"\r\nOK\r\n", 200_000) + 6])  # after a final result
    assert sum(isinstance(event, SdsIncoming) for event in events) > 500
    assert any(isinstance(event, FinalResult) for event in events)
    assert data.count(b"+CTSDSR: ") > 10_000
