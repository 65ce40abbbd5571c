"""Text coding (EN 300 392-2 cl. 29.5.2-29.5.4): Latin-1 first, UCS-2 only when needed."""

from __future__ import annotations

import pytest

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError
from tetrakit.sds.text import _GSM7, coding_scheme_name


def test_norwegian_text_is_latin1_octets() -> None:
    pdu = sds.text_message("Hjertestans på Sørlandet", message_reference=0x2A)
    data, bits = sds.encode(pdu)
    assert data == bytes([
        0x82, 0x0C, 0x2A, 0x01,
        0x48, 0x6A, 0x65, 0x72, 0x74, 0x65, 0x73, 0x74, 0x61, 0x6E, 0x73, 0x20,
        0x70, 0xE5, 0x20,
        0x53, 0xF8, 0x72, 0x6C, 0x61, 0x6E, 0x64, 0x65, 0x74,
    ])
    assert bits == 8 * len(data)
    assert sds.decode(data).text == "Hjertestans på Sørlandet"


def test_capital_norwegian_letters_single_octets() -> None:
    content = sds.TextContent.from_text("ÆØÅæøå")
    assert content.coding_scheme == sds.CodingScheme.ISO_8859_1
    assert content.data == bytes([0xC6, 0xD8, 0xC5, 0xE6, 0xF8, 0xE5])


@pytest.mark.parametrize("text", ["Ω", "Pris 5 €", "Hjertestans på Sørlandet Ω"])
def test_character_outside_latin1_goes_ucs2(text: str) -> None:
    pdu = sds.text_message(text, message_reference=1)
    assert pdu.user_data.coding_scheme == sds.CodingScheme.UCS2
    data, _ = sds.encode(pdu)
    assert data[3] == 26
    assert data[4:] == text.encode("utf-16-be")
    assert sds.decode(data).text == text


def test_euro_sign_bytes() -> None:
    data, bits = sds.encode(sds.text_message("€", message_reference=5, report=0))
    assert data == bytes([0x82, 0x00, 0x05, 0x1A, 0x20, 0xAC])
    assert bits == 48


def test_character_outside_ucs2_is_an_encode_error() -> None:
    with pytest.raises(EncodeError) as info:
        sds.TextContent.from_text("alarm 🚑")
    assert info.value.field == "text"


def test_explicit_latin1_rejects_other_characters() -> None:
    with pytest.raises(EncodeError):
        sds.TextContent.from_text("Ω", sds.CodingScheme.ISO_8859_1)


def test_scheme_0_is_never_written() -> None:
    with pytest.raises(EncodeError):
        sds.TextContent.from_text("abc", 0)


def test_immediate_text_uses_pi_89_and_flags() -> None:
    pdu = sds.text_message("Kom", message_reference=3, immediate=True,
                           report=sds.DeliveryReportRequest.RECEIVED, service_selection=True)
    data, _ = sds.encode(pdu)
    assert data[:4] == bytes([0x89, 0x06, 0x03, 0x01])
    assert sds.decode(data) == pdu


def test_timestamp_inserts_24_bits() -> None:
    pdu = sds.text_message("ok", message_reference=7, timestamp=0x123456)
    data, bits = sds.encode(pdu)
    assert data == bytes([0x82, 0x0C, 0x07, 0x81, 0x12, 0x34, 0x56]) + b"ok"
    assert bits == 72
    back = sds.decode(data)
    assert back.user_data.timestamp == 0x123456
    assert back.text == "ok"


def test_timestamp_cut_short_names_field() -> None:
    with pytest.raises(DecodeError) as info:
        sds.decode(bytes([0x82, 0x0C, 0x07, 0x81, 0x12]))
    assert info.value.field == "timestamp"
    assert info.value.bit_offset == 32


def test_timestamp_out_of_range() -> None:
    with pytest.raises(EncodeError):
        sds.text_message("x", message_reference=1, timestamp=1 << 24)


def test_simple_text_fill_bit_is_not_a_timestamp_flag() -> None:
    # For PI 0x02 the top bit of the coding octet is a fill bit (cl. 29.5.2.3)
    pdu = sds.decode(bytes.fromhex("02816F6B"))
    assert isinstance(pdu, sds.SimpleText)
    assert pdu.text == "ok"
    assert pdu.content.timestamp is None


def test_simple_text_cannot_carry_timestamp() -> None:
    bad = sds.SimpleText(sds.ProtocolId.SIMPLE_TEXT_MESSAGING,
                         sds.TextContent(1, b"x", timestamp=5))
    with pytest.raises(EncodeError) as info:
        sds.encode(bad)
    assert info.value.field == "timestamp"


def test_simple_immediate_text_builder() -> None:
    data, _ = sds.encode(sds.simple_text("hei", immediate=True))
    assert data == bytes.fromhex("0901") + b"hei"


def test_7bit_is_decoded_best_effort_and_flagged() -> None:
    # "Hi" as MSB-first septets: 1001000 1101001 -> 14 bits + 2 pad bits
    septets = (0x48 << 7 | 0x69) << 2
    pdu = sds.decode(bytes([0x82, 0x00, 0x01, 0x00]) + septets.to_bytes(2, "big"))
    assert pdu.user_data.coding_scheme == sds.CodingScheme.GSM_7BIT
    assert pdu.user_data.best_effort
    assert pdu.text == "Hi"
    assert sds.to_dict(pdu)["text_best_effort"] is True


