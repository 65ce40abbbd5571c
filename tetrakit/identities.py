"""TETRA identities: SSI, ISSI/GSSI and TSI (EN 300 392-1 cl. 7).

A TETRA subscriber identity (TSI) is MCC (10 bits, 0-1023) + MNC (14 bits,
0-16383) + SSI (24 bits, 0-16777215).  Over the PEI a party appears either as
a bare SSI in decimal (``23404``) or as a TSI written as 15 to 17 decimal
digits: MCC, MNC and an 8-digit zero-padded SSI (EN 300 392-5 §6.17.11/12;
e.g. ``09011638300023404`` = MCC 0901, MNC 16383, SSI 23404).  Radios report
the same party in either form, so everything is normalised to :class:`Tsi`
with an optional network part and compared on the SSI when the network is not
known.

The split of the 15 and 16 digit forms is not fixed by any source we have:
17 digits are 4+5+8 and 15 digits 3+4+8 (both seen in the wild); 16 digits are
read as MCC 3 + MNC 5 + SSI 8, which fits the German BOS example
``2620100108280651`` [unverified].
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_MCC", "MAX_MNC", "MAX_SSI", "Tsi", "format_tsi", "parse_identity"]

MAX_SSI = (1 << 24) - 1
MAX_MCC = (1 << 10) - 1
MAX_MNC = (1 << 14) - 1

_SPLITS = {17: (4, 5), 16: (3, 5), 15: (3, 4)}


@dataclass(frozen=True, slots=True)
class Tsi:
    """A TETRA subscriber identity; ``mcc``/``mnc`` are ``None`` for a bare SSI."""

    ssi: int
    mcc: int | None = None
    mnc: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.ssi <= MAX_SSI:
            raise ValueError(f"SSI {self.ssi} out of range 0-{MAX_SSI}")
        if (self.mcc is None) != (self.mnc is None):
            raise ValueError("MCC and MNC must be given together")
        if self.mcc is not None and not 0 <= self.mcc <= MAX_MCC:
            raise ValueError(f"MCC {self.mcc} out of range 0-{MAX_MCC}")
        if self.mnc is not None and not 0 <= self.mnc <= MAX_MNC:
            raise ValueError(f"MNC {self.mnc} out of range 0-{MAX_MNC}")

    @property
    def has_network(self) -> bool:
        """True when MCC and MNC are known."""
        return self.mcc is not None

    def same_party(self, other: Tsi | int) -> bool:
        """True if both name the same subscriber.

        A bare SSI matches any TSI with that SSI, since radios drop the network
        part inconsistently.
        """
        if isinstance(other, int):
            return self.ssi == other
        if self.has_network and other.has_network:
            return self == other
        return self.ssi == other.ssi

    def __str__(self) -> str:
        return format_tsi(self)


def parse_identity(text: str | int) -> Tsi:
    """Parse an identity as a radio or a user writes it.

    Accepts a bare SSI (1-8 decimal digits, up to 16777215) or a TSI of 15-17
    digits.  Surrounding whitespace and quotes are ignored.

    Raises:
        ValueError: if the text is not an identity.
    """
    if isinstance(text, int):
        return Tsi(text)
    s = text.strip().strip('"').strip()
    if not s.isdigit() or not s.isascii():
        raise ValueError(f"not a TETRA identity: {text!r}")
    n = len(s)
    if n <= 8:
        return Tsi(int(s))
    split = _SPLITS.get(n)
    if split is None:
        raise ValueError(f"not a TETRA identity: {text!r} has {n} digits (SSI 1-8, TSI 15-17)")
    a, b = split
    return Tsi(ssi=int(s[a + b :]), mcc=int(s[:a]), mnc=int(s[a : a + b]))


def format_tsi(tsi: Tsi, *, digits: int = 17) -> str:
    """Format as a TSI of ``digits`` digits (15-17), or the bare SSI if no network."""
    if tsi.mcc is None or tsi.mnc is None:
        return str(tsi.ssi)
    split = _SPLITS.get(digits)
    if split is None:
        raise ValueError(f"a TSI has 15, 16 or 17 digits, not {digits}")
    a, b = split
    mcc, mnc = str(tsi.mcc).zfill(a), str(tsi.mnc).zfill(b)
    if len(mcc) > a or len(mnc) > b:
        raise ValueError(f"{tsi!r} does not fit {digits} digits")
    return f"{mcc}{mnc}{tsi.ssi:08d}"
