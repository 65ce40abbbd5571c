from __future__ import annotations

import pytest

import tetrakit
from tetrakit.errors import (
    BusyError,
    CmsError,
    CommandError,
    DecodeError,
    PeiTimeoutError,
    TransportError,
    command_error,
)
from tetrakit.identities import Tsi, format_tsi, parse_identity


def test_tree_and_reexports() -> None:
    assert issubclass(tetrakit.DecodeError, ValueError)
    assert issubclass(tetrakit.EncodeError, ValueError)
    assert issubclass(PeiTimeoutError, TransportError)
    assert issubclass(PeiTimeoutError, TimeoutError)
    assert issubclass(tetrakit.ConfigError, tetrakit.TetrakitError)
    err = DecodeError("too short", field="latitude", bit_offset=29)
    assert (err.field, err.bit_offset) == ("latitude", 29)


def test_command_error_mapping() -> None:
    busy = command_error("AT+CMGS=1,8", 42)
    assert isinstance(busy, BusyError)
    assert busy.command == "AT+CMGS=1,8"
    assert busy.cme_code == 42
    assert busy.retryable
    assert "busy" in str(busy)
    plain = command_error("AT+X", None, "ERROR")
    assert type(plain) is CommandError and plain.code is None
    assert isinstance(command_error("AT+X", 500, "CMS"), CmsError)
    assert type(command_error("AT+X", 99)) is CommandError


@pytest.mark.parametrize(
    ("text", "tsi"),
    [
        ("23404", Tsi(23404)),
        ("09011638300023404", Tsi(23404, 901, 16383)),
        ("242010012345678", Tsi(12345678, 242, 100)),
        ("2620100108280651", Tsi(8280651, 262, 1001)),
        (' "1234" ', Tsi(1234)),
    ],
)
def test_parse_identity(text: str, tsi: Tsi) -> None:
    assert parse_identity(text) == tsi


def test_format_and_same_party() -> None:
    t = Tsi(23404, 901, 16383)
    assert format_tsi(t) == "09011638300023404"
    assert parse_identity(format_tsi(t)) == t
    assert format_tsi(Tsi(5)) == "5"
    assert t.same_party(Tsi(23404))
    assert t.same_party(23404)
    assert not t.same_party(Tsi(23404, 242, 1))


@pytest.mark.parametrize("bad", ["", "12a", "123456789", "16777216", "1" * 18])
def test_bad_identities(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_identity(bad)