def test_gsm_table_is_complete() -> None:
    assert len(_GSM7) == 128
    assert _GSM7[0] == "@" and _GSM7[0x41] == "A" and _GSM7[0x7F] == "à"


# Table 29.29 as ftl/tetra-pei lists it: (scheme, Python codec, a character
# that codec puts on a non-ASCII octet)
SCHEME_TABLE = [
    (2, "iso8859_2", "ą"), (3, "iso8859_3", "ĥ"), (4, "iso8859_4", "ĸ"), (5, "iso8859_5", "Ж"),
    (6, "iso8859_6", "ب"), (7, "iso8859_7", "Ω"), (8, "iso8859_8", "א"), (9, "iso8859_9", "ğ"),
    (10, "iso8859_10", "ŋ"), (11, "iso8859_13", "ų"), (12, "iso8859_14", "ŵ"),
    (13, "iso8859_15", "€"), (14, "cp437", "╬"), (15, "cp737", "Ω"), (16, "cp850", "Ø"),
    (17, "cp852", "ő"), (18, "cp855", "Ж"), (19, "cp857", "ş"), (20, "cp860", "ã"),
    (21, "cp861", "ð"), (22, "cp863", "è"), (23, "cp865", "ø"), (24, "cp866", "Ж"),
    (25, "cp869", "Ω"),
]


@pytest.mark.parametrize(("scheme", "codec", "char"), SCHEME_TABLE,
                         ids=[t[1] for t in SCHEME_TABLE])
def test_8bit_schemes_follow_table_29_29(scheme: int, codec: str, char: str) -> None:
    octet = char.encode(codec)
    assert len(octet) == 1 and octet[0] >= 0x80
    data = bytes([0x82, 0x00, 0x01, scheme]) + b"A" + octet
    pdu = sds.decode(data)
    assert pdu.text == "A" + char
    assert not pdu.user_data.best_effort
    assert int(pdu.user_data.coding_scheme) == scheme
    assert "unverified" not in coding_scheme_name(scheme)
    # and the same scheme can be written when asked for
    content = sds.TextContent.from_text("A" + char, scheme)
    assert content.data == b"A" + octet
    assert sds.encode(sds.SdsTransfer(0x82, 1, content))[0][3:] == data[3:]


def test_scheme_names() -> None:
    assert coding_scheme_name(13) == "ISO 8859-15"
    assert coding_scheme_name(23) == "code page 865"
    assert coding_scheme_name(27) == "VISCII (best effort)"
    assert coding_scheme_name(28) == "reserved (28)"


def test_viscii_keeps_octets_and_is_best_effort() -> None:
    # 0xE0 is a Vietnamese letter in VISCII; no stdlib codec knows it
    data = bytes([0x82, 0x00, 0x01, 27]) + b"Ha" + bytes([0xE0])
    pdu = sds.decode(data)
    assert pdu.user_data.coding_scheme is sds.CodingScheme.VISCII
    assert pdu.user_data.best_effort
    assert pdu.user_data.data == b"Ha\xe0"
    assert pdu.text == "Ha\ufffd"
    assert sds.to_dict(pdu)["text_best_effort"] is True
    assert sds.encode(pdu)[0] == data
    with pytest.raises(EncodeError) as info:
        sds.TextContent.from_text("Ha", 27)
    assert info.value.field == "coding_scheme"


def test_character_outside_the_asked_scheme_names_it() -> None:
    with pytest.raises(EncodeError) as info:
        sds.TextContent.from_text("Ж", 2)
    assert info.value.field == "text"
    assert "ISO 8859-2" in str(info.value)


def test_reserved_scheme_decodes_without_error() -> None:
    pdu = sds.decode(bytes([0x82, 0x00, 0x01, 0x7F, 0x41]))
    assert pdu.user_data.coding_scheme == 0x7F
    assert pdu.user_data.best_effort
    assert sds.encode(pdu)[0] == bytes([0x82, 0x00, 0x01, 0x7F, 0x41])


def test_ucs2_odd_octet_is_kept_and_shown_replaced() -> None:
    data = bytes([0x82, 0x00, 0x01, 0x1A, 0x00, 0x41, 0x00])
    pdu = sds.decode(data)
    assert pdu.text == "A"
    assert sds.encode(pdu)[0] == data


def test_longest_latin1_text_fits_and_one_more_does_not() -> None:
    text = "x" * sds.MAX_TEXT_LATIN1
    data, bits = sds.encode(sds.text_message(text, message_reference=0))
    assert bits == 2040 == 8 * len(data)
    assert bits <= sds.MAX_TYPE4_BITS
    with pytest.raises(EncodeError) as info:
        sds.text_message(text + "y", message_reference=0)
    assert "concatenation" in str(info.value)


def test_partial_last_octet_text() -> None:
    # PEI says 44 bits: PI, header, coding, one char and a half
    pdu = sds.decode(bytes([0x82, 0x00, 0x01, 0x01, 0x41, 0x4F]), 44)
    assert pdu.user_data.bits == 12
    assert pdu.user_data.data == bytes([0x41, 0x40])
    assert pdu.text == "A"
    assert sds.encode(pdu) == (bytes([0x82, 0x00, 0x01, 0x01, 0x41, 0x40]), 44)
