"""``tetrakit decode`` on LIP input: --json keys and --geojson features."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tetrakit.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["decode", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_uses_the_lip_keys() -> None:
    code, out, err = _run("--json", "--bits", "84", "0A112853A9FF4D4FFFE810")
    assert code == 0, err
    d = json.loads(out)
    assert d["pdu_type"] == 0 and d["time_elapsed"] == 1
    assert abs(d["latitude"] - 44.938642) < 1e-6 and abs(d["longitude"] - 26.044346) < 1e-6
    assert d["position_error"] == 7
    assert d["horizontal_velocity"] == 127 and d["horizontal_velocity_kmh"] is None
    assert d["direction_of_travel"] == 15
    assert d["type_of_additional_data"] == 0 and d["reason_for_sending"] == 129


def test_json_long_report_keys() -> None:
    code, out, _ = _run("--json", "--bits", "122", "0A4E8A5E1541E797AAA85F8529488000")
    assert code == 0
    d = json.loads(out)
    assert (d["location_shape"], d["time_type"], d["velocity_type"]) == (5, 2, 0)
    assert d["altitude_m"] == 1240 and d["acknowledgement_request"] is True


def test_geojson_one_feature_per_input() -> None:
    code, out, err = _run("--geojson", "0A0BA7D5B95BC50AFFE16", "0A4580", "82100002")
    assert code == 0, err
    features = [json.loads(line) for line in out.splitlines()]
    assert [f["type"] for f in features] == ["Feature"] * 3
    lon, lat = features[0]["geometry"]["coordinates"]
    assert abs(lon + 97.748891) < 1e-6 and abs(lat - 30.565692) < 1e-6
    assert features[0]["properties"]["reason_for_sending"] == 22
    assert features[1]["geometry"] is None
    assert features[1]["properties"]["pdu"] == "immediate_location_report_request"
    assert features[2]["geometry"] is None


def test_geojson_and_json_exclude_each_other() -> None:
    code, _, err = _run("--geojson", "--json", "0A4580")
    assert code == 2
    assert "exclude" in err


def test_bad_lip_input_names_field() -> None:
    code, _, err = _run("--bits", "40", "0A0088BD4247F737FFE810")
    assert code == 1
    assert "latitude" in err and "bit" in err
