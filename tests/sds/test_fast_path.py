"""The octet fast path for plain text messages agrees with the general BitReader path.

``tetrakit.sds.decode`` / ``encode`` handle SDS-TL text messages without
storage fields or timestamp in straight-line octet code (for the codec
benchmark); everything else goes through ``decode_tl`` / ``encode_tl``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import sds
from tetrakit.sds.protocol_id import to_protocol_id
from tetrakit.sds.tl import decode_tl, encode_tl


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([0x82, 0x89]), st.integers(0, 3), st.booleans(), st.integers(0, 255),
       st.integers(0, 0x7F), st.binary(max_size=40))
def test_fast_path_matches_general_path(pi: int, drr: int, svc: bool, mr: int, scheme: int,
                                        text: bytes) -> None:
    data = bytes((pi, drr << 2 | (2 if svc else 0), mr, scheme)) + text
    fast = sds.decode(data)
    general = decode_tl(to_protocol_id(pi), data, 8 * len(data))
    assert fast == general
    assert type(fast.user_data.coding_scheme) is type(general.user_data.coding_scheme)
    assert sds.encode(fast) == (encode_tl(general), 8 * len(data)) == (data, 8 * len(data))
