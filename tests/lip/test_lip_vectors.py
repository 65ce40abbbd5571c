"""Every vector of tests/vectors/lip_vectors.yaml: decode to the stated values, encode back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tetrakit import lip
from tetrakit._bits import bytes_from_hex
from tetrakit.lip import fields

VECTORS_FILE = Path(__file__).parent.parent / "vectors" / "lip_vectors.yaml"
DATA: dict[str, Any] = yaml.safe_load(VECTORS_FILE.read_text(encoding="utf-8"))
PDU_VECTORS = [v for v in DATA["vectors"] if v["hex"] is not None]
LONG_VECTORS = [v for v in PDU_VECTORS if "trailing_bits" in v]
DEGREES = {"longitude", "latitude"}


def _check(actual: dict[str, Any], expected: dict[str, Any], vid: str) -> None:
    for key, want in expected.items():
        assert key in actual, f"{vid}: key {key!r} missing from {sorted(actual)}"
        got = actual[key]
        if want is None:
            assert got is None, f"{vid}: {key} = {got!r}, expected null"
        elif key in DEGREES:
            assert got == pytest.approx(want, abs=1e-6), f"{vid}: {key}"
        elif isinstance(want, float):
            # the YAML states scaled values to 2 (velocity) or 1 (metres) decimals
            assert got == pytest.approx(want, abs=0.051), f"{vid}: {key}"
        else:
            assert got == want, f"{vid}: {key} = {got!r}, expected {want!r}"


def test_vector_file_has_every_kind() -> None:
    kinds = {lip.from_sds(bytes_from_hex(v["hex"])[0], v["bits"]).NAME for v in PDU_VECTORS}
    assert kinds == {"short_location_report", "long_location_report"}
    assert len(PDU_VECTORS) == 13


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v["id"] for v in PDU_VECTORS])
def test_decode_stated_values(vector: dict[str, Any]) -> None:
    data, _ = bytes_from_hex(vector["hex"])
    pdu = lip.from_sds(data, vector["bits"])
    _check(lip.to_dict(pdu), vector["expected"], vector["id"])
    # the same through the payload-level API, without the PI
    assert lip.decode(data[1:], vector["bits"] - 8) == pdu


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v["id"] for v in PDU_VECTORS])
def test_decode_without_bit_length_treats_pad_as_padding(vector: dict[str, Any]) -> None:
    data, _ = bytes_from_hex(vector["hex"])
    assert lip.from_sds(data) == lip.from_sds(data, vector["bits"])


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v["id"] for v in PDU_VECTORS])
def test_encode_reproduces_bytes(vector: dict[str, Any]) -> None:
    data, _ = bytes_from_hex(vector["hex"])
    bits = vector["bits"]
    encoded, n = lip.to_sds(lip.from_sds(data, bits))
    assert n == bits
    nibbles = (bits + 3) // 4
    assert encoded.hex().upper()[:nibbles] == vector["hex"].upper()[:nibbles]
    # padding after the PDU length is zero
    assert int.from_bytes(encoded, "big") & ((1 << (8 * len(encoded) - bits)) - 1) == 0


@pytest.mark.parametrize("vector", LONG_VECTORS, ids=[v["id"] for v in LONG_VECTORS])
def test_long_report_trailing_bits(vector: dict[str, Any]) -> None:
    data, _ = bytes_from_hex(vector["hex"])
    pdu = lip.from_sds(data, vector["bits"])
    assert isinstance(pdu, lip.LongLocationReport)
    assert pdu.complete
    # the stated trailing bits are hex padding beyond the PEI length: nothing is left over
    assert vector["trailing_bits_kind"] == "padding"
    assert pdu.trailing is None
    assert 8 * len(data) - vector["bits"] == vector["trailing_bits"]


def test_builders_reproduce_constructed_vectors() -> None:
    """The constructed vectors were made from degrees; building from degrees gives the bytes."""
    by_id = {v["id"]: v for v in PDU_VECTORS}
    c1 = lip.ShortLocationReport.from_position(
        59.9496, 10.7137, position_error=1, speed_kmh=0, direction_deg=0, reason=2)
    c4 = lip.ShortLocationReport.from_position(
        -34.6037, -58.3816, position_error=1, speed_kmh=28, direction_deg=180,
        user_defined_data=0x5A)
    c7 = lip.LongLocationReport.from_position(
        59.9496, 10.7137, altitude_m=1240, uncertainty_m=26.8,
        time_of_position=lip.TimeOfPosition(17, 9, 30, 5), acknowledgement_request=True,
        reason=0)
    c6 = lip.LongLocationReport.from_position(
        59.9496, 10.7137, position_error=1, time_elapsed=0, speed_kmh=20, direction_deg=90,
        acknowledgement_request=True, reason=32)
    for vid, pdu in (("C1", c1), ("C4", c4), ("C6", c6), ("C7", c7)):
        vector = by_id[vid]
        encoded, n = lip.to_sds(pdu)
        assert n == vector["bits"], vid
        nibbles = (n + 3) // 4
        assert encoded.hex().upper()[:nibbles] == vector["hex"][:nibbles], vid


def test_l3_field_level_vector() -> None:
    l3 = next(v for v in DATA["vectors"] if v["id"] == "L3")
    spec = l3["fields_hex"]
    lat_raw = int(spec["latitude"], 16)
    lon_raw = int(spec["longitude"], 16)
    lat_raw -= (lat_raw >> (spec["latitude_width"] - 1)) << spec["latitude_width"]
    lon_raw -= (lon_raw >> (spec["longitude_width"] - 1)) << spec["longitude_width"]
    assert fields.latitude_deg(lat_raw) == pytest.approx(l3["expected"]["latitude"], abs=1e-6)
    assert fields.longitude_deg(lon_raw) == pytest.approx(l3["expected"]["longitude"], abs=1e-6)
    # and inside a whole report built around them
    report = lip.ShortLocationReport(0, lon_raw, lat_raw, 1, 0, 0, 0, 129)
    again = lip.decode(*lip.encode(report))
    assert again.latitude == pytest.approx(-37.899131, abs=1e-6)  # type: ignore[union-attr]
    assert again.longitude == pytest.approx(145.142012, abs=1e-6)  # type: ignore[union-attr]


def test_lookup_checks_section_d() -> None:
    checks = DATA["lookup_checks"]
    for row in checks["horizontal_velocity"]:
        got = fields.horizontal_velocity_kmh(row["code"])
        if row["formula_kmh"] is None:
            continue
        assert got == pytest.approx(row["formula_kmh"], abs=0.005), row
    for row in checks["horizontal_position_uncertainty"]:
        got = fields.horizontal_uncertainty_m(row["code"])
        if row["formula_m"] is None:
            assert got is None
        else:
            assert got == pytest.approx(row["formula_m"], abs=0.05), row
    for row in checks["direction_of_travel_extended"]:
        assert fields.direction_extended_deg(row["code"]) == pytest.approx(row["degrees"],
                                                                          abs=0.05)
