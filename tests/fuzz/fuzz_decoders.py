#!/usr/bin/env python3
"""Atheris harness over every tetrakit decoder, for long fuzzing campaigns by hand.

Invariant (the codec contract of docs/architecture.md): whatever bytes come
in, a decoder returns a PDU or raises ``tetrakit.DecodeError``; the PEI
receiver returns events or raises ``tetrakit.PeiProtocolError``.  Anything else
escaping is a bug and atheris reports it with the input that caused it.
Decoded PDUs must also turn into JSON and re-encode to something that decodes
to the same PDU, and the PEI receiver must give the same events however the
bytes are split into chunks.

Input layout (so that seeds can be written by hand): octet 0 picks the target
(modulo 5), octet 1 a parameter, the rest is the data.

====  ==========================  ===========================================
 0    ``tetrakit.sds.decode``      parameter: bit length (see :func:`_bits`)
 1    ``tetrakit.decode`` (text)   data read as Latin-1 hex text, same bits
 2    ``decode_status``            data as int (up to 3 octets) and as octets
 3    ``tetrakit.lip.decode``      LIP payload without the PI, same bits
 4    ``PeiReceiver``              parameter: chunk size; SDS payloads seen are
                                   decoded too
====  ==========================  ===========================================

Usage (from the repository root)::

    python tests/fuzz/fuzz_decoders.py --make-corpus tests/fuzz/corpus
    python tests/fuzz/fuzz_decoders.py tests/fuzz/corpus -max_total_time=3600
    python tests/fuzz/fuzz_decoders.py --replay crash-<hash>      # no atheris needed
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "vectors"

TARGETS = ("sds", "hex", "status", "lip", "pei")


def _load() -> dict[str, Any]:
    """Import the code under test (inside atheris' instrumentation when fuzzing)."""
    import tetrakit
    from tetrakit import sds
    from tetrakit.errors import DecodeError, PeiProtocolError

    try:
        lip: Any = importlib.import_module("tetrakit.lip")
        if not hasattr(lip, "decode"):
            lip = None
    except ImportError:
        lip = None
    try:
        receiver_cls: Any = importlib.import_module("tetrakit.pei").PeiReceiver
    except (ImportError, AttributeError):
        receiver_cls = None
    return {"tetrakit": tetrakit, "sds": sds, "lip": lip, "PeiReceiver": receiver_cls,
            "DecodeError": DecodeError, "PeiProtocolError": PeiProtocolError}


M: dict[str, Any] = {}


def _bits(param: int, data: bytes) -> int | None:
    """Bit length from the parameter octet: none, a cut inside the data, or too long."""
    if param == 0xFF:
        return None
    total = 8 * len(data)
    if param & 0x80:
        return total + (param & 0x0F)  # longer than the data: must be a DecodeError
    return max(total - (param & 0x7F), 0)


def _check_sds_pdu(pdu: Any) -> None:
    sds = M["sds"]
    json.dumps(sds.to_dict(pdu))
    if type(pdu).__module__.startswith("tetrakit.lip"):
        return
    again = sds.decode(*sds.encode(pdu))
    if again != pdu:
        raise AssertionError(f"re-encoding changed the PDU: {pdu!r} -> {again!r}")


def _sds(param: int, data: bytes) -> None:
    try:
        pdu = M["sds"].decode(data, _bits(param, data))
    except M["DecodeError"]:
        return
    _check_sds_pdu(pdu)


def _hex(param: int, data: bytes) -> None:
    text = data.decode("latin-1")
    try:
        pdu = M["tetrakit"].decode(text, _bits(param, data) if param != 0xFF else None)
    except M["DecodeError"]:
        return
    _check_sds_pdu(pdu)


def _status(param: int, data: bytes) -> None:
    sds = M["sds"]
    for value in (int.from_bytes(data[:3], "big") - (param << 16), data[:param % 4]):
        try:
            json.dumps(sds.to_dict(sds.decode_status(value)))
        except M["DecodeError"]:
            pass


def _lip(param: int, data: bytes) -> None:
    lip = M["lip"]
    if lip is None:
        return
    try:
        pdu = lip.decode(data, _bits(param, data))
    except M["DecodeError"]:
        return
    json.dumps(lip.to_dict(pdu))


def _events(data: bytes, chunk: int) -> tuple[list[Any], str | None]:
    receiver = M["PeiReceiver"]()
    events: list[Any] = []
    try:
        for start in range(0, len(data), chunk):
            receiver.receive_data(data[start : start + chunk])
            while (event := receiver.next_event()) is not None:
                events.append(event)
        receiver.receive_data(b"")
        while (event := receiver.next_event()) is not None:
            events.append(event)
            if type(event).__name__ == "EndOfStream":
                break
    except M["PeiProtocolError"] as exc:
        return events, str(exc)
    return events, None


def _pei(param: int, data: bytes) -> None:
    if M["PeiReceiver"] is None:
        return
    whole, whole_error = _events(data, max(len(data), 1))
    chunked, chunked_error = _events(data, param % 16 + 1)
    if (whole_error is None) != (chunked_error is None):
        raise AssertionError(f"chunking changed the outcome: {whole_error!r} / {chunked_error!r}")
    if whole_error is None and whole != chunked:
        raise AssertionError(f"chunking changed the events:\n{whole}\n{chunked}")
    # SDS payloads that came in go on to the decoders
    for event in whole:
        if type(event).__name__ != "SdsIncoming":
            continue
        try:
            if event.ai_service == 13:
                M["sds"].decode_status(event.data)
            else:
                _check_sds_pdu(M["sds"].decode(event.data, event.bits))
        except M["DecodeError"]:
            pass


_DISPATCH: tuple[Callable[[int, bytes], None], ...] = (_sds, _hex, _status, _lip, _pei)


def test_one_input(raw: bytes) -> None:
    """One fuzz input (layout in the module docstring)."""
    if not M:
        M.update(_load())
    if len(raw) < 2:
        return
    _DISPATCH[raw[0] % len(_DISPATCH)](raw[1], raw[2:])


# --- seed corpus ------------------------------------------------------------------


def seeds() -> dict[str, bytes]:
    """Seed inputs built from tests/vectors (SDS, status, LIP, PEI transcripts)."""
    import yaml

    from tetrakit._bits import bytes_from_hex

    out: dict[str, bytes] = {}
    sds_vectors = yaml.safe_load((VECTORS / "sds_vectors.yaml").read_text("utf-8"))
    for vector in sds_vectors["vectors"] + sds_vectors.get("not_decodable", []):
        if not vector.get("hex"):
            continue
        data, nibble_bits = bytes_from_hex(vector["hex"])
        cut = 8 * len(data) - (vector.get("bits") or nibble_bits)
        out[f"sds-{vector['id']}"] = bytes((0, cut)) + data
        out[f"hex-{vector['id']}"] = bytes((1, 0xFF)) + vector["hex"].encode("ascii")
    for vector in sds_vectors["status_values"]:
        out[f"status-{vector['id']}"] = bytes((2, 2)) + bytes.fromhex(vector["hex"])
    # user data header (ftl/tetra-pei's example) and concatenated SDS parts
    for name, hexdata in (("udh-ftl", "8A00C98D045A8F050003C9020148656921"),
                          ("udh-long-ref", "8A000501060804341203024142"),
                          ("concat-tl", "8C040503020182"), ("concat-ext", "0C1ABC03024142")):
        out[f"sds-{name}"] = bytes((0, 0)) + bytes.fromhex(hexdata)
    lip_path = VECTORS / "lip_vectors.yaml"
    if lip_path.exists():
        for vector in yaml.safe_load(lip_path.read_text("utf-8"))["vectors"]:
            if not vector.get("hex") or vector.get("raw"):
                continue
            data, nibble_bits = bytes_from_hex(vector["hex"])
            bits = vector.get("bits") or nibble_bits
            out[f"lip-{vector['id']}"] = bytes((3, 8 * len(data) - bits)) + data[1:]
            out[f"sds-lip-{vector['id']}"] = bytes((0, 8 * len(data) - bits)) + data
    transcripts = VECTORS / "pei_transcripts.md"
    if transcripts.exists():
        block: list[str] | None = None
        count = 0
        for line in transcripts.read_text("utf-8").splitlines():
            if line.startswith("```"):
                if block is not None and block:
                    count += 1
                    text = "\r\n".join(block) + "\r\n"
                    out[f"pei-{count:03d}"] = bytes((4, count % 16)) + text.encode("utf-8")
                block = None if block is not None else []
            elif block is not None:
                block.append(line)
    return out


def make_corpus(directory: Path) -> int:
    """Write the seeds into ``directory``; return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    corpus = seeds()
    for name, data in corpus.items():
        (directory / name).write_bytes(data)
    return len(corpus)


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--make-corpus"]:
        target = Path(argv[2]) if len(argv) > 2 else HERE / "corpus"
        print(f"wrote {make_corpus(target)} seeds to {target}")
        return 0
    if argv[1:2] == ["--replay"]:
        paths = [Path(p) for p in argv[2:]]
        files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
        for path in files:
            test_one_input(path.read_bytes())
        print(f"replayed {len(files)} inputs without failure")
        return 0
    import atheris

    with atheris.instrument_imports():
        M.update(_load())
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
