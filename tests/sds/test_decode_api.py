"""tetrakit.decode / tetrakit.decode_status and the hand-over of PI 0x0A to tetrakit.lip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import tetrakit
from tetrakit import sds
from tetrakit.errors import DecodeError
from tetrakit.sds import codec

LIP_VECTORS = [
    v for v in yaml.safe_load(
        (Path(__file__).parent.parent / "vectors" / "lip_vectors.yaml").read_text("utf-8")
    )["vectors"]
    if v.get("hex") and not v.get("raw")
]


def test_hex_text_and_bytes_agree() -> None:
    hexdata = "82 04 1D 01 41 64 67 6A 6D 70 74 77"
    assert tetrakit.decode(hexdata) == tetrakit.decode(bytes.fromhex(hexdata))
    assert tetrakit.decode(hexdata.lower()).text == "Adgjmptw"


def test_bits_win_over_hex_length() -> None:
    # a trailing pad nibble (Motorola style) is ignored when the PEI length says so
    assert tetrakit.decode("82100002" + "0", 32) == tetrakit.decode("82100002")
    # and the length can cut the text short
    assert tetrakit.decode("8204090178797A", 48).text == "xy"


def test_bad_hex_is_decode_error() -> None:
    with pytest.raises(DecodeError) as info:
        tetrakit.decode("82 04 XY")
    assert info.value.field == "hex"


def test_bits_longer_than_data_is_decode_error() -> None:
    with pytest.raises(DecodeError) as info:
        tetrakit.decode("821000", 40)
    assert info.value.field == "length"


def test_decode_status_forms() -> None:
    assert tetrakit.decode_status("7E2A") == tetrakit.decode_status(0x7E2A)
    assert tetrakit.decode_status(b"\x7e\x2a").short_report_type == 2
    with pytest.raises(DecodeError):
        tetrakit.decode_status("800")
    with pytest.raises(DecodeError):
        tetrakit.decode_status("80012")


@pytest.mark.parametrize("vector", LIP_VECTORS, ids=[v["id"] for v in LIP_VECTORS])
def test_lip_is_handed_to_tetrakit_lip(vector: dict[str, Any]) -> None:
    lip = pytest.importorskip("tetrakit.lip")
    data, _ = tetrakit._bits.bytes_from_hex(vector["hex"])
    bits = vector["bits"]
    pdu = tetrakit.decode(vector["hex"], bits)
    assert type(pdu).__module__.startswith("tetrakit.lip")
    assert pdu == lip.decode(data[1:], bits - 8)
    # encode goes back through tetrakit.lip.to_sds, and to_dict through lip.to_dict
    assert sds.encode(pdu) == lip.to_sds(pdu)
    assert sds.to_dict(pdu) == lip.to_dict(pdu)


def test_lip_error_offsets_count_from_the_pi() -> None:
    pytest.importorskip("tetrakit.lip")
    with pytest.raises(DecodeError) as info:
        tetrakit.decode("0A123")
    assert info.value.bit_offset is not None and info.value.bit_offset >= 8
    assert "LIP" in str(info.value)


def test_without_lip_decoder_pi_0a_is_raw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "_lip_module", lambda: None)
    pdu = sds.decode(bytes.fromhex("0A0088BD4247F737FFE810"), 84)
    assert pdu == sds.RawSds(0x0A, bytes.fromhex("0088BD4247F737FFE810"), 76)
    assert "tetrakit.lip" in pdu.reason
    assert sds.encode(pdu) == (bytes.fromhex("0A0088BD4247F737FFE810"), 84)
