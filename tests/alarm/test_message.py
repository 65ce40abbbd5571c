"""The call-out text: <= 94 characters, Latin-1, event, location, id never cut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tetrakit.alarm.config import Location
from tetrakit.alarm.message import MAX_TEXT, callout_text, to_latin1

B312 = Location(building="B", floor="3", unit="Sengepost 3B", room="312")


def test_example_from_the_issue() -> None:
    assert callout_text("HJERTESTANS", B312, "A17") == "HJERTESTANS B3 rom 312 Sengepost 3B #A17"


def test_prefixes() -> None:
    assert callout_text("TESTALARM", "Drift", "A2", prefix="TEST") == "TEST TESTALARM Drift #A2"
    assert callout_text("HJERTESTANS", B312, "A17", prefix="AVLYST").startswith(
        "AVLYST HJERTESTANS B3")


def test_long_location_is_shortened_unit_first() -> None:
    loc = Location(building="B", floor="3", room="312",
                   unit="Medisinsk avdeling for lungesykdommer og infeksjoner, sengepost nord")
    text = callout_text("HJERTESTANS", loc, "A123456")
    assert text == "HJERTESTANS B3 rom 312 #A123456"
    assert len(text) <= MAX_TEXT


def test_long_free_text_is_cut_but_id_kept() -> None:
    text = callout_text("AKUTT TILSYN", "Korridoren mellom " * 10, "A99")
    assert len(text) <= MAX_TEXT and text.endswith(" #A99")
    assert text.startswith("AKUTT TILSYN Korridoren mellom")


def test_norwegian_letters_stay_latin1_others_replaced() -> None:
    text = callout_text("HJERTESTANS", "Føde/barsel ÆØÅ ✚\nrom 2", "A1")
    assert text == "HJERTESTANS Føde/barsel ÆØÅ ? rom 2 #A1"
    text.encode("latin-1")
    assert to_latin1("a\tb\x7fc") == "a b c"


@given(label=st.text(min_size=1, max_size=120), loc=st.text(max_size=300),
       number=st.integers(min_value=1, max_value=10**9))
def test_always_fits_and_ends_with_the_id(label: str, loc: str, number: int) -> None:
    text = callout_text(label, loc, f"A{number}")
    assert len(text) <= MAX_TEXT
    assert text.endswith(f"#A{number}")
    text.encode("latin-1")
