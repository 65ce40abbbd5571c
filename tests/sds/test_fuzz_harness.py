"""The atheris harness (tests/fuzz/fuzz_decoders.py) works without atheris: seeds and replay."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).parent.parent / "fuzz" / "fuzz_decoders.py"


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_decoders", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_decoders", module)
    spec.loader.exec_module(module)
    return module


FUZZ = _harness()


def test_seed_corpus_covers_every_target_and_replays(tmp_path: Path) -> None:
    count = FUZZ.make_corpus(tmp_path)
    files = sorted(tmp_path.iterdir())
    assert count == len(files) >= 40
    targets = {f.read_bytes()[0] % len(FUZZ.TARGETS) for f in files}
    assert targets == set(range(len(FUZZ.TARGETS)))
    assert FUZZ.main(["fuzz_decoders.py", "--replay", str(tmp_path)]) == 0


@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=80))
def test_random_inputs_through_the_harness(raw: bytes) -> None:
    FUZZ.test_one_input(raw)
